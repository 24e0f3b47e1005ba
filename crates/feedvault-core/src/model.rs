//! The parsed shape of a feed: what the `feed` stage produces and `archive` consumes.
//!
//! Serialized as the JSON that `feedvault parse` prints (DESIGN.md, Command line).

use chrono::{DateTime, Utc};
use serde::Serialize;

/// The syndication format a document was read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FeedFormat {
    /// RSS 2.0 (and 0.93/0.94, which it extends).
    Rss2,
    /// RSS 1.0 (RDF).
    Rss1,
    /// RSS 0.90, 0.91 and 0.92.
    Rss09,
    /// Atom 1.0 and 0.3.
    Atom,
    /// JSON Feed 1.0 and 1.1.
    Json,
    /// Microsoft's Channel Definition Format (1997).
    Cdf,
}

/// A feed as parsed from one document.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Feed {
    pub format: Option<FeedFormat>,
    pub title: String,
    pub link: Option<String>,
    /// The feed's declared language (`<language>`, `xml:lang`, JSON `language`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Minutes a feed may be cached (`<ttl>`), when declared.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ttl_minutes: Option<u32>,
    /// sy:updatePeriod and sy:updateFrequency, when declared.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update_period: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update_frequency: Option<u32>,
    pub items: Vec<Item>,
    /// Problems that were repaired or skipped while parsing (not fatal).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// One entry of a feed, as parsed: nothing here is normalized for the archive yet,
/// except that links are absolute and dates are UTC.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Item {
    /// guid (RSS), id (Atom, JSON Feed), rdf:about (RSS 1.0).
    pub id: Option<String>,
    pub title: Option<String>,
    /// Absolute link to the item's page.
    pub link: Option<String>,
    pub published: Option<DateTime<Utc>>,
    pub updated: Option<DateTime<Utc>>,
    pub authors: Vec<String>,
    /// Full content (content:encoded, Atom content, JSON content_html).
    pub content_html: Option<String>,
    /// Summary (description, Atom summary, JSON summary).
    pub summary_html: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub enclosures: Vec<Enclosure>,
    /// Categories as written (RSS `<category>` text, Atom `<category>` label else
    /// term, JSON Feed `tags`), trimmed, empty ones and repeats left out.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    /// SHA-256 of the item's raw bytes in the document (its element or JSON object),
    /// so an item whose bytes did not change is unchanged whatever a newer parser
    /// makes of them.
    #[serde(skip)]
    pub raw_hash: Option<String>,
    /// The id as the document wrote it, when `id` is that text resolved against the
    /// base URL: the identity releases before that resolution gave the item.
    #[serde(skip)]
    pub earlier_id: Option<String>,
}

/// A media file attached to an item (RSS enclosure, media:content, Atom rel=enclosure,
/// JSON Feed attachment).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Enclosure {
    pub url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub length: Option<u64>,
}

impl Item {
    /// The HTML that becomes the article body: full content, else the summary.
    pub fn body_html(&self) -> &str {
        self.content_html.as_deref().filter(|s| !s.trim().is_empty()).or(self.summary_html.as_deref()).unwrap_or("")
    }

    /// The time the article file records: published, else updated.
    pub fn time(&self) -> Option<DateTime<Utc>> {
        self.published.or(self.updated)
    }
}
