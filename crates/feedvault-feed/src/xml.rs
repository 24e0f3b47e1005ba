//! A tolerant XML reader: decoded text in, a small element tree out.
//!
//! Built on quick-xml's tokenizer, it recovers from what real feeds serve: bare `&`,
//! HTML named entities nobody declared, end tags that do not match, and documents cut
//! off mid-way (every element records whether its end tag was seen, so the adapters
//! keep only complete items). It never fetches a DTD and never resolves external
//! entities; entities declared in the internal subset are expanded under a hard budget,
//! so an entity bomb fails cleanly instead of eating memory.

use std::borrow::Cow;
use std::ops::Range;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::FeedError;

/// The namespaces feed adapters care about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ns {
    None,
    Atom,
    Atom03,
    Rdf,
    Rss1,
    Rss090,
    /// Userland's namespace for RSS 2.0, which a few feeds declare.
    Rss2,
    Content,
    Dc,
    Dcterms,
    Media,
    Itunes,
    Xhtml,
    Syndication,
    Xml,
    Other,
}

impl Ns {
    fn from_uri(uri: &str) -> Ns {
        match uri.trim().trim_end_matches('/') {
            "http://www.w3.org/2005/Atom" => Ns::Atom,
            "http://purl.org/atom/ns#" => Ns::Atom03,
            "http://www.w3.org/1999/02/22-rdf-syntax-ns#" => Ns::Rdf,
            "http://purl.org/rss/1.0" => Ns::Rss1,
            "http://my.netscape.com/rdf/simple/0.9" => Ns::Rss090,
            "http://backend.userland.com/rss2" | "http://backend.userland.com/rss" => Ns::Rss2,
            "http://purl.org/rss/1.0/modules/content" => Ns::Content,
            "http://purl.org/dc/elements/1.1" => Ns::Dc,
            "http://purl.org/dc/terms" => Ns::Dcterms,
            "http://search.yahoo.com/mrss" => Ns::Media,
            // Apple's own documents spell it both ways.
            "http://www.itunes.com/dtds/podcast-1.0.dtd" | "http://www.itunes.com/DTDs/Podcast-1.0.dtd" => Ns::Itunes,
            "http://www.w3.org/1999/xhtml" => Ns::Xhtml,
            "http://purl.org/rss/1.0/modules/syndication" => Ns::Syndication,
            "http://www.w3.org/XML/1998/namespace" => Ns::Xml,
            _ => Ns::Other,
        }
    }

    /// The namespace a prefix conventionally means, for documents that use a prefix
    /// without declaring it.
    fn from_conventional_prefix(prefix: &str) -> Ns {
        match prefix {
            "atom" => Ns::Atom,
            "rdf" => Ns::Rdf,
            "content" => Ns::Content,
            "dc" => Ns::Dc,
            "dcterms" => Ns::Dcterms,
            "media" => Ns::Media,
            "itunes" => Ns::Itunes,
            "xhtml" => Ns::Xhtml,
            "sy" => Ns::Syndication,
            "xml" => Ns::Xml,
            _ => Ns::Other,
        }
    }
}

/// One attribute, with its namespace resolved.
#[derive(Debug, Clone)]
pub struct Attr {
    pub ns: Ns,
    pub local: String,
    pub value: String,
}

/// One element of the tree, borrowing its text from the document where it can.
#[derive(Debug, Clone)]
pub struct Element<'a> {
    pub ns: Ns,
    pub local: String,
    pub attrs: Vec<Attr>,
    pub children: Vec<Element<'a>>,
    /// The element's own character data (text and CDATA, entities decoded),
    /// not including that of its children.
    pub text: Cow<'a, str>,
    /// The byte range of the element's content in the document, for markup that
    /// must be kept as it was written (Atom xhtml, unescaped HTML in RSS).
    pub inner: Range<usize>,
    /// False when the document ended before this element's end tag.
    pub complete: bool,
}

impl<'a> Element<'a> {
    fn new(ns: Ns, local: String, attrs: Vec<Attr>, at: usize) -> Self {
        Element { ns, local, attrs, children: Vec::new(), text: Cow::Borrowed(""), inner: at..at, complete: false }
    }

