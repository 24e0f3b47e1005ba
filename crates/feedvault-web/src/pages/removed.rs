//! `/removed`: the articles marked removed from their page or vanished from their
//! feed, each with the evidence of its checks (time, status, final URL, headers,
//! body hash), and a feed out of them (`/removed.atom`, `.rss`, `.json`).

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use chrono_tz::Tz;
use feedvault_engine::{Evidence, RemovedArticle};
use maud::{Markup, html};

use crate::context::Ctx;
use crate::i18n::Strings;
use crate::ids;
use crate::layout::{self, Alternate, display_title};
use crate::pages::zone;
use crate::state::AppState;
use crate::timefmt;

pub async fn page(State(state): State<AppState>, ctx: Ctx) -> Response {
    state
        .run(ctx, |s, ctx| {
            let zone = zone(s)?;
            let articles = s.vault.removed_articles()?;
            let t = ctx.t;
            let body = html! {
                h1 { (t.removed) }
                p.muted { (t.removed_intro) }
                @if articles.is_empty() { p.muted { (t.no_removed) } }
                @for article in &articles { (one(t, article, zone)) }
            };
            Ok(layout::page(ctx, t.removed, Some(Alternate { href: "/removed.atom".into() }), body).into_response())
        })
        .await
}

fn one(t: &Strings, article: &RemovedArticle, zone: Tz) -> Markup {
    html! {
        article.removed {
            h2 { a href=(ids::article_href(&article.path)) { (display_title(&article.title)) } }
            p.meta {
                a href=(ids::feed_href(&article.feed)) { (article.feed) }
                @if let Some(at) = article.removed_at { " · " (t.removed_at) " " (timefmt::local(at, zone)) }
                @if let Some(at) = article.vanished_at { " · " (t.vanished_at) " " (timefmt::local(at, zone)) }
                " · " (t.source) " " code { (article.url) }
            }
            (evidence(t, &article.evidence, zone))
        }
    }
}

/// An article's page re-checks, on its own page (nothing when there is no evidence).
pub fn section(t: &Strings, found: &[Evidence], zone: Tz) -> Markup {
    html! {
        @if !found.is_empty() {
            section aria-labelledby="checks" {
                h2 #checks { (t.evidence) }
                (evidence(t, found, zone))
            }
        }
    }
}

/// The evidence of one article, a line per check (shared with the feeds out).
pub fn evidence(t: &Strings, evidence: &[Evidence], zone: Tz) -> Markup {
    html! {
        details open {
            summary { (t.evidence) " (" (evidence.len()) ")" }
            ul.evidence {
                @for e in evidence {
                    li {
                        (timefmt::local(e.at, zone)) " " strong { (e.kind) }
                        @if e.kind == "changed" { " (" (t.seen_on_page) ")" }
                        @if let Some(status) = e.status { " HTTP " (status) }
                        @if let Some(url) = &e.final_url { " " code { (url) } }
                        @if let Some(hash) = &e.body_hash { " sha256:" code { (hash) } }
                        @if !e.detail.is_empty() { " — " (e.detail) }
                        @if !e.headers.is_empty() { pre { (e.headers) } }
                    }
                }
            }
        }
    }
}
