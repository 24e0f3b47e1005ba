//! Links: resolving, filtering and serializing item URLs.
//!
//! Every link feedvault keeps is absolute and serialized by the WHATWG URL Standard
//! (the `url` crate). Script-bearing schemes are refused wherever a link enters.
//! The article file additionally percent-encodes unbalanced parentheses so that the
//! Markdown link on line 2 always parses.

use url::Url;

/// Schemes that can carry script or inline data; links using them are dropped.
const UNSAFE_SCHEMES: [&str; 3] = ["javascript", "vbscript", "data"];

/// Resolves `raw` against `base` (when given) and serializes it, refusing
/// `javascript:`, `vbscript:` and `data:` links however they are cased or split by
/// whitespace and control characters. Returns `None` for empty or unusable links.
pub fn resolve(raw: &str, base: Option<&Url>) -> Option<Url> {
    let raw = raw.trim();
    if raw.is_empty() || has_unsafe_scheme(raw) {
        return None;
    }
    let url = Url::options().base_url(base).parse(raw).ok()?;
    if UNSAFE_SCHEMES.contains(&url.scheme()) {
        return None;
    }
    Some(url)
}

/// True when the link's scheme, with the whitespace and control characters browsers
/// ignore removed, is one of the unsafe schemes.
fn has_unsafe_scheme(raw: &str) -> bool {
    let squeezed: String =
        raw.chars().filter(|c| !c.is_whitespace() && !c.is_control()).take(16).collect::<String>().to_ascii_lowercase();
    UNSAFE_SCHEMES.iter().any(|scheme| squeezed.strip_prefix(scheme).is_some_and(|r| r.starts_with(':')))
}

/// The URL as the article file writes it: WHATWG serialization, then every `(` or `)`
/// that is not part of a balanced pair percent-encoded.
pub fn article_url(url: &str) -> String {
    let bytes = url.as_bytes();
    let mut unbalanced = vec![false; bytes.len()];
    let mut open = Vec::new();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'(' => open.push(i),
            b')' if open.pop().is_none() => unbalanced[i] = true,
            _ => {}
        }
    }
    for i in open {
        unbalanced[i] = true;
    }
    let mut out = String::with_capacity(url.len());
    for (i, c) in url.char_indices() {
        match c {
            '(' if unbalanced[i] => out.push_str("%28"),
            ')' if unbalanced[i] => out.push_str("%29"),
            _ => out.push(c),
        }
    }
    out
}

/// The form of a link used for identity: serialized, without fragment and without
/// `utm_*` tracking parameters, so the same page reached by two links is one item.
pub fn identity_form(url: &Url) -> String {
    let mut url = url.clone();
    url.set_fragment(None);
    if url.query().is_some() {
        let kept: Vec<(String, String)> = url
            .query_pairs()
            .filter(|(k, _)| !k.starts_with("utm_"))
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        if kept.is_empty() {
            url.set_query(None);
        } else {
            url.query_pairs_mut().clear().extend_pairs(kept);
        }
    }
    url.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Url {
        Url::parse("https://example.com/news/feed.xml").unwrap()
    }

    #[test]
    fn links_resolve_and_serialize_by_whatwg() {
        let cases = [
            ("/a/b", "https://example.com/a/b"),
            ("item.html", "https://example.com/news/item.html"),
            ("../up", "https://example.com/up"),
            ("  https://Example.COM/x y  ", "https://example.com/x%20y"),
            ("https://例子.测试/路径", "https://xn--fsqu00a.xn--0zwm56d/%E8%B7%AF%E5%BE%84"),
            ("//cdn.example.org/i.png", "https://cdn.example.org/i.png"),
            ("https://example.com/a?q=中", "https://example.com/a?q=%E4%B8%AD"),
            ("HTTP://EXAMPLE.COM:80/", "http://example.com/"),
        ];
        for (raw, want) in cases {
            assert_eq!(resolve(raw, Some(&base())).unwrap().as_str(), want, "{raw}");
        }
    }

    #[test]
    fn script_and_data_links_are_dropped() {
        for raw in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            " java\tscript:alert(1)",
            "java\nscript:alert(1)",
            "vbscript:msgbox",
            "VBSCRIPT:x",
            "data:text/html,<script>",
            "DATA:image/png;base64,AAAA",
            "\u{1}javascript:x",
        ] {
            assert!(resolve(raw, Some(&base())).is_none(), "{raw:?} must be dropped");
        }
        assert!(resolve("", Some(&base())).is_none());
        assert!(resolve("relative/without/base", None).is_none());
        assert!(resolve("mailto:a@example.com", None).is_some());
    }

    #[test]
    fn unbalanced_parentheses_are_encoded() {
        let cases = [
            ("https://e.com/wiki/Foo_(bar)", "https://e.com/wiki/Foo_(bar)"),
            ("https://e.com/a)b", "https://e.com/a%29b"),
            ("https://e.com/a(b", "https://e.com/a%28b"),
            ("https://e.com/(a)(b))(", "https://e.com/(a)(b)%29%28"),
            ("https://e.com/((a)", "https://e.com/%28(a)"),
            ("", ""),
        ];
        for (raw, want) in cases {
            assert_eq!(article_url(raw), want, "{raw}");
        }
    }

    #[test]
    fn identity_form_drops_fragment_and_tracking() {
        let url = Url::parse("https://e.com/a?id=3&utm_source=x#top").unwrap();
        assert_eq!(identity_form(&url), "https://e.com/a?id=3");
        let url = Url::parse("https://e.com/a?utm_medium=rss").unwrap();
        assert_eq!(identity_form(&url), "https://e.com/a");
    }
}
