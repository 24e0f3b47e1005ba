//! The crawl: the app's own router asked in-process (no socket) for `/`, then for
//! every mirrored URL a page links to, each once, a few at a time; every answer is
//! rewritten ([`super::rewrite`]) and written to its file ([`super::urls`]).
//!
//! What the server answers is what the mirror holds: a followed link that the app
//! answers 404 or 400 is written as that error page and listed in the report; a
//! 5xx (the vault could not be read) fails the export.

use std::collections::{HashSet, VecDeque};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use tokio::task::JoinSet;
use tower::ServiceExt;

use super::output::Tree;
use super::urls::{self, FEED_FORMATS, Kind, Target};
use super::{SiteError, SiteReport};
use crate::context::Mirror;
use crate::i18n::Lang;

/// The largest answer read (a page is far smaller; a body past this is an error).
const MAX_ANSWER: usize = 256 * 1024 * 1024;

/// How the crawl asks for pages.
#[derive(Clone)]
pub struct Crawl {
    pub app: Router,
    pub tree: Tree,
    pub lang: Lang,
    /// The mirror's public address (feeds out are mirrored only with one).
    pub base: Option<String>,
    /// Requests at a time.
    pub parallel: usize,
}

/// What one visit found.
struct Visited {
    target: Target,
    status: StatusCode,
    bytes: u64,
    links: Vec<Target>,
    external: usize,
}

impl Crawl {
    /// Crawls from `/` until no page links to anything new.
    pub async fn run(self) -> Result<SiteReport, SiteError> {
        let feeds = self.base.is_some();
        let mut seen: HashSet<String> = HashSet::new();
        let mut queue: VecDeque<Target> = VecDeque::new();
        let mut report = SiteReport::default();
        for seed in ["/", "/static/style.css", "/static/icon.svg"] {
            if let Some((target, _)) = urls::target("/", seed, feeds) {
                seen.insert(target.request.clone());
                queue.push_back(target);
            }
        }
        let mut tasks: JoinSet<Result<Visited, SiteError>> = JoinSet::new();
        loop {
            while tasks.len() < self.parallel.max(1)
                && let Some(target) = queue.pop_front()
            {
                tasks.spawn(self.clone().visit(target));
            }
            let Some(done) = tasks.join_next().await else { break };
            let visited = match done {
                Ok(Ok(visited)) => visited,
                Ok(Err(err)) => return Err(drain(tasks, err).await),
                Err(err) => {
                    let err = SiteError::Runtime(format!("a page could not be rendered: {err}"));
                    return Err(drain(tasks, err).await);
                }
            };
            count(&mut report, &visited);
            for link in visited.links {
                for found in with_siblings(link, feeds) {
                    if seen.insert(found.request.clone()) {
                        queue.push_back(found);
                    }
                }
            }
        }
        report.missing.sort();
        Ok(report)
    }

    /// Asks for one URL, rewrites the answer if it is a page, writes it.
    async fn visit(self, target: Target) -> Result<Visited, SiteError> {
        let mut request = Request::get(&target.request)
            .header(header::HOST, urls::ORIGIN.trim_start_matches("http://"))
            .header(header::ACCEPT_LANGUAGE, self.lang.code())
            .body(Body::empty())
            .map_err(|e| render_error(&target, e))?;
        request.extensions_mut().insert(Mirror { base: self.base.clone() });
        let response = self.app.clone().oneshot(request).await.map_err(|e| render_error(&target, e))?;
        let status = response.status();
        if !(status.is_success() || status.is_client_error()) {
            return Err(SiteError::Page { url: target.request.clone(), status: status.as_u16() });
        }
        let is_html = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
        let body =
            axum::body::to_bytes(response.into_body(), MAX_ANSWER).await.map_err(|e| render_error(&target, e))?;
        let feeds = self.base.is_some();
        tokio::task::spawn_blocking(move || {
            let (bytes, links, external) = match target.kind {
                Kind::Page if is_html => {
                    let text = std::str::from_utf8(&body).map_err(|e| render_error(&target, e))?;
                    let page = super::rewrite::page(text, &target.request, &target.file, feeds)
                        .map_err(|e| render_error(&target, e))?;
                    self.tree.write(&target.file, page.html.as_bytes())?;
                    (page.html.len(), page.links, page.external)
                }
                Kind::Page => return Err(render_error(&target, "the app did not answer with a page")),
                Kind::Asset | Kind::Feed => {
                    self.tree.write(&target.file, &body)?;
                    (body.len(), Vec::new(), 0)
                }
            };
            Ok(Visited { target, status, bytes: bytes as u64, links, external })
        })
        .await
        .map_err(|e| SiteError::Runtime(format!("a page could not be written: {e}")))?
    }
}

/// Waits for the visits under way (their writes cannot be cancelled), so that
/// nothing is written after the failed export's tree is removed; then `err`.
async fn drain(mut tasks: JoinSet<Result<Visited, SiteError>>, err: SiteError) -> SiteError {
    while tasks.join_next().await.is_some() {}
    err
}

/// A feed out found in a page, and the same feed in the other formats.
fn with_siblings(link: Target, feeds: bool) -> Vec<Target> {
    if link.kind != Kind::Feed {
        return vec![link];
    }
    let stem = link.request.rsplit_once('.').map_or(link.request.as_str(), |(stem, _)| stem).to_owned();
    let mut all = vec![link];
    for format in FEED_FORMATS {
        if let Some((sibling, _)) = urls::target("/", &format!("{stem}.{format}"), feeds) {
            all.push(sibling);
        }
    }
    all
}

fn count(report: &mut SiteReport, visited: &Visited) {
    match visited.target.kind {
        Kind::Page => report.pages += 1,
        Kind::Asset => report.assets += 1,
        Kind::Feed => report.feeds += 1,
    }
    report.bytes += visited.bytes;
    report.external_links += visited.external;
    if !visited.status.is_success() {
        report.missing.push(format!("{} ({})", visited.target.request, visited.status.as_u16()));
    }
}

fn render_error(target: &Target, reason: impl std::fmt::Display) -> SiteError {
    SiteError::Render { url: target.request.clone(), reason: reason.to_string() }
}
