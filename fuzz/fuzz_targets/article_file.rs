//! Fuzz target `article_file`: the article file format (`feedvault_core::Article`).
//!
//! The first byte picks a mode; the rest is its input.
//! - even: the rest is a file. Property: for any file that reads, writing what was read
//!   and reading that back gives the same article, and writing it again gives the same
//!   bytes (`write(read(f))` is a fixed point).
//! - `1 mod 4`: the rest is a feed document; every item parsed from it goes through
//!   `Article::from_item`.
//! - `3 mod 4`: the rest is split at NUL bytes into an item's title, link, id, content
//!   and summary, so the normalizations see arbitrary text directly.
//!
//! Item property: the article built from an item is written and read back with the same
//! time, title, link and body, and its title and body are each on one line, trimmed
//! (DESIGN.md, The article file).

#![no_main]

use chrono::{DateTime, Utc};
use feedvault_core::{Article, Item};
use feedvault_feed::ParseOptions;
use libfuzzer_sys::fuzz_target;

fn check_file(bytes: &[u8]) {
    let Ok(article) = Article::from_file(bytes) else { return };
    let written = article.to_file();
    let again = Article::from_file(written.as_bytes())
        .unwrap_or_else(|e| panic!("a written article does not read back: {e}\n{written:?}"));
    assert_eq!(again, article, "read(write(read(f))) != read(f) for {written:?}");
    assert_eq!(again.to_file(), written, "write(read(f)) is not a fixed point");
}

fn check_item(item: &Item) {
    let first_seen = DateTime::<Utc>::from_timestamp_millis(1_663_632_000_000).expect("a valid time");
    let article = Article::from_item(item, first_seen);
    let written = article.to_file();
    let back = Article::from_file(written.as_bytes())
        .unwrap_or_else(|e| panic!("the file written for an item does not read back: {e}\n{written:?}\n{item:?}"));
    assert_eq!(back.time, article.time, "time of {written:?}");
    assert_eq!(back.title, article.title, "title of {written:?}");
    assert_eq!(back.url, article.url, "link of {written:?}");
    assert_eq!(back.body, article.body, "body of {written:?}");
    assert_eq!(back.to_file(), written, "write(read(f)) != f for {written:?}");
    for (what, text) in [("title", &article.title), ("body", &article.body)] {
        assert!(!text.contains(['\n', '\r']), "the {what} is not on one line: {text:?}");
        assert_eq!(text.trim(), text.as_str(), "the {what} is not trimmed: {text:?}");
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((mode, rest)) = data.split_first() else { return };
    match mode % 4 {
        0 | 2 => check_file(rest),
        1 => {
            let options = ParseOptions {
                url: Some(url::Url::parse("https://example.com/feed.xml").expect("a valid base")),
                ..ParseOptions::default()
            };
            if let Ok(feed) = feedvault_feed::parse(rest, &options) {
                feed.items.iter().for_each(check_item);
            }
        }
        _ => {
            let text = String::from_utf8_lossy(rest);
            let mut fields = text.split('\0').map(|f| (!f.is_empty()).then(|| f.to_owned()));
            let mut next = || fields.next().flatten();
            let item = Item {
                title: next(),
                link: next(),
                id: next(),
                content_html: next(),
                summary_html: next(),
                ..Item::default()
            };
            check_item(&item);
        }
    }
});
