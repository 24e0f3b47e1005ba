//! feedvault-web: the web UI, the JSON API and the feeds out of a vault.
//!
//! An axum server that calls the engine's read API only (it never opens a file or
//! state.db itself) and renders every page on the server, complete without
//! JavaScript (UI.md). Archived HTML is shown only after sanitizing ([`render`]),
//! under a strict Content-Security-Policy ([`security`]). Pages live in [`pages`],
//! feeds out (Atom, RSS 2.0, JSON Feed, OPML) in [`out`], the API in [`api`], the
//! changes a reader may ask for (add or remove a feed, fetch now) in [`writes`],
//! the static mirror of the same pages in [`site`].
//!
//! [`router`] builds the app (tests drive it directly); [`serve`] runs it on a
//! listener until its shutdown future completes.

pub mod api;
pub mod assets;
mod context;
mod error;
pub mod i18n;
pub mod ids;
mod layout;
pub mod metrics;
pub mod out;
mod page_cache;
pub mod pages;
pub mod render;
pub mod security;
pub mod site;
mod state;
mod timefmt;
pub mod writes;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};
use feedvault_engine::Vault;

pub use error::WebError;
pub use render::sanitize::Boilerplate;
pub use state::AppState;
pub use writes::queue::Requests;

/// How the server runs; [`Default`] is a standalone, loopback server.
#[derive(Clone)]
pub struct ServeOptions {
    /// The token every change needs when bound to an address other than loopback
    /// (`FEEDVAULT_TOKEN`). Without one, such a server refuses every change.
    pub token: Option<String>,
    /// Lets the web form subscribe to loopback, private and link-local addresses.
    pub allow_private_feeds: bool,
    /// Host names (with port, as the `Host` header carries them) accepted for
    /// changes besides the bound address, e.g. behind a reverse proxy.
    pub allowed_hosts: Vec<String>,
    /// Who carries out queued changes in this process ([`Requests::writer`] inside
    /// the daemon, [`Requests::runner`] for `serve`). `None`: changes are made here
    /// directly, and refused while another process holds the vault.
    pub requests: Option<Arc<Requests>>,
    /// Known feed boilerplate removed when a body is shown.
    pub boilerplate: Vec<Boilerplate>,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            token: None,
            allow_private_feeds: false,
            allowed_hosts: Vec::new(),
            requests: None,
            boilerplate: Boilerplate::defaults(),
        }
    }
}

/// The whole app for a vault, as served at `addr` (the bound address decides
/// whether changes need the token, and which `Host` they must carry).
pub fn router(vault: Arc<Vault>, options: ServeOptions, addr: SocketAddr) -> Router {
    let state = AppState::new(vault, options, addr);
    metrics::handle();
    Router::new()
        .route("/", get(pages::home::page))
        .route("/feeds", get(pages::feeds::list).post(writes::handlers::add_feed))
        .route("/feeds/{feed}", get(pages::feeds::one))
        .route("/feeds/{feed}/days/{day}", get(pages::days::of_feed))
        .route("/feeds/{feed}/remove", post(writes::handlers::remove_feed))
        .route("/fetch", post(writes::handlers::fetch_now))
        .route("/publish", post(writes::handlers::publish_now))
        .route("/requests/{id}", get(writes::queue::status))
        .route("/days/{day}", get(pages::days::all))
        .route("/articles/{*id}", get(pages::article::dispatch))
        .route("/search", get(pages::search::page))
        .route("/changes", get(pages::changes::page))
        .route("/feed.atom", get(out::all_atom))
        .route("/feed.rss", get(out::all_rss))
        .route("/feed.json", get(out::all_json))
        .route("/search.atom", get(out::search_atom))
        .route("/search.rss", get(out::search_rss))
        .route("/search.json", get(out::search_json))
        .route("/changes.atom", get(out::changes_atom))
        .route("/changes.rss", get(out::changes_rss))
        .route("/changes.json", get(out::changes_json))
        .route("/removed", get(pages::removed::page))
        .route("/removed.atom", get(out::removed::atom))
        .route("/removed.rss", get(out::removed::rss))
        .route("/removed.json", get(out::removed::json))
        .route("/opml", get(out::opml))
        .route("/api/feeds", get(api::feeds))
        .route("/api/articles", get(api::articles))
        .route("/api/articles/{*id}", get(api::article))
        .route("/api/search", get(api::search))
        .route("/api/openapi.json", get(api::openapi))
        .route("/healthz", get(metrics::healthz))
        .route("/metrics", get(metrics::render))
        .route("/assets/{name}", get(assets::file))
        .route("/static/style.css", get(security::stylesheet))
        .route("/static/icon.svg", get(security::icon))
        .route("/favicon.ico", get(security::icon))
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn_with_state(state.clone(), page_cache::serve))
        .layer(axum::middleware::from_fn_with_state(state.clone(), metrics::track))
        .layer(axum::middleware::from_fn(security::headers))
        .with_state(state)
}

/// Serves the vault on `listener` until `shutdown` completes.
pub async fn serve(
    vault: Arc<Vault>,
    listener: tokio::net::TcpListener,
    options: ServeOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let addr = listener.local_addr()?;
    let app = router(vault, options, addr);
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}
