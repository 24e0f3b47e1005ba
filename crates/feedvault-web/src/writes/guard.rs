//! The checks every change passes before it runs (DESIGN.md, Security stance):
//! the `Host` header names this server (so a DNS-rebinding page is refused), an
//! `Origin` (or, failing that, `Referer`) if present is this server, the browser
//! does not call the request cross-site, the CSRF token is the action's, and when
//! bound to an address other than loopback the configured token is given. Without
//! a configured token such a server refuses every change.

use axum::http::{HeaderMap, header};

use crate::error::WebError;
use crate::state::AppState;

/// Whether changes need the configured token (bound off loopback).
pub fn token_required(state: &AppState) -> bool {
    !state.addr.ip().is_loopback()
}

/// Whether this server accepts changes at all.
pub fn writes_enabled(state: &AppState) -> bool {
    !token_required(state) || state.options.token.as_deref().is_some_and(|t| !t.is_empty())
}

/// The `Host` values this server answers changes for.
fn allowed_hosts(state: &AppState) -> Vec<String> {
    let port = state.addr.port();
    let mut hosts = vec![state.addr.to_string()];
    if state.addr.ip().is_loopback() {
        hosts.push(format!("localhost:{port}"));
        hosts.push(format!("127.0.0.1:{port}"));
        hosts.push(format!("[::1]:{port}"));
    }
    hosts.extend(state.options.allowed_hosts.iter().cloned());
    hosts
}

/// Runs every check for `action`.
pub fn check(state: &AppState, headers: &HeaderMap, action: &str, csrf: &str, token: &str) -> Result<(), WebError> {
    let hosts = allowed_hosts(state);
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !hosts.iter().any(|h| h.eq_ignore_ascii_case(host)) {
        return Err(WebError::Forbidden("this server does not accept changes for that host name".into()));
    }
    let origin = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER))
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if let Some(origin) = origin {
        let authority = url::Url::parse(&origin).ok().map(|u| match u.port() {
            Some(port) => format!("{}:{port}", u.host_str().unwrap_or("")),
            None => u.host_str().unwrap_or("").to_owned(),
        });
        if !authority.is_some_and(|a| hosts.iter().any(|h| h.eq_ignore_ascii_case(&a))) {
            return Err(WebError::Forbidden("changes must come from this server's own pages".into()));
        }
    }
    if headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()).is_some_and(|v| v == "cross-site") {
        return Err(WebError::Forbidden("changes must come from this server's own pages".into()));
    }
    if !state.csrf.verify(action, csrf) {
        return Err(WebError::Forbidden(
            "the form has expired or did not come from this server; reload the page".into(),
        ));
    }
    if token_required(state) {
        let Some(expected) = state.options.token.as_deref().filter(|t| !t.is_empty()) else {
            return Err(WebError::Forbidden(
                "changes are disabled: this server is bound to a non-loopback address and has no token (FEEDVAULT_TOKEN)"
                    .into(),
            ));
        };
        let bearer = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        let given = if token.is_empty() { bearer } else { token };
        if !constant_time_eq(given.as_bytes(), expected.as_bytes()) {
            return Err(WebError::Forbidden("a valid token is needed for changes".into()));
        }
    }
    Ok(())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
