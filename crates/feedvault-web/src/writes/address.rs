//! Which addresses the web may ask feedvault to fetch: not loopback, private,
//! link-local, shared (CGNAT), unspecified, multicast or documentation addresses,
//! unless the configuration allows them. Checked here after DNS resolution, when a
//! feed is added; such a feed is marked `public_only`, and the fetcher checks every
//! hop of every later fetch again (`feedvault_engine::address`).

use url::Url;

use crate::error::WebError;

/// Checks that `url` is an http(s) address whose host resolves only to addresses
/// the web may reach (any internal one refuses it: DNS can answer differently on
/// the next lookup).
pub async fn check(url: &str, allow_internal: bool) -> Result<Url, WebError> {
    let parsed =
        Url::parse(url.trim()).map_err(|_| WebError::BadRequest("not a web address (http:// or https://)".into()))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(WebError::BadRequest("only http:// and https:// addresses can be added from the web".into()));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(WebError::BadRequest("addresses with credentials cannot be added from the web".into()));
    }
    if allow_internal {
        return Ok(parsed);
    }
    // The fetcher's own rule, the one it applies to every hop of the feed later.
    feedvault_engine::address::check_public(&parsed).await.map_err(|err| match err.kind {
        feedvault_engine::FailureKind::Config => {
            WebError::Forbidden(format!("{} (the configuration does not allow them)", err.message))
        }
        _ => WebError::BadRequest(format!("{} could not be resolved", parsed.host_str().unwrap_or(""))),
    })?;
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn refuses_what_the_web_must_not_reach() {
        for url in [
            "http://127.0.0.1/feed",
            "http://[::1]:8080/",
            "http://localhost/",
            "http://169.254.169.254/latest",
            "http://0x7f.1/",
        ] {
            assert!(check(url, false).await.is_err(), "{url}");
        }
        for url in ["file:///etc/passwd", "ftp://example.org/", "/etc/passwd", "http://user:pw@example.org/"] {
            assert!(matches!(check(url, true).await, Err(WebError::BadRequest(_))), "{url}");
        }
        assert!(check("http://127.0.0.1/feed", true).await.is_ok());
        assert!(check("https://93.184.216.34/feed", false).await.is_ok());
    }
}
