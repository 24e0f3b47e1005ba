//! Microsoft's Channel Definition Format (1997), the ancestor of RSS that
//! feedparser still reads: `<CHANNEL HREF=…>` with `<TITLE>`, `<ABSTRACT>` and
//! `<ITEM HREF=… LASTMOD=…>` children. Element and attribute names are matched
//! without regard to case, as CDF documents were written in either.

use feedvault_core::{Feed, FeedFormat, Item};
use url::Url;

use crate::links::{absolute, base_of};
use crate::xml::{Document, Element};
use crate::{ParseOptions, date_context, parse_date};

/// Reads a `<CHANNEL>` document.
pub fn read(doc: &Document<'_>, options: &ParseOptions) -> Feed {
    let root = &doc.root;
    let base = base_of(root, options.base());
    let ctx = date_context(None, options.url.as_ref(), options.zone);
    let text = |el: &Element<'_>, name: &str| {
        el.children.iter().find(|c| c.local.eq_ignore_ascii_case(name)).map(|c| c.text.trim().to_owned())
    };
    let href = |el: &Element<'_>, base: Option<&Url>| el.attr("href").and_then(|h| absolute(h, base));
    let mut warnings = Vec::new();
    let mut items = Vec::new();
    for el in root.children.iter().filter(|c| c.local.eq_ignore_ascii_case("item")) {
        if !el.complete {
            warnings.push("skipped an item cut off by the end of the document".to_owned());
            continue;
        }
        let base = base_of(el, base.as_ref());
        items.push(Item {
            title: text(el, "title"),
            link: href(el, base.as_ref()),
            updated: el.attr("lastmod").and_then(|d| parse_date(d, ctx)),
            summary_html: text(el, "abstract").filter(|a| !a.is_empty()),
            ..Item::default()
        });
    }
    Feed {
        format: Some(FeedFormat::Cdf),
        title: text(root, "title").unwrap_or_default(),
        link: href(root, base.as_ref()),
        items,
        warnings,
        ..Feed::default()
    }
}
