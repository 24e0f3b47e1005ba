//! The state every handler shares: the vault, the options, the CSRF key, and a
//! helper that runs the engine's blocking reads off the async workers.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::response::{IntoResponse, Response};
use feedvault_engine::Vault;

use crate::ServeOptions;
use crate::context::Ctx;
use crate::error::WebError;
use crate::page_cache::PageCache;
use crate::render::cache::BodyCache;
use crate::writes::csrf::Csrf;
use crate::writes::fetch_now::Standalone;

/// Shared by every request (cheap to clone).
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub vault: Arc<Vault>,
    pub options: ServeOptions,
    pub addr: SocketAddr,
    /// The folder article paths start with (`archive` or `articles`).
    pub archive_root: String,
    pub csrf: Csrf,
    pub standalone: Standalone,
    pub bodies: BodyCache,
    pub pages: PageCache,
    /// The vault's zone and the stamp it was read at (`pages::zone`).
    pub zone: std::sync::Mutex<Option<(feedvault_engine::ChangeStamp, chrono_tz::Tz)>>,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    pub fn new(vault: Arc<Vault>, options: ServeOptions, addr: SocketAddr) -> AppState {
        let archive_root =
            vault.settings().map(|s| s.vault.layout.root().to_owned()).unwrap_or_else(|_| "archive".to_owned());
        AppState(Arc::new(Inner {
            vault,
            options,
            addr,
            archive_root,
            csrf: Csrf::new(),
            standalone: Standalone::default(),
            bodies: BodyCache::default(),
            pages: PageCache::default(),
            zone: std::sync::Mutex::new(None),
        }))
    }

    /// Runs `work` (engine reads and rendering, which block) on the blocking pool;
    /// an error becomes its page in the reader's language, a panic a 500.
    pub async fn run<F>(&self, ctx: Ctx, work: F) -> Response
    where
        F: FnOnce(&AppState, &Ctx) -> Result<Response, WebError> + Send + 'static,
    {
        let state = self.clone();
        let shown = ctx.clone();
        match tokio::task::spawn_blocking(move || work(&state, &ctx)).await {
            Ok(Ok(response)) => response,
            Ok(Err(err)) => err.page(&shown),
            Err(_) => WebError::Internal("the request could not be completed".into()).page(&shown),
        }
    }

    /// Like [`AppState::run`] for the API and feeds out: errors as plain text.
    pub async fn run_plain<F>(&self, work: F) -> Response
    where
        F: FnOnce(&AppState) -> Result<Response, WebError> + Send + 'static,
    {
        let state = self.clone();
        match tokio::task::spawn_blocking(move || work(&state)).await {
            Ok(Ok(response)) => response,
            Ok(Err(err)) => err.into_response(),
            Err(_) => WebError::Internal("the request could not be completed".into()).into_response(),
        }
    }
}