    /// Appends character data, borrowing when it is the only piece.
    fn push_text(&mut self, text: &'a str) {
        if self.text.is_empty() {
            self.text = Cow::Borrowed(text);
        } else {
            self.text.to_mut().push_str(text);
        }
    }

    pub fn is(&self, ns: Ns, local: &str) -> bool {
        self.ns == ns && self.local.eq_ignore_ascii_case(local)
    }

    /// The value of the attribute with this local name (any namespace but `xml:`).
    pub fn attr(&self, local: &str) -> Option<&str> {
        self.attrs.iter().find(|a| a.ns != Ns::Xml && a.local.eq_ignore_ascii_case(local)).map(|a| a.value.as_str())
    }

    pub fn xml_attr(&self, local: &str) -> Option<&str> {
        self.attrs.iter().find(|a| a.ns == Ns::Xml && a.local == local).map(|a| a.value.as_str())
    }

    pub fn rdf_attr(&self, local: &str) -> Option<&str> {
        self.attrs.iter().find(|a| a.ns == Ns::Rdf && a.local == local).map(|a| a.value.as_str())
    }

    pub fn child(&self, ns: Ns, local: &str) -> Option<&Element<'a>> {
        self.children.iter().find(|c| c.is(ns, local))
    }

    pub fn children_named<'s, 'n>(
        &'s self,
        ns: Ns,
        local: &'n str,
    ) -> impl Iterator<Item = &'s Element<'a>> + use<'s, 'a, 'n> {
        self.children.iter().filter(move |c| c.is(ns, local))
    }

    /// Trimmed text of the first such child, when not empty.
    pub fn child_text(&self, ns: Ns, local: &str) -> Option<&str> {
        self.children_named(ns, local).map(|c| c.text.trim()).find(|t| !t.is_empty())
    }
}

/// A parsed document: the root element and the source it points into.
#[derive(Debug)]
pub struct Document<'a> {
    pub source: &'a str,
    pub root: Element<'a>,
    /// Every namespace the document declares, once each.
    pub namespaces: Vec<Ns>,
    pub warnings: Vec<String>,
}

impl<'a> Document<'a> {
    /// The markup inside an element, exactly as the document holds it.
    pub fn inner_markup(&self, el: &Element<'_>) -> &'a str {
        self.source.get(el.inner.clone()).unwrap_or("")
    }
}

/// Most characters all entity expansions of one document may produce.
const ENTITY_BUDGET: usize = 1 << 20;
/// Deepest nesting of entity references inside entity values.
const ENTITY_DEPTH: usize = 8;
/// Deepest element nesting kept; deeper elements are flattened into their parent.
const MAX_DEPTH: usize = 256;

struct Namespaces {
    /// (prefix, namespace) bindings in scope, innermost last; "" is the default.
    bindings: Vec<(String, Ns)>,
    /// Every namespace bound so far, in the order seen (at most one per element
    /// attribute, so this stays small next to the document).
    declared: Vec<Ns>,
}

impl Namespaces {
    fn resolve(&self, prefix: &str) -> Ns {
        match self.bindings.iter().rev().find(|(p, _)| p == prefix) {
            Some((_, ns)) => *ns,
            None if prefix.is_empty() => Ns::None,
            None => Ns::from_conventional_prefix(prefix),
        }
    }
}

/// Entities declared in the internal DTD subset, expanded under a budget.
#[derive(Default)]
struct Entities {
    declared: Vec<(String, String)>,
    spent: usize,
}

impl Entities {
    fn declare_from_doctype(&mut self, doctype: &str) {
        let mut rest = doctype;
        while let Some(at) = rest.find("<!ENTITY") {
            rest = &rest[at + 8..];
            let decl = rest.trim_start();
            if decl.starts_with('%') {
                continue; // parameter entities are never expanded
            }
            let name_len = decl.find(|c: char| c.is_whitespace()).unwrap_or(decl.len());
            let (name, after) = decl.split_at(name_len);
            let after = after.trim_start();
            // SYSTEM / PUBLIC entities are external: never fetched, left unexpanded.
            let Some(quote) = after.chars().next().filter(|c| *c == '"' || *c == '\'') else { continue };
            if let Some(end) = after[1..].find(quote) {
                self.declared.push((name.to_owned(), after[1..1 + end].to_owned()));
            }
        }
    }

