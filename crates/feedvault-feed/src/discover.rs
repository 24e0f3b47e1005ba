//! Feed discovery: the feeds an HTML page advertises with
//! `<link rel="alternate" type="application/rss+xml" href="…">` and its kin.

use feedvault_core::html::{Token, Tokens, attribute};
use url::Url;

use crate::links::absolute;

const FEED_TYPES: [&str; 6] = [
    "application/rss+xml",
    "application/atom+xml",
    "application/feed+json",
    "application/json",
    "application/rdf+xml",
    "application/xml",
];

/// The absolute URLs of the feeds `html` advertises, in document order. One pass of
/// core's HTML tokenizer: a `>` inside a quoted attribute does not end the tag.
pub fn advertised_feeds(html: &str, page: Option<&Url>) -> Vec<String> {
    let mut feeds = Vec::new();
    for token in Tokens::new(html) {
        let Token::Start { name, attrs } = token else { continue };
        if name != "link" {
            continue;
        }
        let rel = attribute(attrs, "rel").map(|r| r.to_ascii_lowercase());
        let kind = attribute(attrs, "type").map(|t| t.trim().to_ascii_lowercase());
        let is_alternate = rel.is_some_and(|r| r.split_ascii_whitespace().any(|w| w == "alternate"));
        let is_feed = kind.is_some_and(|k| FEED_TYPES.contains(&k.as_str()));
        if let (true, true, Some(href)) = (is_alternate, is_feed, attribute(attrs, "href"))
            && let Some(url) = absolute(&href, page)
            && !feeds.contains(&url)
        {
            feeds.push(url);
        }
    }
    feeds
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_advertised_feeds() {
        let html = r#"<!DOCTYPE html><html><head>
            <link rel="stylesheet" href="/s.css">
            <LINK REL="alternate" TYPE="application/rss+xml" HREF="/feed.xml" title="RSS">
            <link rel=alternate type=application/atom+xml href=atom.xml />
            <link rel="alternate" type="text/html" href="/other">
            <link rel="alternate" type="application/feed+json" href="javascript:alert(1)">
            <link title="a > b" rel="alternate" type="application/rss+xml" href="/quoted?a=1&amp;b=2">
            <!-- <link rel="alternate" type="application/rss+xml" href="/commented"> -->
            </head></html>"#;
        let page = Url::parse("https://example.com/blog/").unwrap();
        assert_eq!(
            advertised_feeds(html, Some(&page)),
            ["https://example.com/feed.xml", "https://example.com/blog/atom.xml", "https://example.com/quoted?a=1&b=2"]
        );
        assert!(advertised_feeds("<html><body>no feeds</body></html>", Some(&page)).is_empty());
    }
}
