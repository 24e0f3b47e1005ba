//! `/changes`: the articles revised most recently, each with the diff from the
//! version that was replaced to the one that replaced it.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use feedvault_core::Article;
use feedvault_engine::{ArticleDetail, ChangeView, Page};
use maud::html;

use crate::context::Ctx;
use crate::ids;
use crate::layout::{self, Alternate, display_title};
use crate::pages::{article::language, page_number, zone};
use crate::render::{diff, text};
use crate::state::AppState;
use crate::timefmt;

/// Changes per page (each carries a diff).
pub const CHANGES_PER_PAGE: usize = 20;

/// A change with the two versions it is between: (replaced, replacement).
pub fn versions<'a>(change: &ChangeView, detail: &'a ArticleDetail) -> (Option<&'a Article>, Option<&'a Article>) {
    let at = detail.revisions.iter().position(|r| r.path == change.revision_path);
    let Some(at) = at else { return (None, Some(&detail.article)) };
    let old = detail.revisions[at].article.as_ref();
    let new = match detail.revisions.get(at + 1) {
        Some(next) => next.article.as_ref(),
        None => Some(&detail.article),
    };
    (old, new)
}

/// Title and text of a version, as diffs compare them.
pub fn version_text(article: &Article) -> String {
    format!("{}\n\n{}", article.title, text::html_to_text(&article.body))
}

pub async fn page(State(state): State<AppState>, ctx: Ctx) -> Response {
    state
        .run(ctx, |s, ctx| {
            let zone = zone(s)?;
            let number = page_number(ctx)?;
            let changes = s.vault.recent_changes(Page { number, size: CHANGES_PER_PAGE })?;
            let t = ctx.t;
            let pages = if changes.len() == CHANGES_PER_PAGE { number + 1 } else { number } as u64;
            let mut items = Vec::new();
            for change in &changes {
                let detail = s.vault.article(&change.article.path)?;
                items.push((change, detail));
            }
            let body = html! {
                h1 { (t.changes) }
                @if items.is_empty() { p.muted { (t.no_changes) } }
                @for (change, detail) in &items {
                    @let href = ids::article_href(&change.article.path);
                    article {
                        h2 { a href=(href) lang=(language_of(s, detail.as_ref())) { (display_title(&change.article.title)) } }
                        p.meta {
                            a href=(ids::feed_href(&change.article.feed)) { (change.article.feed) } " · "
                            (t.replaced) " " (timefmt::local(change.revision_seen_at, zone)) " · "
                            a href={ (href) "/revisions/" (change.revision_seen_at) } { (t.revision) }
                        }
                        @if let Some(detail) = detail {
                            @match versions(change, detail) {
                                (Some(old), Some(new)) => div.diff lang=(language(s, &detail.summary.feed, new)) { (diff::render(&version_text(old), &version_text(new))) },
                                _ => p.error { (t.missing_version) },
                            }
                        }
                    }
                }
                (layout::pager(ctx, number, pages))
            };
            Ok(layout::page(ctx, t.changes, Some(Alternate { href: "/changes.atom".into() }), body).into_response())
        })
        .await
}

fn language_of(s: &AppState, detail: Option<&ArticleDetail>) -> String {
    detail.map_or_else(|| "en".to_owned(), |d| language(s, &d.summary.feed, &d.article))
}
