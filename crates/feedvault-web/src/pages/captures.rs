//! The raw captures section of an article page: for each version that came from a
//! kept response, where it was captured from (the final URL), when, the status and
//! the body's SHA-256. Its few strings live here, in both interface languages.

use chrono_tz::Tz;
use feedvault_engine::ArticleDetail;
use maud::{Markup, html};

use crate::context::Ctx;
use crate::error::WebError;
use crate::i18n::Lang;
use crate::state::AppState;
use crate::timefmt;

struct Words {
    heading: &'static str,
    current: &'static str,
    version: &'static str,
    from: &'static str,
    at: &'static str,
    status: &'static str,
    body: &'static str,
}

const EN: Words = Words {
    heading: "Raw captures",
    current: "current version",
    version: "version of",
    from: "captured from",
    at: "at",
    status: "status",
    body: "body SHA-256",
};

const ZH: Words = Words {
    heading: "原始抓取",
    current: "当前版本",
    version: "版本",
    from: "抓取自",
    at: "时间",
    status: "状态",
    body: "正文 SHA-256",
};

/// The section, or nothing when no version has a capture.
pub fn section(s: &AppState, ctx: &Ctx, detail: &ArticleDetail, zone: Tz) -> Result<Markup, WebError> {
    let captures = s.vault.article_captures(&detail.summary.path)?;
    if captures.is_empty() {
        return Ok(html! {});
    }
    let w = match ctx.lang {
        Lang::En => &EN,
        Lang::Zh => &ZH,
    };
    Ok(html! {
        section aria-labelledby="captures" {
            h2 #captures { (w.heading) }
            ul {
                @for found in &captures {
                    @let capture = &found.capture;
                    li {
                        @if found.seen_at == detail.summary.version_seen_at {
                            (w.current)
                        } @else {
                            (w.version) " " (timefmt::local(found.seen_at, zone))
                        }
                        ": " (w.from) " " code { (capture.final_url) } " "
                        (w.at) " " time datetime=(timefmt::rfc3339(capture.fetched_at).unwrap_or_default()) { (timefmt::local(capture.fetched_at, zone)) }
                        ", " (w.status) " " (capture.status)
                        ", " (w.body) " " code title=(capture.body_hash) { (capture.body_hash.get(..16).unwrap_or(&capture.body_hash)) "…" }
                    }
                }
            }
        }
    })
}
