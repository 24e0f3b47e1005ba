//! Requests: HTTP(S) through reqwest, files through the file system, one interface.
//!
//! Redirects are followed here, not by reqwest, so that every hop is checked (limit,
//! loop, scheme, no downgrade from https to http unless the feed allows it), re-sends
//! the conditional headers and the User-Agent, sends the feed's own headers and cookies
//! only while the chain is still on the feed's origin, takes its own politeness permit,
//! and so that the chain can be reported as permanent or not.
//! Timeouts are enforced here too: a total deadline over all hops, and a stall limit on
//! every wait for the response head and for each chunk of the body.

use std::collections::HashSet;
use std::error::Error as _;
use std::future::Future;
use std::io::Read;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use reqwest::StatusCode;
use reqwest::header::{
    ACCEPT, ACCEPT_ENCODING, HeaderMap, HeaderValue, IF_MODIFIED_SINCE, IF_NONE_MATCH, LOCATION, USER_AGENT,
};
use tokio::time::Instant;
use url::Url;

use crate::client::Clients;
use crate::exchange::{self, Exchange};
use crate::headers::{self, CacheHints};
use crate::politeness::Politeness;
use crate::{
    Body, ERROR_BODY_LIMIT, ErrorAnswer, FailureKind, FetchError, FetchOptions, Fetched, Redirect, RequestSpec,
    Response, Source, Validators,
};

/// Gets feed documents; one per process, cheap to clone, shared by all requests
/// (connection reuse, politeness).
#[derive(Debug, Clone)]
pub struct Fetcher {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    options: FetchOptions,
    clients: Clients,
    politeness: Option<Politeness>,
}

impl Fetcher {
    /// A fetcher; fails with [`FailureKind::Config`] when the global proxy is invalid.
    pub fn new(options: FetchOptions) -> Result<Self, FetchError> {
        let clients = Clients::new(&options)?;
        let politeness = options.politeness.map(Politeness::new);
        Ok(Fetcher { inner: Arc::new(Inner { options, clients, politeness }) })
    }

    pub fn options(&self) -> &FetchOptions {
        &self.inner.options
    }

    /// Gets a source, conditionally when validators are given, with no per-feed options.
    pub async fn fetch(&self, source: &Source, validators: &Validators) -> Result<Fetched, FetchError> {
        self.fetch_with(source, validators, &RequestSpec::default()).await.map(|response| response.fetched)
    }

    /// Gets a source with per-feed options, reporting redirects and caching hints.
    pub async fn fetch_with(
        &self,
        source: &Source,
        validators: &Validators,
        spec: &RequestSpec,
    ) -> Result<Response, FetchError> {
        match source {
            Source::Http(url) => self.fetch_http(url, validators, spec).await,
            Source::File(path) => {
                let path = path.clone();
                let limit = self.inner.options.max_bytes;
                let limit = spec.max_bytes.map_or(limit, |own| own.min(limit));
                tokio::task::spawn_blocking(move || read_file(&path, limit))
                    .await
                    .map_err(|e| FetchError::new(FailureKind::Other, format!("file reader failed: {e}")))?
            }
        }
    }

