//! feedvault-feed: bytes to a [`Feed`].
//!
//! The steps run in a fixed order, one module each: [`encoding`] (bytes to text),
//! [`xml`] (tolerant tree) or JSON, [`sniff`] (which format), the format adapters
//! [`rss`], [`atom`], [`cdf`] and [`json`] (to the one shared model), with [`date`] and
//! [`links`] as helpers and [`discover`] for HTML pages that only point at feeds.
//! Parsing never fetches anything and never panics out: a panic in a dependency
//! becomes this feed's [`FeedError::Panic`].

pub mod atom;
pub mod cdf;
pub mod date;
pub mod discover;
pub mod encoding;
pub mod json;
pub mod links;
pub mod rss;
pub mod sniff;
pub mod xml;

use std::panic::{AssertUnwindSafe, catch_unwind};

use chrono_tz::Tz;
use feedvault_core::Feed;
use thiserror::Error;
use url::Url;

pub use date::{DateContext, parse_date};

/// Default size limit of a feed document: 32 MiB.
pub const DEFAULT_MAX_BYTES: usize = 32 * 1024 * 1024;

/// What parsing needs to know besides the bytes.
#[derive(Debug, Clone)]
pub struct ParseOptions {
    /// Where the document came from: the base of relative links, and a hint for
    /// the language of dates (a .cn host is a Chinese feed).
    pub url: Option<Url>,
    /// The charset parameter of the HTTP Content-Type, when there was one.
    pub http_charset: Option<String>,
    /// The HTTP Content-Location of the response, resolved against `url`: when it is
    /// an http(s) URL, it is the base of relative links instead of `url`.
    pub content_location: Option<Url>,
    /// Largest document accepted; checked before any parsing.
    pub max_bytes: usize,
    /// The zone of dates written without one.
    pub zone: Option<Tz>,
}

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions { url: None, http_charset: None, content_location: None, max_bytes: DEFAULT_MAX_BYTES, zone: None }
    }
}

impl ParseOptions {
    /// The base of relative links: the Content-Location when usable, else the URL.
    pub fn base(&self) -> Option<&Url> {
        self.content_location.as_ref().filter(|u| matches!(u.scheme(), "http" | "https")).or(self.url.as_ref())
    }
}

/// Why a document did not give a feed.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum FeedError {
    #[error("document is {size} bytes, over the {limit}-byte limit")]
    TooLarge { size: usize, limit: usize },
    #[error("not a feed: {what}{}", advertised_list(.advertised))]
    NotAFeed { what: String, advertised: Vec<String> },
    #[error("entity expansion exceeded its limit (an entity bomb?)")]
    EntityExpansion,
    #[error("invalid JSON feed: {0}")]
    Json(String),
    #[error("the parser crashed on this document: {0}")]
    Panic(String),
}

fn advertised_list(feeds: &[String]) -> String {
    if feeds.is_empty() { String::new() } else { format!("; it advertises these feeds: {}", feeds.join(" ")) }
}

/// Parses a feed document of any supported format.
pub fn parse(bytes: &[u8], options: &ParseOptions) -> Result<Feed, FeedError> {
    if bytes.len() > options.max_bytes {
        return Err(FeedError::TooLarge { size: bytes.len(), limit: options.max_bytes });
    }
    catch_unwind(AssertUnwindSafe(|| parse_unguarded(bytes, options))).unwrap_or_else(|panic| {
        let message = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_owned());
        Err(FeedError::Panic(message))
    })
}

fn parse_unguarded(bytes: &[u8], options: &ParseOptions) -> Result<Feed, FeedError> {
    let tld = options.url.as_ref().and_then(|u| u.host_str()).and_then(|h| h.rsplit('.').next());
    let decoded = encoding::decode(bytes, options.http_charset.as_deref(), tld.map(str::as_bytes));
    let text = sniff::clean(&decoded.text);
    let not_a_feed = || FeedError::NotAFeed {
        what: "an HTML page".to_owned(),
        advertised: discover::advertised_feeds(&text, options.url.as_ref()),
    };
    let kind = sniff::kind(&text);
    let mut feed = if kind == sniff::Kind::Json {
        json::parse(&text, options)?
    } else {
        let mut doc = xml::parse(&text).map_err(|err| if kind == sniff::Kind::Html { not_a_feed() } else { err })?;
        let is_feed_root = sniff::root_format(&doc.root).is_some();
        if !is_feed_root && (kind == sniff::Kind::Html || doc.root.local.eq_ignore_ascii_case("html")) {
            // A feed pasted into an HTML page is still that feed; otherwise the page
            // may point at its feeds.
            doc.root = sniff::embedded_feed(&doc.root).ok_or_else(not_a_feed)?;
        }
        let mut feed = match sniff::root_format(&doc.root) {
            Some(sniff::XmlFormat::Rss) => rss::read(&doc, options),
            Some(sniff::XmlFormat::Atom) => atom::read(&doc, options),
            Some(sniff::XmlFormat::Cdf) => cdf::read(&doc, options),
            None => {
                return Err(FeedError::NotAFeed {
                    what: format!("the root element is <{}>", doc.root.local),
                    advertised: Vec::new(),
                });
            }
        };
        feed.warnings.extend(doc.warnings);
        feed
    };
    if let Some(note) = decoded.note {
        feed.warnings.insert(0, format!("encoding: {note}"));
    }
    Ok(feed)
}

/// The hash of an item's raw bytes (see `Item::raw_hash`).
pub(crate) fn raw_hash(bytes: &[u8]) -> String {
    feedvault_core::identity::file_hash(bytes)
}

/// An item's categories: trimmed, whitespace runs collapsed, empty ones and
/// repeats left out, in document order.
pub(crate) fn categories<'a>(names: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for name in names {
        let name = feedvault_core::text::collapse_whitespace(name);
        if !name.is_empty() && !found.contains(&name) {
            found.push(name);
        }
    }
    found
}

/// The date context of a feed: Chinese by its language or its host.
pub(crate) fn date_context(language: Option<&str>, url: Option<&Url>, zone: Option<Tz>) -> DateContext {
    let chinese_language = language.is_some_and(|l| l.trim().to_ascii_lowercase().starts_with("zh"));
    let chinese_host =
        url.and_then(|u| u.host_str()).is_some_and(|h| [".cn", ".hk", ".tw", ".mo"].iter().any(|tld| h.ends_with(tld)));
    DateContext { chinese: chinese_language || chinese_host, zone }
}