    /// Appends the expansion of `&name;` to `out`. Unknown names are kept literally.
    fn expand(&mut self, name: &str, out: &mut String, depth: usize) -> Result<(), FeedError> {
        if let Some(num) = name.strip_prefix('#') {
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok(),
                None => num.parse().ok(),
            };
            let c = code.and_then(char::from_u32).filter(|&c| c != '\0').unwrap_or('\u{FFFD}');
            // C1 controls are read as windows-1252, as HTML does (`&#146;` is ’).
            out.push(feedvault_core::html::c1_replacement(c).unwrap_or(c));
            return Ok(());
        }
        if let Some(i) = self.declared.iter().position(|(n, _)| n == name) {
            if depth >= ENTITY_DEPTH {
                return Err(FeedError::EntityExpansion);
            }
            let value = self.declared[i].1.clone();
            let start = out.len();
            self.expand_text(&value, out, depth + 1)?;
            self.spent += out.len() - start;
            if self.spent > ENTITY_BUDGET {
                return Err(FeedError::EntityExpansion);
            }
            return Ok(());
        }
        match feedvault_core::html::named_reference(name) {
            Some(text) => out.push_str(text.as_str()),
            None => {
                out.push('&');
                out.push_str(name);
                out.push(';');
            }
        }
        Ok(())
    }

    /// Appends `text` with every `&name;` reference in it expanded.
    fn expand_text(&mut self, text: &str, out: &mut String, depth: usize) -> Result<(), FeedError> {
        let mut rest = text;
        while let Some(amp) = rest.find('&') {
            out.push_str(&rest[..amp]);
            let after = &rest[amp + 1..];
            // A reference name is short: look for its `;` among the next 64 bytes only.
            let window = &after.as_bytes()[..after.len().min(65)];
            match window.iter().position(|&b| b == b';').filter(|&semi| semi > 0) {
                Some(semi) => {
                    self.expand(&after[..semi], out, depth)?;
                    rest = &after[semi + 1..];
                }
                None => {
                    out.push('&');
                    rest = after;
                }
            }
            if out.len() > ENTITY_BUDGET * 2 {
                return Err(FeedError::EntityExpansion);
            }
        }
        out.push_str(rest);
        Ok(())
    }
}

