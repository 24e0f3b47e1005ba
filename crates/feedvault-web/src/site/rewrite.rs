//! One page of the static mirror made to work from any folder: every link into the
//! app becomes a relative link to its file (and is handed to the crawl), a link to
//! something the mirror leaves out is dropped with its element, no form survives
//! (nothing in the mirror posts to a server), and the policy the server sends as a
//! header goes into a `<meta>` at the top of `<head>`. One streaming pass of
//! lol_html over the page.

use std::cell::RefCell;

use feedvault_core::html::{Context, decode_in};
use lol_html::html_content::ContentType;
use lol_html::{RewriteStrSettings, element, rewrite_str};
use url::Url;

use super::urls::{self, Target};

/// The server's policy ([`crate::security::CSP`]) as a `<meta>` can carry it:
/// `frame-ancestors` has no effect there and is left out; the mirror has no script
/// and no form at all; `file:` lets the stylesheet load when the mirror is opened
/// from disk, where some browsers match `'self'` to nothing (a page from a web
/// host can never load a `file:` address).
pub const CSP: &str = "default-src 'self'; script-src 'none'; style-src 'self' file:; img-src 'self' file:; \
media-src 'self'; object-src 'none'; frame-src 'none'; base-uri 'none'; form-action 'none'";

/// Attributes that hold an address.
const URL_ATTRIBUTES: [&str; 8] = ["href", "src", "cite", "action", "formaction", "poster", "data", "background"];

/// A page, rewritten.
#[derive(Debug, Default)]
pub struct Rewritten {
    pub html: String,
    /// Every mirrored URL the page links to (repeats included).
    pub links: Vec<Target>,
    /// Links out of the mirror (http, https, mailto), kept as they are.
    pub external: usize,
}

/// What the rewriting decided for one address.
enum Decision {
    Keep,
    Set(String),
    DropAttribute,
    DropElement,
}

