//! `/articles/{id}`: one article (title, source link, published and archived times,
//! the sanitized body, its revisions); `/articles/{id}/revisions/{seen-ms}`: an
//! earlier version, named by when it was seen, as its file is;
//! `/articles/{id}/diff?from=&to=`: a readable diff between any two versions
//! (`current` or a revision's time; by default the last revision and the current).
//! The article page lists the raw captures its versions came from ([`super::captures`]).

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use chrono_tz::Tz;
use feedvault_core::Article;
use feedvault_engine::ArticleDetail;
use maud::{Markup, PreEscaped, html};
use url::Url;

use crate::context::Ctx;
use crate::error::WebError;
use crate::ids;
use crate::layout::{self, Alternate, display_title};
use crate::pages::{days, zone};
use crate::render::{diff, lang, sanitize, text};
use crate::state::AppState;
use crate::timefmt;

pub async fn dispatch(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Response {
    state.run(ctx, move |s, ctx| route(s, ctx, &id)).await
}

/// What an id names: the article, one of its revisions or a diff.
fn route(s: &AppState, ctx: &Ctx, id: &str) -> Result<Response, WebError> {
    if let Some(detail) = load(s, id)? {
        return article_page(s, ctx, &detail);
    }
    if let Some(base) = id.strip_suffix("/diff")
        && let Some(detail) = load(s, base)?
    {
        return diff_page(s, ctx, &detail);
    }
    if let Some((base, seen)) = id.rsplit_once("/revisions/")
        && let Some(detail) = load(s, base)?
    {
        let seen: i64 = seen.parse().map_err(|_| WebError::NotFound)?;
        return revision_page(s, ctx, &detail, seen);
    }
    Err(WebError::NotFound)
}

/// The article with this id, if there is one.
pub fn load(s: &AppState, id: &str) -> Result<Option<ArticleDetail>, WebError> {
    let Some(path) = ids::path_of(id, &s.archive_root) else { return Ok(None) };
    Ok(s.vault.article(&path)?)
}

/// The body of a version as a page shows it (sanitized once per distinct input):
/// the images in `kept` ([`kept_copies`]) from their kept copies, the others as links.
pub fn safe_body(s: &AppState, ctx: &Ctx, article: &Article, kept: &HashMap<String, String>) -> std::sync::Arc<str> {
    let mut copies: Vec<(&String, &String)> = kept.iter().collect();
    copies.sort();
    let copies: String = copies.into_iter().map(|(k, v)| format!("{k} {v}\n")).collect();
    let key = format!("{}\0{}\0{}\0{copies}", ctx.t.image, article.url, article.body);
    s.bodies.get_or(key, || {
        let source = Url::parse(&article.url).ok();
        sanitize::body_html(
            &article.body,
            source.as_ref(),
            &s.options.boilerplate,
            &sanitize::Images { label: ctx.t.image, kept },
        )
    })
}

/// The kept copies of an article's images: key → `<hash>.<ext>`.
pub fn kept_copies(s: &AppState, path: &str) -> Result<HashMap<String, String>, WebError> {
    Ok(s.vault.kept_images(path)?.into_iter().map(|(key, image)| (key, image.file_name())).collect())
}

/// The language of a version of an article of `feed`: the one the feed declares,
/// unless the text is plainly in another script ([`lang::choose`]); else detected.
pub fn language(s: &AppState, feed: &str, article: &Article) -> String {
    let declared = s.vault.feed(feed).ok().flatten().and_then(|f| f.state.language);
    lang::choose(declared.as_deref(), detected_language(article))
}

/// The language the title and the start of the text are in.
fn detected_language(article: &Article) -> &'static str {
    let mut end = article.body.len().min(8192);
    while !article.body.is_char_boundary(end) {
        end -= 1;
    }
    let sample: String =
        article.title.chars().chain(text::html_to_text(&article.body[..end]).chars().take(2000)).collect();
    lang::detect(&sample)
}

