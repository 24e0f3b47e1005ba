//! Fetching items' pages for their full text, with the feed's own options.
//!
//! A page is fetched by the vault's fetcher (its politeness, limits, timeouts and
//! proxy) with the feed's request options, except that the feed's headers and
//! cookies go only to a page on the feed's own origin (scheme, host and port): a page
//! elsewhere gets none of them. Only http and https links are fetched. The pages of
//! one feed are fetched at once, the fetcher spacing those that share a host.

use feedvault_fetch::{Exchange, FetchError, Fetched, RequestSpec, Source, Validators};
use tokio::task::JoinSet;
use url::Url;

use super::captures::RawResponse;
use super::extract::{self, FullText};
use crate::VaultWriter;

/// The extracted HTML of each link's page, or why there is none, in link order, each
/// with the response it was read from (for a raw capture).
pub(crate) fn full_texts(
    writer: &VaultWriter,
    feed_url: &str,
    spec: &RequestSpec,
    links: &[Option<String>],
    how: &FullText,
) -> Vec<(Result<String, String>, Option<RawResponse>)> {
    fetch_all(writer, feed_url, spec, links)
        .into_iter()
        .map(|page| match page {
            Ok(page) => {
                let html = extract::decode_page(&page.body, page.charset.as_deref());
                let text = extract::extract(&html, &page.final_url, how);
                let RawPage { body, final_url, exchange, .. } = page;
                (text, exchange.map(|exchange| RawResponse { exchange, final_url, body }))
            }
            Err(why) => (Err(why), None),
        })
        .collect()
}

/// A page as fetched: its body, where it came from, its charset parameter, and the
/// exchange (always there for http and https).
pub(crate) struct RawPage {
    pub body: Vec<u8>,
    pub final_url: Url,
    pub charset: Option<String>,
    pub exchange: Option<Exchange>,
}

/// Each link's page as the fetcher returned it, in link order.
pub(crate) fn fetch_all(
    writer: &VaultWriter,
    feed_url: &str,
    spec: &RequestSpec,
    links: &[Option<String>],
) -> Vec<Result<RawPage, String>> {
    let feed_origin = Url::parse(feed_url).ok().map(|u| u.origin());
    let mut results: Vec<Result<RawPage, String>> = links.iter().map(|_| Err(String::new())).collect();
    let mut running = JoinSet::new();
    for (at, link) in links.iter().enumerate() {
        let url = match page_url(link.as_deref()) {
            Ok(url) => url,
            Err(why) => {
                results[at] = Err(why);
                continue;
            }
        };
        let spec = spec_for(spec, feed_origin.as_ref(), &url);
        let fetcher = writer.fetcher.clone();
        running.spawn_on(
            async move {
                let source = Source::Http(url);
                // In a task of its own, so a panic while fetching is this page's failure.
                let fetch =
                    tokio::spawn(async move { fetcher.fetch_with(&source, &Validators::default(), &spec).await });
                let fetched = fetch.await.unwrap_or_else(|crash| Err(FetchError::crashed(crash)));
                (at, fetched)
            },
            writer.runtime.handle(),
        );
    }
    writer.runtime.block_on(async {
        while let Some(joined) = running.join_next().await {
            let Ok((at, fetched)) = joined else { continue };
            results[at] = match fetched {
                Ok(response) => match response.fetched {
                    Fetched::Body(body) => Ok(RawPage {
                        body: body.bytes,
                        final_url: body.final_url,
                        charset: body.charset,
                        exchange: response.exchange,
                    }),
                    Fetched::NotModified => Err("the page answered 304 to a plain request".to_owned()),
                },
                Err(err) => Err(err.message),
            };
        }
    });
    for result in &mut results {
        if matches!(result, Err(why) if why.is_empty()) {
            *result = Err("the page fetch was lost".to_owned());
        }
    }
    results
}

/// The page to fetch for an item's link: an http or https URL only.
pub(crate) fn page_url(link: Option<&str>) -> Result<Url, String> {
    let link = link.filter(|l| !l.trim().is_empty()).ok_or("the item has no link")?;
    let url = Url::parse(link).map_err(|e| format!("the link is not a URL ({e})"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("only http and https pages are fetched, not {}:", url.scheme()));
    }
    Ok(url)
}

/// The feed's request options for a page: its headers and cookies only when the page
/// is on the feed's own origin.
pub(crate) fn spec_for(spec: &RequestSpec, feed_origin: Option<&url::Origin>, page: &Url) -> RequestSpec {
    let same_origin = feed_origin.is_some_and(|o| o.is_tuple() && *o == page.origin());
    if same_origin { spec.clone() } else { RequestSpec { headers: Vec::new(), cookies: Vec::new(), ..spec.clone() } }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_stay_on_the_feeds_origin() {
        let spec = RequestSpec {
            user_agent: Some("ua".into()),
            headers: vec![("X-Key".into(), "secret".into())],
            cookies: vec![("session".into(), "s".into())],
            public_only: true,
            ..RequestSpec::default()
        };
        let origin = Url::parse("https://feeds.example.org/rss").unwrap().origin();
        let same = spec_for(&spec, Some(&origin), &Url::parse("https://feeds.example.org/a/1.html").unwrap());
        assert_eq!(same, spec);
        for elsewhere in ["https://www.example.org/a", "http://feeds.example.org/a", "https://feeds.example.org:8443/a"]
        {
            let other = spec_for(&spec, Some(&origin), &Url::parse(elsewhere).unwrap());
            assert!(other.headers.is_empty() && other.cookies.is_empty(), "{elsewhere}");
            assert_eq!((other.user_agent.as_deref(), other.public_only), (Some("ua"), true), "{elsewhere}");
        }
        // A feed read from a file has no origin: no page gets its headers.
        let none = spec_for(&spec, None, &Url::parse("https://feeds.example.org/a").unwrap());
        assert!(none.headers.is_empty());
    }

    #[test]
    fn only_web_pages_are_fetched() {
        assert!(page_url(Some("https://example.org/a")).is_ok());
        assert_eq!(page_url(None).unwrap_err(), "the item has no link");
        assert!(page_url(Some("file:///etc/passwd")).unwrap_err().contains("only http and https"));
        assert!(page_url(Some("not a url")).unwrap_err().contains("not a URL"));
    }
}
