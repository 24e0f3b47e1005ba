//! Link resolution inside a document: xml:base chains and the feed's own URL.

use feedvault_core::link;
use url::Url;

use crate::xml::Element;

/// The base URL in effect inside `el`, given the base in effect around it.
pub fn base_of(el: &Element<'_>, outer: Option<&Url>) -> Option<Url> {
    match el.xml_attr("base") {
        Some(base) => link::resolve(base, outer).or_else(|| outer.cloned()),
        None => outer.cloned(),
    }
}

/// Resolves a link against a base and serializes it; unsafe or unusable links are
/// dropped.
pub fn absolute(raw: &str, base: Option<&Url>) -> Option<String> {
    link::resolve(raw, base).map(String::from)
}
