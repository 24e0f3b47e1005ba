//! Vanishing from the feed: an item that was in a feed's previous document and is
//! not in this one, while an item published before it still is, was taken out of
//! the feed rather than pushed out of its window.
//!
//! [`vanished`] is the pure rule; [`observe`] runs it for each parsed document (the
//! fetch cycle calls it after archiving), keeps the document's items as the next
//! previous window, and marks the archived articles that vanished, with evidence.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use feedvault_core::Item;
use feedvault_core::identity::item_key;
use feedvault_store::checks::{EvidenceRow, WindowItem};

use super::evidence::{self, Record};
use crate::{Result, VaultWriter};

/// The items of `previous` (a feed's last document, in document order) that are
/// missing from `current` although an older item of `previous` is still there.
/// Older: published earlier when both dates are known, else later in the document.
pub fn vanished<'a>(previous: &'a [WindowItem], current: &HashSet<&str>) -> Vec<&'a WindowItem> {
    let kept: Vec<&WindowItem> = previous.iter().filter(|w| current.contains(w.item_key.as_str())).collect();
    previous
        .iter()
        .filter(|gone| !current.contains(gone.item_key.as_str()))
        .filter(|gone| kept.iter().any(|older| is_older(older, gone)))
        .collect()
}

fn is_older(item: &WindowItem, than: &WindowItem) -> bool {
    match (item.time_ms, than.time_ms) {
        (Some(a), Some(b)) => a < b,
        _ => item.position > than.position,
    }
}

/// Runs [`vanished`] for a feed's newly parsed items, records the window, and marks
/// the articles that vanished (each once). Returns how many were marked.
pub(crate) fn observe(writer: &mut VaultWriter, feed: &str, items: &[Item], now: DateTime<Utc>) -> Result<usize> {
    let window: Vec<WindowItem> = items
        .iter()
        .enumerate()
        .map(|(position, item)| WindowItem {
            item_key: item_key(item),
            position: position as u32,
            time_ms: item.time().map(|t| t.timestamp_millis()),
        })
        .collect();
    let store = writer.archiver.store_mut();
    let previous = store.feed_window(feed)?;
    let current: HashSet<&str> = window.iter().map(|w| w.item_key.as_str()).collect();
    let mut records = Vec::new();
    let mut marks = Vec::new();
    if !previous.is_empty() {
        for gone in vanished(&previous, &current) {
            let Some((article_id, path, url)) = store.article_by_key(feed, &gone.item_key)? else { continue };
            if store.check_state(article_id)?.is_some_and(|s| s.vanished_at.is_some()) {
                continue;
            }
            let row = EvidenceRow {
                at: now.timestamp_millis(),
                kind: "vanished".into(),
                detail: format!(
                    "not in the feed's document any more, while {} older item(s) of the previous one still are",
                    previous.iter().filter(|w| current.contains(w.item_key.as_str()) && is_older(w, gone)).count()
                ),
                ..EvidenceRow::default()
            };
            records.push(Record::new(&path, &url, &row));
            marks.push((article_id, row));
        }
    }
    let folder = writer.archiver.settings().layout.root();
    evidence::append(&writer.root, folder, writer.archiver.store_mut(), &records)?;
    let store = writer.archiver.store_mut();
    for (article_id, row) in &marks {
        store.mark_vanished(*article_id, row)?;
    }
    store.set_feed_window(feed, &window)?;
    Ok(marks.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(key: &str, position: u32, time_ms: Option<i64>) -> WindowItem {
        WindowItem { item_key: key.into(), position, time_ms }
    }

    fn keys<'a>(found: &[&'a WindowItem]) -> Vec<&'a str> {
        found.iter().map(|w| w.item_key.as_str()).collect()
    }

    #[test]
    fn taken_out_versus_pushed_out() {
        // Newest first: c (30), b (20), a (10).
        let previous = [w("c", 0, Some(30)), w("b", 1, Some(20)), w("a", 2, Some(10))];
        // The window rolled: a fell off the end, d came in. Nothing vanished.
        assert!(vanished(&previous, &HashSet::from(["d", "c", "b"])).is_empty());
        // b was taken out while a, older, is still there.
        assert_eq!(keys(&vanished(&previous, &HashSet::from(["d", "c", "a"]))), ["b"]);
        // The newest taken out.
        assert_eq!(keys(&vanished(&previous, &HashSet::from(["b", "a"]))), ["c"]);
        // An empty document says nothing of any item.
        assert!(vanished(&previous, &HashSet::new()).is_empty());
    }

    #[test]
    fn without_dates_the_order_tells() {
        let previous = [w("c", 0, None), w("b", 1, None), w("a", 2, Some(10))];
        assert_eq!(keys(&vanished(&previous, &HashSet::from(["c", "a"]))), ["b"]);
        assert!(vanished(&previous, &HashSet::from(["c", "b"])).is_empty());
        // Dates win over the order: a feed sorted oldest first.
        let oldest_first = [w("a", 0, Some(10)), w("b", 1, Some(20)), w("c", 2, Some(30))];
        assert!(vanished(&oldest_first, &HashSet::from(["b", "c", "d"])).is_empty());
        assert_eq!(keys(&vanished(&oldest_first, &HashSet::from(["a", "c"]))), ["b"]);
    }
}
