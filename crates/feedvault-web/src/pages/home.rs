//! `/`: the latest articles across feeds (feed, time, title), paged.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use feedvault_engine::{ArticleQuery, Page};
use maud::html;

use crate::context::Ctx;
use crate::layout::{self, Alternate};
use crate::pages::{PAGE_SIZE, page_number, zone};
use crate::state::AppState;

pub async fn page(State(state): State<AppState>, ctx: Ctx) -> Response {
    state
        .run(ctx, |s, ctx| {
            let number = page_number(ctx)?;
            let zone = zone(s)?;
            let paged =
                s.vault.articles(&ArticleQuery { page: Page { number, size: PAGE_SIZE }, ..Default::default() })?;
            let body = html! {
                h1 { (ctx.t.latest) }
                (layout::article_list(ctx, &paged.items, zone))
                (layout::pager(ctx, number, paged.pages()))
            };
            Ok(layout::page(ctx, ctx.t.latest, Some(Alternate { href: "/feed.atom".into() }), body).into_response())
        })
        .await
}
