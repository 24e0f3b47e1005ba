//! A fetched article page to the HTML of its article: the page's charset, then a CSS
//! selector's first match or a readability pass, with relative URLs made absolute.
//!
//! Pure: bytes and the page's final URL in, HTML or the reason there is none out.
//! Readability (dom_smoothie, a port of Mozilla's Readability.js) is tuned for
//! Chinese pages: its thresholds count characters, and a Chinese article says in 250
//! characters what an English one says in 500 or more, so the threshold below which
//! it retries with looser rules is 250, and an extraction counts as substantial from
//! 80 characters of text when most of them are CJK (200 otherwise).

use std::panic::{AssertUnwindSafe, catch_unwind};

use dom_query::{Document, Matcher, Selection};
use url::Url;

/// How a feed gets its items' full text.
#[derive(Debug, Clone)]
pub enum FullText {
    /// The first element matching the selector; its inner HTML is the body.
    Css { selector: String, matcher: Matcher },
    /// Readability's idea of the article.
    Readability,
}

impl FullText {
    /// Reads `css:SELECTOR` or `readability`.
    pub fn parse(text: &str) -> Result<FullText, String> {
        let text = text.trim();
        if text == "readability" {
            return Ok(FullText::Readability);
        }
        let Some(selector) = text.strip_prefix("css:").map(str::trim) else {
            return Err(format!("full_text {text:?}: use \"css:SELECTOR\" or \"readability\""));
        };
        let matcher = catch_unwind(|| Matcher::new(selector))
            .map_err(|_| format!("full_text {text:?}: the CSS selector cannot be read"))?
            .map_err(|_| format!("full_text {text:?}: {selector:?} is not a CSS selector"))?;
        Ok(FullText::Css { selector: selector.to_owned(), matcher })
    }
}

/// Elements readability never parses past (a page with more is refused, not slow).
const MAX_ELEMENTS: usize = 200_000;
/// Readability's retry threshold, in characters of text (Readability.js: 500).
const CHAR_THRESHOLD: usize = 250;
/// Least text an extraction must hold, mostly-CJK text and other text.
const MIN_CJK_CHARS: usize = 80;
const MIN_OTHER_CHARS: usize = 200;

/// The article HTML of a decoded page.
pub fn extract(html: &str, page_url: &Url, how: &FullText) -> Result<String, String> {
    catch_unwind(AssertUnwindSafe(|| match how {
        FullText::Css { selector, matcher } => by_selector(html, page_url, selector, matcher),
        FullText::Readability => by_readability(html, page_url),
    }))
    .unwrap_or_else(|_| Err("the page could not be read (the HTML parser failed)".to_owned()))
}

fn by_selector(html: &str, page_url: &Url, selector: &str, matcher: &Matcher) -> Result<String, String> {
    let document = Document::from(html);
    let base = base_url(&document, page_url);
    let found = document.select_single_matcher(matcher);
    if found.is_empty() {
        return Err(format!("the selector {selector} matches nothing on the page"));
    }
    if found.text().trim().is_empty() && found.select("img, video, audio, iframe").is_empty() {
        return Err(format!("the selector {selector} matches an empty element"));
    }
    make_absolute(&found, &base);
    Ok(found.inner_html().trim().to_owned())
}

fn by_readability(html: &str, page_url: &Url) -> Result<String, String> {
    let config = dom_smoothie::Config {
        char_threshold: CHAR_THRESHOLD,
        max_elements_to_parse: MAX_ELEMENTS,
        ..dom_smoothie::Config::default()
    };
    let mut readability = dom_smoothie::Readability::new(html, Some(page_url.as_str()), Some(config))
        .map_err(|e| format!("readability: {e}"))?;
    let article = readability.parse().map_err(|e| format!("readability found no article ({e})"))?;
    if !substantial(&article.text_content) {
        return Err("readability found no substantial text".to_owned());
    }
    let document = Document::from(article.content.as_ref());
    let root = document.select("body");
    make_absolute(&root, &base_url(&Document::from(html), page_url));
    Ok(root.inner_html().trim().to_owned())
}