/// A source link, when the address is one a browser may follow.
fn source_link(ctx: &Ctx, url: &str) -> Markup {
    let safe = Url::parse(url).ok().filter(|u| matches!(u.scheme(), "http" | "https"));
    html! {
        @if let Some(url) = safe {
            a href=(url.as_str()) rel="noopener noreferrer external" { (ctx.t.source) ": " (url.host_str().unwrap_or("")) }
        } @else if !url.is_empty() {
            span { (ctx.t.source) ": " (url) }
        }
    }
}

fn version_text(article: &Article) -> String {
    format!("{}\n\n{}", article.title, text::html_to_text(&article.body))
}

fn article_page(s: &AppState, ctx: &Ctx, detail: &ArticleDetail) -> Result<Response, WebError> {
    let zone = zone(s)?;
    let t = ctx.t;
    let summary = &detail.summary;
    let href = ids::article_href(&summary.path);
    let day = summary.time_ms.and_then(|ms| feedvault_engine::read::day_of(ms, zone));
    let kept = kept_copies(s, &summary.path)?;
    let captures = super::captures::section(s, ctx, detail, zone)?;
    let body = html! {
        article lang=(language(s, &summary.feed, &detail.article)) {
            h1 { (display_title(&detail.article.title)) }
            p.meta {
                a href=(ids::feed_href(&summary.feed)) { (summary.feed) } " · "
                @if let Some(ms) = summary.time_ms {
                    (t.published) " " time datetime=(timefmt::rfc3339(ms).unwrap_or_default()) { (timefmt::local(ms, zone)) }
                    @if let Some(day) = day { " (" a href=(days::href(day, None)) { (t.day) } ")" }
                    " · "
                }
                (t.archived) " " time datetime=(timefmt::rfc3339(summary.first_seen_at).unwrap_or_default()) { (timefmt::local(summary.first_seen_at, zone)) }
                @if summary.version_seen_at != summary.first_seen_at {
                    " · " (t.version_seen) " " (timefmt::local(summary.version_seen_at, zone))
                }
                br;
                (source_link(ctx, &detail.article.url))
            }
            div.body { (PreEscaped(&*safe_body(s, ctx, &detail.article, &kept))) }
        }
        (revisions(ctx, detail, &href, zone))
        (super::removed::section(t, &s.vault.check_evidence(&summary.path)?, zone))
        (captures)
    };
    let alternate = Alternate { href: format!("{}.atom", ids::feed_href(&summary.feed)) };
    Ok(layout::page(ctx, display_title(&detail.article.title), Some(alternate), body).into_response())
}

/// The list of revisions with diff links, and the form to compare any two.
fn revisions(ctx: &Ctx, detail: &ArticleDetail, href: &str, zone: Tz) -> Markup {
    let t = ctx.t;
    html! {
        section aria-labelledby="revisions" {
            h2 #revisions { (t.revisions) }
            @if detail.revisions.is_empty() {
                p.muted { (t.no_revisions) }
            } @else {
                ol {
                    @for (i, revision) in detail.revisions.iter().enumerate() {
                        @let next = detail.revisions.get(i + 1).map_or("current".to_owned(), |r| r.seen_at.to_string());
                        li {
                            a href={ (href) "/revisions/" (revision.seen_at) } { (timefmt::local(revision.seen_at, zone)) }
                            " · " a href={ (href) "/diff?from=" (revision.seen_at) "&to=" (next) } { (t.diff) }
                        }
                    }
                    li { (t.current) " (" (timefmt::local(detail.summary.version_seen_at, zone)) ")" }
                }
                @if !ctx.mirror { (compare_form(ctx, detail, href, zone, None)) }
            }
        }
    }
}