/// Parses `source` into a tree, recovering where real feeds need it.
pub fn parse(source: &str) -> Result<Document<'_>, FeedError> {
    let mut reader = Reader::from_str(source);
    let config = reader.config_mut();
    config.allow_dangling_amp = true;
    config.allow_unmatched_ends = true;
    config.check_end_names = false;
    config.check_comments = false;
    config.expand_empty_elements = false;

    let mut namespaces = Namespaces { bindings: Vec::new(), declared: Vec::new() };
    let mut binding_counts: Vec<usize> = Vec::new();
    let mut entities = Entities::default();
    let mut stack: Vec<Element<'_>> = Vec::new();
    let mut root: Option<Element<'_>> = None;
    let mut warnings = Vec::new();

    loop {
        let before = reader.buffer_position() as usize;
        let event = match reader.read_event() {
            Ok(event) => event,
            Err(err) => {
                warnings
                    .push(format!("XML error at byte {}: {err}; keeping what came before", reader.error_position()));
                break;
            }
        };
        let after = reader.buffer_position() as usize;
        match event {
            Event::Start(start) => {
                let (element, bound) = open_element(&start, &mut namespaces, &mut entities, after)?;
                binding_counts.push(bound);
                if stack.len() >= MAX_DEPTH {
                    namespaces.bindings.truncate(namespaces.bindings.len() - bound);
                    binding_counts.pop();
                    continue;
                }
                stack.push(element);
            }
            Event::Empty(start) => {
                let (mut element, bound) = open_element(&start, &mut namespaces, &mut entities, after)?;
                namespaces.bindings.truncate(namespaces.bindings.len() - bound);
                element.complete = true;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(element),
                    None => root = Some(element),
                }
            }
            Event::End(end) => {
                let name = end.name().as_ref().to_owned();
                let local = name.rsplit(':').next().unwrap_or(&name);
                // Close the nearest open element of that name, and everything inside
                // it; an end tag that matches nothing open is ignored.
                let Some(depth) = stack.iter().rposition(|e| e.local.eq_ignore_ascii_case(local)) else {
                    continue;
                };
                while stack.len() > depth {
                    let mut element = stack.pop().expect("stack is deeper than depth");
                    let done = stack.len() == depth;
                    element.complete = done;
                    if done {
                        element.inner.end = before;
                    }
                    if let Some(bound) = binding_counts.pop() {
                        namespaces.bindings.truncate(namespaces.bindings.len() - bound);
                    }
                    // An element closed only implicitly was most likely meant to be
                    // empty (`<category text='x'>`): what followed it belongs to its
                    // parent.
                    let adopted = if done { Vec::new() } else { std::mem::take(&mut element.children) };
                    match stack.last_mut() {
                        Some(parent) => {
                            parent.children.push(element);
                            parent.children.extend(adopted);
                        }
                        None => root = Some(element),
                    }
                }
            }
            // Text and CDATA are taken straight from the source (already valid UTF-8)
            // by position, which saves validating every byte a second time.
            Event::Text(_) => {
                if let Some(el) = stack.last_mut() {
                    el.push_text(source.get(before..after).unwrap_or_default());
                }
            }
            Event::CData(_) => {
                if let Some(el) = stack.last_mut() {
                    let inside = before + "<![CDATA[".len()..after.saturating_sub("]]>".len());
                    el.push_text(source.get(inside).unwrap_or_default());
                }
            }
            Event::GeneralRef(reference) => {
                if let Some(el) = stack.last_mut() {
                    let name = reference.into_inner();
                    entities.expand(&name, el.text.to_mut(), 0)?;
                }
            }
            Event::DocType(doctype) => {
                entities.declare_from_doctype(doctype.as_ref());
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
        }
        if root.is_some() && stack.is_empty() {
            // The root closed; anything after it is not part of the document.
            break;
        }
    }

    if !stack.is_empty() {
        warnings.push("document ended before its last elements were closed (truncated?)".to_owned());
        while let Some(element) = stack.pop() {
            match stack.last_mut() {
                Some(parent) => parent.children.push(element),
                None => root = Some(element),
            }
        }
    }
    let root = root.ok_or(FeedError::NotAFeed { what: "no XML root element".to_owned(), advertised: Vec::new() })?;
    Ok(Document { source, root, namespaces: namespaces.declared, warnings })
}

