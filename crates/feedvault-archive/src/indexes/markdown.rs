//! Markdown text and link destinations made safe: any title renders as the same
//! text, on one line, inside a link or a table cell, and any path or URL stays one
//! link. Each pass is linear in its input.

use std::fmt::Write as _;

/// ASCII punctuation escaped with a backslash in text: everything that can open or
/// close a link, emphasis, code, HTML, an entity, a table cell, a heading's closing
/// sequence, strikethrough or math on a git host. (CommonMark allows a backslash
/// before any ASCII punctuation, so escaping more than needed is harmless.)
const SPECIAL: &[char] = &['\\', '`', '*', '_', '[', ']', '<', '>', '|', '~', '&', '$', '#', '!', '(', ')'];

/// Plain text as Markdown inline text on one line: every run of whitespace (line
/// breaks included) becomes one space, the ends are trimmed, control characters
/// are dropped and [`SPECIAL`] characters are backslash-escaped.
pub fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if c.is_control() {
            continue;
        }
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        if SPECIAL.contains(&c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Link text: [`escape_text`], or `fallback` (escaped) when nothing is left.
pub fn link_text(text: &str, fallback: &str) -> String {
    let escaped = escape_text(text);
    if escaped.is_empty() { escape_text(fallback) } else { escaped }
}

/// A relative path (`/`-separated segments) as a link destination: every byte of a
/// segment other than `A-Z a-z 0-9 - . _ ~` percent-encoded.
pub fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for (i, segment) in path.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        encode_into(segment, &mut out, |b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
    }
    out
}

/// An absolute URL as a link destination in angle brackets: bytes that could end
/// or break it (space, `<`, `>`, `\`, controls, non-ASCII, ...) percent-encoded.
pub fn url_destination(url: &str) -> String {
    let mut out = String::with_capacity(url.len() + 2);
    out.push('<');
    encode_into(url, &mut out, |b| b.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'()*+,;=%".contains(&b));
    out.push('>');
    out
}

fn encode_into(text: &str, out: &mut String, keep: impl Fn(u8) -> bool) {
    for &b in text.as_bytes() {
        if keep(b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_escaping() {
        let cases = [
            ("plain title", "plain title"),
            ("新闻 [更新] 第2版", "新闻 \\[更新\\] 第2版"),
            ("a | b", "a \\| b"),
            ("*bold* _em_ `code`", "\\*bold\\* \\_em\\_ \\`code\\`"),
            ("<script>alert(1)</script>", "\\<script\\>alert\\(1\\)\\</script\\>"),
            ("AT&amp;T", "AT\\&amp;T"),
            ("back\\slash", "back\\\\slash"),
            ("line one\nline two\r\n\n  three", "line one line two three"),
            ("  spaced \t out  ", "spaced out"),
            ("bell\u{7}and\u{0}nul", "bellandnul"),
            ("$x$ ~~no~~ C#", "\\$x\\$ \\~\\~no\\~\\~ C\\#"),
            ("![img](x)", "\\!\\[img\\]\\(x\\)"),
            ("", ""),
            ("\n\n", ""),
        ];
        for (input, want) in cases {
            assert_eq!(escape_text(input), want, "{input:?}");
        }
    }

    #[test]
    fn escaped_text_never_opens_a_link_or_a_cell() {
        let hostile = "]](x) [a](b) | <a href=x> \\](y)\n\n# h";
        let out = escape_text(hostile);
        assert!(!out.contains('\n'));
        // Every special character is preceded by a backslash that is not itself escaped.
        let chars: Vec<char> = out.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            if chars[i] == '\\' {
                assert!(SPECIAL.contains(&chars[i + 1]), "a lone backslash in {out}");
                i += 2;
                continue;
            }
            assert!(!SPECIAL.contains(&chars[i]), "unescaped {:?} in {out}", chars[i]);
            i += 1;
        }
    }

    #[test]
    fn link_text_falls_back_when_empty() {
        assert_eq!(link_text(" \n ", "(no title)"), "\\(no title\\)");
        assert_eq!(link_text("t", "(no title)"), "t");
    }

    #[test]
    fn paths_are_percent_encoded_by_segment() {
        assert_eq!(encode_path("nyt/2024/01/02/README.md"), "nyt/2024/01/02/README.md");
        assert_eq!(encode_path("纽约时报/README.md"), "%E7%BA%BD%E7%BA%A6%E6%97%B6%E6%8A%A5/README.md");
        assert_eq!(encode_path("a b/(x)#?.md"), "a%20b/%28x%29%23%3F.md");
    }

    #[test]
    fn urls_stay_one_destination() {
        assert_eq!(url_destination("https://e.com/a?b=1&c=(2)"), "<https://e.com/a?b=1&c=(2)>");
        assert_eq!(url_destination("https://e.com/a b<c>\n"), "<https://e.com/a%20b%3Cc%3E%0A>");
        assert_eq!(url_destination("https://例子.com/"), "<https://%E4%BE%8B%E5%AD%90.com/>");
    }
}
