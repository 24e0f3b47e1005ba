//! `GET /assets/<sha256>.<ext>`: a kept image's bytes, with the media type its
//! bytes showed when it was kept, `nosniff` (the security headers), a policy that
//! lets nothing run or load even when the copy is opened as a document, and
//! immutable caching (the name is the content's hash).

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::error::WebError;
use crate::state::AppState;

/// The policy of a kept copy's response.
pub const ASSET_CSP: &str = "default-src 'none'; img-src 'self'; sandbox";

pub async fn file(State(state): State<AppState>, Path(name): Path<String>) -> Response {
    state
        .run_plain(move |s| {
            let Some((media_type, bytes)) = s.vault.kept_file(&name)? else { return Err(WebError::NotFound) };
            let mut response = (StatusCode::OK, bytes).into_response();
            let headers = response.headers_mut();
            let media_type = HeaderValue::from_str(&media_type).map_err(|_| WebError::NotFound)?;
            headers.insert(header::CONTENT_TYPE, media_type);
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable"));
            headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(ASSET_CSP));
            Ok(response)
        })
        .await
}
