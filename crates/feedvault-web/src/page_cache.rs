//! Whole pages, remembered while the vault has not changed. A page is a function of
//! the request (path, query, language, host) and of the vault; the vault's
//! [`ChangeStamp`] (state.db's commits, feedvault.toml's size, times and inode) says
//! when that second part moved. So a page rendered at one stamp is served again, as
//! it was, until the stamp changes; then every page is dropped. The stamp is read on
//! every request (a few microseconds), so a writer's commit, in this process or
//! another, shows on the next request. Search pages are not kept (they depend on the
//! index, which the stamp does not cover), nor anything but a whole `200 text/html`
//! page.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use feedvault_engine::ChangeStamp;

use crate::context::{Ctx, Mirror};
use crate::state::AppState;

/// Pages kept at most (then all are dropped and the cache fills again).
const CAPACITY: usize = 4096;
/// A page larger than this is rendered every time.
const LARGEST_PAGE: usize = 1 << 20;

struct Kept {
    headers: HeaderMap,
    body: Bytes,
}

/// The kept pages by request, and the stamp they were rendered at.
#[derive(Default)]
struct Pages {
    stamp: Option<ChangeStamp>,
    by_request: HashMap<String, Arc<Kept>>,
}

#[derive(Default)]
pub struct PageCache {
    pages: Mutex<Pages>,
}

impl PageCache {
    fn get(&self, stamp: ChangeStamp, key: &str) -> Option<Arc<Kept>> {
        let pages = self.pages.lock().unwrap_or_else(|p| p.into_inner());
        if pages.stamp != Some(stamp) {
            return None;
        }
        pages.by_request.get(key).cloned()
    }

    fn put(&self, stamp: ChangeStamp, key: String, kept: Kept) {
        let mut pages = self.pages.lock().unwrap_or_else(|p| p.into_inner());
        if pages.stamp != Some(stamp) || pages.by_request.len() >= CAPACITY {
            pages.by_request.clear();
            pages.stamp = Some(stamp);
        }
        pages.by_request.insert(key, Arc::new(kept));
    }
}

/// Whether the page at `path` is a function of the request and the vault alone.
fn cacheable(path: &str) -> bool {
    path == "/"
        || path == "/changes"
        || path == "/removed"
        || path == "/feeds"
        || ["/feeds/", "/days/", "/articles/"].iter().any(|prefix| path.starts_with(prefix))
}

/// The middleware: a kept page when there is one for this request at the vault's
/// current stamp, else the page rendered and kept.
pub async fn serve(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if request.method() != Method::GET
        || !cacheable(request.uri().path())
        || request.extensions().get::<Mirror>().is_some()
    {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let ctx = Ctx::from_parts(&parts);
    let key = format!("{}\0{}\0{}", ctx.lang.code(), ctx.base, parts.uri);
    let request = Request::from_parts(parts, body);
    let cache = &state.pages;
    let Ok(stamp) = state.vault.change_stamp() else { return next.run(request).await };
    if let Some(kept) = cache.get(stamp, &key) {
        let mut response = Response::new(Body::from(kept.body.clone()));
        *response.headers_mut() = kept.headers.clone();
        return response;
    }
    let response = next.run(request).await;
    let is_page = response.status() == StatusCode::OK
        && response.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"text/html"))
        && response.body().size_hint().upper().is_some_and(|n| n <= LARGEST_PAGE as u64);
    if !is_page {
        return response;
    }
    let (parts, body) = response.into_parts();
    match axum::body::to_bytes(body, LARGEST_PAGE).await {
        Ok(bytes) => {
            cache.put(stamp, key, Kept { headers: parts.headers.clone(), body: bytes.clone() });
            Response::from_parts(parts, Body::from(bytes))
        }
        // A rendered page is in memory: reading it cannot fail, but would say so.
        Err(err) => {
            let mut failed = Response::new(Body::from(format!("the page could not be sent: {err}")));
            *failed.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            failed
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_pages_of_the_vault_are_kept() {
        for path in ["/", "/feeds", "/feeds/nyt", "/days/2026-12-01", "/articles/archive/x", "/changes", "/removed"] {
            assert!(cacheable(path), "{path}");
        }
        for path in ["/search", "/api/articles", "/metrics", "/healthz", "/feed.atom", "/requests/1", "/feedsx"] {
            assert!(!cacheable(path), "{path}");
        }
    }
}
