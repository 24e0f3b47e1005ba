//! Sniffing: which kind of document this is, and light repairs before tokenizing.
//!
//! Repairs: junk or whitespace before the first `<` of an XML document is dropped,
//! and control characters XML forbids are removed (feeds carry them from copy and
//! paste; a strict parser rejects the whole document over one).

use std::borrow::Cow;

use crate::xml::{Element, Ns};

/// The broad kind of a decoded document.
#[derive(Debug, PartialEq, Eq)]
pub enum Kind {
    Xml,
    Json,
    Html,
}

/// Which XML feed family a root element belongs to.
#[derive(Debug, PartialEq, Eq)]
pub enum XmlFormat {
    Rss,
    Atom,
}

/// Drops what precedes the document and the control characters XML forbids.
pub fn clean(text: &str) -> Cow<'_, str> {
    let text = text.trim_start_matches('\u{FEFF}');
    let start = match text.trim_start().as_bytes().first() {
        Some(b'{') | Some(b'[') => text.len() - text.trim_start().len(),
        _ => text.find('<').unwrap_or(0),
    };
    let text = &text[start..];
    let forbidden = |c: char| (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{FFFE}' | '\u{FFFF}');
    if text.contains(forbidden) { Cow::Owned(text.replace(forbidden, "")) } else { Cow::Borrowed(text) }
}

/// JSON, HTML or (by default) XML.
pub fn kind(text: &str) -> Kind {
    if text.starts_with('{') || text.starts_with('[') {
        return Kind::Json;
    }
    let head: String = text.chars().take(512).collect::<String>().to_ascii_lowercase();
    let head = head.trim_start();
    let after_decl = match head.strip_prefix("<?xml") {
        Some(rest) => rest.split_once("?>").map_or("", |(_, r)| r).trim_start(),
        None => head,
    };
    if after_decl.starts_with("<!doctype html") || after_decl.starts_with("<html") { Kind::Html } else { Kind::Xml }
}

/// The feed family of a root element, if any.
pub fn root_format(root: &Element) -> Option<XmlFormat> {
    match (root.ns, root.local.to_ascii_lowercase().as_str()) {
        (_, "rss") | (Ns::Rdf, "rdf") | (_, "rdf") => Some(XmlFormat::Rss),
        (_, "feed") => Some(XmlFormat::Atom),
        _ => None,
    }
}

/// The first feed root element nested inside another element (depth-first).
pub fn embedded_feed(el: &Element) -> Option<Element> {
    el.children.iter().find_map(|child| match root_format(child) {
        Some(_) => Some(child.clone()),
        None => embedded_feed(child),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleaning_drops_leading_junk_and_control_characters() {
        assert_eq!(clean("\n\n  junk<?xml version=\"1.0\"?><rss/>"), "<?xml version=\"1.0\"?><rss/>");
        assert_eq!(clean("<rss>a\u{1}b\u{8}c\td</rss>"), "<rss>abc\td</rss>");
        assert_eq!(clean("  {\"version\": 1}"), "{\"version\": 1}");
    }

    #[test]
    fn kinds() {
        assert_eq!(kind("{\"items\": []}"), Kind::Json);
        assert_eq!(kind("<!DOCTYPE html><html><head>"), Kind::Html);
        assert_eq!(kind("<?xml version=\"1.0\"?>\n<HTML>"), Kind::Html);
        assert_eq!(kind("<?xml version=\"1.0\"?><rss version=\"2.0\">"), Kind::Xml);
    }
}
