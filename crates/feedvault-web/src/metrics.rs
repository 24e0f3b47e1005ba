//! `/healthz` and Prometheus `/metrics` (metrics-exporter-prometheus, rendered from
//! an axum route rather than its own listener): request durations by route, the
//! articles and revisions gauges read from the vault at scrape time, and the names
//! of the fetch metrics, registered here for the fetch cycle to record.

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::state::AppState;

/// The process's recorder (installed once, shared by every router).
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Suffix("duration_seconds".into()),
                &[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0, 60.0],
            )
            .unwrap_or_else(|_| PrometheusBuilder::new());
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        // Another recorder may already be installed (an embedding program's); then
        // this one only renders what it records itself.
        let _ = metrics::set_global_recorder(recorder);
        register();
        handle
    })
}

/// Describes every metric, and registers the fetch metrics at zero so that they
/// are scraped before the first fetch.
fn register() {
    metrics::describe_histogram!(
        "feedvault_http_request_duration_seconds",
        metrics::Unit::Seconds,
        "Web requests by route"
    );
    metrics::describe_gauge!("feedvault_articles", "Articles in the vault");
    metrics::describe_gauge!("feedvault_revisions", "Earlier versions kept in the vault");
    metrics::describe_counter!("feedvault_fetches_total", "Feed fetches");
    metrics::describe_counter!("feedvault_fetch_failures_total", "Failed feed fetches, by kind");
    metrics::describe_histogram!("feedvault_fetch_duration_seconds", metrics::Unit::Seconds, "Feed fetch durations");
    metrics::counter!("feedvault_fetches_total").absolute(0);
}

/// Middleware: records each request's duration under its route's pattern (never
/// its actual path or query, which would say what a reader read).
pub async fn track(State(_state): State<AppState>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let method = request.method().as_str().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::histogram!("feedvault_http_request_duration_seconds", "route" => route, "method" => method, "status" => status)
        .record(started.elapsed().as_secs_f64());
    response
}

/// `GET /metrics`.
pub async fn render(State(state): State<AppState>) -> Response {
    let handle = handle();
    let vault = state.vault.clone();
    if let Ok(Ok((articles, revisions))) = tokio::task::spawn_blocking(move || vault.counts()).await {
        metrics::gauge!("feedvault_articles").set(articles as f64);
        metrics::gauge!("feedvault_revisions").set(revisions as f64);
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], handle.render()).into_response()
}

/// `GET /healthz`: 200 when the settings and state.db can be read, 503 otherwise.
/// (A lookup by path, not a count: a probe must stay cheap on a large vault.)
pub async fn healthz(State(state): State<AppState>) -> Response {
    let vault = state.vault.clone();
    let probe = move || vault.settings().and_then(|_| vault.article("healthz/probe.md"));
    match tokio::task::spawn_blocking(probe).await {
        Ok(Ok(_)) => ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], "ok\n").into_response(),
        _ => (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "vault unreadable\n",
        )
            .into_response(),
    }
}