    async fn fetch_http(
        &self,
        start: &Url,
        validators: &Validators,
        spec: &RequestSpec,
    ) -> Result<Response, FetchError> {
        let options = &self.inner.options;
        let client = self.inner.clients.get(spec.proxy.as_ref())?;
        let mut hop_headers = spec.hop_headers()?;
        let origin_headers = spec.origin_headers()?;
        let conditional = validators.etag.is_some() || validators.last_modified.is_some();
        if let Some(etag) = &validators.etag {
            hop_headers.insert(IF_NONE_MATCH, header_value(etag, "ETag")?);
        }
        if let Some(last_modified) = &validators.last_modified {
            hop_headers.insert(IF_MODIFIED_SINCE, header_value(last_modified, "Last-Modified")?);
        }
        let origin = start.origin();
        // True until the chain first leaves the feed's origin; never true again after.
        let mut on_origin = true;

        let mut url = start.clone();
        let mut seen = HashSet::from([url.clone()]);
        let mut redirects: Vec<Redirect> = Vec::new();
        let mut deadline = None;
        loop {
            let permit = match &self.inner.politeness {
                Some(politeness) => Some(politeness.acquire(url.host_str().unwrap_or("")).await),
                None => None,
            };
            // The total limit runs from when the fetch may start, not while it queues.
            let deadline = *deadline.get_or_insert_with(|| Instant::now() + options.total_timeout);
            if spec.public_only {
                crate::address::check_public(&url).await?;
            }
            on_origin = on_origin && url.origin() == origin;
            let mut request = client.get(url.clone()).headers(hop_headers.clone());
            if on_origin {
                request = request.headers(origin_headers.clone());
            }
            let head_wait = options.connect_timeout + options.stall_timeout;
            let response = self
                .bounded(request.send(), deadline, head_wait, &url, "waiting for the response")
                .await?
                .map_err(|e| classify(&e, &url))?;
            let status = response.status();
            if status.is_redirection() && status != StatusCode::NOT_MODIFIED {
                let next = self.next_hop(&url, &response, &seen, redirects.len(), spec.allow_insecure_redirects)?;
                drop(response);
                drop(permit);
                redirects.push(Redirect { status: status.as_u16(), to: next.clone() });
                seen.insert(next.clone());
                url = next;
                continue;
            }
            let cache = CacheHints::from_headers(response.headers());
            // What the final hop sent and got (a redirect's hop is not kept).
            let sent = self.sent_headers(&hop_headers, on_origin.then_some(&origin_headers));
            let exchange = Exchange {
                request_url: start.clone(),
                at: chrono::Utc::now(),
                version: exchange::version_name(response.version()),
                status: status.as_u16(),
                reason: status.canonical_reason().unwrap_or("").to_owned(),
                request_headers: exchange::pairs(&sent, &secret_names(spec), &[]),
                response_headers: exchange::pairs(response.headers(), &[], &["set-cookie"]),
            };
            let fetched = if status == StatusCode::NOT_MODIFIED && conditional {
                Fetched::NotModified
            } else if status == StatusCode::NOT_MODIFIED {
                return Err(FetchError::new(
                    FailureKind::HttpStatus(304),
                    format!("HTTP 304 Not Modified from {url}, but the request was not conditional"),
                ));
            } else if matches!(status, StatusCode::NO_CONTENT | StatusCode::RESET_CONTENT) {
                let reason = status.canonical_reason().unwrap_or("");
                return Err(FetchError::new(
                    FailureKind::HttpStatus(status.as_u16()),
                    format!("no content: HTTP {} {reason} from {url}", status.as_u16()),
                ));
            } else if status.is_success() {
                Fetched::Body(self.read_body(response, &url, deadline, spec.max_bytes).await?)
            } else {
                let mut error = status_error(status, response.headers(), &url);
                let body = match spec.hash_error_body {
                    true => self.read_body(response, &url, deadline, Some(ERROR_BODY_LIMIT)).await.ok(),
                    false => None,
                };
                error.answer = Some(Box::new(ErrorAnswer {
                    exchange,
                    final_url: url,
                    redirects,
                    body_sha256: body.as_ref().map(|b| feedvault_core::identity::file_hash(&b.bytes)),
                    body_len: body.map_or(0, |b| b.bytes.len()),
                }));
                return Err(error);
            };
            drop(permit);
            let permanent_url =
                (!redirects.is_empty() && redirects.iter().all(Redirect::is_permanent)).then(|| url.clone());
            let status = status.as_u16();
            let exchange = Some(exchange);
            return Ok(Response { fetched, status, final_url: url, redirects, permanent_url, cache, exchange });
        }
    }

    /// The headers a hop sends: the client's own (User-Agent, Accept, Accept-Encoding),
    /// then the hop's, then the feed's own when on its origin.
    fn sent_headers(&self, hop: &HeaderMap, origin: Option<&HeaderMap>) -> HeaderMap {
        let mut sent = HeaderMap::new();
        if let Ok(agent) = HeaderValue::from_str(&self.inner.options.user_agent) {
            sent.insert(USER_AGENT, agent);
        }
        sent.insert(ACCEPT, HeaderValue::from_static("*/*"));
        sent.insert(ACCEPT_ENCODING, HeaderValue::from_static("gzip, br, zstd, deflate"));
        for (name, value) in hop.iter().chain(origin.into_iter().flatten()) {
            sent.insert(name.clone(), value.clone());
        }
        sent
    }

