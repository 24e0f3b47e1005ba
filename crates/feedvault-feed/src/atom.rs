//! Atom 1.0 and 0.3 to the shared model.
//!
//! Text constructs are read by their type: `text` is escaped into HTML, `html` is
//! taken as it is, `xhtml` keeps the markup inside its wrapping `div`, and any other
//! media type that is not XML or text is base64 (RFC 4287, 4.1.3.3). Atom 0.3's
//! `mode="xml"` reads like xhtml, `mode="escaped"` like html, `mode="base64"` as
//! base64, and its `issued`/`modified` like published/updated. A relative id is
//! resolved against the base URL, as links are.

use base64::Engine as _;
use feedvault_core::text::escape_html;
use feedvault_core::{Enclosure, Feed, FeedFormat, Item};
use url::Url;

use crate::links::{absolute, base_of};
use crate::xml::{Document, Element, Ns};
use crate::{DateContext, ParseOptions, date_context, parse_date};

/// Reads a `<feed>` document.
pub fn read(doc: &Document<'_>, options: &ParseOptions) -> Feed {
    let root = &doc.root;
    let ns = root.ns;
    let base = base_of(root, options.base());
    let language = root.xml_attr("lang").map(str::to_owned);
    let ctx = date_context(language.as_deref(), options.url.as_ref(), options.zone);
    let feed_authors = authors(root, ns);
    let mut warnings = Vec::new();
    let mut items = Vec::new();
    for entry in root.children_named(ns, "entry") {
        if !entry.complete {
            warnings.push("skipped an entry cut off by the end of the document".to_owned());
            continue;
        }
        let mut item = read_entry(doc, entry, ns, base_of(entry, base.as_ref()).as_ref(), ctx);
        if item.authors.is_empty() {
            item.authors = feed_authors.clone();
        }
        items.push(item);
    }
    Feed {
        format: Some(FeedFormat::Atom),
        title: root.child(ns, "title").map(|t| text_construct(doc, t)).unwrap_or_default(),
        link: alternate_link(root, ns, base.as_ref()),
        language,
        ttl_minutes: None,
        update_period: None,
        update_frequency: None,
        items,
        warnings,
    }
}

fn read_entry(doc: &Document<'_>, entry: &Element<'_>, ns: Ns, base: Option<&Url>, ctx: DateContext) -> Item {
    // A repeated date element: the last one counts, as in feedparser.
    let date = |names: &[&str]| {
        names.iter().find_map(|n| entry.children_named(ns, n).filter_map(|d| parse_date(&d.text, ctx)).last())
    };
    let content = entry
        .children_named(ns, "content")
        .find(|c| c.attr("src").is_none())
        .map(|c| text_construct(doc, c))
        .filter(|c| !c.trim().is_empty());
    let summary = entry.child(ns, "summary").map(|s| text_construct(doc, s)).filter(|s| !s.trim().is_empty());
    let enclosures = entry
        .children_named(ns, "link")
        .filter(|l| l.attr("rel").is_some_and(|r| r.trim().eq_ignore_ascii_case("enclosure")))
        .filter_map(|l| {
            Some(Enclosure {
                url: absolute(l.attr("href")?, base_of(l, base).as_ref())?,
                mime_type: l.attr("type").map(str::to_owned),
                length: l.attr("length").and_then(|n| n.trim().parse().ok()),
            })
        })
        .collect();
    let id_element = entry.children_named(ns, "id").find(|i| !i.text.trim().is_empty());
    let id = id_element.map(|i| resolve_id(i, base));
    let earlier_id = id_element.map(|i| i.text.trim().to_owned()).filter(|written| id.as_ref() != Some(written));
    Item {
        id,
        title: entry.child(ns, "title").map(|t| text_construct(doc, t)),
        link: alternate_link(entry, ns, base),
        published: date(&["published", "issued", "created"]),
        updated: date(&["updated", "modified"]),
        authors: authors(entry, ns),
        content_html: content,
        summary_html: summary,
        enclosures,
        categories: crate::categories(
            entry
                .children_named(ns, "category")
                .filter_map(|c| c.attr("label").filter(|l| !l.trim().is_empty()).or(c.attr("term"))),
        ),
        raw_hash: Some(crate::raw_hash(doc.inner_markup(entry).as_bytes())),
        earlier_id,
    }
}

