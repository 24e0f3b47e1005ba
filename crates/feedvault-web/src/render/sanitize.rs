//! Archived HTML made safe to show (DESIGN.md, Security stance): known feed
//! boilerplate removed ([`Boilerplate`]), images that the vault did not keep turned
//! into links to their source (UI.md: nothing is loaded that the reader did not ask
//! for), then ammonia keeps only harmless markup: no script, no event handler, no
//! iframe, object, embed or form, no style (the CSP forbids inline style anyway),
//! links with `rel="noopener noreferrer"`, relative links resolved against the
//! article's own address. ammonia runs last, so nothing the earlier steps emit can
//! bypass it.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use feedvault_core::html::{Context, decode_in};
use feedvault_engine::preserve::images::find::largest_candidate;
use feedvault_engine::preserve::images::reference_key;
use lol_html::html_content::ContentType;
use lol_html::{RewriteStrSettings, element, rewrite_str};
use url::Url;

/// A known piece of feed boilerplate: a trailing block that starts with `marker`
/// and runs to the end of the body, where it ends with `end`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Boilerplate {
    pub name: String,
    pub marker: String,
    pub end: String,
}

impl Boilerplate {
    /// The rules feedvault.toml's `[web] boilerplate` gives (its default: feedx.net's
    /// footer `<br><hr><div>获取更多RSS：…</div>`).
    pub fn from_settings(web: &feedvault_engine::settings::WebSection) -> Vec<Boilerplate> {
        web.boilerplate
            .iter()
            .map(|rule| Boilerplate { name: rule.name.clone(), marker: rule.marker.clone(), end: rule.end.clone() })
            .collect()
    }

    /// The rules applied unless configured otherwise.
    pub fn defaults() -> Vec<Boilerplate> {
        Self::from_settings(&feedvault_engine::settings::WebSection::default())
    }

    /// `body` without this boilerplate at its end.
    pub fn strip<'a>(&self, body: &'a str) -> &'a str {
        if self.marker.is_empty() {
            return body;
        }
        match body.rfind(&self.marker) {
            Some(at) if body[at..].trim_end().ends_with(&self.end) => body[..at].trim_end(),
            _ => body,
        }
    }
}

/// How images are shown: those the vault kept as `<img>` of the kept copy, the
/// others as a link labelled with the word for "image".
pub struct Images<'a> {
    pub label: &'a str,
    /// The kept copies by the image's key (its URL resolved against the article's
    /// link, [`feedvault_engine::preserve::images::reference_key`]): `<hash>.<ext>`.
    pub kept: &'a HashMap<String, String>,
}

/// No image kept (feeds out, whose readers cannot load the server's copies).
pub fn none_kept() -> &'static HashMap<String, String> {
    static NONE: std::sync::OnceLock<HashMap<String, String>> = std::sync::OnceLock::new();
    NONE.get_or_init(HashMap::new)
}

/// The body of an article, safe to put in a page or a feed out.
pub fn body_html(body: &str, source: Option<&Url>, rules: &[Boilerplate], images: &Images<'_>) -> String {
    let mut body = body;
    for rule in rules {
        body = rule.strip(body);
    }
    // A kept image shows its copy, any other becomes a link (a rewriting failure
    // leaves the markup to ammonia, which then drops every image).
    let linked = images_as_links(body, source, images).map(Cow::Owned).unwrap_or(Cow::Borrowed(body));
    builder(source, !images.kept.is_empty()).clean(&linked).to_string()
}

