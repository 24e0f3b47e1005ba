//! JSON Feed 1.1.

use serde_json::{Value, json};

use super::Channel;
use crate::timefmt::rfc3339;

pub fn write(channel: &Channel) -> String {
    let items: Vec<Value> = channel
        .entries
        .iter()
        .map(|entry| {
            let mut item = json!({
                "id": entry.id,
                "url": entry.link,
                "title": entry.title,
                "content_html": entry.content_html,
                "date_modified": rfc3339(entry.updated_ms),
                "language": entry.lang,
            });
            if let Some(published) = entry.published_ms.and_then(rfc3339) {
                item["date_published"] = json!(published);
            }
            item
        })
        .collect();
    let feed = json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": channel.title,
        "home_page_url": channel.home,
        "feed_url": channel.self_url,
        "items": items,
    });
    serde_json::to_string_pretty(&feed).unwrap_or_default()
}