/// Builds an element from a start tag, pushing its namespace bindings; returns the
/// element and how many bindings it pushed.
fn open_element<'a>(
    start: &BytesStart<'_>,
    namespaces: &mut Namespaces,
    entities: &mut Entities,
    content_start: usize,
) -> Result<(Element<'a>, usize), FeedError> {
    let mut raw_attrs = Vec::new();
    let mut bound = 0;
    for attr in start.html_attributes().with_checks(false).flatten() {
        let key = attr.key.as_ref().to_owned();
        let raw_value = attr.value;
        let mut value = String::with_capacity(raw_value.len());
        entities.expand_text(&raw_value, &mut value, 0)?;
        if key == "xmlns" || key.starts_with("xmlns:") {
            let ns = Ns::from_uri(&value);
            if !namespaces.declared.contains(&ns) {
                namespaces.declared.push(ns);
            }
            namespaces.bindings.push((key.strip_prefix("xmlns:").unwrap_or("").to_owned(), ns));
            bound += 1;
        } else {
            raw_attrs.push((key, value));
        }
    }
    let attrs = raw_attrs
        .into_iter()
        .map(|(key, value)| match key.split_once(':') {
            Some((prefix, local)) => Attr { ns: namespaces.resolve(prefix), local: local.to_owned(), value },
            None => Attr { ns: Ns::None, local: key, value },
        })
        .collect();
    let name = start.name().as_ref().to_owned();
    let (ns, local) = match name.split_once(':') {
        Some((prefix, local)) => (namespaces.resolve(prefix), local.to_owned()),
        None => (namespaces.resolve(""), name),
    };
    Ok((Element::new(ns, local, attrs, content_start), bound))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(xml: &str) -> Element<'_> {
        parse(xml).unwrap().root
    }

    #[test]
    fn namespaces_resolve_by_uri_and_by_convention() {
        let r = root(
            r#"<rss xmlns:c="http://purl.org/rss/1.0/modules/content/"><c:encoded>x</c:encoded><dc:creator>me</dc:creator></rss>"#,
        );
        assert!(r.children[0].is(Ns::Content, "encoded"));
        assert!(r.children[1].is(Ns::Dc, "creator"), "undeclared dc: prefix");
        let r = root(r#"<feed xmlns="http://www.w3.org/2005/Atom"><entry/></feed>"#);
        assert_eq!((r.ns, r.children[0].ns), (Ns::Atom, Ns::Atom));
    }

    #[test]
    fn entities_bare_ampersands_and_cdata() {
        let r = root("<t>AT&amp;T &mdash; &nbsp;&#20013;&#x6587; &undefined; Q&A <![CDATA[<b>&amp;</b>]]></t>");
        assert_eq!(r.text, "AT&T \u{2014} \u{a0}中文 &undefined; Q&A <b>&amp;</b>");
    }

    #[test]
    fn truncated_documents_keep_complete_elements() {
        let doc = parse("<rss><channel><item><title>a</title></item><item><title>b</ti").unwrap();
        let channel = &doc.root.children[0];
        assert!(channel.children[0].complete);
        assert!(!channel.children[1].complete);
        assert!(!doc.warnings.is_empty());
    }

    #[test]
    fn mismatched_end_tags_close_what_they_name() {
        let r = root("<rss><channel><item><b>x</item><item>y</item></channel></rss>");
        let channel = &r.children[0];
        assert_eq!(channel.children.len(), 2);
        assert!(channel.children.iter().all(|i| i.complete));
        assert!(r.complete);
    }

    #[test]
    fn elements_left_open_hand_their_children_back() {
        let r = root("<rss><channel><category text='x'><item>a</item><item>b</item></channel></rss>");
        let channel = &r.children[0];
        let names: Vec<&str> = channel.children.iter().map(|c| c.local.as_str()).collect();
        assert_eq!(names, ["category", "item", "item"]);
    }

    #[test]
    fn inner_markup_is_kept_verbatim() {
        let src =
            r#"<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Hi <b>there</b></p></div></content>"#;
        let doc = parse(src).unwrap();
        assert_eq!(
            doc.inner_markup(&doc.root),
            r#"<div xmlns="http://www.w3.org/1999/xhtml"><p>Hi <b>there</b></p></div>"#
        );
    }

    #[test]
    fn declared_entities_expand_within_budget() {
        let r = root(
            r#"<!DOCTYPE r [<!ENTITY who "World"><!ENTITY ext SYSTEM "file:///etc/passwd">]><r>Hello &who; &ext;</r>"#,
        );
        assert_eq!(r.text, "Hello World &ext;");
    }

    #[test]
    fn billion_laughs_fails_cleanly() {
        let mut dtd = String::from(r#"<!DOCTYPE lolz [<!ENTITY lol "lol">"#);
        for i in 1..=9 {
            let prev = if i == 1 { "lol".to_owned() } else { format!("lol{}", i - 1) };
            dtd.push_str(&format!("<!ENTITY lol{i} \"{}\">", format!("&{prev};").repeat(10)));
        }
        dtd.push_str("]>");
        let doc = format!("{dtd}<lolz>&lol9;</lolz>");
        assert!(matches!(parse(&doc), Err(FeedError::EntityExpansion)));
        let attr_bomb = format!("{dtd}<lolz a=\"&lol9;\"/>");
        assert!(matches!(parse(&attr_bomb), Err(FeedError::EntityExpansion)));
    }

    #[test]
    fn no_root_is_not_a_feed() {
        assert!(matches!(parse("   "), Err(FeedError::NotAFeed { .. })));
        assert!(matches!(parse("just text"), Err(FeedError::NotAFeed { .. })));
    }
}