/// Rewrites `html`, the page the app served at `page` (its path and query), to be
/// written to `file` (components under the mirror's folder).
pub fn page(
    html: &str,
    page: &str,
    file: &[String],
    feeds: bool,
) -> Result<Rewritten, lol_html::errors::RewritingError> {
    let found = RefCell::new(Rewritten::default());
    let origin = Url::parse(urls::ORIGIN).expect("a valid origin");
    let base = origin.join(page).unwrap_or_else(|_| origin.clone());
    let decide = |raw: &str| -> Decision {
        let value = decode_in(raw, Context::Attribute);
        let value = value.trim();
        if value.starts_with('#') {
            return Decision::Keep;
        }
        let Ok(url) = base.join(value) else { return Decision::DropAttribute };
        if url.origin() != origin.origin() {
            // The crawl's own host under another scheme or port is nowhere (`.invalid`).
            if url.host_str() == origin.host_str() {
                return Decision::DropElement;
            }
            if matches!(url.scheme(), "http" | "https" | "mailto") {
                found.borrow_mut().external += 1;
            }
            // Already absolute (as sanitizing leaves every link of a body): as it is.
            return if Url::parse(value).is_ok() { Decision::Keep } else { Decision::Set(escape(url.as_str())) };
        }
        match urls::target(page, value, feeds) {
            Some((target, fragment)) => {
                let mut link = urls::relative(file, &target.file);
                if let Some(fragment) = fragment {
                    link.push('#');
                    link.push_str(&fragment);
                }
                found.borrow_mut().links.push(target);
                Decision::Set(escape(&link))
            }
            None => Decision::DropElement,
        }
    };
    let html = rewrite_str(
        html,
        RewriteStrSettings {
            element_content_handlers: vec![
                element!("form", |el| {
                    el.remove();
                    Ok(())
                }),
                element!("head", |el| {
                    el.prepend(
                        &format!("<meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">"),
                        ContentType::Html,
                    );
                    Ok(())
                }),
                element!("*", |el| {
                    for name in URL_ATTRIBUTES {
                        let Some(raw) = el.get_attribute(name) else { continue };
                        match decide(&raw) {
                            Decision::Keep => {}
                            Decision::Set(value) => el.set_attribute(name, &value)?,
                            Decision::DropAttribute => el.remove_attribute(name),
                            Decision::DropElement if matches!(el.tag_name().as_str(), "a" | "link") => {
                                el.remove();
                                return Ok(());
                            }
                            Decision::DropElement => el.remove_attribute(name),
                        }
                    }
                    Ok(())
                }),
            ],
            ..RewriteStrSettings::new()
        },
    )?;
    let mut found = found.into_inner();
    found.html = html;
    Ok(found)
}

/// An address made safe inside a double-quoted attribute.
fn escape(value: &str) -> String {
    value.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewrite(html: &str, page: &str, file: &str) -> Rewritten {
        let file: Vec<String> = file.split('/').map(str::to_owned).collect();
        super::page(html, page, &file, false).unwrap()
    }

    #[test]
    fn links_become_relative_and_are_collected() {
        let html = concat!(
            "<html><head><link rel=\"stylesheet\" href=\"/static/style.css\"><link rel=\"alternate\" href=\"/feed.atom\"></head>",
            "<body><a href=\"/\">home</a> <a href=\"/feeds/nyt?page=2&amp;x=\">bad query</a> <a href=\"/feeds/nyt?page=2\">2</a>",
            "<a href=\"/articles/nyt/a/diff?from=1&amp;to=current\">diff</a> <a href=\"#revisions\">here</a>",
            "<a href=\"https://news.example.org/a?x=1&amp;y=2\" rel=\"noopener\">out</a> <a href=\"mailto:a@example.org\">m</a>",
            "<a href=\"/search?q=x\">search</a> <a href=\"/?lang=zh\">中文</a>",
            "<form method=\"post\" action=\"/fetch\"><input name=\"csrf\" value=\"secret\"><button>go</button></form></body></html>"
        );
        let out = rewrite(html, "/feeds/nyt", "feeds/nyt/index.html");
        let body = &out.html;
        assert!(body.starts_with("<html><head><meta http-equiv=\"Content-Security-Policy\""), "{body}");
        assert!(body.contains("href=\"../../static/style.css\""), "{body}");
        assert!(!body.contains("feed.atom"), "feeds out are not mirrored here: {body}");
        assert!(body.contains("<a href=\"../../index.html\">home</a>"), "{body}");
        assert!(body.contains("<a href=\"page-2.html\">2</a>"), "{body}");
        assert!(body.contains("href=\"../../articles/nyt/a/diff/from-1_to-current.html\""), "{body}");
        assert!(body.contains("href=\"#revisions\""), "{body}");
        assert!(
            body.contains("href=\"https://news.example.org/a?x=1&amp;y=2\""),
            "external links as they were: {body}"
        );
        for gone in ["bad query", "search", "中文", "<form", "csrf", "secret", "/fetch"] {
            assert!(!body.contains(gone), "{gone}: {body}");
        }
        assert_eq!(out.external, 2);
        let requests: Vec<&str> = out.links.iter().map(|t| t.request.as_str()).collect();
        assert_eq!(requests, ["/static/style.css", "/", "/feeds/nyt?page=2", "/articles/nyt/a/diff?from=1&to=current"]);
    }

    #[test]
    fn hostile_markup_cannot_escape_the_mirror() {
        let html = concat!(
            "<p><a href=\"  /articles/../../../etc/passwd\">p</a><a href=\"/articles/%2e%2e%2f%2e%2e\">q</a>",
            "<a href=\"//evil.example/x\">s</a><a href=\"http://[::1\">broken</a><a>none</a>",
            "<a href=\"https://feedvault.invalid/feeds\">t</a><a href=\"http://feedvault.invalid:81/\">u</a>",
            "<blockquote cite=\"/api/feeds\">c</blockquote><a href=\"/articles/\u{0}\">z</a></p>"
        );
        let out = rewrite(html, "/articles/nyt/a", "articles/nyt/a/index.html");
        let body = &out.html;
        for dropped in [">p</a>", ">q</a>", ">z</a>", ">t</a>", ">u</a>"] {
            assert!(!body.contains(dropped), "{dropped}: {body}");
        }
        assert!(!body.contains("href=\"/"), "no root-absolute link survives: {body}");
        assert!(!body.contains("cite="), "an unmirrored address in another attribute is dropped: {body}");
        assert!(body.contains("href=\"http://evil.example/x\""), "scheme-relative made absolute: {body}");
        assert!(body.contains("<a>broken</a>"), "an address that does not parse is dropped: {body}");
        for target in &out.links {
            assert!(target.file.iter().all(|c| c != ".." && !c.contains('/')), "{target:?}");
        }
    }
}
