//! Text normalizations of the article file: the one-line title and the one-line body.
//!
//! [`plain_title`] turns a feed title (which may carry markup and entities) into the
//! plain one-line text DESIGN.md asks for; [`body_line`] puts body HTML on one line
//! with the two corrections to the original archive (no gluing of words across line
//! breaks, preformatted text kept as `&#10;`).

use quick_xml::escape::resolve_html5_entity;

/// Decodes HTML character references (`&amp;`, `&#20013;`, `&#x4E2D;`, every HTML5
/// named reference). A reference that is not terminated by `;` or names nothing is kept
/// as it is.
pub fn decode_entities(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut rest = input;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        match decode_one_entity(rest) {
            Some((decoded, used)) => {
                out.push_str(&decoded);
                rest = &rest[used..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Decodes the reference at the start of `s` (which starts with `&`), returning the
/// text and the number of bytes it used.
fn decode_one_entity(s: &str) -> Option<(String, usize)> {
    let semi = s[1..].find(';').filter(|&i| i <= 40)? + 1;
    let name = &s[1..semi];
    let text = if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse::<u32>().ok()?,
        };
        // NUL and invalid scalars become U+FFFD, as HTML parsers do.
        let ch = char::from_u32(code).filter(|&c| c != '\0').unwrap_or('\u{FFFD}');
        ch.to_string()
    } else {
        resolve_html5_entity(name)?.to_string()
    };
    Some((text, semi + 1))
}

/// Removes markup: anything from `<` followed by a letter, `/`, `!` or `?` to the next
/// `>`. A `<` that does not start a tag ("a < b") is text and stays.
pub fn strip_tags(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut rest = input;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        let after = &rest[lt + 1..];
        let starts_tag = after.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, '/' | '!' | '?'));
        match after.find('>') {
            Some(gt) if starts_tag => rest = &after[gt + 1..],
            _ => {
                out.push('<');
                rest = after;
            }
        }
    }
    out.push_str(rest);
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

/// A feed title as the article file records it: tags stripped, entities decoded,
/// whitespace collapsed to single spaces, trimmed. Not yet escaped for Markdown.
pub fn plain_title(raw: &str) -> String {
    collapse_whitespace(&decode_entities(&strip_tags(raw)))
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
            ("&unknown; &amp", "&unknown; &amp"),
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
        assert_eq!(strip_tags("unterminated <b"), "unterminated <b");
    }
}
