//! Archived HTML made safe to show (DESIGN.md, Security stance): known feed
//! boilerplate removed ([`Boilerplate`]), images that the vault did not keep turned
//! into links to their source (UI.md: nothing is loaded that the reader did not ask
//! for), then ammonia keeps only harmless markup: no script, no event handler, no
//! iframe, object, embed or form, no style (the CSP forbids inline style anyway),
//! links with `rel="noopener noreferrer"`, relative links resolved against the
//! article's own address. ammonia runs last, so nothing the earlier steps emit can
//! bypass it.

use std::borrow::Cow;
use std::collections::HashSet;

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

/// What an image that was not kept is shown as (the word for "image").
pub struct Images<'a> {
    pub label: &'a str,
}

/// The body of an article, safe to put in a page or a feed out.
pub fn body_html(body: &str, source: Option<&Url>, rules: &[Boilerplate], images: &Images<'_>) -> String {
    let mut body = body;
    for rule in rules {
        body = rule.strip(body);
    }
    // An image nothing kept becomes a link (a rewriting failure leaves the markup to
    // ammonia, which then drops the images' sources as below).
    let linked = images_as_links(body, images.label).map(Cow::Owned).unwrap_or(Cow::Borrowed(body));
    builder(source).clean(&linked).to_string()
}

/// Replaces every `<img>` by a link to its source.
fn images_as_links(html: &str, label: &str) -> Option<String> {
    rewrite_str(
        html,
        RewriteStrSettings {
            element_content_handlers: vec![element!("img", |el| {
                let src = el.get_attribute("src").unwrap_or_default();
                let alt = el.get_attribute("alt").unwrap_or_default();
                let shown = if alt.trim().is_empty() { String::new() } else { format!(": {}", attribute(&alt)) };
                let link = if src.trim().is_empty() {
                    format!("<span class=\"image\">[{label}{shown}]</span>")
                } else {
                    format!("<a class=\"image\" href=\"{}\">[{label}{shown}]</a>", attribute(&src))
                };
                el.replace(&link, ContentType::Html);
                Ok(())
            })],
            ..RewriteStrSettings::new()
        },
    )
    .ok()
}

/// Raw attribute text made safe inside double quotes (entities are left as they
/// are: the text came from markup and ammonia parses it again).
fn attribute(raw: &str) -> String {
    raw.replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;")
}

/// ammonia, configured for archived bodies.
fn builder(source: Option<&Url>) -> ammonia::Builder<'static> {
    let mut builder = ammonia::Builder::default();
    builder
        .rm_tags(["img"])
        .add_allowed_classes("a", ["image"])
        .add_allowed_classes("span", ["image"])
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        .link_rel(Some("noopener noreferrer"))
        .strip_comments(true);
    match source.filter(|u| matches!(u.scheme(), "http" | "https")) {
        Some(base) => builder.url_relative(ammonia::UrlRelative::RewriteWithBase(base.clone())),
        None => builder.url_relative(ammonia::UrlRelative::Deny),
    };
    builder
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
        body_html(body, Some(&base), &Boilerplate::defaults(), &Images { label: "image" })
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
    fn snippets_keep_only_bold() {
        assert_eq!(snippet_html("a <b>中国</b> &lt;script&gt; <i>x</i>"), "a <b>中国</b> &lt;script&gt; x");
    }
}
