//! Article HTML reduced to the text that is indexed: tags removed, the contents of
//! `script`, `style` and `template` dropped, entities decoded, image `alt` text and
//! captions kept, block boundaries turned into line breaks so words of adjacent
//! paragraphs never run together.
//!
//! Built on feedvault-core's HTML tokenizer, so it reads markup as the title rules
//! do, in one forward pass: linear in the input, however hostile.

use feedvault_core::html::{self, Token, Tokens, decode_entities};

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
    for token in Tokens::new(html) {
        match token {
            Token::Text(text) => out.push_str(&decode_entities(text)),
            Token::RawText { element, text } if html::shows_raw_text(element) => {
                out.push_str(&decode_entities(text));
            }
            Token::Start { name, attrs } if name == "img" => {
                if let Some(alt) = html::attribute(attrs, "alt") {
                    out.push(' ');
                    out.push_str(&alt);
                    out.push(' ');
                }
            }
            Token::Start { name, .. } | Token::End { name } if BLOCKS.contains(&name.as_ref()) => out.push('\n'),
            _ => {}
        }
    }
    finish(out)
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
        assert_eq!(html_to_text("<p title='a>b'>quoted &gt; kept</p><!-- <p>no</p> -->"), "quoted > kept");
        assert_eq!(html_to_text("&alpha;&beta; <noscript><p>shown</p></noscript>"), "αβ\nshown");
    }

    #[test]
    fn hostile_markup_gives_the_right_text() {
        // Runs of what used to make the scan quadratic: the output shows each was
        // read once, as text or as one construct to the end.
        let n = 50_000;
        assert_eq!(html_to_text(&"&".repeat(n)), "&".repeat(n));
        assert_eq!(html_to_text(&"<".repeat(n)), "<".repeat(n));
        assert_eq!(html_to_text(&format!("a{}", "<script>".repeat(n))), "a");
        assert_eq!(html_to_text(&format!("a{}", "<!--".repeat(n))), "a");
        let attrs = format!("<img alt=x {}>", "a=1 ".repeat(n));
        assert_eq!(html_to_text(&attrs), "x");
        let runs = format!("{}b", "<a <a ".repeat(n));
        assert_eq!(html_to_text(&runs), runs, "a tag the input ends in is text");
    }
}
