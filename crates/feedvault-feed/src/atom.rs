//! Atom 1.0 and 0.3 to the shared model.
//!
//! Text constructs are read by their type: `text` is escaped into HTML, `html` is
//! taken as it is, `xhtml` keeps the markup inside its wrapping `div`. Atom 0.3's
//! `mode="xml"` reads like xhtml and its `issued`/`modified` like published/updated.

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
    let base = base_of(root, options.url.as_ref());
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
    let date =
        |names: &[&str]| names.iter().find_map(|n| entry.children_named(ns, n).find_map(|d| parse_date(&d.text, ctx)));
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
    Item {
        id: entry.child_text(ns, "id").map(str::to_owned),
        title: entry.child(ns, "title").map(|t| text_construct(doc, t)),
        link: alternate_link(entry, ns, base),
        published: date(&["published", "issued", "created"]),
        updated: date(&["updated", "modified"]),
        authors: authors(entry, ns),
        content_html: content,
        summary_html: summary,
        enclosures,
        raw_hash: Some(crate::raw_hash(doc.inner_markup(entry).as_bytes())),
    }
}

/// The alternate link: rel="alternate" (or no rel), text/html preferred.
fn alternate_link(el: &Element<'_>, ns: Ns, base: Option<&Url>) -> Option<String> {
    let alternates: Vec<&Element<'_>> = el
        .children_named(ns, "link")
        .filter(|l| l.attr("rel").is_none_or(|r| r.trim().eq_ignore_ascii_case("alternate")))
        .collect();
    let preferred =
        alternates.iter().find(|l| l.attr("type").is_some_and(|t| t.contains("html"))).or(alternates.first())?;
    absolute(preferred.attr("href")?, base_of(preferred, base).as_ref())
}

fn authors(el: &Element<'_>, ns: Ns) -> Vec<String> {
    el.children_named(ns, "author")
        .filter_map(|a| a.child_text(ns, "name").or_else(|| a.child_text(ns, "email")))
        .map(str::to_owned)
        .collect()
}

/// An Atom text construct as HTML.
fn text_construct(doc: &Document<'_>, el: &Element<'_>) -> String {
    let kind = el.attr("type").map(|t| t.trim().to_ascii_lowercase()).unwrap_or_default();
    let mode = el.attr("mode").map(|m| m.trim().to_ascii_lowercase()).unwrap_or_default();
    if kind == "xhtml" || kind.ends_with("xhtml+xml") || mode == "xml" {
        return xhtml_inner(doc, el);
    }
    if !el.children.is_empty() {
        // Markup that should have been escaped; keep it as written.
        return doc.inner_markup(el).to_owned();
    }
    if kind == "html" || kind == "text/html" || mode == "escaped" { el.text.to_string() } else { escape_html(&el.text) }
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
