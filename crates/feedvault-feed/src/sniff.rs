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
    Cdf,
}

/// Drops what precedes the document and the control characters XML forbids.
pub fn clean(text: &str) -> Cow<'_, str> {
    let text = text.trim_start_matches('\u{FEFF}');
    let start = match text.trim_start().as_bytes().first() {
        Some(b'{') | Some(b'[') => text.len() - text.trim_start().len(),
        _ => text.find('<').unwrap_or(0),
    };
    let text = &text[start..];
    // C0 controls are single bytes in UTF-8: a byte scan finds them fast. C1
    // controls (U+0080-U+009F, two bytes from 0xC2) are windows-1252 characters
    // that went through a wrong conversion (`don\u{92}t`): they are read as
    // windows-1252, as HTML reads `&#146;`.
    let forbidden = |c: char| c < ' ' && !matches!(c, '\t' | '\n' | '\r');
    let has_c1 = text.as_bytes().windows(2).any(|w| w[0] == 0xC2 && w[1] < 0xA0);
    if has_forbidden_control(text.as_bytes()) || has_c1 {
        Cow::Owned(
            text.chars()
                .filter(|&c| !forbidden(c))
                .map(|c| feedvault_core::html::c1_replacement(c).unwrap_or(c))
                .collect(),
        )
    } else {
        Cow::Borrowed(text)
    }
}

/// True when `bytes` holds a C0 control other than tab, LF and CR. 32 bytes at a
/// time: a block with no byte below 0x20 (the common case) costs a few instructions.
fn has_forbidden_control(bytes: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let forbidden = |b: &u8| *b < b' ' && !matches!(b, b'\t' | b'\n' | b'\r');
    // Nonzero when some byte of the word is below 0x20 (exact for ASCII bytes; bytes
    // of 0x80 and above may be flagged too, and are then checked one by one).
    let below_space = |x: u64| x.wrapping_sub(ONES * 0x20) & !x & HIGHS;
    let mut blocks = bytes.chunks_exact(32);
    for block in blocks.by_ref() {
        let word = |i: usize| u64::from_le_bytes(block[i..i + 8].try_into().expect("eight bytes"));
        let flagged = below_space(word(0)) | below_space(word(8)) | below_space(word(16)) | below_space(word(24));
        if flagged != 0 && block.iter().any(forbidden) {
            return true;
        }
    }
    blocks.remainder().iter().any(forbidden)
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
pub fn root_format(root: &Element<'_>) -> Option<XmlFormat> {
    match (root.ns, root.local.to_ascii_lowercase().as_str()) {
        (_, "rss") | (Ns::Rdf, "rdf") | (_, "rdf") => Some(XmlFormat::Rss),
        (_, "feed") => Some(XmlFormat::Atom),
        (_, "channel") => Some(XmlFormat::Cdf),
        _ => None,
    }
}

/// The first feed root element nested inside another element (depth-first).
pub fn embedded_feed<'a>(el: &Element<'a>) -> Option<Element<'a>> {
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
        assert_eq!(clean("<rss>don\u{92}t \u{93}q\u{94} \u{81}</rss>"), "<rss>don’t “q” \u{81}</rss>");
        let long = format!("<rss>{}\u{1f}{}</rss>", "中文 text\n".repeat(30), "x".repeat(13));
        assert!(!clean(&long).contains('\u{1f}'));
        assert!(matches!(clean("<rss>\n\t\r ok 中文</rss>"), Cow::Borrowed(_)));
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
