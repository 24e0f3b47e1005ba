//! RSS 0.9x, 1.0 (RDF) and 2.0 to the shared model, with the content:, dc:, media:,
//! itunes: and atom: extensions.
//!
//! Fallbacks, in order: the title is `<title>`, else `dc:title`, else `media:title`;
//! authors come from `author`, `dc:creator`, `dc:author`, `itunes:author` and
//! `atom:author`; the content from `content:encoded`, `xhtml:body` (or a bare
//! `<body>`), `<fullitem>`, `atom:content`, else the second of two summaries; the
//! published time from `pubDate`, `dc:date`, `dcterms:issued`/`created`,
//! `atom:published`; the updated time from `atom:updated`, `dcterms:modified`, else
//! `dc:date` (feedparser's reading).

use feedvault_core::{Enclosure, Feed, FeedFormat, Item};
use url::Url;

use crate::links::{absolute, base_of};
use crate::xml::{Document, Element, Ns};
use crate::{DateContext, ParseOptions, date_context, parse_date};

/// Reads an `<rss>` or `<rdf:RDF>` document.
pub fn read(doc: &Document<'_>, options: &ParseOptions) -> Feed {
    let root = &doc.root;
    let format = if root.local.eq_ignore_ascii_case("rss") {
        match root.attr("version").map(str::trim) {
            Some("0.91" | "0.92" | "0.90" | "0.9") => FeedFormat::Rss09,
            _ => FeedFormat::Rss2,
        }
    } else if root.children.iter().any(|c| c.ns == Ns::Rss090)
        || (doc.namespaces.contains(&Ns::Rss090) && !doc.namespaces.contains(&Ns::Rss1))
    {
        FeedFormat::Rss09
    } else {
        FeedFormat::Rss1
    };
    let channel = root.children.iter().find(|c| c.local.eq_ignore_ascii_case("channel") && is_rss_ns(c.ns));
    let base = base_of(root, options.base());
    let base = channel.map_or(base.clone(), |c| base_of(c, base.as_ref()));
    let language = channel
        .and_then(|c| c.child_text(Ns::None, "language").or_else(|| c.child_text(Ns::Dc, "language")))
        .map(str::to_owned);
    let ctx = date_context(language.as_deref(), options.url.as_ref(), options.zone);

    // RSS 2.0 puts items in the channel; RSS 1.0 and 0.90 beside it.
    let item_elements = channel
        .into_iter()
        .flat_map(|c| c.children.iter())
        .chain(root.children.iter())
        .filter(|el| el.local.eq_ignore_ascii_case("item") && is_rss_ns(el.ns));
    let mut warnings = Vec::new();
    let mut items = Vec::new();
    for el in item_elements {
        if !el.complete {
            warnings.push("skipped an item cut off by the end of the document".to_owned());
            continue;
        }
        items.push(read_item(doc, el, base_of(el, base.as_ref()).as_ref(), ctx));
    }
    Feed {
        format: Some(format),
        title: channel
            .and_then(|c| c.child_text(ns_of(c), "title").or_else(|| c.child_text(Ns::Dc, "title")))
            .unwrap_or("")
            .to_owned(),
        link: channel.and_then(|c| channel_link(c, base.as_ref())),
        language,
        ttl_minutes: channel.and_then(|c| c.child_text(Ns::None, "ttl")).and_then(|t| t.parse().ok()),
        update_period: channel.and_then(|c| c.child_text(Ns::Syndication, "updatePeriod")).map(str::to_owned),
        update_frequency: channel
            .and_then(|c| c.child_text(Ns::Syndication, "updateFrequency"))
            .and_then(|f| f.parse().ok()),
        items,
        warnings,
    }
}

/// Namespaces RSS's own elements appear in: none (RSS 2.0), RSS 1.0, RSS 0.90, or
/// an unknown default namespace some publishers declare on `<rss>`.
fn is_rss_ns(ns: Ns) -> bool {
    matches!(ns, Ns::None | Ns::Rss1 | Ns::Rss090 | Ns::Rss2 | Ns::Other)
}

/// The namespace plain RSS elements are in within this element.
fn ns_of(el: &Element<'_>) -> Ns {
    if is_rss_ns(el.ns) { el.ns } else { Ns::None }
}

fn channel_link(channel: &Element<'_>, base: Option<&Url>) -> Option<String> {
    channel.child_text(ns_of(channel), "link").and_then(|l| absolute(l, base)).or_else(|| atom_alternate(channel, base))
}

fn atom_alternate(el: &Element<'_>, base: Option<&Url>) -> Option<String> {
    el.children_named(Ns::Atom, "link")
        .filter(|l| l.attr("rel").is_none_or(|r| r.eq_ignore_ascii_case("alternate")))
        .find_map(|l| absolute(l.attr("href")?, base_of(l, base).as_ref()))
}

