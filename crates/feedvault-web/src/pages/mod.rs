//! The HTML pages (UI.md, Pages and URLs), one module each, and what they share:
//! reading the `page` parameter, the vault's zone, the 404 page.

pub mod article;
pub mod captures;
pub mod changes;
pub mod days;
pub mod feeds;
pub mod home;
pub mod removed;
pub mod search;

use axum::response::{IntoResponse, Response};
use chrono_tz::Tz;

use crate::context::Ctx;
use crate::error::WebError;
use crate::state::AppState;

/// The highest page number accepted (beyond it, offsets would only find nothing).
pub const MAX_PAGE: usize = 100_000;

/// Articles per page in listings.
pub const PAGE_SIZE: usize = 50;

/// The `page` parameter: a number from 1 (absent: 1).
pub fn page_number(ctx: &Ctx) -> Result<usize, WebError> {
    match ctx.param("page").map(str::trim) {
        None | Some("") => Ok(1),
        Some(text) => text
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_PAGE).contains(n))
            .ok_or_else(|| WebError::BadRequest(format!("page must be a number from 1 to {MAX_PAGE}"))),
    }
}

/// The vault's time zone (day pages and times are in it), read from feedvault.toml
/// again only when the vault's [`feedvault_engine::ChangeStamp`] moved (reading and
/// checking the settings is half an article page's cost).
pub fn zone(state: &AppState) -> Result<Tz, WebError> {
    let stamp = state.vault.change_stamp()?;
    if let Ok(cached) = state.zone.lock()
        && let Some((at, zone)) = *cached
        && at == stamp
    {
        return Ok(zone);
    }
    let zone = state.vault.settings()?.vault.timezone;
    if let Ok(mut cached) = state.zone.lock() {
        *cached = Some((stamp, zone));
    }
    Ok(zone)
}

/// Anything no route serves.
pub async fn not_found(ctx: Ctx) -> Response {
    WebError::NotFound.page(&ctx).into_response()
}