/// An id as written, or resolved against the base when it is a relative reference
/// (a path, which an Atom id must not be, but some feeds write).
fn resolve_id(id: &Element<'_>, base: Option<&Url>) -> String {
    let text = id.text.trim();
    let relative = Url::parse(text) == Err(url::ParseError::RelativeUrlWithoutBase);
    match base_of(id, base) {
        Some(base) if relative && text.starts_with(['/', '.']) => {
            absolute(text, Some(&base)).unwrap_or(text.to_owned())
        }
        _ => text.to_owned(),
    }
}

/// The alternate link: rel="alternate" (or no rel), text/html preferred; a link
/// without an href (or text) does not count.
fn alternate_link(el: &Element<'_>, ns: Ns, base: Option<&Url>) -> Option<String> {
    let alternates: Vec<&Element<'_>> = el
        .children_named(ns, "link")
        .filter(|l| l.attr("rel").is_none_or(|r| r.trim().eq_ignore_ascii_case("alternate")))
        .filter(|l| !href(l).is_empty())
        .collect();
    let preferred =
        alternates.iter().find(|l| l.attr("type").is_some_and(|t| t.contains("html"))).or(alternates.first())?;
    absolute(href(preferred), base_of(preferred, base).as_ref())
}

/// A link's href, or its text for the feeds that write `<link>URL</link>`.
fn href<'e>(link: &'e Element<'_>) -> &'e str {
    link.attr("href").map(str::trim).filter(|h| !h.is_empty()).unwrap_or_else(|| link.text.trim())
}

fn authors(el: &Element<'_>, ns: Ns) -> Vec<String> {
    el.children_named(ns, "author").filter_map(|a| person(a, ns)).collect()
}

/// An Atom person construct as one string: `name (email)`, or whichever of the two
/// it has (feedparser's `author`).
pub(crate) fn person(el: &Element<'_>, ns: Ns) -> Option<String> {
    match (el.child_text(ns, "name"), el.child_text(ns, "email")) {
        (Some(name), Some(email)) => Some(format!("{name} ({email})")),
        (Some(one), None) | (None, Some(one)) => Some(one.to_owned()),
        (None, None) => None,
    }
}

/// An Atom text construct as HTML.
fn text_construct(doc: &Document<'_>, el: &Element<'_>) -> String {
    let kind = el.attr("type").map(|t| t.trim().to_ascii_lowercase()).unwrap_or_default();
    let mode = el.attr("mode").map(|m| m.trim().to_ascii_lowercase()).unwrap_or_default();
    if kind == "xhtml" || kind.ends_with("xhtml+xml") || mode == "xml" {
        return xhtml_inner(doc, el);
    }
    let textual = matches!(kind.as_str(), "" | "text" | "html") || kind.starts_with("text/");
    let xml = kind.ends_with("+xml") || kind.ends_with("/xml");
    if (mode == "base64" || (!textual && !xml && el.children.is_empty()))
        && let Some(decoded) = base64(&el.text)
    {
        return decoded;
    }
    if !el.children.is_empty() {
        // Markup that should have been escaped; keep it as written.
        return doc.inner_markup(el).to_owned();
    }
    if kind == "html" || kind == "text/html" || mode == "escaped" { el.text.to_string() } else { escape_html(&el.text) }
}

/// Base64 content as text (invalid UTF-8 replaced); None when it is not base64.
fn base64(text: &str) -> Option<String> {
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let bytes = base64::engine::general_purpose::STANDARD.decode(compact).ok()?;
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

/// The markup inside an xhtml construct, without its wrapping `<div>`.
fn xhtml_inner(doc: &Document<'_>, el: &Element<'_>) -> String {
    match el.children.as_slice() {
        [div] if div.local.eq_ignore_ascii_case("div") && el.text.trim().is_empty() => {
            doc.inner_markup(div).trim().to_owned()
        }
        _ => doc.inner_markup(el).trim().to_owned(),
    }
}
