//! Feeds out, with full (sanitized) content: Atom, RSS 2.0 and JSON Feed 1.1 of
//! every article (`/feed.*`), of one feed (`/feeds/{feed}.*`), of a search
//! (`/search.*?q=`), of recent changes (`/changes.*`, each entry the diff) and of
//! removed articles (`/removed.*`, [`removed`]);
//! and the subscriptions as OPML (`/opml`). Every source becomes one [`Channel`];
//! each format only serializes it.

mod atom;
mod jsonfeed;
pub mod removed;
mod rss;

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use feedvault_engine::{ArticleDetail, ArticleQuery, Page};

use crate::context::{Ctx, encode_query};
use crate::error::WebError;
use crate::ids;
use crate::pages::article::{language, safe_body};
use crate::pages::changes::{version_text, versions};
use crate::pages::search;
use crate::render::diff;
use crate::state::AppState;

/// Entries in a feed out.
pub const ENTRIES: usize = 50;

/// A feed out's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Atom,
    Rss,
    Json,
}

impl Format {
    fn extension(self) -> &'static str {
        match self {
            Format::Atom => "atom",
            Format::Rss => "rss",
            Format::Json => "json",
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            Format::Atom => "application/atom+xml; charset=utf-8",
            Format::Rss => "application/rss+xml; charset=utf-8",
            Format::Json => "application/feed+json; charset=utf-8",
        }
    }
}

/// A feed out before it is serialized.
pub struct Channel {
    pub title: String,
    /// Absolute URL of the page the feed mirrors, and of the feed itself.
    pub home: String,
    pub self_url: String,
    pub updated_ms: i64,
    pub entries: Vec<Entry>,
}

/// One entry.
pub struct Entry {
    /// Absolute URL of the page on this server (also the entry's permanent id).
    pub id: String,
    pub title: String,
    /// The article at its source when that is a web address, else [`Entry::id`].
    pub link: String,
    pub published_ms: Option<i64>,
    pub updated_ms: i64,
    /// Sanitized HTML.
    pub content_html: String,
    pub lang: String,
}

fn entry(s: &AppState, ctx: &Ctx, detail: &ArticleDetail) -> Entry {
    let id = format!("{}{}", ctx.base, ids::article_href(&detail.summary.path));
    let source = url::Url::parse(&detail.article.url).ok().filter(|u| matches!(u.scheme(), "http" | "https"));
    Entry {
        link: source.map_or_else(|| id.clone(), |u| u.to_string()),
        id,
        title: detail.article.title.clone(),
        published_ms: detail.summary.time_ms,
        updated_ms: detail.summary.version_seen_at,
        // Readers of a feed cannot load the server's copies: images stay links.
        content_html: safe_body(s, ctx, &detail.article, crate::render::sanitize::none_kept()).to_string(),
        lang: language(s, &detail.summary.feed, &detail.article),
    }
}

fn channel(ctx: &Ctx, title: String, home: &str, self_path: &str, entries: Vec<Entry>) -> Channel {
    let updated_ms = entries.iter().map(|e| e.updated_ms).max().unwrap_or(0);
    Channel {
        title,
        home: format!("{}{home}", ctx.base),
        self_url: format!("{}{self_path}", ctx.base),
        updated_ms,
        entries,
    }
}

fn respond(channel: &Channel, format: Format) -> Response {
    let body = match format {
        Format::Atom => atom::write(channel),
        Format::Rss => rss::write(channel),
        Format::Json => jsonfeed::write(channel),
    };
    ([(header::CONTENT_TYPE, format.content_type())], body).into_response()
}

fn articles(s: &AppState, ctx: &Ctx, feed: Option<&str>) -> Result<Vec<Entry>, WebError> {
    let query =
        ArticleQuery { feed: feed.map(str::to_owned), page: Page { number: 1, size: ENTRIES }, ..Default::default() };
    let mut entries = Vec::new();
    for summary in s.vault.articles(&query)?.items {
        if let Some(detail) = s.vault.article(&summary.path)? {
            entries.push(entry(s, ctx, &detail));
        }
    }
    Ok(entries)
}