/// Replaces every `<img>` by its kept copy (its `src`, lazy `data-src`, largest
/// `srcset` candidate or, in a `<picture>`, a `<source>`'s, the first one kept) or
/// else by a link to its source.
fn images_as_links(html: &str, source: Option<&Url>, images: &Images<'_>) -> Option<String> {
    let label = images.label;
    let kept_copy = |el: &lol_html::html_content::Element<'_, '_>| -> Option<String> {
        // Attribute values as the finder reads them: entities decoded once.
        let decoded = |name: &str| el.get_attribute(name).map(|v| decode_in(&v, Context::Attribute).into_owned());
        let mut values: Vec<String> = ["src", "data-src"].iter().filter_map(|a| decoded(a)).collect();
        if let Some(srcset) = decoded("srcset")
            && let Some(largest) = largest_candidate(&srcset)
        {
            values.push(largest.to_owned());
        }
        values.iter().find_map(|value| {
            let key = reference_key(value, source)?;
            images.kept.get(&key).map(|name| format!("{ASSETS}{name}"))
        })
    };
    let in_picture: RefCell<Option<String>> = RefCell::new(None);
    rewrite_str(
        html,
        RewriteStrSettings {
            element_content_handlers: vec![
                element!("picture", |_el| {
                    in_picture.borrow_mut().take();
                    Ok(())
                }),
                element!("picture source", |el| {
                    let found = kept_copy(el);
                    let mut slot = in_picture.borrow_mut();
                    if slot.is_none() {
                        *slot = found;
                    }
                    el.remove();
                    Ok(())
                }),
                // The article's own links that look like a kept copy's address are
                // its site's: resolved here, before ammonia lets a kept copy's stay.
                element!("a[href], area[href]", |el| {
                    let href = el.get_attribute("href").unwrap_or_default();
                    if is_kept_copy(decode_in(&href, Context::Attribute).trim()) {
                        match source.and_then(|base| base.join(href.trim()).ok()) {
                            Some(absolute) => el.set_attribute("href", absolute.as_str())?,
                            None => el.remove_attribute("href"),
                        }
                    }
                    Ok(())
                }),
                element!("img", |el| {
                    let raw = el.get_attribute("src").unwrap_or_default();
                    // The source's own address, never a path of this server.
                    let src = reference_key(&decode_in(&raw, Context::Attribute), source).unwrap_or(raw);
                    let alt = el.get_attribute("alt").unwrap_or_default();
                    let copy = kept_copy(el).or_else(|| in_picture.borrow_mut().take());
                    let shown = if alt.trim().is_empty() { String::new() } else { format!(": {}", attribute(&alt)) };
                    let replacement = match copy {
                        Some(copy) => format!("<img src=\"{copy}\" alt=\"{}\">", attribute(&alt)),
                        None if src.trim().is_empty() => format!("<span class=\"image\">[{label}{shown}]</span>"),
                        None => format!("<a class=\"image\" href=\"{}\">[{label}{shown}]</a>", attribute(&src)),
                    };
                    el.replace(&replacement, ContentType::Html);
                    Ok(())
                }),
            ],
            ..RewriteStrSettings::new()
        },
    )
    .ok()
}

/// Where the kept copies are served.
pub const ASSETS: &str = "/assets/";

/// True for `/assets/<sha256>.<ext>`, the only image source a body may keep.
pub fn is_kept_copy(src: &str) -> bool {
    src.strip_prefix(ASSETS).and_then(|name| name.split_once('.')).is_some_and(|(hash, ext)| {
        hash.len() == 64
            && hash.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
            && feedvault_engine::preserve::images::magic::RASTER_EXTENSIONS.contains(&ext)
    })
}

/// Raw attribute text made safe inside double quotes (entities are left as they
/// are: the text came from markup and ammonia parses it again).
fn attribute(raw: &str) -> String {
    raw.replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;")
}

