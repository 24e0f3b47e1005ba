//! `/search?q=&feed=&since=&until=&sort=&page=`: the query box, results with the
//! engine's highlighted snippets, filters by feed and dates, paging and the total.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use feedvault_search::{Filters, Page, SearchResults, Sort};
use maud::{PreEscaped, html};

use crate::context::{Ctx, encode_query};
use crate::error::WebError;
use crate::ids;
use crate::layout::{self, Alternate, display_title};
use crate::pages::page_number;
use crate::render::{lang, sanitize};
use crate::state::AppState;
use crate::timefmt;

/// Hits per page.
pub const HITS_PER_PAGE: usize = 20;

/// A search as the query string asks it.
pub struct Asked {
    pub q: String,
    pub filters: Filters,
    pub sort: Sort,
    pub page: Page,
}

/// Reads q, feed, since, until (inclusive days, UTC), sort and page.
pub fn asked(ctx: &Ctx, size: usize) -> Result<Asked, WebError> {
    let day = |name: &str| -> Result<Option<chrono::DateTime<chrono::Utc>>, WebError> {
        match ctx.param(name).map(str::trim).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(text) => timefmt::parse_day(text)
                .map(|d| Some(d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()))
                .ok_or_else(|| WebError::BadRequest(format!("{name}: {text:?} is not a day (YYYY-MM-DD)"))),
        }
    };
    let sort = match ctx.param("sort").unwrap_or("") {
        "" | "relevance" => Sort::Relevance,
        "date" => Sort::Date,
        other => return Err(WebError::BadRequest(format!("unknown sort {other:?} (relevance or date)"))),
    };
    Ok(Asked {
        q: ctx.param("q").unwrap_or("").chars().take(1000).collect(),
        filters: Filters {
            feed: ctx.param("feed").filter(|f| !f.is_empty()).map(str::to_owned),
            since: day("since")?,
            // `until` is inclusive: everything before the next day.
            until: day("until")?.map(|d| d + chrono::Duration::days(1)),
        },
        sort,
        page: Page { number: page_number(ctx)?, size },
    })
}

/// Runs the search (nothing for an empty query).
pub fn run(s: &AppState, asked: &Asked) -> Result<SearchResults, WebError> {
    if asked.q.trim().is_empty() {
        return Ok(SearchResults::default());
    }
    Ok(s.vault.search(&asked.q, &asked.filters, asked.page, asked.sort)?)
}

pub async fn page(State(state): State<AppState>, ctx: Ctx) -> Response {
    state
        .run(ctx, |s, ctx| {
            let asked = asked(ctx, HITS_PER_PAGE)?;
            let results = run(s, &asked)?;
            let feeds = s.vault.feeds()?;
            let t = ctx.t;
            let value = |name: &str| ctx.param(name).unwrap_or("").to_owned();
            let pages = results.total.div_ceil(HITS_PER_PAGE).max(1) as u64;
            let body = html! {
                h1 { (t.search) @if !asked.q.is_empty() { ": " (asked.q) } }
                form.filters method="get" action="/search" {
                    label { (t.search_label) input type="search" name="q" value=(asked.q); }
                    label { (t.feed) select name="feed" {
                        option value="" { (t.all_feeds) }
                        @for feed in &feeds {
                            option value=(feed.settings.name) selected[asked.filters.feed.as_deref() == Some(feed.settings.name.as_str())] { (feed.title()) }
                        }
                    } }
                    label { (t.since) input type="date" name="since" value=(value("since")); }
                    label { (t.until) input type="date" name="until" value=(value("until")); }
                    label { "↕" select name="sort" {
                        option value="relevance" selected[asked.sort == Sort::Relevance] { (t.sort_relevance) }
                        option value="date" selected[asked.sort == Sort::Date] { (t.sort_date) }
                    } }
                    button type="submit" { (t.search) }
                }
                @if !asked.q.trim().is_empty() {
                    p.muted {
                        @if !results.total_is_exact { (t.more_than) " " }
                        (results.total) " " (t.results)
                    }
                    @if results.hits.is_empty() { p { (t.no_results) } }
                    ol.articles {
                        @for hit in &results.hits {
                            li {
                                a href=(ids::article_href(&hit.path)) lang=(lang::detect(&hit.title)) { (display_title(&hit.title)) }
                                span.meta { @if let Some(p) = &hit.published { (p.get(..10).unwrap_or(p)) " · " } a href=(ids::feed_href(&hit.feed)) { (hit.feed) } }
                                p.snippet lang=(lang::detect(&hit.snippet)) { (PreEscaped(sanitize::snippet_html(&hit.snippet))) }
                            }
                        }
                    }
                    (layout::pager(ctx, asked.page.number, pages))
                }
            };
            let alternate = (!asked.q.trim().is_empty()).then(|| Alternate { href: format!("/search.atom?{}", encode_query(&[("q", &asked.q)])) });
            Ok(layout::page(ctx, t.search, alternate, body).into_response())
        })
        .await
}
