//! The JSON API: `/api/feeds`, `/api/articles` (filters feed, since, until; paging),
//! `/api/articles/{id}` (with its revisions), `/api/search?q=` (exactly what
//! `feedvault search --json` prints) and its OpenAPI 3.1 description at
//! `/api/openapi.json` (hand-written; a test checks real responses against it).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use feedvault_engine::{ArticleQuery, ArticleSummary, FeedView, Page};
use serde_json::{Value, json};

use crate::context::Ctx;
use crate::error::WebError;
use crate::ids;
use crate::pages::article::load;
use crate::pages::{page_number, search};
use crate::state::AppState;
use crate::timefmt::{self, rfc3339};

/// The OpenAPI document.
pub const OPENAPI: &str = include_str!("openapi.json");

/// Most items one API page returns.
pub const MAX_SIZE: usize = 500;

fn feed_json(feed: &FeedView) -> Value {
    let state = &feed.state;
    let time = |ms: Option<i64>| ms.and_then(rfc3339);
    json!({
        "name": feed.settings.name,
        "title": feed.title(),
        "url": feed.settings.url,
        "articles": state.articles,
        "last_checked_at": time(state.last_checked_at),
        "last_success_at": time(state.last_success_at),
        "next_check_at": if state.gone_since.is_some() { None } else { time(state.next_check_at) },
        "last_error": state.last_error,
        "failures": state.failures,
        "gone_since": time(state.gone_since),
        "gaps": state.gaps,
        "last_gap_at": time(state.last_gap_at),
    })
}

fn summary_json(summary: &ArticleSummary) -> Value {
    json!({
        "id": ids::id_of(&summary.path),
        "path": summary.path,
        "href": ids::article_href(&summary.path),
        "feed": summary.feed,
        "title": summary.title,
        "url": summary.url,
        "published": summary.time_ms.and_then(rfc3339),
        "first_seen_at": rfc3339(summary.first_seen_at),
        "version_seen_at": rfc3339(summary.version_seen_at),
        "revisions": summary.revisions,
    })
}

fn size(ctx: &Ctx, default: usize) -> Result<usize, WebError> {
    match ctx.param("size").map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(default),
        Some(text) => text
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_SIZE).contains(n))
            .ok_or_else(|| WebError::BadRequest(format!("size must be a number from 1 to {MAX_SIZE}"))),
    }
}

fn day(ctx: &Ctx, name: &str) -> Result<Option<chrono::NaiveDate>, WebError> {
    match ctx.param(name).map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(text) => timefmt::parse_day(text)
            .map(Some)
            .ok_or_else(|| WebError::BadRequest(format!("{name}: {text:?} is not a day (YYYY-MM-DD)"))),
    }
}

pub async fn feeds(State(state): State<AppState>) -> Response {
    state.run_plain(|s| Ok(Json(s.vault.feeds()?.iter().map(feed_json).collect::<Vec<_>>()).into_response())).await
}

pub async fn articles(State(state): State<AppState>, ctx: Ctx) -> Response {
    state
        .run_plain(move |s| {
            let page = Page { number: page_number(&ctx)?, size: size(&ctx, 50)? };
            let feed = ctx.param("feed").filter(|f| !f.is_empty()).map(str::to_owned);
            let query = ArticleQuery { feed, since: day(&ctx, "since")?, until: day(&ctx, "until")?, page };
            let paged = s.vault.articles(&query)?;
            Ok(Json(json!({
                "total": paged.total,
                "page": page.number,
                "size": page.size,
                "pages": paged.pages(),
                "items": paged.items.iter().map(summary_json).collect::<Vec<_>>(),
            }))
            .into_response())
        })
        .await
}

pub async fn article(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    state
        .run_plain(move |s| {
            let detail = load(s, &id)?.ok_or(WebError::NotFound)?;
            let mut out = summary_json(&detail.summary);
            out["body"] = json!(detail.article.body);
            out["revisions"] = detail
                .revisions
                .iter()
                .map(|r| {
                    json!({
                        "seen_at": rfc3339(r.seen_at),
                        "seen_at_ms": r.seen_at,
                        "path": r.path,
                        "href": format!("{}/revisions/{}", ids::article_href(&detail.summary.path), r.seen_at),
                        "title": r.article.as_ref().map(|a| a.title.clone()),
                        "url": r.article.as_ref().map(|a| a.url.clone()),
                        "body": r.article.as_ref().map(|a| a.body.clone()),
                    })
                })
                .collect();
            Ok(Json(out).into_response())
        })
        .await
}

pub async fn search(State(state): State<AppState>, ctx: Ctx) -> Response {
    state
        .run_plain(move |s| {
            let asked = search::asked(&ctx, size(&ctx, 20)?)?;
            if asked.q.trim().is_empty() {
                return Err(WebError::BadRequest("q is required".into()));
            }
            Ok(Json(search::run(s, &asked)?.hits).into_response())
        })
        .await
}

pub async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}
