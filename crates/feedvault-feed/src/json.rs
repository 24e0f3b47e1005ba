//! JSON Feed 1.0 and 1.1 to the shared model.
//!
//! Read through `serde_json::Value` rather than strict structs, so one item with a
//! wrongly typed field (a numeric id, an author as a string) does not lose the feed.

use feedvault_core::text::escape_html;
use feedvault_core::{Enclosure, Feed, FeedFormat, Item};
use serde_json::Value;
use url::Url;

use crate::links::absolute;
use crate::{FeedError, ParseOptions, date_context, parse_date};

/// Reads a JSON Feed document.
pub fn parse(text: &str, options: &ParseOptions) -> Result<Feed, FeedError> {
    let value: Value = serde_json::from_str(text).map_err(|e| FeedError::Json(e.to_string()))?;
    let Some(object) = value.as_object() else {
        return Err(FeedError::NotAFeed { what: "JSON that is not an object".into(), advertised: Vec::new() });
    };
    let is_json_feed =
        object.get("version").and_then(Value::as_str).is_some_and(|v| v.contains("jsonfeed.org/version"));
    let Some(items) =
        object.get("items").and_then(Value::as_array).filter(|_| is_json_feed || object.contains_key("items"))
    else {
        return Err(FeedError::NotAFeed {
            what: "JSON without a JSON Feed items array".into(),
            advertised: Vec::new(),
        });
    };
    let base = options.base().cloned();
    let language = string(object.get("language"));
    let ctx = date_context(language.as_deref(), options.url.as_ref(), options.zone);
    let feed_authors = authors(object.get("authors").or(object.get("author")));
    let read_item = |value: &Value| -> Option<Item> {
        let item = value.as_object()?;
        let mut authors = authors(item.get("authors").or(item.get("author")));
        if authors.is_empty() {
            authors = feed_authors.clone();
        }
        Some(Item {
            id: string(item.get("id")),
            title: string(item.get("title")),
            link: link(item.get("url"), base.as_ref()).or_else(|| link(item.get("external_url"), base.as_ref())),
            published: string(item.get("date_published")).and_then(|d| parse_date(&d, ctx)),
            updated: string(item.get("date_modified")).and_then(|d| parse_date(&d, ctx)),
            authors,
            content_html: string(item.get("content_html"))
                .or_else(|| string(item.get("content_text")).map(|t| escape_html(&t))),
            summary_html: string(item.get("summary")).map(|s| escape_html(&s)),
            enclosures: item
                .get("attachments")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|a| {
                    Some(Enclosure {
                        url: link(a.get("url"), base.as_ref())?,
                        mime_type: string(a.get("mime_type")),
                        length: a.get("size_in_bytes").and_then(Value::as_u64),
                    })
                })
                .collect(),
            categories: crate::categories(
                item.get("tags").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str),
            ),
            raw_hash: serde_json::to_vec(value).ok().map(|bytes| crate::raw_hash(&bytes)),
            earlier_id: None,
        })
    };
    let parsed: Vec<Item> = items.iter().filter_map(read_item).collect();
    let mut warnings = Vec::new();
    if parsed.len() < items.len() {
        warnings.push(format!("skipped {} items that are not objects", items.len() - parsed.len()));
    }
    Ok(Feed {
        format: Some(FeedFormat::Json),
        title: string(object.get("title")).unwrap_or_default(),
        link: link(object.get("home_page_url"), base.as_ref()),
        language,
        ttl_minutes: None,
        update_period: None,
        update_frequency: None,
        items: parsed,
        warnings,
    })
}

/// A string, or a number written as one (some feeds use numeric ids).
fn string(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn link(value: Option<&Value>, base: Option<&Url>) -> Option<String> {
    absolute(value?.as_str()?, base)
}

/// Author names from JSON Feed 1.1 `authors` or 1.0 `author`.
fn authors(value: Option<&Value>) -> Vec<String> {
    let one = |a: &Value| match a {
        Value::String(name) => Some(name.clone()),
        Value::Object(o) => string(o.get("name")).or_else(|| string(o.get("url"))),
        _ => None,
    };
    match value {
        Some(Value::Array(list)) => list.iter().filter_map(one).collect(),
        Some(single) => one(single).into_iter().collect(),
        None => Vec::new(),
    }
}
