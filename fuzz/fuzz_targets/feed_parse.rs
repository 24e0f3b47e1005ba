//! Fuzz target `feed_parse`: any bytes, with an optional HTTP charset label, through
//! `feedvault_feed::parse`.
//!
//! Input: the first byte picks the Content-Type charset label from [`LABELS`] (0: none);
//! the rest is the document. Properties, beyond "no panic" (libFuzzer aborts on any
//! panic, even one the parser's own boundary would turn into `FeedError::Panic`):
//! - parsing is deterministic (the same bytes and options give the same result);
//! - a parsed feed serializes to JSON (what `feedvault parse` prints);
//! - item links and the feed link are absolute URLs (the model's promise).

#![no_main]

use feedvault_feed::{FeedError, ParseOptions};
use libfuzzer_sys::fuzz_target;

/// Charset labels a server might send: real ones, aliases the WHATWG standard maps
/// elsewhere, odd casing, junk.
const LABELS: &[Option<&str>] = &[
    None,
    Some("utf-8"),
    Some("gb2312"),
    Some("gbk"),
    Some("gb18030"),
    Some("big5"),
    Some("shift_jis"),
    Some("euc-jp"),
    Some("euc-kr"),
    Some("koi8-r"),
    Some("iso-8859-1"),
    Some("windows-1252"),
    Some("us-ascii"),
    Some("utf-16"),
    Some("utf-16le"),
    Some("utf-16be"),
    Some("windows-1251"),
    Some("iso-8859-2"),
    Some("x-user-defined"),
    Some("UTF-8"),
    Some("latin1"),
    Some("no-such-charset"),
    Some(""),
];

fuzz_target!(|data: &[u8]| {
    let (label, document) = match data.split_first() {
        Some((first, rest)) => (LABELS[usize::from(*first) % LABELS.len()], rest),
        None => (None, data),
    };
    let options = ParseOptions {
        url: Some(url::Url::parse("https://example.com/feeds/feed.xml").expect("a valid base")),
        http_charset: label.map(str::to_owned),
        ..ParseOptions::default()
    };
    let first = feedvault_feed::parse(document, &options);
    if let Err(FeedError::Panic(message)) = &first {
        panic!("the parser panicked: {message}");
    }
    let second = feedvault_feed::parse(document, &options);
    assert_eq!(first, second, "parsing is not deterministic");
    let Ok(feed) = first else { return };
    serde_json::to_string(&feed).expect("a parsed feed serializes to JSON");
    let absolute = |link: &str| url::Url::parse(link).is_ok();
    if let Some(link) = &feed.link {
        assert!(absolute(link), "feed link {link:?} is not absolute");
    }
    for item in &feed.items {
        if let Some(link) = &item.link {
            assert!(absolute(link), "item link {link:?} is not absolute");
        }
    }
});
