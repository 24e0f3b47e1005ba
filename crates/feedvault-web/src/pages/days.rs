//! `/days/{YYYY-MM-DD}` and `/feeds/{feed}/days/{YYYY-MM-DD}`: one day's articles
//! (in the vault's zone), across feeds or of one feed, with the nearest earlier and
//! later days that have articles.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use feedvault_engine::Page;
use maud::html;

use crate::context::Ctx;
use crate::error::WebError;
use crate::ids;
use crate::layout::{self, Alternate};
use crate::pages::{PAGE_SIZE, page_number, zone};
use crate::state::AppState;
use crate::timefmt;

pub async fn all(State(state): State<AppState>, ctx: Ctx, Path(day): Path<String>) -> Response {
    state.run(ctx, move |s, ctx| day_page(s, ctx, &day, None)).await
}

pub async fn of_feed(State(state): State<AppState>, ctx: Ctx, Path((feed, day)): Path<(String, String)>) -> Response {
    state.run(ctx, move |s, ctx| day_page(s, ctx, &day, Some(&feed))).await
}

/// The URL of a day's page.
pub fn href(day: NaiveDate, feed: Option<&str>) -> String {
    match feed {
        Some(feed) => format!("{}/days/{day}", ids::feed_href(feed)),
        None => format!("/days/{day}"),
    }
}

fn day_page(s: &AppState, ctx: &Ctx, day: &str, feed: Option<&str>) -> Result<Response, WebError> {
    let day = timefmt::parse_day(day).ok_or(WebError::NotFound)?;
    if let Some(feed) = feed
        && s.vault.feed(feed)?.is_none()
    {
        return Err(WebError::NotFound);
    }
    let number = page_number(ctx)?;
    let zone = zone(s)?;
    let view = s.vault.day(day, feed, Page { number, size: PAGE_SIZE })?;
    let title = match feed {
        Some(feed) => format!("{day} · {feed}"),
        None => day.to_string(),
    };
    let feed_out = feed.map_or_else(|| "/feed.atom".to_owned(), |f| format!("{}.atom", ids::feed_href(f)));
    let alternate = Some(Alternate { href: feed_out });
    let body = html! {
        h1 { (title) }
        nav.pager aria-label=(ctx.t.days) {
            span { @if let Some(previous) = view.previous { a rel="prev" href=(href(previous, feed)) { "← " (previous) } } }
            span { @if let Some(next) = view.next { a rel="next" href=(href(next, feed)) { (next) " →" } } }
        }
        (layout::article_list(ctx, &view.articles.items, zone))
        (layout::pager(ctx, number, view.articles.pages()))
    };
    Ok(layout::page(ctx, &title, alternate, body).into_response())
}
