//! Text normalizations of the article file: the one-line title and the one-line body.
//!
//! [`plain_title`] turns a feed title (which may carry markup and entities) into the
//! plain one-line text DESIGN.md asks for; [`body_line`] puts body HTML on one line
//! with the two corrections to the original archive (no gluing of words across line
//! breaks, preformatted text kept as `&#10;`).

use crate::html::{self, Token, Tokens};

/// Decodes HTML character references (`&amp;`, `&#20013;`, `&#x4E2D;`, every HTML5
/// named reference, the legacy forms without `;` where HTML accepts them). A reference
/// that names nothing is kept as it is. Linear in the input.
pub fn decode_entities(input: &str) -> String {
    html::decode_entities(input).into_owned()
}

/// The text of an HTML fragment as a browser shows it, without layout: tags and
/// comments removed (malformed ones too, read as the HTML tokenizer reads them), the
/// content of `<script>`, `<style>` and the other elements that are not shown
/// dropped, references decoded. A `<` that starts no tag ("a < b") is text.
pub fn strip_tags(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    for token in Tokens::new(input) {
        match token {
            Token::Text(text) => out.push_str(&html::decode_entities(text)),
            Token::RawText { element, text } if html::shows_raw_text(element) => {
                out.push_str(&html::decode_entities(text))
            }
            _ => {}
        }
    }
    out
}

/// Collapses every run of whitespace (newlines included) into one space and trims.
pub fn collapse_whitespace(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    for word in input.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// A feed title as the article file records it: tags, comments and the content of
/// `<script>`/`<style>` removed, entities decoded (once), whitespace collapsed to
/// single spaces, trimmed. Not yet escaped for Markdown. A title is never markup.
pub fn plain_title(raw: &str) -> String {
    collapse_whitespace(&strip_tags(raw))
}

/// Escapes text for HTML (`&`, `<`, `>`, `"`), appending to `out`.
pub fn escape_html_into(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
}

/// Escapes text for HTML.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_html_into(text, &mut out);
    out
}

/// True for the characters DESIGN.md counts as CJK when deciding whether a line break
/// between two characters becomes a space or nothing.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x11FF
        | 0x2E80..=0x2FDF
        | 0x3000..=0x9FFF
        | 0xA960..=0xA97F
        | 0xAC00..=0xD7FF
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFFEF
        | 0x20000..=0x3FFFF)
}

/// Puts body HTML on one line (DESIGN.md, BODY): CR LF and CR become LF; a whitespace
/// run containing a line break becomes one space, or nothing between `>` and `<` or next
/// to a CJK character; inside `<pre>` and `<textarea>` every line break is written as
/// `&#10;` and nothing is removed; the result is trimmed.
pub fn body_line(html: &str) -> String {
    let html = if html.contains('\r') { html.replace("\r\n", "\n").replace('\r', "\n") } else { html.to_owned() };
    let mut out = String::with_capacity(html.len());
    let mut preformatted_depth = 0usize;
    let mut chars = html.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '<' {
            preformatted_depth = track_preformatted(&html[i + 1..], preformatted_depth);
            out.push(c);
        } else if c.is_whitespace() && preformatted_depth == 0 {
            let start = i;
            let mut end = i + c.len_utf8();
            while let Some(&(j, w)) = chars.peek() {
                if !w.is_whitespace() {
                    break;
                }
                end = j + w.len_utf8();
                chars.next();
            }
            let run = &html[start..end];
            if !run.contains('\n') {
                out.push_str(run);
                continue;
            }
            let before = html[..start].chars().next_back();
            let after = html[end..].chars().next();
            let glue =
                (before == Some('>') && after == Some('<')) || before.is_some_and(is_cjk) || after.is_some_and(is_cjk);
            if !glue {
                out.push(' ');
            }
        } else if c == '\n' {
            out.push_str("&#10;");
        } else {
            out.push(c);
        }
    }
    out.trim().to_owned()
}