/// Enough text to be an article: [`MIN_CJK_CHARS`] when most of it is CJK, else
/// [`MIN_OTHER_CHARS`] (whitespace not counted).
fn substantial(text: &str) -> bool {
    let (mut cjk, mut all) = (0usize, 0usize);
    for c in text.chars().filter(|c| !c.is_whitespace()) {
        all += 1;
        if feedvault_core::text::is_cjk(c) {
            cjk += 1;
        }
    }
    if cjk * 2 > all { all >= MIN_CJK_CHARS } else { all >= MIN_OTHER_CHARS }
}

/// The page's `<base href>` resolved against its URL, else its URL.
fn base_url(document: &Document, page_url: &Url) -> Url {
    document
        .select_single("base[href]")
        .attr("href")
        .and_then(|href| page_url.join(href.trim()).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .unwrap_or_else(|| page_url.clone())
}

/// Attributes that hold one URL, and the elements that carry them.
const URL_ATTRIBUTES: [(&str, &str); 7] = [
    ("a[href], area[href], link[href]", "href"),
    ("img[src], source[src], video[src], audio[src], iframe[src], embed[src], track[src], input[src]", "src"),
    ("video[poster]", "poster"),
    ("object[data]", "data"),
    ("blockquote[cite], q[cite], del[cite], ins[cite]", "cite"),
    ("form[action]", "action"),
    ("img[data-src]", "data-src"),
];

/// Makes every relative URL in and under `root` absolute against `base`. Links
/// within the page (`#…`) and values that do not parse are left as they are.
fn make_absolute(root: &Selection, base: &Url) {
    let resolve = |value: &str| -> Option<String> {
        let value = value.trim();
        if value.is_empty() || value.starts_with('#') {
            return None;
        }
        let joined = base.join(value).ok()?;
        (joined.as_str() != value).then(|| joined.to_string())
    };
    for (selector, attribute) in URL_ATTRIBUTES {
        for node in root.select(selector).nodes() {
            if let Some(absolute) = node.attr(attribute).and_then(|v| resolve(&v)) {
                node.set_attr(attribute, &absolute);
            }
        }
    }
    for node in root.select("img[srcset], source[srcset]").nodes() {
        let Some(srcset) = node.attr("srcset") else { continue };
        let rewritten: Vec<String> = srcset
            .split(',')
            .map(|candidate| {
                let candidate = candidate.trim();
                let (url, descriptor) = candidate.split_once(char::is_whitespace).unwrap_or((candidate, ""));
                let url = resolve(url).unwrap_or_else(|| url.to_owned());
                if descriptor.is_empty() { url } else { format!("{url} {}", descriptor.trim()) }
            })
            .collect();
        node.set_attr("srcset", &rewritten.join(", "));
    }
}

/// The charset a page declares in its first 1024 bytes: `<meta charset=…>` or
/// `<meta http-equiv="Content-Type" content="…; charset=…">` (the HTML prescan,
/// simplified: ASCII, case-insensitive, linear).
pub fn meta_charset(bytes: &[u8]) -> Option<String> {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]).to_ascii_lowercase();
    let mut rest = head.as_str();
    while let Some(at) = rest.find("<meta") {
        rest = &rest[at + 5..];
        let tag = &rest[..rest.find('>').unwrap_or(rest.len())];
        if let Some(at) = tag.find("charset") {
            let value = tag[at + 7..].trim_start();
            let Some(value) = value.strip_prefix('=') else { continue };
            let value = value.trim_start().trim_start_matches(['"', '\'']);
            let end = value.find(|c: char| c == '"' || c == '\'' || c == ';' || c == '/' || c.is_whitespace());
            let label = &value[..end.unwrap_or(value.len())];
            if !label.is_empty() {
                return Some(label.to_owned());
            }
        }
    }
    None
}

