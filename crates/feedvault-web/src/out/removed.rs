//! `/removed.atom`, `.rss`, `.json`: the articles marked removed or vanished from
//! their feed, most recently flagged first, each entry its evidence.

use axum::extract::State;
use axum::response::Response;

use super::{ENTRIES, Entry, Format, channel, respond};
use crate::context::Ctx;
use crate::error::WebError;
use crate::ids;
use crate::pages::removed::evidence;
use crate::pages::zone;
use crate::state::AppState;

fn removed(s: &AppState, ctx: &Ctx, format: Format) -> Result<Response, WebError> {
    let zone = zone(s)?;
    let mut entries = Vec::new();
    for article in s.vault.removed_articles()?.into_iter().take(ENTRIES) {
        let page = format!("{}{}", ctx.base, ids::article_href(&article.path));
        let flagged = article.flagged_at();
        entries.push(Entry {
            id: format!("{page}#removed-{flagged}"),
            title: article.title.clone(),
            link: page,
            published_ms: article.time_ms,
            updated_ms: flagged,
            content_html: evidence(ctx.t, &article.evidence, zone).into_string(),
            lang: "en".into(),
        });
    }
    let self_path = format!("/removed.{}", format.extension());
    Ok(respond(&channel(ctx, "feedvault: removed".into(), "/removed", &self_path, entries), format))
}

pub async fn atom(State(state): State<AppState>, ctx: Ctx) -> Response {
    state.run_plain(move |s| removed(s, &ctx, Format::Atom)).await
}

pub async fn rss(State(state): State<AppState>, ctx: Ctx) -> Response {
    state.run_plain(move |s| removed(s, &ctx, Format::Rss)).await
}

pub async fn json(State(state): State<AppState>, ctx: Ctx) -> Response {
    state.run_plain(move |s| removed(s, &ctx, Format::Json)).await
}
