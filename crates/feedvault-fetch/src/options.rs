//! What a fetch may do: process-wide [`FetchOptions`] (limits, identity, global proxy,
//! politeness) and per-feed [`RequestSpec`] (User-Agent, extra headers, cookies, proxy).

use std::time::Duration;

use reqwest::header::{COOKIE, HeaderMap, HeaderName, HeaderValue, USER_AGENT};

use crate::politeness::PolitenessOptions;
use crate::{FailureKind, FetchError};

/// The default User-Agent: `feedvault/<version> (+https://github.com/feedvault)`.
pub const DEFAULT_USER_AGENT: &str =
    concat!("feedvault/", env!("CARGO_PKG_VERSION"), " (+https://github.com/feedvault)");

/// Limits, identity and routing of every request made by one [`crate::Fetcher`].
#[derive(Debug, Clone)]
pub struct FetchOptions {
    /// Largest accepted body, counted on the decoded bytes as they stream in (32 MiB).
    pub max_bytes: usize,
    /// Time to set up a TCP (and proxy) connection (15 s).
    pub connect_timeout: Duration,
    /// Time for the whole fetch, redirects included, from when it may start (120 s).
    pub total_timeout: Duration,
    /// Longest wait for the next byte of the body, or for the response headers once
    /// connected (30 s); exceeding it is a [`FailureKind::Timeout`] that says "stalled".
    pub stall_timeout: Duration,
    /// Redirects followed before giving up (10).
    pub max_redirects: usize,
    /// Sent unless a feed's [`RequestSpec::user_agent`] overrides it.
    pub user_agent: String,
    /// The proxy for feeds that do not name their own (default: the environment).
    pub proxy: ProxyChoice,
    /// Hosts that bypass an explicit global proxy, in NO_PROXY syntax
    /// (`example.com,.internal,10.0.0.0/8`); `None`: the NO_PROXY environment variable.
    pub no_proxy: Option<String>,
    /// Concurrency limits and per-host spacing; `None` (the default) leaves concurrency
    /// to the caller. `Some(PolitenessOptions::default())` is what a scheduler wants.
    pub politeness: Option<PolitenessOptions>,
}

impl Default for FetchOptions {
    fn default() -> Self {
        FetchOptions {
            max_bytes: 32 * 1024 * 1024,
            connect_timeout: Duration::from_secs(15),
            total_timeout: Duration::from_secs(120),
            stall_timeout: Duration::from_secs(30),
            max_redirects: 10,
            user_agent: DEFAULT_USER_AGENT.to_owned(),
            proxy: ProxyChoice::FromEnv,
            no_proxy: None,
            politeness: None,
        }
    }
}

/// How requests are routed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum ProxyChoice {
    /// HTTP_PROXY / HTTPS_PROXY / ALL_PROXY and NO_PROXY from the environment (and
    /// their lower-case forms); direct when none is set.
    #[default]
    FromEnv,
    /// Direct connections, whatever the environment says.
    Direct,
    /// Every request through this proxy: `http://`, `https://`, `socks5://` (names
    /// resolved locally) or `socks5h://` (names resolved by the proxy), with optional
    /// `user:password@`.
    Url(String),
}

impl ProxyChoice {
    /// Reads a configuration value: `env` (or empty), `none` / `direct`, or a proxy URL.
    pub fn parse(input: &str) -> Result<ProxyChoice, FetchError> {
        let choice = match input.trim() {
            "" | "env" => ProxyChoice::FromEnv,
            "none" | "direct" => ProxyChoice::Direct,
            url => ProxyChoice::Url(url.to_owned()),
        };
        choice.check()?;
        Ok(choice)
    }

    /// Checks a proxy URL's form and scheme.
    pub fn check(&self) -> Result<(), FetchError> {
        let ProxyChoice::Url(raw) = self else { return Ok(()) };
        let bad = |why: &str| FetchError::new(FailureKind::Config, format!("proxy {raw}: {why}"));
        let url = url::Url::parse(raw).map_err(|e| bad(&e.to_string()))?;
        if !matches!(url.scheme(), "http" | "https" | "socks5" | "socks5h") {
            return Err(bad("unsupported scheme (use http, https, socks5 or socks5h)"));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(bad("no host"));
        }
        Ok(())
    }
}

/// Per-feed request options, passed to [`crate::Fetcher::fetch_with`] beside the
/// validators. The default adds nothing to the fetcher's options.
///
/// What goes where along a redirect chain: the User-Agent and the conditional headers
/// go on every hop (they identify feedvault and carry no secret); `headers` and
/// `cookies` go only to the feed's own origin (the scheme, host and port of the URL
/// fetched), and never again once the chain has left it, so a credential cannot leak
/// to another host or over a downgraded scheme.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestSpec {
    /// Replaces the fetcher's User-Agent for this feed (sent on every hop).
    pub user_agent: Option<String>,
    /// Extra headers (often credentials), sent only to the feed's own origin.
    pub headers: Vec<(String, String)>,
    /// Cookies (name, value), sent only to the feed's own origin.
    pub cookies: Vec<(String, String)>,
    /// This feed's proxy, replacing the global one (NO_PROXY does not apply to it).
    pub proxy: Option<ProxyChoice>,
    /// Follows a redirect from `https` to plain `http` instead of refusing it with
    /// [`FailureKind::Redirects`] (the per-feed `allow_insecure_redirects = true`).
    pub allow_insecure_redirects: bool,
    /// Check every hop's address after DNS resolution and refuse internal ones
    /// ([`crate::address`]): set for feeds added from the web.
    pub public_only: bool,
    /// A lower size limit for this request than the fetcher's `max_bytes` (images
    /// kept by a vault), enforced the same way while the body streams in.
    pub max_bytes: Option<usize>,
    /// Read the body of an HTTP error status (up to [`crate::ERROR_BODY_LIMIT`]) to
    /// hash it into [`crate::ErrorAnswer::body_sha256`]: what re-checks keep as
    /// evidence. Off, an error status returns as soon as its head arrives.
    pub hash_error_body: bool,
}

