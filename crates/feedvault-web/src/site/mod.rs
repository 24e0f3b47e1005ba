//! The static mirror (`feedvault export site DIR`): the web UI's own pages, rendered
//! by the app's own router in-process and written as files that any static host,
//! a git host's pages or a browser opening them from disk can serve.
//!
//! Pages are rendered in mirror mode (no search box, no language switch, no
//! forms), crawled from `/` ([`crawl`]), mapped to files ([`urls`]) and rewritten
//! to link to each other relatively ([`rewrite`]); the tree is written beside DIR
//! and renamed into place when complete ([`output`]). Archived bodies stay exactly
//! as sanitized for the server, under the server's policy as a `<meta>`. Feeds out
//! are written only when the mirror's public address is known (their links must
//! be absolute).

mod crawl;
mod output;
mod rewrite;
mod urls;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use feedvault_engine::{EngineError, Vault};

use crate::i18n::Lang;
use crate::{Boilerplate, ServeOptions};

pub use output::MARKER;
pub use rewrite::CSP;

/// How the mirror is made.
#[derive(Debug, Clone)]
pub struct SiteOptions {
    /// The interface language of every page (the mirror has one).
    pub lang: Lang,
    /// Where the mirror will be served (`https://example.org/news`), for the
    /// absolute links of feeds out. Without one, feeds out are left out and the
    /// pages do not link to them.
    pub base_url: Option<String>,
}

impl Default for SiteOptions {
    fn default() -> Self {
        SiteOptions { lang: Lang::En, base_url: None }
    }
}

/// What an export wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SiteReport {
    /// HTML pages.
    pub pages: usize,
    /// The stylesheet, the icon and the kept images the pages show.
    pub assets: usize,
    /// Feeds out (Atom, RSS, JSON Feed).
    pub feeds: usize,
    /// Bytes of every file written.
    pub bytes: u64,
    /// Links from the pages out of the mirror (sources of articles, links in their
    /// bodies), counted per occurrence.
    pub external_links: usize,
    /// Linked URLs the app answered with an error page (`/path (404)`), sorted; the
    /// error page is what the mirror holds there.
    pub missing: Vec<String>,
}

/// Why an export failed (DIR is then as it was before).
#[derive(Debug, thiserror::Error)]
pub enum SiteError {
    #[error("{}: {reason}", dir.display())]
    Target { dir: PathBuf, reason: String },
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{url}: the web UI answered {status}")]
    Page { url: String, status: u16 },
    #[error("{url}: {reason}")]
    Render { url: String, reason: String },
    #[error("base address {url:?}: {reason}")]
    BaseUrl { url: String, reason: String },
    #[error(transparent)]
    Vault(#[from] EngineError),
    #[error("{0}")]
    Runtime(String),
}

/// Writes the static mirror of `vault` to `dir`, which may be missing, an empty
/// folder or an earlier export (replaced whole); anything else is refused. The tree
/// is written beside `dir` and renamed into place when complete. Starts its own
/// tokio runtime: call it from synchronous code (inside a runtime, use
/// [`export_site_async`]).
pub fn export_site(vault: Arc<Vault>, dir: &Path, options: &SiteOptions) -> Result<SiteReport, SiteError> {
    if tokio::runtime::Handle::try_current().is_ok() {
        return Err(SiteError::Runtime("export_site was called inside a tokio runtime: use export_site_async".into()));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| SiteError::Runtime(format!("starting the runtime: {e}")))?;
    runtime.block_on(export_site_async(vault, dir, options))
}

/// [`export_site`] on the caller's runtime.
pub async fn export_site_async(vault: Arc<Vault>, dir: &Path, options: &SiteOptions) -> Result<SiteReport, SiteError> {
    let base = options.base_url.as_deref().map(base_url).transpose()?;
    let boilerplate = Boilerplate::from_settings(&vault.settings()?.web);
    let staging = output::Staging::begin(dir)?;
    // Rendered as a loopback server would render them (mirror mode drops the forms).
    let addr = SocketAddr::from(([127, 0, 0, 1], 0));
    let app = crate::router(vault, ServeOptions { boilerplate, ..ServeOptions::default() }, addr);
    let parallel = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(2, 8);
    let crawl = crawl::Crawl { app, tree: staging.tree(), lang: options.lang, base, parallel };
    let report = crawl.run().await?;
    tokio::task::spawn_blocking(move || staging.commit())
        .await
        .map_err(|e| SiteError::Runtime(format!("finishing the export: {e}")))??;
    Ok(report)
}

/// A base address checked: http or https, no query or fragment, no trailing `/`.
fn base_url(text: &str) -> Result<String, SiteError> {
    let refuse = |reason: &str| SiteError::BaseUrl { url: text.to_owned(), reason: reason.to_owned() };
    let url = url::Url::parse(text.trim()).map_err(|e| refuse(&e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(refuse("must be an http:// or https:// address"));
    }
    if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() || url.password().is_some() {
        return Err(refuse("must have no query, fragment or user name"));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_addresses() {
        assert_eq!(base_url("https://example.org/news/").unwrap(), "https://example.org/news");
        assert_eq!(base_url("https://user.github.io").unwrap(), "https://user.github.io");
        for bad in
            ["example.org", "ftp://example.org", "https://example.org/?a=1", "https://u@example.org", "file:///x"]
        {
            assert!(base_url(bad).is_err(), "{bad}");
        }
    }
}
