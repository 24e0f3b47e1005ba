//! The POST forms for changes (subscribe, unsubscribe, fetch now, publish now), each with its CSRF token (and a token field when
//! the server needs one); a server that refuses changes shows why instead, and the
//! static mirror shows none.

use maud::{Markup, html};

use crate::context::Ctx;
use crate::ids;
use crate::state::AppState;
use crate::writes::guard::{token_required, writes_enabled};

/// The CSRF action name of unsubscribing from `feed`.
pub fn remove_action(feed: &str) -> String {
    format!("remove:{feed}")
}

fn hidden(s: &AppState, ctx: &Ctx, action: &str) -> Markup {
    html! {
        input type="hidden" name="csrf" value=(s.csrf.token(action));
        @if token_required(s) {
            label { (ctx.t.token) input type="password" name="token" autocomplete="off" required; }
        }
    }
}

pub fn add_feed(s: &AppState, ctx: &Ctx) -> Markup {
    if ctx.mirror {
        return html! {};
    }
    if !writes_enabled(s) {
        return html! { p.notice { (ctx.t.writes_disabled) } };
    }
    html! {
        form.write method="post" action="/feeds" {
            label { (ctx.t.feed_url) input type="url" name="url" required placeholder="https://"; }
            label { (ctx.t.feed_name) input type="text" name="name" pattern="[a-z0-9-]*"; }
            (hidden(s, ctx, "add"))
            button type="submit" { (ctx.t.add_feed) }
        }
    }
}

pub fn remove_feed(s: &AppState, ctx: &Ctx, feed: &str) -> Markup {
    if ctx.mirror || !writes_enabled(s) {
        return html! {};
    }
    html! {
        form.write method="post" action={ (ids::feed_href(feed)) "/remove" } {
            (hidden(s, ctx, &remove_action(feed)))
            button type="submit" { (ctx.t.remove_feed) }
        }
    }
}

pub fn fetch_now(s: &AppState, ctx: &Ctx, _feed: Option<&str>) -> Markup {
    if ctx.mirror || !writes_enabled(s) {
        return html! {};
    }
    html! {
        form.write method="post" action="/fetch" {
            (hidden(s, ctx, "fetch"))
            button type="submit" { (ctx.t.fetch_now) }
        }
    }
}

/// "Publish now", where `[publish.git]` is configured and this server has a writer
/// to queue it for.
pub fn publish_now(s: &AppState, ctx: &Ctx) -> Markup {
    let configured = s.vault.settings().is_ok_and(|settings| settings.publish.git.is_some());
    if ctx.mirror || !writes_enabled(s) || !configured || s.options.requests.is_none() {
        return html! {};
    }
    html! {
        form.write method="post" action="/publish" {
            (hidden(s, ctx, "publish"))
            button type="submit" { (ctx.t.publish_now) }
        }
    }
}
