//! Downloading images with the vault's fetcher and the feed's options, as pages
//! are fetched for their full text ([`crate::preserve::pages::spec_for`]: the
//! feed's headers and cookies only on the feed's own origin). The size limit is
//! the request's own (`[preserve.images] max_bytes`), enforced by the fetcher while
//! the body streams in. An image's URLs are tried in order (the original behind a
//! proxy, then the proxy); the images of one feed are fetched at once, the fetcher
//! spacing those that share a host.

use feedvault_fetch::{FailureKind, FetchError, Fetched, RequestSpec, Source, Validators};
use tokio::task::JoinSet;
use url::Url;

use crate::VaultWriter;
use crate::preserve::pages::spec_for;

/// Why an image could not be had, and whether trying later may help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub why: String,
    pub retry: bool,
}

/// The bytes behind each list of URLs (the first that answers), in order.
pub fn fetch_all(
    writer: &VaultWriter,
    feed_url: &str,
    spec: &RequestSpec,
    images: &[Vec<Url>],
) -> Vec<Result<Vec<u8>, Failure>> {
    let feed_origin = Url::parse(feed_url).ok().map(|u| u.origin());
    let mut results: Vec<Result<Vec<u8>, Failure>> =
        images.iter().map(|_| Err(Failure { why: "the image fetch was lost".into(), retry: true })).collect();
    let mut running = JoinSet::new();
    for (at, urls) in images.iter().enumerate() {
        let tries: Vec<(Source, RequestSpec)> = urls
            .iter()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .map(|u| (Source::Http(u.clone()), spec_for(spec, feed_origin.as_ref(), u)))
            .collect();
        let fetcher = writer.fetcher.clone();
        running.spawn_on(
            async move {
                let mut last = Failure { why: "no http or https address".into(), retry: false };
                for (source, spec) in tries {
                    let fetcher = fetcher.clone();
                    // In a task of its own, so a panic while fetching is this image's failure.
                    let fetch =
                        tokio::spawn(async move { fetcher.fetch_with(&source, &Validators::default(), &spec).await });
                    let fetched = fetch.await.unwrap_or_else(|crash| Err(FetchError::crashed(crash)));
                    match fetched {
                        Ok(response) => match response.fetched {
                            Fetched::Body(body) => return (at, Ok(body.bytes)),
                            Fetched::NotModified => {
                                last = Failure { why: "answered 304 to a plain request".into(), retry: false };
                            }
                        },
                        Err(err) => last = Failure { retry: may_pass(err.kind), why: err.message },
                    }
                }
                (at, Err(last))
            },
            writer.runtime.handle(),
        );
    }
    writer.runtime.block_on(async {
        while let Some(joined) = running.join_next().await {
            if let Ok((at, result)) = joined {
                results[at] = result;
            }
        }
    });
    results
}

/// Whether a failure of this kind may pass by itself.
fn may_pass(kind: FailureKind) -> bool {
    match kind {
        FailureKind::Dns | FailureKind::Connect | FailureKind::Timeout | FailureKind::Other => true,
        FailureKind::HttpStatus(status) => status == 429 || status == 408 || status >= 500,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_failures_that_may_pass_are_tried_again() {
        for yes in
            [FailureKind::Timeout, FailureKind::Connect, FailureKind::HttpStatus(503), FailureKind::HttpStatus(429)]
        {
            assert!(may_pass(yes), "{yes:?}");
        }
        for no in [FailureKind::HttpStatus(404), FailureKind::TooLarge, FailureKind::Redirects, FailureKind::Config] {
            assert!(!may_pass(no), "{no:?}");
        }
    }
}
