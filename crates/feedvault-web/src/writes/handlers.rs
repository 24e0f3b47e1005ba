//! `POST /feeds` (subscribe), `POST /feeds/{feed}/remove` (unsubscribe; the
//! articles stay) and `POST /fetch` (fetch now). Subscriptions are edited under the
//! engine's config lock, which is safe beside a running daemon: it reads
//! feedvault.toml again before every cycle, and is nudged to run one.

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
use crate::writes::{address, forms, guard};

type Fields = HashMap<String, String>;

fn field<'a>(form: &'a Fields, name: &str) -> &'a str {
    form.get(name).map(String::as_str).unwrap_or("")
}

fn see_other(to: &str) -> Response {
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
            let name = (!name.is_empty()).then_some(name.as_str());
            // Unless internal addresses are allowed, every later fetch of the feed
            // checks every hop again (a redirect, or DNS answering otherwise).
            let feed = if s.options.allow_private_feeds {
                s.vault.subscribe(url.as_str(), name, None, s.vault.root())?
            } else {
                s.vault.subscribe_public_only(url.as_str(), name)?
            };
            if let Some(requests) = &s.options.fetch_requests {
                requests.request();
            }
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
            let started = match &s.options.fetch_requests {
                Some(requests) => {
                    requests.request();
                    Started::Fetching
                }
                None => s.standalone.start(s.vault.clone()),
            };
            match started {
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