/// Given the text just after a `<`, returns the `<pre>`/`<textarea>` nesting depth
/// after that tag.
fn track_preformatted(tag: &str, depth: usize) -> usize {
    let (closing, name) = match tag.strip_prefix('/') {
        Some(rest) => (true, rest),
        None => (false, tag),
    };
    let name_len = name.bytes().take_while(|b| b.is_ascii_alphanumeric()).count();
    let name = &name[..name_len];
    if !(name.eq_ignore_ascii_case("pre") || name.eq_ignore_ascii_case("textarea")) {
        return depth;
    }
    if closing { depth.saturating_sub(1) } else { depth + 1 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_plain_single_line_text() {
        let cases = [
            ("  Hello   world ", "Hello world"),
            ("Line one\nline two\r\n\tthree", "Line one line two three"),
            ("<b>Bold</b> &amp; <i>italic</i>", "Bold & italic"),
            ("AT&amp;T &mdash; &#20013;&#x6587;", "AT&T — 中文"),
            ("a < b and c > d", "a < b and c > d"),
            ("避谈分歧，中俄两国同意深化军事合作", "避谈分歧，中俄两国同意深化军事合作"),
            ("Emoji 🎉 ok", "Emoji 🎉 ok"),
            ("&unknown; &amp", "&unknown; &"),
            ("&#0; nul", "\u{FFFD} nul"),
            ("", ""),
        ];
        for (raw, want) in cases {
            assert_eq!(plain_title(raw), want, "title {raw:?}");
        }
    }

    #[test]
    fn body_joins_lines_by_the_design_rules() {
        let cases = [
            // Tags on their own lines are glued together.
            ("<p>a</p>\n<p>b</p>", "<p>a</p><p>b</p>"),
            // English words across a line break keep a space.
            ("<p>hello\nworld</p>", "<p>hello world</p>"),
            ("<p>hello \n  world</p>", "<p>hello world</p>"),
            // Chinese text across a line break is glued.
            ("<p>中国\n外交部</p>", "<p>中国外交部</p>"),
            ("<p>word\n中文</p>", "<p>word中文</p>"),
            // CRLF and lone CR are line breaks.
            ("<p>a\r\nb\rc</p>", "<p>a b c</p>"),
            // Whitespace without a line break is left alone.
            ("<p>a  b\tc</p>", "<p>a  b\tc</p>"),
            // Preformatted text keeps every character; breaks become &#10;.
            (
                "<p>x</p>\n<pre>fn main() {\n    go();\n}</pre>\n<p>y</p>",
                "<p>x</p><pre>fn main() {&#10;    go();&#10;}</pre><p>y</p>",
            ),
            ("<PRE class=c>a\r\n\r\nb</PRE>", "<PRE class=c>a&#10;&#10;b</PRE>"),
            ("<textarea>a\nb</textarea>\nc", "<textarea>a&#10;b</textarea> c"),
            ("<pre>a<b>x\ny</b></pre>", "<pre>a<b>x&#10;y</b></pre>"),
            // Leading and trailing whitespace is trimmed.
            ("\n\n  <p>a</p>\n", "<p>a</p>"),
            ("", ""),
        ];
        for (raw, want) in cases {
            assert_eq!(body_line(raw), want, "body {raw:?}");
        }
    }

    #[test]
    fn hostile_bodies_and_titles_come_out_right() {
        // Runs that a scanner with unbounded lookahead reads again and again.
        const N: usize = 200 * 1024;
        assert_eq!(body_line(&"\n".repeat(N)), "");
        assert_eq!(body_line(&"a\n".repeat(N / 2)), vec!["a"; N / 2].join(" "));
        assert_eq!(body_line(&"<pre>\n".repeat(N / 6)), "<pre>&#10;".repeat(N / 6));
        assert_eq!(body_line(&format!("<{}\n<b>", "a".repeat(N))), format!("<{} <b>", "a".repeat(N)));
        assert_eq!(plain_title(&"&".repeat(N)), "&".repeat(N));
        assert_eq!(plain_title(&"&amp;".repeat(N / 5)), "&".repeat(N / 5));
        assert_eq!(plain_title(&format!("t{}", "<script>".repeat(N / 8))), "t");
        assert_eq!(plain_title(&format!("t{}", "<!--".repeat(N / 4))), "t");
        assert_eq!(plain_title(&format!("t<b {}>x", "a=1 ".repeat(N / 4))), "tx");
    }

    #[test]
    fn cjk_ranges_match_the_design() {
        for c in ['中', 'あ', 'カ', '한', 'ㄅ', '，', '。', 'Ａ', '𠀀', '\u{3000}'] {
            assert!(is_cjk(c), "{c:?} is CJK");
        }
        for c in ['a', 'é', 'Ж', '>', ' ', '1', '—'] {
            assert!(!is_cjk(c), "{c:?} is not CJK");
        }
    }

    #[test]
    fn strip_tags_keeps_text_that_only_looks_like_markup() {
        assert_eq!(strip_tags("<a href='x'>link</a>"), "link");
        assert_eq!(strip_tags("1 <2"), "1 <2");
        assert_eq!(strip_tags("<!-- c -->t"), "t");
        assert_eq!(strip_tags("unterminated <b"), "unterminated <b", "a tag cut off by the end is text");
    }

    #[test]
    fn titles_are_never_markup() {
        let cases = [
            ("safe<script>alert(1)</script> description", "safe description"),
            ("safe<SCRIPT type='text/javascript'>a('</b>')</SCRIPT> description", "safe description"),
            ("<style>p { color: red }</style>styled", "styled"),
            ("a<!-- comment -->b", "ab"),
            ("a<!-- comment with -- inside -->b", "ab"),
            ("a<!-->b", "ab"),
            ("sa<!-- -- nonwhitespace >fe<script>alert(1);</script>", "safe"),
            ("a<!-- never closed", "a"),
            ("safe<!--", "safe"),
            ("&lt;!DOCTYPE ~", "<!DOCTYPE ~"),
            ("a<!DOCTYPE x>b<?php echo 1 ?>c", "abc"),
            ("<script>never closed", ""),
            ("x <a title='>' href=\"y\">link</a>", "x link"),
            ("&lt;script&gt;alert(1)&lt;/script&gt;", "<script>alert(1)</script>"),
            ("&amp;lt;b&amp;gt;", "&lt;b&gt;"),
            ("<textarea>1 &lt; 2</textarea>", "1 < 2"),
            ("&alpha;&beta;&delta;&chi;&fnof;", "αβδχƒ"),
        ];
        for (raw, want) in cases {
            assert_eq!(plain_title(raw), want, "title {raw:?}");
        }
    }
}
