//! Article HTML reduced to the text that is indexed: tags removed, the contents of
//! `script`, `style`, `noscript` and `template` dropped, entities decoded, image
//! `alt` text and captions kept, block boundaries turned into line breaks so words
//! of adjacent paragraphs never run together.

use feedvault_core::text::decode_entities;

const SKIPPED: [&str; 4] = ["script", "style", "noscript", "template"];
const BLOCKS: [&str; 22] = [
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "section",
    "article",
    "figure",
    "figcaption",
    "blockquote",
    "pre",
    "tr",
    "td",
    "address",
    "footer",
];

/// The text of an HTML fragment.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        push_text(&mut out, &rest[..lt]);
        let tag_text = &rest[lt + 1..];
        let Some(gt) = tag_text.find('>') else {
            push_text(&mut out, &rest[lt..]);
            return finish(out);
        };
        let tag = &tag_text[..gt];
        rest = &tag_text[gt + 1..];
        if tag.starts_with('!') || tag.starts_with('?') {
            continue;
        }
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if !closing && SKIPPED.contains(&name.as_str()) {
            let end_tag = format!("</{name}");
            match rest.to_ascii_lowercase().find(&end_tag) {
                Some(at) => rest = rest[at..].find('>').map_or("", |gt| &rest[at + gt + 1..]),
                None => return finish(out),
            }
            continue;
        }
        if name == "img" {
            if let Some(alt) = attribute(tag, "alt") {
                out.push(' ');
                push_text(&mut out, alt);
                out.push(' ');
            }
        } else if BLOCKS.contains(&name.as_str()) {
            out.push('\n');
        }
    }
    push_text(&mut out, rest);
    finish(out)
}

fn push_text(out: &mut String, text: &str) {
    if text.contains('&') {
        out.push_str(&decode_entities(text));
    } else {
        out.push_str(text);
    }
}

/// Collapses runs of blank lines and trims.
fn finish(text: String) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(line);
    }
    out
}

/// The value of an attribute in the inside of a tag (quoted or not).
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let lower = tag.to_ascii_lowercase();
    let mut from = 0;
    while let Some(at) = lower[from..].find(name) {
        let start = from + at;
        from = start + name.len();
        let before_ok = start == 0 || lower.as_bytes()[start - 1].is_ascii_whitespace();
        let after = lower[from..].trim_start();
        if !before_ok || !after.starts_with('=') {
            continue;
        }
        let value_start = tag.len() - after.len() + 1;
        let value = tag[value_start..].trim_start();
        return Some(match value.chars().next() {
            Some(q @ ('"' | '\'')) => value[1..].split(q).next().unwrap_or(""),
            _ => value.split(|c: char| c.is_whitespace() || c == '/').next().unwrap_or(""),
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_alt_and_captions_are_kept_markup_and_scripts_are_not() {
        let html = r#"<p>Hello <b>world</b> &amp; more</p><script>var x = "<p>no</p>";</script><STYLE>p{}</STYLE><figure><img src="a.jpg" alt="普京 &amp; 习近平"><figcaption>图说 <cite>Pool</cite></figcaption></figure><p>end</p>"#;
        assert_eq!(html_to_text(html), "Hello world & more\n普京 & 习近平\n图说 Pool\nend");
    }

    #[test]
    fn paragraphs_do_not_run_together_and_broken_markup_is_survived() {
        assert_eq!(html_to_text("<p>one</p><p>two</p>"), "one\ntwo");
        assert_eq!(html_to_text("a < b and <unclosed"), "a < b and <unclosed");
        assert_eq!(html_to_text("<script>never closed"), "");
        assert_eq!(html_to_text("<img alt=bare src=x>"), "bare");
    }
}
