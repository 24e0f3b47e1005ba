//! Feed discovery: the feeds an HTML page advertises with
//! `<link rel="alternate" type="application/rss+xml" href="…">` and its kin.

use feedvault_core::html::Context;
use quick_xml::events::BytesStart;
use url::Url;

use crate::links::absolute;

const FEED_TYPES: [&str; 6] = [
    "application/rss+xml",
    "application/atom+xml",
    "application/feed+json",
    "application/json",
    "application/rdf+xml",
    "application/xml",
];

/// The absolute URLs of the feeds `html` advertises, in document order.
pub fn advertised_feeds(html: &str, page: Option<&Url>) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let mut feeds = Vec::new();
    let mut from = 0;
    while let Some(at) = lower[from..].find("<link") {
        let start = from + at;
        let Some(len) = lower[start..].find('>') else { break };
        from = start + len + 1;
        let inside = html[start + 1..start + len].trim_end_matches('/');
        let tag = BytesStart::from_content(inside, 4);
        let mut rel = None;
        let mut kind = None;
        let mut href = None;
        for attr in tag.html_attributes().with_checks(false).flatten() {
            let value = attr.value.into_owned();
            match attr.key.as_ref().to_ascii_lowercase().as_str() {
                "rel" => rel = Some(value.to_ascii_lowercase()),
                "type" => kind = Some(value.trim().to_ascii_lowercase()),
                "href" => href = Some(feedvault_core::html::decode_in(&value, Context::Attribute).into_owned()),
                _ => {}
            }
        }
        let is_alternate = rel.is_some_and(|r| r.split_ascii_whitespace().any(|w| w == "alternate"));
        let is_feed = kind.is_some_and(|k| FEED_TYPES.contains(&k.as_str()));
        if let (true, true, Some(href)) = (is_alternate, is_feed, href)
            && let Some(url) = absolute(&href, page)
            && !feeds.contains(&url)
        {
            feeds.push(url);
        }
    }
    feeds
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_advertised_feeds() {
        let html = r#"<!DOCTYPE html><html><head>
            <link rel="stylesheet" href="/s.css">
            <LINK REL="alternate" TYPE="application/rss+xml" HREF="/feed.xml" title="RSS">
            <link rel=alternate type=application/atom+xml href=atom.xml />
            <link rel="alternate" type="text/html" href="/other">
            <link rel="alternate" type="application/feed+json" href="javascript:alert(1)">
            </head></html>"#;
        let page = Url::parse("https://example.com/blog/").unwrap();
        assert_eq!(
            advertised_feeds(html, Some(&page)),
            ["https://example.com/feed.xml", "https://example.com/blog/atom.xml"]
        );
        assert!(advertised_feeds("<html><body>no feeds</body></html>", Some(&page)).is_empty());
    }
}
