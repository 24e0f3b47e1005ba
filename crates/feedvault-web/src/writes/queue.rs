//! Changes handed to the vault's writer (DESIGN.md, One writer): when this server
//! runs inside the daemon, or another process holds the vault, a checked change is
//! queued in the vault (`feedvault_engine::requests`) and the reader is sent to its
//! status page, `GET /requests/{id}`, which says queued, done or failed (and
//! reloads itself while queued). [`Requests`] is the in-process wake-up of whoever
//! carries requests out here: the daemon's loop, or `serve`'s runner, which takes
//! the vault briefly when nobody holds it.

use std::sync::{Condvar, Mutex};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use feedvault_engine::{RequestId, RequestKind, RequestStatus};
use maud::html;

use crate::context::Ctx;
use crate::error::WebError;
use crate::layout;
use crate::state::AppState;

/// The process's side of the queue: who carries requests out, and its wake-up.
pub struct Requests {
    holds_vault: bool,
    queued: Mutex<bool>,
    wake: Condvar,
}

impl Requests {
    /// For the daemon: it holds the vault, so every change is queued for it.
    pub fn writer() -> Requests {
        Requests { holds_vault: true, queued: Mutex::new(false), wake: Condvar::new() }
    }

    /// For a standalone server whose runner carries requests out when it can take
    /// the vault (changes are made directly while nobody holds it).
    pub fn runner() -> Requests {
        Requests { holds_vault: false, ..Requests::writer() }
    }

    /// Whether this process holds the vault (the daemon).
    pub fn holds_vault(&self) -> bool {
        self.holds_vault
    }

    /// Says a request was queued.
    pub fn notify(&self) {
        *self.queued.lock().unwrap_or_else(|e| e.into_inner()) = true;
        self.wake.notify_all();
    }

    /// Whether a request was queued here since the last call (and forgets it).
    pub fn take(&self) -> bool {
        std::mem::take(&mut *self.queued.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Waits up to `timeout` for a request; true when one was queued.
    pub fn wait(&self, timeout: Duration) -> bool {
        let guard = self.queued.lock().unwrap_or_else(|e| e.into_inner());
        let (mut guard, _) =
            self.wake.wait_timeout_while(guard, timeout, |queued| !*queued).unwrap_or_else(|e| e.into_inner());
        std::mem::take(&mut *guard)
    }
}

/// Whether a change goes through the queue here: inside the daemon, or when another
/// process holds the vault and this server has a runner.
pub fn queued_here(s: &AppState) -> Result<bool, WebError> {
    match &s.options.requests {
        Some(requests) if requests.holds_vault() => Ok(true),
        Some(_) => Ok(s.vault.writer_running()?),
        None => Ok(false),
    }
}

/// Queues `kind`, wakes whoever carries it out, and sends the reader to its status.
pub fn queue(s: &AppState, kind: RequestKind) -> Result<Response, WebError> {
    let id = s.vault.queue_request(kind)?;
    if let Some(requests) = &s.options.requests {
        requests.notify();
    }
    Ok(super::handlers::see_other(&format!("/requests/{id}")))
}

/// `GET /requests/{id}`.
pub async fn status(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Response {
    state
        .run(ctx, move |s, ctx| {
            let id = RequestId::parse(&id).ok_or(WebError::NotFound)?;
            let t = ctx.t;
            let (state_text, message, pending) = match s.vault.request_status(&id) {
                RequestStatus::Pending => (t.request_queued, None, true),
                RequestStatus::Done(message) => (t.request_done, Some(message), false),
                RequestStatus::Failed(message) => (t.request_failed, Some(message), false),
                RequestStatus::Unknown => return Err(WebError::NotFound),
            };
            let body = html! {
                @if pending { meta http-equiv="refresh" content="2"; }
                h1 { (t.request) }
                p.request-status { (state_text) }
                @if let Some(message) = &message { p { (message) } }
                p { a href="/feeds" { (t.feeds) } }
            };
            Ok(layout::page(ctx, t.request, None, body).status(StatusCode::OK).into_response())
        })
        .await
}
