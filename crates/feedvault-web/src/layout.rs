//! The page shell every HTML page shares (header with the search form, the feed
//! out that matches the page, the language switch; the static mirror has neither
//! search nor switch) and the pieces several pages use: a list of articles and a
//! pager. Every interpolation goes through maud, which escapes it.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono_tz::Tz;
use feedvault_engine::ArticleSummary;
use maud::{DOCTYPE, Markup, html};

use crate::context::{Ctx, encode_query};
use crate::ids;
use crate::render::lang;
use crate::timefmt;

/// An HTML page ready to send.
pub struct Html {
    status: StatusCode,
    body: String,
}

impl Html {
    pub fn status(mut self, status: StatusCode) -> Html {
        self.status = status;
        self
    }
}

impl IntoResponse for Html {
    fn into_response(self) -> Response {
        (self.status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], self.body).into_response()
    }
}

/// The Atom feed that carries what a page shows.
pub struct Alternate {
    pub href: String,
}

/// A whole page: `title` in the tab, `content` in `<main>`; `alternate` is the feed
/// out that matches the page (default: every article's).
pub fn page(ctx: &Ctx, title: &str, alternate: Option<Alternate>, content: Markup) -> Html {
    let t = ctx.t;
    let alternate = Some(alternate.unwrap_or_else(|| Alternate { href: "/feed.atom".into() }));
    let q = if ctx.path == "/search" { ctx.param("q").unwrap_or("") } else { "" };
    let markup = html! {
        (DOCTYPE)
        html lang=(ctx.lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="referrer" content="no-referrer";
                title { (title) " · " (t.site) }
                link rel="stylesheet" href="/static/style.css";
                link rel="icon" type="image/svg+xml" href="/static/icon.svg";
                @if let Some(alternate) = &alternate {
                    link rel="alternate" type="application/atom+xml" title=(t.subscribe) href=(alternate.href);
                }
            }
            body {
                header.site {
                    a.name href="/" { (t.site) }
                    nav aria-label=(t.site) {
                        a href="/" { (t.home) }
                        a href="/feeds" { (t.feeds) }
                        a href="/changes" { (t.changes) }
                        a href="/removed" { (t.removed) }
                    }
                    @if !ctx.mirror {
                        form.search role="search" method="get" action="/search" {
                            label.visually-hidden for="q" { (t.search_label) }
                            input #q type="search" name="q" value=(q) placeholder=(t.search_label);
                            button type="submit" { (t.search) }
                        }
                    }
                }
                main { (content) }
                footer.site {
                    @if !ctx.mirror {
                        a href=(ctx.with_lang(ctx.lang.other())) hreflang=(ctx.lang.other().code()) lang=(ctx.lang.other().code()) {
                            (t.switch_to)
                        }
                        @if alternate.is_some() { " · " }
                    }
                    @if let Some(alternate) = &alternate {
                        a href=(alternate.href) { (t.subscribe) " (Atom)" }
                    }
                }
            }
        }
    };
    Html { status: StatusCode::OK, body: markup.into_string() }
}

/// A list of articles: time, feed, title.
pub fn article_list(ctx: &Ctx, items: &[ArticleSummary], zone: Tz) -> Markup {
    html! {
        @if items.is_empty() {
            p.muted { (ctx.t.no_articles) }
        } @else {
            ol.articles {
                @for item in items {
                    li {
                        a href=(ids::article_href(&item.path)) lang=(lang::detect(&item.title)) { (display_title(&item.title)) }
                        span.meta {
                            @if let Some(ms) = item.time_ms { time datetime=(timefmt::rfc3339(ms).unwrap_or_default()) { (timefmt::local(ms, zone)) } " · " }
                            a href=(ids::feed_href(&item.feed)) { (item.feed) }
                            @if item.revisions > 0 { " · " (item.revisions) " " (ctx.t.revisions) }
                        }
                    }
                }
            }
        }
    }
}

/// A title, or the placeholder for an empty one.
pub fn display_title(title: &str) -> &str {
    if title.trim().is_empty() { "(untitled)" } else { title }
}

/// Previous / next links for page `number` of `pages`, keeping the other query
/// parameters.
pub fn pager(ctx: &Ctx, number: usize, pages: u64) -> Markup {
    let link = |n: usize| {
        let mut pairs: Vec<(&str, String)> = ctx
            .query
            .iter()
            .filter(|(k, _)| k != "page" && k != "lang")
            .map(|(k, v)| (k.as_str(), v.clone()))
            .collect();
        pairs.push(("page", n.to_string()));
        let borrowed: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        format!("{}?{}", ctx.path, encode_query(&borrowed))
    };
    html! {
        nav.pager aria-label=(ctx.t.page) {
            span { @if number > 1 { a rel="prev" href=(link(number - 1)) { "← " (ctx.t.previous) } } }
            span.muted { (page_of(ctx, number, pages)) }
            span { @if (number as u64) < pages { a rel="next" href=(link(number + 1)) { (ctx.t.next) " →" } } }
        }
    }
}

/// "Page 2 of 5" / "第 2 页，共 5 页".
fn page_of(ctx: &Ctx, number: usize, pages: u64) -> String {
    match ctx.lang {
        crate::i18n::Lang::En => format!("Page {number} of {pages}"),
        crate::i18n::Lang::Zh => format!("第 {number} 页，共 {pages} 页"),
    }
}
