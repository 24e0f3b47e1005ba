//! The reader's costly answers (every feed's state with its article count, counts
//! of articles), kept while state.db's `data_version` is the one they were read at:
//! a commit by any writer, in this process or another, drops them all. A version is
//! read before the answer it keys, so an answer is never older than its key.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::{FeedState, Result};

/// Counts kept at most (then all are dropped).
const MAX_COUNTS: usize = 1024;

#[derive(Default)]
struct Kept {
    version: Option<i64>,
    feeds: Option<Arc<Vec<FeedState>>>,
    counts: HashMap<String, u64>,
}

#[derive(Default)]
pub(crate) struct Memo {
    kept: Mutex<Kept>,
}

impl std::fmt::Debug for Memo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Memo")
    }
}

impl Memo {
    /// The kept answers, emptied first when they belong to another version.
    fn at(&self, version: i64) -> std::sync::MutexGuard<'_, Kept> {
        let mut kept = self.kept.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if kept.version != Some(version) {
            *kept = Kept { version: Some(version), ..Kept::default() };
        }
        kept
    }

    /// Every feed's state (shared: a caller wanting one feed clones only that one).
    pub fn feeds(&self, version: i64, read: impl FnOnce() -> Result<Vec<FeedState>>) -> Result<Arc<Vec<FeedState>>> {
        if let Some(feeds) = &self.at(version).feeds {
            return Ok(feeds.clone());
        }
        let feeds = Arc::new(read()?);
        self.at(version).feeds = Some(feeds.clone());
        Ok(feeds)
    }

    pub fn count(&self, version: i64, key: String, read: impl FnOnce() -> Result<u64>) -> Result<u64> {
        if let Some(&count) = self.at(version).counts.get(&key) {
            return Ok(count);
        }
        let count = read()?;
        let mut kept = self.at(version);
        if kept.counts.len() >= MAX_COUNTS {
            kept.counts.clear();
        }
        kept.counts.insert(key, count);
        Ok(count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_kept_for_their_version_only() {
        let memo = Memo::default();
        assert_eq!(memo.count(1, "a".into(), || Ok(10)).unwrap(), 10);
        assert_eq!(memo.count(1, "a".into(), || Ok(11)).unwrap(), 10, "kept");
        assert_eq!(memo.count(1, "b".into(), || Ok(20)).unwrap(), 20, "another key");
        assert_eq!(memo.count(2, "a".into(), || Ok(12)).unwrap(), 12, "a commit drops it");
        assert!(memo.count(3, "a".into(), || Err(crate::StoreError::TooNew { found: 9, known: 1 })).is_err());
        assert_eq!(memo.count(3, "a".into(), || Ok(13)).unwrap(), 13, "an error is not kept");
        for i in 0..MAX_COUNTS + 5 {
            memo.count(3, i.to_string(), || Ok(0)).unwrap();
        }
        assert!(memo.kept.lock().unwrap().counts.len() <= MAX_COUNTS);
        let feeds = memo.feeds(3, || Ok(vec![FeedState { slug: "f".into(), ..Default::default() }])).unwrap();
        assert!(Arc::ptr_eq(&memo.feeds(3, || Ok(Vec::new())).unwrap(), &feeds), "kept, not read again");
        assert!(memo.feeds(4, || Ok(Vec::new())).unwrap().is_empty());
    }
}