/// Text of the element, or its markup when it holds unescaped HTML elements.
pub(crate) fn html_of(doc: &Document<'_>, el: &Element<'_>) -> String {
    if el.children.is_empty() { el.text.to_string() } else { doc.inner_markup(el).to_owned() }
}

fn first_html(doc: &Document<'_>, item: &Element<'_>, candidates: &[(Ns, &str)]) -> Option<String> {
    candidates
        .iter()
        .find_map(|&(ns, name)| item.children_named(ns, name).map(|el| html_of(doc, el)).find(|h| !h.trim().is_empty()))
}

fn read_item(doc: &Document<'_>, el: &Element<'_>, base: Option<&Url>, ctx: DateContext) -> Item {
    let ns = ns_of(el);
    let guid = el.child(ns, "guid");
    let guid_text = guid.map(|g| g.text.trim()).filter(|g| !g.is_empty());
    let guid_is_permalink =
        guid.and_then(|g| g.attr("isPermaLink")).is_none_or(|p| !p.trim().eq_ignore_ascii_case("false"));
    let id = guid_text.or_else(|| el.rdf_attr("about")).map(str::to_owned);

    let link = el
        .child_text(ns, "link")
        .and_then(|l| absolute(l, base))
        .or_else(|| atom_alternate(el, base))
        .or_else(|| guid_text.filter(|_| guid_is_permalink).and_then(|g| absolute(g, base)));

    let date = |candidates: &[(Ns, &str)]| {
        candidates.iter().find_map(|&(ns, name)| el.children_named(ns, name).find_map(|d| parse_date(&d.text, ctx)))
    };
    let published = date(&[
        (ns, "pubDate"),
        (Ns::Dc, "date"),
        (Ns::Dcterms, "issued"),
        (Ns::Dcterms, "created"),
        (Ns::Atom, "published"),
    ]);
    let updated = date(&[(Ns::Atom, "updated"), (Ns::Dcterms, "modified"), (Ns::Dc, "date")]);

    let mut authors: Vec<String> = Vec::new();
    for child in &el.children {
        let name = if [(ns, "author"), (Ns::Dc, "creator"), (Ns::Dc, "author"), (Ns::Itunes, "author")]
            .iter()
            .any(|&(ns, name)| child.is(ns, name))
        {
            child.text.trim().to_owned()
        } else if child.is(Ns::Atom, "author") {
            crate::atom::person(child, Ns::Atom).unwrap_or_default()
        } else {
            continue;
        };
        if !name.is_empty() && !authors.contains(&name) {
            authors.push(name);
        }
    }

    // RSS has one summary; feedparser reads a second one (`<summary>` beside
    // `<description>`, in either order) as the content.
    let summaries: Vec<String> = el
        .children
        .iter()
        .filter(|c| c.is(ns, "description") || c.is(ns, "summary"))
        .map(|c| html_of(doc, c))
        .filter(|h| !h.trim().is_empty())
        .collect();
    let content_html = first_html(
        doc,
        el,
        &[(Ns::Content, "encoded"), (Ns::Xhtml, "body"), (ns, "body"), (ns, "fullitem"), (Ns::Atom, "content")],
    )
    .or_else(|| summaries.get(1).cloned());
    let summary_html = summaries.into_iter().next().or_else(|| {
        first_html(doc, el, &[(Ns::Itunes, "summary"), (Ns::Media, "description"), (Ns::Dc, "description")])
    });
    let title = [(ns, "title"), (Ns::Dc, "title"), (Ns::Media, "title")]
        .iter()
        .find_map(|&(ns, name)| el.child(ns, name))
        .map(|t| html_of(doc, t));

    Item {
        id,
        title,
        link,
        published,
        updated,
        authors,
        content_html,
        summary_html,
        enclosures: enclosures(el, base),
        categories: crate::categories(el.children_named(ns, "category").map(|c| c.text.as_ref())),
        raw_hash: Some(crate::raw_hash(doc.inner_markup(el).as_bytes())),
        earlier_id: None,
    }
}

fn enclosures(item: &Element<'_>, base: Option<&Url>) -> Vec<Enclosure> {
    let mut found: Vec<Enclosure> = Vec::new();
    let media_contents = item
        .children_named(Ns::Media, "content")
        .chain(item.children_named(Ns::Media, "group").flat_map(|g| g.children_named(Ns::Media, "content")));
    let candidates = item
        .children_named(Ns::None, "enclosure")
        .map(|e| (e, "type", "length"))
        .chain(media_contents.map(|e| (e, "type", "fileSize")));
    for (el, type_attr, length_attr) in candidates {
        let Some(url) = el.attr("url").and_then(|u| absolute(u, base)) else { continue };
        if found.iter().any(|e| e.url == url) {
            continue;
        }
        found.push(Enclosure {
            url,
            mime_type: el.attr(type_attr).map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()),
            length: el.attr(length_attr).and_then(|l| l.trim().parse().ok()),
        });
    }
    found
}
