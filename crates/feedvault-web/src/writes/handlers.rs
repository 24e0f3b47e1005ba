//! `POST /feeds` (subscribe), `POST /feeds/{feed}/remove` (unsubscribe; the
//! articles stay), `POST /fetch` (fetch now) and `POST /publish` (publish now).
//! After the checks, each is queued for the vault's writer when [`queue`] says so
//! (inside the daemon, or while another process holds the vault) and answered with
//! a 303 to its status page; otherwise subscriptions are edited here under the
//! engine's config lock and "fetch now" runs a cycle here. Publishing is always
//! queued: the process that carries requests out publishes.

use std::collections::HashMap;

use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::html;

use crate::context::Ctx;
use crate::error::WebError;
use crate::ids;
use crate::layout;
use crate::state::AppState;
use crate::writes::fetch_now::Started;
use crate::writes::{address, forms, guard, queue};
use feedvault_engine::RequestKind;

type Fields = HashMap<String, String>;

fn field<'a>(form: &'a Fields, name: &str) -> &'a str {
    form.get(name).map(String::as_str).unwrap_or("")
}

pub(crate) fn see_other(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_owned())]).into_response()
}

pub async fn add_feed(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Form(form): Form<Fields>,
) -> Response {
    if let Err(err) = guard::check(&state, &headers, "add", field(&form, "csrf"), field(&form, "token")) {
        return err.page(&ctx);
    }
    let url = match address::check(field(&form, "url"), state.options.allow_private_feeds).await {
        Ok(url) => url,
        Err(err) => return err.page(&ctx),
    };
    let name = field(&form, "name").trim().to_owned();
    state
        .run(ctx, move |s, _| {
            if queue::queued_here(s)? {
                let name = (!name.is_empty()).then_some(name);
                let kind =
                    RequestKind::Subscribe { url: url.to_string(), name, public_only: !s.options.allow_private_feeds };
                return queue::queue(s, kind);
            }
            let name = (!name.is_empty()).then_some(name.as_str());
            // Unless internal addresses are allowed, every later fetch of the feed
            // checks every hop again (a redirect, or DNS answering otherwise).
            let feed = if s.options.allow_private_feeds {
                s.vault.subscribe(url.as_str(), name, None, s.vault.root())?
            } else {
                s.vault.subscribe_public_only(url.as_str(), name)?
            };
            Ok(see_other(&ids::feed_href(&feed.name)))
        })
        .await
}

pub async fn remove_feed(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(feed): Path<String>,
    Form(form): Form<Fields>,
) -> Response {
    let action = forms::remove_action(&feed);
    if let Err(err) = guard::check(&state, &headers, &action, field(&form, "csrf"), field(&form, "token")) {
        return err.page(&ctx);
    }
    state
        .run(ctx, move |s, _| {
            if s.vault.feed(&feed)?.is_none() {
                return Err(WebError::NotFound);
            }
            if queue::queued_here(s)? {
                return queue::queue(s, RequestKind::Unsubscribe { feed });
            }
            s.vault.unsubscribe(&feed)?;
            Ok(see_other("/feeds"))
        })
        .await
}

pub async fn fetch_now(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Form(form): Form<Fields>,
) -> Response {
    if let Err(err) = guard::check(&state, &headers, "fetch", field(&form, "csrf"), field(&form, "token")) {
        return err.page(&ctx);
    }
    state
        .run(ctx, |s, ctx| {
            if queue::queued_here(s)? {
                return queue::queue(s, RequestKind::FetchNow);
            }
            match s.standalone.start(s.vault.clone()) {
                Started::Locked(_) if s.options.requests.is_some() => queue::queue(s, RequestKind::FetchNow),
                Started::Fetching | Started::AlreadyRunning => {
                    let body = html! { h1 { (ctx.t.fetch_now) } p { (ctx.t.fetch_requested) } p { a href="/feeds" { (ctx.t.feeds) } } };
                    Ok(layout::page(ctx, ctx.t.fetch_now, None, body).status(StatusCode::ACCEPTED).into_response())
                }
                Started::Locked(why) => Err(WebError::Conflict(format!(
                    "another process writes this vault and fetches on its own schedule ({why})"
                ))),
            }
        })
        .await
}

pub async fn publish_now(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Form(form): Form<Fields>,
) -> Response {
    if let Err(err) = guard::check(&state, &headers, "publish", field(&form, "csrf"), field(&form, "token")) {
        return err.page(&ctx);
    }
    state
        .run(ctx, |s, _| {
            if s.vault.settings()?.publish.git.is_none() {
                return Err(WebError::BadRequest("feedvault.toml has no [publish.git] table".into()));
            }
            if s.options.requests.is_none() {
                return Err(WebError::Conflict("this server cannot publish: run `feedvault publish`".into()));
            }
            queue::queue(s, RequestKind::PublishNow)
        })
        .await
}