/// ammonia, configured for archived bodies: `<img>` survives only with a kept
/// copy's source (the rewriting above made every other image a link), a relative
/// URL is resolved against the article's address, except a kept copy's.
fn builder(source: Option<&Url>, kept: bool) -> ammonia::Builder<'static> {
    let mut builder = ammonia::Builder::default();
    if kept {
        builder.attribute_filter(|element, attribute, value| match (element, attribute) {
            ("img", "src") => is_kept_copy(value).then_some(Cow::Borrowed(value)),
            ("img", "alt") => Some(Cow::Borrowed(value)),
            ("img", _) => None,
            _ => Some(Cow::Borrowed(value)),
        });
    } else {
        builder.rm_tags(["img"]);
    }
    builder
        .add_allowed_classes("a", ["image"])
        .add_allowed_classes("span", ["image"])
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        .link_rel(Some("noopener noreferrer"))
        .strip_comments(true);
    let base = source.filter(|u| matches!(u.scheme(), "http" | "https")).cloned();
    builder.url_relative(ammonia::UrlRelative::Custom(Box::new(Relative { base })));
    builder
}

/// Relative URLs: a kept copy's stays, any other is resolved against the
/// article's address (dropped when it has none).
struct Relative {
    base: Option<Url>,
}

impl<'a> ammonia::UrlRelativeEvaluate<'a> for Relative {
    fn evaluate<'url>(&self, url: &'url str) -> Option<Cow<'url, str>> {
        if is_kept_copy(url) {
            return Some(Cow::Borrowed(url));
        }
        self.base.as_ref().and_then(|base| base.join(url).ok()).map(|u| Cow::Owned(u.to_string()))
    }
}

