//! Slugs: the readable ASCII names of feed folders and article files.
//!
//! A slug is `a-z0-9-` only, never empty, never starting or ending with `-`, and short
//! enough for every file system. Article slugs end in a hash of the item's identity, so
//! the same item always gets the same name and two items practically never share one
//! (the archive lengthens the hash in the rare case they would).

use crate::identity::sha256_hex;

/// Longest readable part of a slug, in bytes.
pub const MAX_WORDS_LEN: usize = 60;

/// Reduces text to `a-z0-9` words joined by `-`, at most `max` bytes, cut at a word
/// boundary when possible. Non-ASCII letters are dropped (no transliteration), so a
/// Chinese title gives an empty result and the caller falls back to something else.
pub fn words(text: &str, max: usize) -> String {
    let mut out = String::new();
    let mut pending_dash = false;
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            if pending_dash && !out.is_empty() {
                out.push('-');
            }
            pending_dash = false;
            out.push(c.to_ascii_lowercase());
        } else if c != '\'' {
            pending_dash = true;
        }
    }
    if out.len() > max {
        let cut = out[..=max].rfind('-').filter(|&i| i >= max / 2).unwrap_or(max);
        out.truncate(cut);
        while out.ends_with('-') {
            out.pop();
        }
    }
    out
}

/// The slug of a feed: from its name or title when that is mostly ASCII (a Chinese
/// title gives no readable ASCII), else from its URL: host and path for the web, the
/// file's name for a local file.
pub fn feed_slug(name: Option<&str>, url: &str) -> String {
    let from_name = name.filter(|n| mostly_ascii(n)).map(|n| words(n, 40)).unwrap_or_default();
    if !from_name.is_empty() {
        return from_name;
    }
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let rest = if scheme == "file" { rest.trim_end_matches('/').rsplit('/').next().unwrap_or(rest) } else { rest };
    let trimmed = rest.trim_start_matches("www.").trim_end_matches('/');
    let trimmed =
        [".xml", ".rss", ".atom", ".json", ".rdf"].iter().fold(trimmed, |s, ext| s.strip_suffix(ext).unwrap_or(s));
    let slug = words(trimmed, 40);
    if slug.is_empty() { "feed".to_owned() } else { slug }
}

/// True when at least half of the letters and digits are ASCII.
fn mostly_ascii(text: &str) -> bool {
    let (ascii, all) =
        text.chars().filter(|c| c.is_alphanumeric()).fold((0, 0), |(a, n), c| (a + c.is_ascii() as usize, n + 1));
    all > 0 && ascii * 2 >= all
}

/// The file stem of an article: readable words from the link's last path segment or
/// the title, then `-` and the first `hash_len` hex digits of the identity's hash.
pub fn article_slug(key: &str, link: &str, title: &str, hash_len: usize) -> String {
    let hash = sha256_hex(&[key.as_bytes()]);
    let hash = &hash[..hash_len.clamp(8, 64)];
    let readable = readable_words(link, title);
    if readable.is_empty() { hash.to_owned() } else { format!("{readable}-{hash}") }
}

fn readable_words(link: &str, title: &str) -> String {
    let path = link
        .split(['?', '#'])
        .next()
        .unwrap_or("")
        .split_once("://")
        .map_or("", |(_, rest)| rest.split_once('/').map_or("", |(_, path)| path));
    let segment = path.trim_end_matches('/').rsplit('/').next().unwrap_or("");
    let segment = segment.rsplit_once('.').filter(|(_, ext)| ext.len() <= 5).map_or(segment, |(stem, _)| stem);
    let from_link = words(segment, MAX_WORDS_LEN);
    // A bare number or a short code says less than the title does.
    if from_link.len() >= 12 && from_link.bytes().any(|b| b.is_ascii_alphabetic()) {
        return from_link;
    }
    let from_title = words(title, MAX_WORDS_LEN);
    if from_title.len() >= from_link.len() { from_title } else { from_link }
}

/// True when `s` is a valid slug.
pub fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 100
        && !s.starts_with('-')
        && !s.ends_with('-')
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_ascii_lowercase_and_bounded() {
        let cases = [
            ("Hello, World!", 60, "hello-world"),
            ("  --Rust's   2024 edition-- ", 60, "rusts-2024-edition"),
            ("避谈分歧，中俄", 60, ""),
            ("BBC 中文网 News", 60, "bbc-news"),
            ("one two three four", 9, "one-two"),
            ("abcdefghijklmnop", 8, "abcdefgh"),
        ];
        for (text, max, want) in cases {
            assert_eq!(words(text, max), want, "{text}");
        }
    }

    #[test]
    fn feed_slugs() {
        let cases = [
            (Some("NYT Chinese 中文"), "https://x", "nyt-chinese"),
            (Some("纽约时报"), "https://www.nytimes.com/rss.xml", "nytimes-com-rss"),
            (Some("示例新闻中文网（GBK）"), "file:///srv/feeds/zh-news-gbk.rss.xml", "zh-news-gbk"),
            (None, "https://feedx.net/rss/nytimes.xml", "feedx-net-rss-nytimes"),
            (None, "file:///tmp/a/feed.json", "feed"),
            (None, "中文", "feed"),
        ];
        for (name, url, want) in cases {
            assert_eq!(feed_slug(name, url), want, "{name:?} {url}");
        }
    }

    #[test]
    fn article_slugs_are_readable_deterministic_and_distinct() {
        let link = "https://cn.nytimes.com/world/20220920/after-putin-acknowledges-xis-concerns-russia-and-china-pledge-closer-cooperation/";
        let a = article_slug("id:1", link, "避谈分歧", 8);
        assert!(a.starts_with("after-putin-acknowledges-xis-concerns-russia-and-china"), "{a}");
        assert!(is_slug(&a) && a.len() <= MAX_WORDS_LEN + 9, "{a}");
        assert_eq!(a, article_slug("id:1", link, "避谈分歧", 8));
        assert_ne!(a, article_slug("id:2", link, "避谈分歧", 8));
        let b = article_slug("id:3", "https://e.com/news/12345.html", "Markets fall again", 8);
        assert!(b.starts_with("markets-fall-again-"), "{b}");
        let c = article_slug("id:4", "", "中文标题", 8);
        assert_eq!(c.len(), 8);
        assert!(is_slug(&c));
        assert_eq!(article_slug("id:4", "", "", 16).len(), 16);
    }

    #[test]
    fn slug_validation() {
        for ok in ["a", "a-b", "2024"] {
            assert!(is_slug(ok), "{ok}");
        }
        for bad in ["", "-a", "a-", "A", "a/b", "..", "a b", "中"] {
            assert!(!is_slug(bad), "{bad}");
        }
    }
}
