//! The images an article body references, found by one pass of an HTML parser
//! (html5ever through dom_query): `<img src>`, `<img data-src>` (lazy loading), the
//! largest candidate of every `srcset` (`<img>` and `<picture><source>`), each
//! resolved against the article's link. An image proxy's URL is fetched as the
//! original it names ([`original`]), the proxy itself being the fallback.
//!
//! Only the largest `srcset` candidate is kept: the others are the same picture at
//! smaller sizes, and the web UI shows one copy.

use dom_query::Document;
use url::Url;

/// One image an article references.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// The URL as the article references it, resolved (what the records and the web
    /// UI know it by).
    pub key: String,
    /// What to fetch, in order: the original behind a proxy, then the URL itself.
    pub fetch: Vec<Url>,
}

/// The key of an image reference: the (entity-decoded) attribute value resolved
/// against the article's link; `None` for anything but an http(s) URL.
pub fn reference_key(value: &str, base: Option<&Url>) -> Option<String> {
    let url = feedvault_core::link::resolve(value, base)?;
    matches!(url.scheme(), "http" | "https").then(|| url.to_string())
}

/// Every image `body` references, in document order, each once.
pub fn references(body: &str, article_url: &str) -> Vec<Reference> {
    let base = Url::parse(article_url).ok();
    let document = Document::from(body);
    let mut found: Vec<Reference> = Vec::new();
    let mut add = |value: &str| {
        let Some(key) = reference_key(value, base.as_ref()) else { return };
        if found.iter().any(|r| r.key == key) {
            return;
        }
        let Ok(url) = Url::parse(&key) else { return };
        let mut fetch = Vec::with_capacity(2);
        if let Some(original) = original(&url) {
            fetch.push(original);
        }
        fetch.push(url);
        found.push(Reference { key, fetch });
    };
    for node in document.select("img, picture source").nodes() {
        for attribute in ["src", "data-src"] {
            if let Some(value) = node.attr(attribute) {
                add(&value);
            }
        }
        if let Some(srcset) = node.attr("srcset")
            && let Some(largest) = largest_candidate(&srcset)
        {
            add(largest);
        }
    }
    found
}

/// The largest candidate of a `srcset`: the widest by `w` descriptor, else the
/// densest by `x` (no descriptor is `1x`). Parsed as the HTML standard says: a URL
/// runs to whitespace (trailing commas end it), descriptors to a comma outside
/// parentheses. Linear in the attribute's length.
pub fn largest_candidate(srcset: &str) -> Option<&str> {
    let mut best: Option<(&str, bool, f64)> = None;
    let mut rest = srcset;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == ',');
        if rest.is_empty() {
            break;
        }
        let end = rest.find(|c: char| c.is_ascii_whitespace()).unwrap_or(rest.len());
        let (mut url, after) = rest.split_at(end);
        rest = after;
        let mut descriptors = "";
        if url.ends_with(',') {
            url = url.trim_end_matches(',');
        } else {
            let mut depth = 0usize;
            let mut cut = rest.len();
            for (at, c) in rest.char_indices() {
                match c {
                    '(' => depth += 1,
                    ')' => depth = depth.saturating_sub(1),
                    ',' if depth == 0 => {
                        cut = at;
                        break;
                    }
                    _ => {}
                }
            }
            descriptors = &rest[..cut];
            rest = &rest[cut..];
        }
        if url.is_empty() {
            continue;
        }
        let (wide, size) = descriptor_size(descriptors);
        let better = match best {
            None => true,
            Some((_, best_wide, best_size)) => (wide, size) > (best_wide, best_size),
        };
        if better {
            best = Some((url, wide, size));
        }
    }
    best.map(|(url, ..)| url)
}

/// (has a `w` descriptor, its width or the density).
fn descriptor_size(descriptors: &str) -> (bool, f64) {
    let mut density = 1.0;
    for descriptor in descriptors.split_ascii_whitespace() {
        if let Some(width) = descriptor.strip_suffix('w').and_then(|n| n.parse::<f64>().ok()) {
            return (true, width);
        }
        if let Some(x) = descriptor.strip_suffix('x').and_then(|n| n.parse::<f64>().ok()) {
            density = x;
        }
    }
    (false, density)
}

