//! Headers on every response (a strict Content-Security-Policy without inline
//! script or style, nosniff, no referrer, no framing), the language cookie that
//! `?lang=` sets, and the stylesheet, served from the binary.

use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::i18n::Lang;

/// The policy: everything from this server only, no plugins, no framing, forms
/// post only here. No `'unsafe-inline'` anywhere, so an archived body that slipped
/// through sanitizing still could not run a script or apply a style.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; \
media-src 'self'; object-src 'none'; frame-src 'none'; frame-ancestors 'none'; base-uri 'none'; \
form-action 'self'";

/// The stylesheet (UI.md's typography), compiled into the binary.
pub const STYLESHEET: &str = include_str!("../static/style.css");

/// Adds the security headers to every response, and the `lang` cookie when the
/// request chose a language with `?lang=`.
pub async fn headers(request: Request, next: Next) -> Response {
    let chosen = request.uri().query().and_then(|q| {
        url::form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "lang").and_then(|(_, v)| Lang::parse(&v))
    });
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    // A response with a stricter policy of its own (a kept image) keeps it.
    headers.entry(header::CONTENT_SECURITY_POLICY).or_insert(HeaderValue::from_static(CSP));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    headers.insert("cross-origin-resource-policy", HeaderValue::from_static("same-origin"));
    if let Some(lang) = chosen {
        let cookie = format!("lang={}; Path=/; Max-Age=31536000; SameSite=Lax", lang.param());
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            headers.append(header::SET_COOKIE, value);
        }
    }
    response
}

/// The icon (also answers `/favicon.ico`, which browsers ask for by themselves).
pub const ICON: &str = include_str!("../static/icon.svg");

/// `GET /static/icon.svg`, `GET /favicon.ico`.
pub async fn icon() -> Response {
    ([(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, "public, max-age=86400")], ICON).into_response()
}

/// `GET /static/style.css`.
pub async fn stylesheet() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")], STYLESHEET)
        .into_response()
}