/// GET form choosing two versions to compare (works without JavaScript).
fn compare_form(ctx: &Ctx, detail: &ArticleDetail, href: &str, zone: Tz, chosen: Option<(&str, &str)>) -> Markup {
    let t = ctx.t;
    let last = detail.revisions.last().map(|r| r.seen_at.to_string()).unwrap_or_default();
    let (from, to) = chosen.unwrap_or((&last, "current"));
    let options = |selected: &str| {
        html! {
            @for revision in &detail.revisions {
                @let value = revision.seen_at.to_string();
                option value=(value) selected[value == selected] { (timefmt::local(revision.seen_at, zone)) }
            }
            option value="current" selected[selected == "current"] { (t.current) }
        }
    };
    html! {
        form.filters method="get" action={ (href) "/diff" } {
            label { (t.from) select name="from" { (options(from)) } }
            label { (t.to) select name="to" { (options(to)) } }
            button type="submit" { (t.compare) }
        }
    }
}

/// The version `key` names (`current` or a revision's time): (seen at, article).
fn version<'a>(detail: &'a ArticleDetail, key: &str) -> Result<(i64, Option<&'a Article>), WebError> {
    if key == "current" {
        return Ok((detail.summary.version_seen_at, Some(&detail.article)));
    }
    let seen: i64 = key.trim().parse().map_err(|_| WebError::BadRequest(format!("{key:?} is not a version")))?;
    let revision = detail.revisions.iter().find(|r| r.seen_at == seen).ok_or(WebError::NotFound)?;
    Ok((revision.seen_at, revision.article.as_ref()))
}

fn diff_page(s: &AppState, ctx: &Ctx, detail: &ArticleDetail) -> Result<Response, WebError> {
    let zone = zone(s)?;
    let t = ctx.t;
    let href = ids::article_href(&detail.summary.path);
    let last = detail.revisions.last().map(|r| r.seen_at.to_string()).unwrap_or_else(|| "current".to_owned());
    let from_key = ctx.param("from").filter(|v| !v.is_empty()).unwrap_or(&last).to_owned();
    let to_key = ctx.param("to").filter(|v| !v.is_empty()).unwrap_or("current").to_owned();
    let (from_seen, from) = version(detail, &from_key)?;
    let (to_seen, to) = version(detail, &to_key)?;
    let title = format!("{} · {}", t.diff, display_title(&detail.article.title));
    let body = html! {
        h1 { (t.diff) ": " a href=(href) lang=(language(s, &detail.summary.feed, &detail.article)) { (display_title(&detail.article.title)) } }
        p.meta {
            del { (t.from) " " (timefmt::local(from_seen, zone)) } " → " ins { (t.to) " " (timefmt::local(to_seen, zone)) }
        }
        @if !ctx.mirror { (compare_form(ctx, detail, &href, zone, Some((&from_key, &to_key)))) }
        @match (from, to) {
            (Some(from), Some(to)) => div.diff lang=(language(s, &detail.summary.feed, to)) { (diff::render(&version_text(from), &version_text(to))) },
            _ => p.error { (t.missing_version) },
        }
    };
    Ok(layout::page(ctx, &title, None, body).into_response())
}

fn revision_page(s: &AppState, ctx: &Ctx, detail: &ArticleDetail, seen: i64) -> Result<Response, WebError> {
    let zone = zone(s)?;
    let t = ctx.t;
    let revision = detail.revisions.iter().find(|r| r.seen_at == seen).ok_or(WebError::NotFound)?;
    let href = ids::article_href(&detail.summary.path);
    let kept = kept_copies(s, &detail.summary.path)?;
    let body = html! {
        p.notice {
            (t.revision) " " (timefmt::local(seen, zone)) " · "
            a href=(href) { (t.current) } " · "
            a href={ (href) "/diff?from=" (seen) "&to=current" } { (t.diff) }
        }
        @match &revision.article {
            Some(article) => article lang=(language(s, &detail.summary.feed, article)) {
                h1 { (display_title(&article.title)) }
                p.meta { (source_link(ctx, &article.url)) }
                div.body { (PreEscaped(&*safe_body(s, ctx, article, &kept))) }
            },
            None => p.error { (t.missing_version) },
        }
    };
    let title = format!("{} · {}", t.revision, display_title(&detail.article.title));
    Ok(layout::page(ctx, &title, None, body).into_response())
}
