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

/// How long the vault's zone is reused before feedvault.toml is read again
/// (reading and checking the settings is half an article page's cost).
const ZONE_FRESH: std::time::Duration = std::time::Duration::from_secs(2);

/// The vault's time zone (day pages and times are in it).
pub fn zone(state: &AppState) -> Result<Tz, WebError> {
    if let Ok(cached) = state.zone.lock()
        && let Some((at, zone)) = *cached
        && at.elapsed() < ZONE_FRESH
    {
        return Ok(zone);
    }
    let zone = state.vault.settings()?.vault.timezone;
    if let Ok(mut cached) = state.zone.lock() {
        *cached = Some((std::time::Instant::now(), zone));
    }
    Ok(zone)
}

/// Anything no route serves.
pub async fn not_found(ctx: Ctx) -> Response {
    WebError::NotFound.page(&ctx).into_response()
}