/// A search snippet (the engine's HTML: matched terms in `<b>`, the rest escaped),
/// checked again: only `<b>` survives.
pub fn snippet_html(snippet: &str) -> String {
    ammonia::Builder::empty().add_tags(["b"]).clean(snippet).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean(body: &str) -> String {
        let base = Url::parse("https://news.example.org/a/1").unwrap();
        body_html(body, Some(&base), &Boilerplate::defaults(), &Images { label: "image", kept: none_kept() })
    }

    #[test]
    fn drops_the_feedx_footer_only_at_the_end() {
        let footer = "<br><hr><div>获取更多RSS：<br><a href=\"https://feedx.net\" style=\"color:orange\" target=\"_blank\">https://feedx.net</a> <br></div>";
        assert_eq!(clean(&format!("<p>正文</p>{footer}")), "<p>正文</p>");
        let middle = format!("<p>a</p>{footer}<p>b</p>");
        assert!(clean(&middle).contains("feedx.net"), "a footer in the middle is content");
    }

    #[test]
    fn rules_come_from_feedvault_toml() {
        let text = "[web]\nboilerplate = [{ name = \"ad\", marker = \"<div class=ad>\", end = \"</div>\" }]\n";
        let settings = feedvault_engine::Settings::parse(text, "feedvault.toml").unwrap();
        let rules = Boilerplate::from_settings(&settings.web);
        assert_eq!(rules.len(), 1, "the configured rules replace the default");
        assert_eq!(rules[0].strip("<p>news</p><div class=ad>buy</div>"), "<p>news</p>");
        let inside = "<div class=ad>x</div><p>news</p>";
        assert_eq!(rules[0].strip(inside), inside, "only at the end");
        assert_eq!(Boilerplate::defaults()[0].name, "feedx.net footer");
    }

    #[test]
    fn nothing_executable_survives() {
        let hostile = concat!(
            "<script>alert(1)</script><p onclick=\"x()\" style=\"background:url(javascript:x)\">t</p>",
            "<a href=\"javascript:alert(1)\">j</a><a href=\"data:text/html,<script>x</script>\">d</a>",
            "<svg onload=alert(1)><circle/></svg><iframe src=\"https://e.org\"></iframe>",
            "<object data=x></object><embed src=x><form action=x><input></form>",
            "<div style=\"width: expression(alert(1))\">css</div><img src=x onerror=alert(1)>",
            "<a href=\"/rel\" target=\"_blank\">r</a><p><b>broken <i>markup</p><style>*{}</style>"
        );
        let out = clean(hostile).to_ascii_lowercase();
        for bad in [
            "<script",
            "onclick",
            "onload",
            "onerror",
            "javascript:",
            "data:",
            "<svg",
            "<iframe",
            "<object",
            "<embed",
            "<form",
            "<input",
            "style=",
            "expression",
            "<img",
            "<style",
        ] {
            assert!(!out.contains(bad), "{bad} survived: {out}");
        }
        assert!(out.contains("href=\"https://news.example.org/rel\""), "{out}");
        assert!(out.contains("rel=\"noopener noreferrer\""), "{out}");
    }

    #[test]
    fn images_become_links() {
        let out = clean("<p><img src=\"https://img.example.org/a.jpg?x=1&amp;y=2\" alt=\"a \\\"cat\\\"\"></p>");
        assert!(out.contains("<a class=\"image\" href=\"https://img.example.org/a.jpg?x=1&amp;y=2\""), "{out}");
        assert!(!out.contains("<img"), "{out}");
        assert_eq!(
            clean("<img src=\"data:image/png;base64,AAAA\">"),
            "<a class=\"image\" rel=\"noopener noreferrer\">[image]</a>"
        );
    }

    #[test]
    fn kept_images_show_their_copy_and_the_others_stay_links() {
        let hash = "ab".repeat(32);
        let kept: HashMap<String, String> = [
            ("https://news.example.org/i/a.jpg?x=1&y=2", format!("{hash}.jpg")),
            ("https://news.example.org/a/large.png", format!("{hash}.png")),
            ("https://news.example.org/a/pic.webp", format!("{hash}.webp")),
            ("https://news.example.org/a/big.gif?a=1&amp;b=2", format!("{hash}.gif")),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        let base = Url::parse("https://news.example.org/a/1").unwrap();
        let show = |body: &str| body_html(body, Some(&base), &[], &Images { label: "image", kept: &kept });
        assert_eq!(
            show("<p><img src=\"/i/a.jpg?x=1&amp;y=2\" alt=\"a\" onerror=\"x()\" width=9></p>"),
            format!("<p><img src=\"/assets/{hash}.jpg\" alt=\"a\"></p>")
        );
        assert_eq!(
            show("<img srcset=\"small.png 300w, large.png 900w\" src=\"other.png\">"),
            format!("<img src=\"/assets/{hash}.png\" alt=\"\">")
        );
        // A srcset is decoded once, as the finder decoded it when the image was kept.
        assert_eq!(
            show("<img srcset=\"big.gif?a=1&amp;amp;b=2 2x\">"),
            format!("<img src=\"/assets/{hash}.gif\" alt=\"\">")
        );
        assert_eq!(
            show("<picture><source srcset=\"pic.webp\" type=\"image/webp\"><img src=\"pic.jpg\" alt=p></picture>"),
            format!("<img src=\"/assets/{hash}.webp\" alt=\"p\">")
        );
        // Not kept: a link, never loaded; an article's own /assets/ path is its site's.
        let out = show(&format!("<img src=\"https://tracker.example/p.gif\"><img src=\"/assets/{hash}.png\">"));
        assert!(!out.contains("<img"), "{out}");
        assert!(out.contains("href=\"https://tracker.example/p.gif\""), "{out}");
        assert!(out.contains(&format!("href=\"https://news.example.org/assets/{hash}.png\"")), "{out}");
        let out = show(
            "<a href=\"javascript:alert(1)\">j</a><a href=\"/rel\">r</a><img src=\"x\" srcset=\"javascript:x 2x\">",
        );
        assert!(!out.contains("javascript") && !out.contains("<img"), "{out}");
        assert!(out.contains("href=\"https://news.example.org/rel\""), "{out}");
        assert!(is_kept_copy(&format!("/assets/{hash}.avif")));
        for not in [format!("/assets/{hash}.svg"), format!("/assets/{}.png", "AB".repeat(32)), "/assets/x.png".into()] {
            assert!(!is_kept_copy(&not), "{not}");
        }
    }

    #[test]
    fn snippets_keep_only_bold() {
        assert_eq!(snippet_html("a <b>中国</b> &lt;script&gt; <i>x</i>"), "a <b>中国</b> &lt;script&gt; x");
    }
}