/// The original image behind a known image proxy: `images.weserv.nl/?url=…` (and
/// `wsrv.nl`), whose `url` is `host/path`, `//host/path`, `ssl:host/path` or a full
/// URL; and WordPress's Photon, `i0.wp.com/<host>/<path>` (i0 to i3).
pub fn original(url: &Url) -> Option<Url> {
    let host = url.host_str()?.to_ascii_lowercase();
    let found = match host.as_str() {
        "images.weserv.nl" | "wsrv.nl" => {
            let (_, target) = url.query_pairs().find(|(k, _)| k == "url")?;
            let target = target.trim();
            let full = if let Some(rest) = target.strip_prefix("ssl:") {
                format!("https://{}", rest.trim_start_matches('/'))
            } else if let Some(rest) = target.strip_prefix("//") {
                format!("http://{rest}")
            } else if target.starts_with("http://") || target.starts_with("https://") {
                target.to_owned()
            } else {
                format!("http://{target}")
            };
            Url::parse(&full).ok()?
        }
        "i0.wp.com" | "i1.wp.com" | "i2.wp.com" | "i3.wp.com" => {
            let path = url.path().trim_start_matches('/');
            let (origin_host, rest) = path.split_once('/')?;
            if origin_host.is_empty() || !origin_host.contains('.') {
                return None;
            }
            Url::parse(&format!("https://{origin_host}/{rest}")).ok()?
        }
        _ => return None,
    };
    (matches!(found.scheme(), "http" | "https") && found.host_str().is_some_and(|h| h != host)).then_some(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(body: &str) -> Vec<String> {
        references(body, "https://news.example.org/a/1.html").into_iter().map(|r| r.key).collect()
    }

    #[test]
    fn src_srcset_picture_and_lazy_images_resolved_once_each() {
        let body = concat!(
            "<p><img src=\"/i/a.jpg?x=1&amp;y=2\" alt=a></p>",
            "<img srcset=\"s.jpg 320w, l.jpg 1280w, m.jpg 640w\" src=\"m.jpg\">",
            "<picture><source srcset=\"p.avif 1x, p2.avif 2x\" type=image/avif><img src=\"p.jpg\"></picture>",
            "<img data-src=\"lazy.png\" src=\"data:image/gif;base64,R0lGOD\">",
            "<img src=\"javascript:alert(1)\"><img src=\"ftp://x/y.png\"><img src=\"\">",
            "<img src=\"https://news.example.org/i/a.jpg?x=1&y=2\">",
            "<source srcset=\"outside-picture.jpg\"><video poster=\"v.jpg\"></video>",
        );
        assert_eq!(
            keys(body),
            [
                "https://news.example.org/i/a.jpg?x=1&y=2",
                "https://news.example.org/a/m.jpg",
                "https://news.example.org/a/l.jpg",
                "https://news.example.org/a/p2.avif",
                "https://news.example.org/a/p.jpg",
                "https://news.example.org/a/lazy.png",
            ]
        );
        assert_eq!(keys("<p>no images</p><img src=x>").len(), 1);
        assert!(keys("<<<img src=\"a.png\"").len() <= 1, "broken markup is no panic");
    }

    #[test]
    fn srcset_candidates_parse_as_the_standard_says() {
        assert_eq!(largest_candidate("a.jpg 1x, b.jpg 2x"), Some("b.jpg"));
        assert_eq!(largest_candidate("a.jpg, b.jpg 3x, c.jpg 2x"), Some("b.jpg"));
        assert_eq!(
            largest_candidate("https://c.example/w_100,h_50/a.jpg 100w, https://c.example/w_800,h_400/a.jpg 800w"),
            Some("https://c.example/w_800,h_400/a.jpg")
        );
        assert_eq!(largest_candidate("a.jpg,b.jpg 2x"), Some("a.jpg,b.jpg"), "a URL runs to whitespace");
        assert_eq!(largest_candidate("one.jpg,, ,"), Some("one.jpg"));
        assert_eq!(largest_candidate("a.jpg 10w (junk, more), b.jpg 5w"), Some("a.jpg"));
        assert_eq!(largest_candidate(" , "), None);
        let long = "x.jpg 1w, ".repeat(50_000);
        assert_eq!(largest_candidate(&long), Some("x.jpg"));
    }

    #[test]
    fn proxies_are_fetched_as_their_originals_first() {
        let original = |u: &str| super::original(&Url::parse(u).unwrap()).map(|u| u.to_string());
        assert_eq!(
            original("https://images.weserv.nl/?url=example.org/a.jpg&w=300").as_deref(),
            Some("http://example.org/a.jpg")
        );
        assert_eq!(
            original("https://images.weserv.nl/?url=ssl:example.org/a.jpg").as_deref(),
            Some("https://example.org/a.jpg")
        );
        assert_eq!(
            original("https://wsrv.nl/?url=https%3A%2F%2Fexample.org%2Fb.png%3Fv%3D2").as_deref(),
            Some("https://example.org/b.png?v=2")
        );
        assert_eq!(
            original("https://i2.wp.com/example.org/wp-content/c.jpg?resize=300%2C200&ssl=1").as_deref(),
            Some("https://example.org/wp-content/c.jpg")
        );
        for none in [
            "https://images.weserv.nl/?w=300",
            "https://images.weserv.nl/?url=javascript:alert(1)",
            "https://i0.wp.com/nohost",
            "https://example.org/?url=https://other.example/a.jpg",
        ] {
            assert_eq!(original(none), None, "{none}");
        }
        let found = references("<img src=\"https://images.weserv.nl/?url=img.example/a.jpg\">", "https://n.example/");
        let fetch: Vec<&str> = found[0].fetch.iter().map(Url::as_str).collect();
        assert_eq!(fetch, ["http://img.example/a.jpg", "https://images.weserv.nl/?url=img.example/a.jpg"]);
        assert_eq!(found[0].key, "https://images.weserv.nl/?url=img.example/a.jpg");
    }
}