    /// Checks a redirect and resolves its target.
    fn next_hop(
        &self,
        url: &Url,
        response: &reqwest::Response,
        seen: &HashSet<Url>,
        followed: usize,
        allow_insecure: bool,
    ) -> Result<Url, FetchError> {
        let code = response.status().as_u16();
        if !matches!(code, 301 | 302 | 303 | 307 | 308) {
            return Err(status_error(response.status(), response.headers(), url));
        }
        let location = headers::header(response.headers(), LOCATION).ok_or_else(|| {
            FetchError::new(
                FailureKind::HttpStatus(code),
                format!("HTTP {code} redirect without a Location from {url}"),
            )
        })?;
        let next = url.join(location.trim()).map_err(|e| {
            FetchError::new(FailureKind::Redirects, format!("bad redirect target {location:?} from {url}: {e}"))
        })?;
        if !matches!(next.scheme(), "http" | "https") {
            return Err(FetchError::new(FailureKind::Redirects, format!("redirect from {url} to non-HTTP {next}")));
        }
        check_downgrade(url, &next, allow_insecure)?;
        if seen.contains(&next) {
            return Err(FetchError::new(FailureKind::Redirects, format!("redirect loop: {url} leads back to {next}")));
        }
        let limit = self.inner.options.max_redirects;
        if followed >= limit {
            return Err(FetchError::new(
                FailureKind::Redirects,
                format!("too many redirects (more than {limit}) from {url}"),
            ));
        }
        Ok(next)
    }

    /// Streams a body in under the size, stall and total limits.
    async fn read_body(
        &self,
        mut response: reqwest::Response,
        url: &Url,
        deadline: Instant,
        own_limit: Option<usize>,
    ) -> Result<Body, FetchError> {
        let options = &self.inner.options;
        let limit = own_limit.map_or(options.max_bytes, |own| own.min(options.max_bytes));
        if response.content_length().is_some_and(|len| len > limit as u64) {
            return Err(too_large(limit, url));
        }
        let headers = response.headers().clone();
        let mut bytes = Vec::new();
        loop {
            let chunk = self
                .bounded(response.chunk(), deadline, options.stall_timeout, url, "reading the body")
                .await?
                .map_err(|e| classify(&e, url))?;
            let Some(chunk) = chunk else { break };
            if bytes.len() + chunk.len() > limit {
                return Err(too_large(limit, url));
            }
            bytes.extend_from_slice(&chunk);
        }
        // Content-Location is the base of relative links in the document (RFC 9110).
        let content_location = headers::header(&headers, reqwest::header::CONTENT_LOCATION)
            .and_then(|location| url.join(location.trim()).ok());
        Ok(Body {
            bytes,
            final_url: url.clone(),
            charset: headers::charset(&headers),
            validators: headers::validators_of(&headers),
            content_location,
        })
    }

    /// Runs `future` until the total deadline or for at most `stall`, whichever is first.
    async fn bounded<T>(
        &self,
        future: impl Future<Output = T>,
        deadline: Instant,
        stall: Duration,
        url: &Url,
        doing: &str,
    ) -> Result<T, FetchError> {
        let stall_at = Instant::now() + stall;
        let total = self.inner.options.total_timeout;
        let (until, message) = if deadline <= stall_at {
            (deadline, format!("timed out: the {}s time limit ran out {doing} from {url}", total.as_secs_f32()))
        } else {
            (
                stall_at,
                format!("timed out: the server stalled, no data for {}s {doing} from {url}", stall.as_secs_f32()),
            )
        };
        tokio::time::timeout_at(until, future).await.map_err(|_| FetchError::new(FailureKind::Timeout, message))
    }
}

/// Refuses a redirect from `https` to plain `http` unless the feed allows it: the rest of
/// the chain, and the document, would travel unencrypted and unauthenticated.
pub(crate) fn check_downgrade(from: &Url, to: &Url, allow_insecure: bool) -> Result<(), FetchError> {
    if from.scheme() == "https" && to.scheme() == "http" && !allow_insecure {
        return Err(FetchError::new(
            FailureKind::Redirects,
            format!(
                "refusing a redirect from {from} to insecure {to} (a feed may allow it with allow_insecure_redirects = true)"
            ),
        ));
    }
    Ok(())
}

fn header_value(value: &str, what: &str) -> Result<reqwest::header::HeaderValue, FetchError> {
    reqwest::header::HeaderValue::from_str(value)
        .map_err(|_| FetchError::new(FailureKind::Config, format!("stored {what} {value:?} is not a valid header")))
}

/// The feed's own header names, lowercase: their values are never recorded.
fn secret_names(spec: &RequestSpec) -> Vec<String> {
    spec.headers.iter().map(|(name, _)| name.trim().to_ascii_lowercase()).collect()
}

