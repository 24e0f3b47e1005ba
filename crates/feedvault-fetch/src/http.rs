//! Requests: HTTP(S) through reqwest, files through the file system, one interface.

use std::error::Error as _;
use std::io::Read;

use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, ETAG, HeaderMap, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED};

use crate::{Body, FailureKind, FetchError, FetchOptions, Fetched, Source, Validators};

/// Gets feed documents; one per process, shared by all requests (connection reuse).
#[derive(Debug, Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    options: FetchOptions,
}

impl Fetcher {
    pub fn new(options: FetchOptions) -> Result<Self, FetchError> {
        let client = reqwest::Client::builder()
            .user_agent(&options.user_agent)
            .connect_timeout(options.connect_timeout)
            .timeout(options.total_timeout)
            .redirect(reqwest::redirect::Policy::limited(options.max_redirects))
            .gzip(true)
            .brotli(true)
            .build()
            .map_err(|e| FetchError::new(FailureKind::Other, format!("cannot set up HTTP: {e}")))?;
        Ok(Fetcher { client, options })
    }

    /// Gets a source, conditionally when validators are given.
    pub async fn fetch(&self, source: &Source, validators: &Validators) -> Result<Fetched, FetchError> {
        match source {
            Source::Http(url) => self.fetch_http(url, validators).await,
            Source::File(path) => {
                let path = path.clone();
                let limit = self.options.max_bytes;
                tokio::task::spawn_blocking(move || read_file(&path, limit))
                    .await
                    .map_err(|e| FetchError::new(FailureKind::Other, format!("file reader failed: {e}")))?
            }
        }
    }

    async fn fetch_http(&self, url: &url::Url, validators: &Validators) -> Result<Fetched, FetchError> {
        let mut request = self.client.get(url.clone());
        if let Some(etag) = &validators.etag {
            request = request.header(IF_NONE_MATCH, etag);
        }
        if let Some(last_modified) = &validators.last_modified {
            request = request.header(IF_MODIFIED_SINCE, last_modified);
        }
        let mut response = request.send().await.map_err(|e| classify(&e, url))?;
        let status = response.status();
        if status == StatusCode::NOT_MODIFIED {
            return Ok(Fetched::NotModified);
        }
        if !status.is_success() {
            let reason = status.canonical_reason().unwrap_or("");
            return Err(FetchError::new(
                FailureKind::HttpStatus(status.as_u16()),
                format!("HTTP {} {reason} from {url}", status.as_u16()),
            ));
        }
        let limit = self.options.max_bytes;
        if response.content_length().is_some_and(|len| len as usize > limit) {
            return Err(too_large(limit, url));
        }
        let headers = response.headers().clone();
        let final_url = response.url().clone();
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| classify(&e, url))? {
            if bytes.len() + chunk.len() > limit {
                return Err(too_large(limit, url));
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(Fetched::Body(Body { bytes, final_url, charset: charset(&headers), validators: validators_of(&headers) }))
    }
}

fn too_large(limit: usize, at: &impl std::fmt::Display) -> FetchError {
    FetchError::new(FailureKind::TooLarge, format!("body larger than the {limit}-byte limit at {at}"))
}

fn header(headers: &HeaderMap, name: reqwest::header::HeaderName) -> Option<String> {
    headers.get(name)?.to_str().ok().map(str::to_owned)
}

fn validators_of(headers: &HeaderMap) -> Validators {
    Validators { etag: header(headers, ETAG), last_modified: header(headers, LAST_MODIFIED) }
}

/// The charset parameter of Content-Type.
fn charset(headers: &HeaderMap) -> Option<String> {
    let content_type = header(headers, CONTENT_TYPE)?;
    content_type.split(';').skip(1).find_map(|param| {
        let (key, value) = param.split_once('=')?;
        key.trim().eq_ignore_ascii_case("charset").then(|| value.trim().trim_matches('"').to_owned())
    })
}

/// Sorts a reqwest error into a failure kind with a one-line message.
fn classify(err: &reqwest::Error, url: &url::Url) -> FetchError {
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
fn read_file(path: &std::path::Path, limit: usize) -> Result<Fetched, FetchError> {
    let shown = path.display();
    let file = std::fs::File::open(path).map_err(|e| FetchError::new(FailureKind::Io, format!("{shown}: {e}")))?;
    let mut bytes = Vec::new();
    file.take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| FetchError::new(FailureKind::Io, format!("{shown}: {e}")))?;
    if bytes.len() > limit {
        return Err(too_large(limit, &shown));
    }
    let final_url = url::Url::from_file_path(path)
        .map_err(|()| FetchError::new(FailureKind::Io, format!("{shown}: not an absolute path")))?;
    Ok(Fetched::Body(Body { bytes, final_url, charset: None, validators: Validators::default() }))
}