fn all(s: &AppState, ctx: &Ctx, format: Format) -> Result<Response, WebError> {
    let entries = articles(s, ctx, None)?;
    let self_path = format!("/feed.{}", format.extension());
    Ok(respond(&channel(ctx, "feedvault".into(), "/", &self_path, entries), format))
}

/// `/feeds/{feed}.atom`, `.rss`, `.json`.
pub fn feed_of(s: &AppState, ctx: &Ctx, name: &str, format: Format) -> Result<Response, WebError> {
    let view = s.vault.feed(name)?.ok_or(WebError::NotFound)?;
    let entries = articles(s, ctx, Some(name))?;
    let home = ids::feed_href(name);
    let self_path = format!("{home}.{}", format.extension());
    Ok(respond(&channel(ctx, view.title().to_owned(), &home, &self_path, entries), format))
}

fn searched(s: &AppState, ctx: &Ctx, format: Format) -> Result<Response, WebError> {
    let asked = search::asked(ctx, ENTRIES)?;
    if asked.q.trim().is_empty() {
        return Err(WebError::BadRequest("a search feed needs a query (?q=)".into()));
    }
    let results = search::run(s, &asked)?;
    let mut entries = Vec::new();
    for hit in &results.hits {
        if let Some(detail) = s.vault.article(&hit.path)? {
            entries.push(entry(s, ctx, &detail));
        }
    }
    let query = encode_query(&[("q", &asked.q)]);
    let home = format!("/search?{query}");
    let self_path = format!("/search.{}?{query}", format.extension());
    Ok(respond(&channel(ctx, format!("feedvault: {}", asked.q), &home, &self_path, entries), format))
}

fn changes(s: &AppState, ctx: &Ctx, format: Format) -> Result<Response, WebError> {
    let mut entries = Vec::new();
    for change in s.vault.recent_changes(Page { number: 1, size: ENTRIES })? {
        let Some(detail) = s.vault.article(&change.article.path)? else { continue };
        let page = format!("{}{}", ctx.base, ids::article_href(&change.article.path));
        let diff = match versions(&change, &detail) {
            (Some(old), Some(new)) => diff::render(&version_text(old), &version_text(new)).into_string(),
            _ => String::new(),
        };
        entries.push(Entry {
            id: format!("{page}/revisions/{}", change.revision_seen_at),
            title: detail.article.title.clone(),
            link: format!("{page}/diff?from={}&to=current", change.revision_seen_at),
            published_ms: detail.summary.time_ms,
            updated_ms: detail.summary.version_seen_at.max(change.revision_seen_at),
            content_html: format!("<pre>{diff}</pre>"),
            lang: language(s, &detail.summary.feed, &detail.article),
        });
    }
    let self_path = format!("/changes.{}", format.extension());
    Ok(respond(&channel(ctx, "feedvault: changes".into(), "/changes", &self_path, entries), format))
}

macro_rules! handler {
    ($name:ident, $source:ident, $format:expr) => {
        pub async fn $name(State(state): State<AppState>, ctx: Ctx) -> Response {
            state.run_plain(move |s| $source(s, &ctx, $format)).await
        }
    };
}

handler!(all_atom, all, Format::Atom);
handler!(all_rss, all, Format::Rss);
handler!(all_json, all, Format::Json);
handler!(search_atom, searched, Format::Atom);
handler!(search_rss, searched, Format::Rss);
handler!(search_json, searched, Format::Json);
handler!(changes_atom, changes, Format::Atom);
handler!(changes_rss, changes, Format::Rss);
handler!(changes_json, changes, Format::Json);

/// `/opml`: the subscriptions.
pub async fn opml(State(state): State<AppState>) -> Response {
    state
        .run_plain(|s| {
            let text = s.vault.export_opml()?;
            Ok(([(header::CONTENT_TYPE, "text/x-opml; charset=utf-8")], text).into_response())
        })
        .await
}