fn status_error(status: StatusCode, headers: &reqwest::header::HeaderMap, url: &Url) -> FetchError {
    let reason = status.canonical_reason().unwrap_or("");
    let mut error = FetchError::new(
        FailureKind::HttpStatus(status.as_u16()),
        format!("HTTP {} {reason} from {url}", status.as_u16()),
    );
    if matches!(status.as_u16(), 429 | 503) {
        error.retry_after = headers::retry_after(headers, SystemTime::now());
    }
    error
}

fn too_large(limit: usize, at: &impl std::fmt::Display) -> FetchError {
    FetchError::new(FailureKind::TooLarge, format!("body larger than the {limit}-byte limit at {at}"))
}

/// Sorts a reqwest error into a failure kind with a one-line message.
fn classify(err: &reqwest::Error, url: &Url) -> FetchError {
    let mut chain = String::new();
    let mut source: Option<&dyn std::error::Error> = err.source();
    while let Some(cause) = source {
        chain.push_str(": ");
        chain.push_str(&cause.to_string());
        source = cause.source();
    }
    let lower = chain.to_ascii_lowercase();
    let kind = if err.is_timeout() {
        FailureKind::Timeout
    } else if err.is_redirect() {
        FailureKind::Redirects
    } else if lower.contains("dns error") || lower.contains("failed to lookup address") {
        FailureKind::Dns
    } else if lower.contains("certificate") || lower.contains("tls") || lower.contains("handshake") {
        FailureKind::Tls
    } else if err.is_connect() {
        FailureKind::Connect
    } else {
        FailureKind::Other
    };
    let what = match kind {
        FailureKind::Timeout => "timed out",
        FailureKind::Redirects => "too many redirects",
        FailureKind::Dns => "DNS lookup failed",
        FailureKind::Tls => "TLS failed",
        FailureKind::Connect => "connection failed",
        _ => "request failed",
    };
    let detail = chain.trim_start_matches(": ");
    let detail = if detail.is_empty() { err.to_string() } else { detail.to_owned() };
    FetchError::new(kind, format!("{what} for {url}: {detail}"))
}

/// Reads a local feed, refusing more than `limit` bytes without reading them all.
fn read_file(path: &std::path::Path, limit: usize) -> Result<Response, FetchError> {
    let shown = path.display();
    let file = std::fs::File::open(path).map_err(|e| FetchError::new(FailureKind::Io, format!("{shown}: {e}")))?;
    let mut bytes = Vec::new();
    file.take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| FetchError::new(FailureKind::Io, format!("{shown}: {e}")))?;
    if bytes.len() > limit {
        return Err(too_large(limit, &shown));
    }
    let final_url = Url::from_file_path(path)
        .map_err(|()| FetchError::new(FailureKind::Io, format!("{shown}: not an absolute path")))?;
    let body = Body {
        bytes,
        final_url: final_url.clone(),
        charset: None,
        validators: Validators::default(),
        content_location: None,
    };
    Ok(Response {
        fetched: Fetched::Body(body),
        status: 200,
        final_url,
        redirects: Vec::new(),
        permanent_url: None,
        cache: CacheHints::default(),
        exchange: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn downgrades_are_refused_unless_allowed() {
        // (from, to, allowed by the feed, followed?)
        let table = [
            ("https://a.example/f", "http://a.example/f", false, false),
            ("https://a.example/f", "http://b.example/f", false, false),
            ("https://a.example:8443/f", "http://a.example:8443/f", false, false),
            ("https://a.example/f", "http://a.example/f", true, true),
            ("https://a.example/f", "https://b.example/f", false, true),
            ("http://a.example/f", "https://a.example/f", false, true),
            ("http://a.example/f", "http://b.example/f", false, true),
        ];
        for (from, to, allow, followed) in table {
            let (from_url, to_url) = (Url::parse(from).unwrap(), Url::parse(to).unwrap());
            let result = check_downgrade(&from_url, &to_url, allow);
            assert_eq!(result.is_ok(), followed, "{from} -> {to} (allowed: {allow})");
            if let Err(err) = result {
                assert_eq!(err.kind, FailureKind::Redirects);
                assert!(
                    err.message.starts_with(&format!("refusing a redirect from {from} to insecure {to}")),
                    "{}",
                    err.message
                );
            }
        }
    }
}
