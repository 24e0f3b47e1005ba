//! Which addresses the web may ask feedvault to fetch: not loopback, private,
//! link-local, shared (CGNAT), unspecified, multicast or documentation addresses,
//! unless the configuration allows them. Checked here after DNS resolution, when a
//! feed is added; such a feed is marked `public_only`, and the fetcher checks every
//! hop of every later fetch again (`feedvault_engine::address`).

use std::net::IpAddr;

use url::Url;

use crate::error::WebError;

pub use feedvault_engine::address::is_internal;

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
    let host = parsed.host_str().ok_or_else(|| WebError::BadRequest("the address has no host".into()))?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let port = parsed.port_or_known_default().unwrap_or(80);
    let addresses: Vec<IpAddr> = match host.parse::<IpAddr>() {
        Ok(ip) => vec![ip],
        Err(_) => tokio::net::lookup_host((host, port))
            .await
            .map_err(|_| WebError::BadRequest(format!("{host} could not be resolved")))?
            .map(|a| a.ip())
            .collect(),
    };
    if addresses.is_empty() {
        return Err(WebError::BadRequest(format!("{host} could not be resolved")));
    }
    if let Some(ip) = addresses.iter().find(|ip| is_internal(**ip)) {
        return Err(WebError::Forbidden(format!(
            "{host} is a loopback, private or link-local address ({ip}); the configuration does not allow those"
        )));
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
        ] {
            assert!(is_internal(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["93.184.216.34", "8.8.8.8", "2606:4700::1111", "100.128.0.1"] {
            assert!(!is_internal(ip.parse().unwrap()), "{ip}");
        }
    }

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