impl RequestSpec {
    /// The headers for every hop: the User-Agent, when the feed sets its own, checked.
    pub(crate) fn hop_headers(&self) -> Result<HeaderMap, FetchError> {
        let mut map = HeaderMap::new();
        if let Some(agent) = &self.user_agent {
            let value = HeaderValue::from_str(agent)
                .map_err(|_| FetchError::new(FailureKind::Config, format!("invalid User-Agent {agent:?}")))?;
            map.insert(USER_AGENT, value);
        }
        Ok(map)
    }

    /// The feed's extra headers and its Cookie header, for its own origin only, checked.
    pub(crate) fn origin_headers(&self) -> Result<HeaderMap, FetchError> {
        let bad = |what: String| FetchError::new(FailureKind::Config, what);
        let mut map = HeaderMap::new();
        for (name, value) in &self.headers {
            let header = HeaderName::from_bytes(name.trim().as_bytes())
                .map_err(|_| bad(format!("invalid header name {name:?}")))?;
            let value =
                HeaderValue::from_str(value.trim()).map_err(|_| bad(format!("invalid value for header {name}")))?;
            map.append(header, value);
        }
        if let Some((name, value)) = self.cookie_header()? {
            map.insert(name, value);
        }
        Ok(map)
    }

    /// The Cookie header for the feed's own host, checked.
    fn cookie_header(&self) -> Result<Option<(HeaderName, HeaderValue)>, FetchError> {
        if self.cookies.is_empty() {
            return Ok(None);
        }
        let mut joined = String::new();
        for (name, value) in &self.cookies {
            let name_ok =
                !name.is_empty() && name.bytes().all(|b| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?={}".contains(&b));
            let value_ok = value.bytes().all(|b| b.is_ascii_graphic() && !b"\",;\\".contains(&b));
            if !name_ok || !value_ok {
                return Err(FetchError::new(FailureKind::Config, format!("invalid cookie {name:?}")));
            }
            if !joined.is_empty() {
                joined.push_str("; ");
            }
            joined.push_str(name);
            joined.push('=');
            joined.push_str(value);
        }
        let value = HeaderValue::from_str(&joined).expect("checked cookie characters");
        Ok(Some((COOKIE, value)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_choices() {
        assert_eq!(ProxyChoice::parse("").unwrap(), ProxyChoice::FromEnv);
        assert_eq!(ProxyChoice::parse("none").unwrap(), ProxyChoice::Direct);
        for ok in ["http://p:8080", "https://u:pw@p", "socks5://127.0.0.1:1080", "socks5h://p:1080"] {
            assert_eq!(ProxyChoice::parse(ok).unwrap(), ProxyChoice::Url(ok.to_owned()));
        }
        for bad in ["ftp://p", "socks4://p:1", "not a url", "http://"] {
            assert_eq!(ProxyChoice::parse(bad).unwrap_err().kind, FailureKind::Config, "{bad}");
        }
    }

    #[test]
    fn headers_and_cookies() {
        let spec = RequestSpec {
            user_agent: Some("custom/1".into()),
            headers: vec![("X-Token".into(), "abc".into()), ("Accept-Language".into(), "zh-CN".into())],
            cookies: vec![("a".into(), "1".into()), ("b".into(), "x%20y".into())],
            ..Default::default()
        };
        let every_hop = spec.hop_headers().unwrap();
        assert_eq!(every_hop[USER_AGENT], "custom/1");
        assert_eq!(every_hop.len(), 1, "only the User-Agent goes on every hop");
        let origin = spec.origin_headers().unwrap();
        assert_eq!(origin["x-token"], "abc");
        assert_eq!(origin[COOKIE], "a=1; b=x%20y");
        assert!(!origin.contains_key(USER_AGENT));
        assert!(RequestSpec::default().origin_headers().unwrap().is_empty());
        assert!(RequestSpec::default().hop_headers().unwrap().is_empty());
        let bad = RequestSpec { headers: vec![("bad name".into(), "v".into())], ..Default::default() };
        assert_eq!(bad.origin_headers().unwrap_err().kind, FailureKind::Config);
        let bad = RequestSpec { headers: vec![("X".into(), "a\nb".into())], ..Default::default() };
        assert_eq!(bad.origin_headers().unwrap_err().kind, FailureKind::Config);
        let bad = RequestSpec { cookies: vec![("a".into(), "x;y".into())], ..Default::default() };
        assert_eq!(bad.origin_headers().unwrap_err().kind, FailureKind::Config);
        let bad = RequestSpec { user_agent: Some("a\rb".into()), ..Default::default() };
        assert_eq!(bad.hop_headers().unwrap_err().kind, FailureKind::Config);
    }
}
