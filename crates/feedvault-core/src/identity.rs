//! Item identity: which archived article a parsed item is.
//!
//! Within a feed an item is its guid/id when it has one, else its normalized link,
//! else a hash of its title and body (DESIGN.md, The vault). The key is a string with a
//! prefix that says which rule produced it, so keys of different kinds never collide.

use sha2::{Digest, Sha256};

use crate::{link, model::Item, text};

/// The identity of an item within its feed.
pub fn item_key(item: &Item) -> String {
    if let Some(id) = item.id.as_deref().map(str::trim).filter(|id| !id.is_empty()) {
        return format!("id:{id}");
    }
    if let Some(url) = item.link.as_deref().and_then(|l| link::resolve(l, None)) {
        return format!("link:{}", link::identity_form(&url));
    }
    let title = item.title.as_deref().map(text::plain_title).unwrap_or_default();
    let body = text::body_line(item.body_html());
    format!("hash:{}", sha256_hex(&[title.as_bytes(), body.as_bytes()]))
}

/// Hex SHA-256 of the parts, each followed by a NUL so that part boundaries count.
pub fn sha256_hex(parts: &[&[u8]]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part);
        hasher.update([0u8]);
    }
    hex(&hasher.finalize())
}

/// Hex SHA-256 of the bytes alone: a file's hash as `sha256sum` prints it.
pub fn file_hash(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 15) as usize] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(id: Option<&str>, link: Option<&str>, title: &str, body: &str) -> Item {
        Item {
            id: id.map(Into::into),
            link: link.map(Into::into),
            title: Some(title.into()),
            content_html: Some(body.into()),
            ..Item::default()
        }
    }

    #[test]
    fn identity_prefers_guid_then_link_then_content() {
        let cases = [
            (item(Some(" g1 "), Some("https://e.com/a"), "t", "b"), "id:g1"),
            (item(Some(""), Some("https://e.com/a#x"), "t", "b"), "link:https://e.com/a"),
            (item(None, Some("https://E.com/a?utm_source=rss"), "t", "b"), "link:https://e.com/a"),
        ];
        for (it, want) in cases {
            assert_eq!(item_key(&it), want);
        }
        let a = item_key(&item(None, None, "t", "b"));
        assert!(a.starts_with("hash:") && a.len() == 5 + 64);
        assert_eq!(a, item_key(&item(None, Some("not a url"), " t ", "b\n")), "normalized before hashing");
        assert_ne!(a, item_key(&item(None, None, "t", "c")));
        assert_ne!(item_key(&item(None, None, "ab", "")), item_key(&item(None, None, "a", "b")));
    }
}