/// A page's bytes as text: the HTTP charset, else the `<meta>` one, else detection.
pub fn decode_page(bytes: &[u8], http_charset: Option<&str>) -> String {
    let meta = meta_charset(bytes);
    feedvault_feed::encoding::decode(bytes, http_charset.or(meta.as_deref()), None).text.into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_text_settings() {
        assert!(matches!(FullText::parse("readability"), Ok(FullText::Readability)));
        match FullText::parse("css: div.post-content") {
            Ok(FullText::Css { selector, .. }) => assert_eq!(selector, "div.post-content"),
            other => panic!("{other:?}"),
        }
        assert!(FullText::parse("css:div[").unwrap_err().contains("not a CSS selector"));
        assert!(FullText::parse("css:").unwrap_err().contains("not a CSS selector"));
        assert!(FullText::parse("xpath://div").unwrap_err().contains("use \"css:SELECTOR\""));
    }

    #[test]
    fn charsets_from_meta() {
        assert_eq!(meta_charset(b"<html><head><meta charset=\"GBK\">").as_deref(), Some("gbk"));
        assert_eq!(meta_charset(b"<META CHARSET=big5>").as_deref(), Some("big5"));
        let equiv = b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\">";
        assert_eq!(meta_charset(equiv).as_deref(), Some("gb2312"));
        assert_eq!(meta_charset(b"<meta name=\"x\" content=\"y\"><p>charset=no</p>"), None);
        assert_eq!(meta_charset(b"<meta charset>"), None);
        let text =
            "<html><head><meta charset=\"gbk\"><title>中国</title></head><body><p>中国数字时代</p></body></html>";
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        assert_eq!(decode_page(&gbk, None), text);
        assert_eq!(decode_page(text.as_bytes(), Some("utf-8")), text);
    }

    #[test]
    fn relative_urls_become_absolute() {
        let page = Url::parse("https://chinadigitaltimes.net/chinese/700001.html").unwrap();
        let how = FullText::parse("css:div.post-content").unwrap();
        let html = r##"<div class="post-content"><p><a href="/chinese/tag/x">标签</a> <a href="#note">注</a>
            <img src="../img/a.jpg" srcset="a-2x.jpg 2x, https://cdn.example/b.jpg 3x"> <a href="https://other.example/">o</a></p></div>"##;
        let body = extract(html, &page, &how).unwrap();
        assert!(body.contains(r#"href="https://chinadigitaltimes.net/chinese/tag/x""#), "{body}");
        assert!(body.contains(r##"href="#note""##), "{body}");
        assert!(body.contains(r#"src="https://chinadigitaltimes.net/img/a.jpg""#), "{body}");
        assert!(
            body.contains(
                r#"srcset="https://chinadigitaltimes.net/chinese/a-2x.jpg 2x, https://cdn.example/b.jpg 3x""#
            ),
            "{body}"
        );
        assert!(body.contains(r#"href="https://other.example/""#), "{body}");
        // A <base href> is the base.
        let with_base = format!("<head><base href=\"https://static.example/s/\"></head><body>{html}</body>");
        let body = extract(&with_base, &page, &how).unwrap();
        assert!(body.contains(r#"src="https://static.example/img/a.jpg""#), "{body}");
    }

    #[test]
    fn selector_failures() {
        let page = Url::parse("https://example.org/a").unwrap();
        let how = FullText::parse("css:div.post-content").unwrap();
        let err = extract("<div class=other>text</div>", &page, &how).unwrap_err();
        assert_eq!(err, "the selector div.post-content matches nothing on the page");
        let err = extract("<div class=post-content> \n </div>", &page, &how).unwrap_err();
        assert!(err.contains("empty element"), "{err}");
        assert_eq!(
            extract("<div class=post-content><img src=/x.png></div>", &page, &how).unwrap(),
            "<img src=\"https://example.org/x.png\">"
        );
        // The first match counts.
        let two = "<div class=post-content>first</div><div class=post-content>second</div>";
        assert_eq!(extract(two, &page, &how).unwrap(), "first");
    }

    #[test]
    fn readability_needs_substance() {
        let page = Url::parse("https://example.org/a").unwrap();
        let err = extract("<html><body><p>Too short.</p></body></html>", &page, &FullText::Readability).unwrap_err();
        assert!(err.contains("readability"), "{err}");
        assert!(substantial(&"中".repeat(MIN_CJK_CHARS)));
        assert!(!substantial(&"中".repeat(MIN_CJK_CHARS - 1)));
        assert!(!substantial(&"word ".repeat(30)));
        assert!(substantial(&"words ".repeat(50)));
    }
}
