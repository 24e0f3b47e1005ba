//! `/feeds`: every subscription with its state (last and next check, last error,
//! article count, gone, gaps), and `/feeds/{feed}`: one feed's state and articles.
//! `/feeds/{feed}.atom` (`.rss`, `.json`) is that feed's feed out.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use chrono_tz::Tz;
use feedvault_engine::{ArticleQuery, FeedView, Page};
use maud::{Markup, html};

use crate::context::Ctx;
use crate::error::WebError;
use crate::ids;
use crate::layout::{self, Alternate};
use crate::out;
use crate::pages::{PAGE_SIZE, days, page_number, zone};
use crate::state::AppState;
use crate::timefmt;
use crate::writes::forms;

pub async fn list(State(state): State<AppState>, ctx: Ctx) -> Response {
    state
        .run(ctx, |s, ctx| {
            let zone = zone(s)?;
            let feeds = s.vault.feeds()?;
            let t = ctx.t;
            let body = html! {
                h1 { (t.feeds) }
                @if feeds.is_empty() { p.muted { (t.no_feeds) } }
                @else {
                    div.table { table {
                        thead { tr {
                            th scope="col" { (t.feed) } th scope="col" { (t.articles) } th scope="col" { (t.last_check) }
                            th scope="col" { (t.next_check) } th scope="col" { (t.last_error) }
                        } }
                        tbody {
                            @for feed in &feeds {
                                tr {
                                    td { a href=(ids::feed_href(&feed.settings.name)) { (feed.title()) } br; span.muted { (feed.settings.name) } }
                                    td { (feed.state.articles) }
                                    td { (when(ctx, feed.state.last_checked_at, zone)) }
                                    td { (next_check(ctx, feed, zone)) }
                                    td { (status(ctx, feed, zone)) }
                                }
                            }
                        }
                    } }
                }
                (forms::fetch_now(s, ctx, None))
                (forms::publish_now(s, ctx))
                @if !ctx.mirror {
                    h2 { (t.add_feed) }
                    (forms::add_feed(s, ctx))
                }
            };
            Ok(layout::page(ctx, t.feeds, Some(Alternate { href: "/feed.atom".into() }), body).into_response())
        })
        .await
}

pub async fn one(State(state): State<AppState>, ctx: Ctx, Path(feed): Path<String>) -> Response {
    for (suffix, format) in [(".atom", out::Format::Atom), (".rss", out::Format::Rss), (".json", out::Format::Json)] {
        if let Some(name) = feed.strip_suffix(suffix) {
            let name = name.to_owned();
            return state.run_plain(move |s| out::feed_of(s, &ctx, &name, format)).await;
        }
    }
    state
        .run(ctx, move |s, ctx| {
            let view = s.vault.feed(&feed)?.ok_or(WebError::NotFound)?;
            let zone = zone(s)?;
            let number = page_number(ctx)?;
            let query = ArticleQuery { feed: Some(feed.clone()), page: Page { number, size: PAGE_SIZE }, ..Default::default() };
            let paged = s.vault.articles(&query)?;
            let latest_day = paged.items.first().and_then(|a| a.time_ms).and_then(|ms| feedvault_engine::read::day_of(ms, zone));
            let t = ctx.t;
            let body = html! {
                h1 { (view.title()) }
                dl {
                    dt { (t.source) } dd { (view.settings.url) }
                    dt { (t.articles) } dd { (view.state.articles) }
                    dt { (t.last_check) } dd { (when(ctx, view.state.last_checked_at, zone)) }
                    dt { (t.next_check) } dd { (next_check(ctx, &view, zone)) }
                    dt { (t.last_error) } dd { (status(ctx, &view, zone)) }
                    dt { (t.gaps) } dd { (view.state.gaps) @if let Some(ms) = view.state.last_gap_at { " (" (timefmt::local(ms, zone)) ")" } }
                    @if let Some(day) = latest_day { dt { (t.day) } dd { a href=(days::href(day, Some(&feed))) { (day) } } }
                }
                (forms::fetch_now(s, ctx, Some(&feed)))
                (forms::remove_feed(s, ctx, &feed))
                h2 { (t.articles) }
                (layout::article_list(ctx, &paged.items, zone))
                (layout::pager(ctx, number, paged.pages()))
            };
            let alternate = Alternate { href: format!("{}.atom", ids::feed_href(&feed)) };
            Ok(layout::page(ctx, view.title(), Some(alternate), body).into_response())
        })
        .await
}

fn when(ctx: &Ctx, ms: Option<i64>, zone: Tz) -> String {
    ms.map(|ms| timefmt::local(ms, zone)).unwrap_or_else(|| ctx.t.never.to_owned())
}

fn next_check(ctx: &Ctx, feed: &FeedView, zone: Tz) -> String {
    if feed.state.gone_since.is_some() {
        return ctx.t.never.to_owned();
    }
    feed.state.next_check_at.map(|ms| timefmt::local(ms, zone)).unwrap_or_else(|| ctx.t.now.to_owned())
}

/// The last error, gone and gaps, or "none".
fn status(ctx: &Ctx, feed: &FeedView, zone: Tz) -> Markup {
    html! {
        @if let Some(ms) = feed.state.gone_since { span.error { (ctx.t.gone) " " (timefmt::local(ms, zone)) } " " }
        @if let Some(error) = &feed.state.last_error { span.error { (error) } }
        @else if feed.state.gone_since.is_none() { (ctx.t.none) }
        @if feed.state.gaps > 0 { br; span.muted { (ctx.t.gaps) ": " (feed.state.gaps) } }
    }
}
