//! Sanitized bodies, remembered: sanitizing is most of an article page's cost, and
//! the same version is asked for again and again. The key is the whole input (the
//! body, its source address and the image label), so a cached body is exactly what
//! sanitizing that input gives; the cache is bounded and simply emptied when full.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// At most this many bodies are kept.
const CAPACITY: usize = 2048;

#[derive(Default)]
pub struct BodyCache {
    map: Mutex<HashMap<String, Arc<str>>>,
}

impl BodyCache {
    /// The cached value for `key`, or `make()`'s, remembered.
    pub fn get_or(&self, key: String, make: impl FnOnce() -> String) -> Arc<str> {
        if let Some(hit) = self.map.lock().ok().and_then(|m| m.get(&key).cloned()) {
            return hit;
        }
        let value: Arc<str> = make().into();
        if let Ok(mut map) = self.map.lock() {
            if map.len() >= CAPACITY {
                map.clear();
            }
            map.insert(key, value.clone());
        }
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_and_stays_bounded() {
        let cache = BodyCache::default();
        assert_eq!(&*cache.get_or("a".into(), || "1".into()), "1");
        assert_eq!(&*cache.get_or("a".into(), || "2".into()), "1", "remembered");
        for i in 0..CAPACITY + 10 {
            cache.get_or(i.to_string(), String::new);
        }
        assert!(cache.map.lock().unwrap().len() <= CAPACITY);
    }
}
