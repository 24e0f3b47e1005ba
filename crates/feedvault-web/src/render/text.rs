//! Archived HTML as plain text, for diffs and language detection: block elements
//! become line breaks, other tags go, entities are decoded.

use feedvault_core::text::{decode_entities, strip_tags};

/// Tags after which the text goes on a new line.
const BLOCKS: &[&str] = &[
    "p",
    "br",
    "div",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "tr",
    "hr",
    "figure",
    "figcaption",
    "section",
    "article",
    "header",
    "footer",
    "pre",
    "table",
    "ul",
    "ol",
];

/// The text of an HTML fragment, one paragraph per line.
pub fn html_to_text(html: &str) -> String {
    let mut marked = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        marked.push_str(&rest[..lt]);
        let after = &rest[lt + 1..];
        let name: String = after
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_lowercase())
            .collect();
        if BLOCKS.contains(&name.as_str()) {
            marked.push('\n');
        }
        marked.push('<');
        rest = after;
    }
    marked.push_str(rest);
    let text = decode_entities(&strip_tags(&marked));
    let mut out = String::with_capacity(text.len());
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::html_to_text;

    #[test]
    fn blocks_become_lines() {
        assert_eq!(html_to_text("<p>一 &amp; 二</p><p>three <b>four</b></p>"), "一 & 二\nthree four");
        assert_eq!(html_to_text("a < b<br/>c"), "a < b\nc");
        assert_eq!(html_to_text("<p><unclosed"), "<unclosed", "a broken tag is text");
    }
}
