//! HTML text, read in one forward pass: character references and a tokenizer.
//!
//! [`decode_entities`] decodes character references as the WHATWG HTML standard does
//! (the full named-reference table, the legacy forms without `;` only where HTML
//! accepts them, numeric references with the windows-1252 fix-ups); [`Tokens`] splits
//! HTML into text, tags and comments following the WHATWG tokenizer states that decide
//! what is text (tag open, attribute values and their quotes, comments, bogus comments,
//! raw-text elements such as `<script>`).
//!
//! Every function here is linear in its input: the scanner never moves backwards, and
//! the one lookahead (a named reference) is bounded by the longest name in the table.
//! A hand-written scanner, because html5ever's tokenizer checks each attribute against
//! every earlier one of its tag (quadratic on a tag with many attributes) and interns
//! every attribute name; see docs/DECISIONS.md, Parsing.

use std::borrow::Cow;

use web_atoms::{C1_REPLACEMENTS, NAMED_ENTITIES};

/// Where a reference appears: in an attribute value a legacy reference without `;`
/// followed by a letter, digit or `=` is left alone (`?a=1&copy=2`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    Text,
    Attribute,
}

/// Longest name in the table, `&CounterClockwiseContourIntegral;` less the `&`.
const LONGEST_NAME: usize = 32;

/// Decodes the character references of HTML text (`&amp;`, `&alpha;`, `&#20013;`,
/// `&#x4E2D;`, `&copy` without `;`). Unknown names stay as they are.
pub fn decode_entities(input: &str) -> Cow<'_, str> {
    decode_in(input, Context::Text)
}

/// Decodes the character references of `input` read in `context`.
pub fn decode_in(input: &str, context: Context) -> Cow<'_, str> {
    let Some(first) = input.find('&') else { return Cow::Borrowed(input) };
    let mut out = String::with_capacity(input.len());
    out.push_str(&input[..first]);
    let mut rest = &input[first..];
    loop {
        // `rest` starts with '&'.
        match reference(rest, context) {
            Some((decoded, used)) => {
                out.push_str(decoded.as_str());
                rest = &rest[used..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
        match rest.find('&') {
            Some(at) => {
                out.push_str(&rest[..at]);
                rest = &rest[at..];
            }
            None => {
                out.push_str(rest);
                return Cow::Owned(out);
            }
        }
    }
}

/// The characters one reference stands for: one or two code points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decoded {
    len: usize,
    buf: [u8; 8],
}

impl Decoded {
    fn new(first: char, second: Option<char>) -> Decoded {
        let mut buf = [0u8; 8];
        let mut len = first.encode_utf8(&mut buf).len();
        if let Some(second) = second {
            len += second.encode_utf8(&mut buf[len..]).len();
        }
        Decoded { len, buf }
    }

    pub fn as_str(&self) -> &str {
        // Built from whole chars only.
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or("\u{FFFD}")
    }
}

/// The reference at the start of `s` (which starts with `&`): what it decodes to and
/// how many bytes it spans, or None when the `&` is just text.
pub fn reference(s: &str, context: Context) -> Option<(Decoded, usize)> {
    let bytes = s.as_bytes();
    if bytes.get(1) == Some(&b'#') {
        return numeric(bytes);
    }
    // Longest match among the names the table knows; the table also holds every
    // prefix of every name (mapped to 0), which says when to stop looking.
    let mut best = None;
    let mut end = 1;
    while end < bytes.len() && end <= LONGEST_NAME {
        let b = bytes[end];
        if !(b.is_ascii_alphanumeric() || b == b';') {
            break;
        }
        end += 1;
        match NAMED_ENTITIES.get(&s[1..end]) {
            None => break,
            Some(&(0, _)) => {}
            Some(&(first, second)) => best = Some((end, first, second)),
        }
        if b == b';' {
            break;
        }
    }
    let (end, first, second) = best?;
    if bytes[end - 1] != b';' && context == Context::Attribute {
        let next = bytes.get(end).copied();
        if next.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'=') {
            return None;
        }
    }
    let first = char::from_u32(first)?;
    let second = char::from_u32(second).filter(|&c| c != '\0');
    Some((Decoded::new(first, second), end))
}

/// A numeric reference `&#123;` / `&#x7B;`, `;` optional as in HTML.
fn numeric(bytes: &[u8]) -> Option<(Decoded, usize)> {
    let hex = matches!(bytes.get(2), Some(b'x' | b'X'));
    let start = if hex { 3 } else { 2 };
    let mut end = start;
    let mut value: u32 = 0;
    while let Some(&b) = bytes.get(end) {
        let digit = if hex { (b as char).to_digit(16) } else { (b as char).to_digit(10) };
        let Some(digit) = digit else { break };
        value = value.saturating_mul(if hex { 16 } else { 10 }).saturating_add(digit);
        end += 1;
    }
    if end == start {
        return None;
    }
    if bytes.get(end) == Some(&b';') {
        end += 1;
    }
    let c = match value {
        0 => '\u{FFFD}',
        _ => char::from_u32(value).map_or('\u{FFFD}', |c| c1_replacement(c).unwrap_or(c)),
    };
    Some((Decoded::new(c, None), end))
}

/// The windows-1252 character a C1 control (U+0080-U+009F) stands for, where
/// windows-1252 has one: how HTML reads `&#128;`-`&#159;`.
pub fn c1_replacement(c: char) -> Option<char> {
    let index = (c as u32).checked_sub(0x80).filter(|i| *i < 0x20)?;
    C1_REPLACEMENTS[index as usize]
}

/// The text a named reference stands for, given its name without `&` and `;`
/// (XML's `&name;`, where the `;` is required). Numeric names (`#38`) work too.
pub fn named_reference(name: &str) -> Option<Decoded> {
    if name.len() > LONGEST_NAME {
        return None;
    }
    let mut key = String::with_capacity(name.len() + 2);
    key.push('&');
    key.push_str(name);
    key.push(';');
    let (decoded, used) = reference(&key, Context::Text)?;
    (used == key.len()).then_some(decoded)
}

/// One piece of HTML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token<'a> {
    /// Text, references not yet decoded (see [`decode_entities`]).
    Text(&'a str),
    /// The content of an element that is not read as HTML (`<script>`, `<style>`,
    /// `<textarea>`, ...), as written, with that element's name.
    RawText {
        element: &'static str,
        text: &'a str,
    },
    /// A start tag: its name lowercased, and the markup of its attributes.
    Start {
        name: Cow<'a, str>,
        attrs: &'a str,
    },
    End {
        name: Cow<'a, str>,
    },
    /// A comment, doctype, processing instruction or bogus comment.
    Comment,
}

/// Elements whose content the tokenizer does not read as HTML, up to their end tag.
/// The fallback content of `<iframe>`, `<noembed>`, `<noframes>` and `<noscript>` is
/// read as markup: it is what a reader without frames or scripts (feedvault's own
/// pages) shows, and what XHTML content means by it.
const RAW_TEXT: [&str; 6] = ["script", "style", "template", "xmp", "textarea", "title"];

/// True for the raw-text elements whose content a browser shows as text:
/// `<textarea>`, `<title>` (references decoded) and `<xmp>`.
pub fn shows_raw_text(element: &str) -> bool {
    matches!(element, "textarea" | "title" | "xmp")
}

/// The tokens of an HTML fragment, in one forward pass.
pub struct Tokens<'a> {
    src: &'a str,
    at: usize,
    /// After a start tag of a raw-text element: its name.
    raw_until: Option<&'static str>,
    /// Bytes examined so far, lookahead included (for tests that check linearity).
    examined: usize,
}

impl<'a> Tokens<'a> {
    pub fn new(src: &'a str) -> Self {
        Tokens { src, at: 0, raw_until: None, examined: 0 }
    }

    /// How many bytes the scanner has looked at so far, counting every re-read.
    pub fn examined(&self) -> usize {
        self.examined
    }

    fn rest(&self) -> &'a [u8] {
        &self.src.as_bytes()[self.at..]
    }

    /// Moves to `at` (relative to the current position), counting the bytes passed.
    fn advance(&mut self, by: usize) {
        self.examined += by;
        self.at = (self.at + by).min(self.src.len());
    }

    /// The raw text up to `</name` (followed by a space, `/` or `>`), or to the end.
    fn raw_text(&mut self, name: &'static str) -> Token<'a> {
        let start = self.at;
        let bytes = self.src.as_bytes();
        let mut i = start;
        while let Some(lt) = memchr(b'<', &bytes[i..]) {
            let tag = i + lt;
            let after = tag + 2 + name.len();
            let matches = bytes.get(tag + 1) == Some(&b'/')
                && bytes.get(tag + 2..after).is_some_and(|n| n.eq_ignore_ascii_case(name.as_bytes()))
                && bytes.get(after).is_none_or(|b| b.is_ascii_whitespace() || matches!(b, b'/' | b'>'));
            self.examined += tag + 1 - i;
            if matches {
                self.at = tag;
                return Token::RawText { element: name, text: &self.src[start..tag] };
            }
            i = tag + 1;
        }
        self.advance(self.src.len() - self.at);
        Token::RawText { element: name, text: &self.src[start..] }
    }

    /// A tag starting at the current `<` (or `</`): name and attribute markup, up to
    /// the `>` that is not inside a quoted value. A tag the input ends in is text.
    fn tag(&mut self, closing: bool) -> Option<Token<'a>> {
        let bytes = self.src.as_bytes();
        let name_start = self.at + if closing { 2 } else { 1 };
        let mut i = name_start;
        while i < bytes.len() && !(bytes[i].is_ascii_whitespace() || matches!(bytes[i], b'/' | b'>')) {
            i += 1;
        }
        let name_end = i;
        let mut quote: Option<u8> = None;
        // Attributes: a quote opens only where a value starts (after `=` and spaces).
        let mut after_equals = false;
        let end = loop {
            let Some(&b) = bytes.get(i) else { break None };
            match quote {
                Some(q) => match memchr(q, &bytes[i..]) {
                    Some(at) => {
                        i += at + 1;
                        quote = None;
                        continue;
                    }
                    None => break None,
                },
                None => match b {
                    b'>' => break Some(i),
                    b'"' | b'\'' if after_equals => quote = Some(b),
                    b'=' => {
                        after_equals = true;
                        i += 1;
                        continue;
                    }
                    b if b.is_ascii_whitespace() => {
                        i += 1;
                        continue;
                    }
                    _ => {}
                },
            }
            after_equals = false;
            i += 1;
        };
        let Some(end) = end else {
            self.examined += bytes.len() - self.at;
            return Some(self.rest_as_text());
        };
        self.examined += end + 1 - self.at;
        let name = lowercase(&self.src[name_start..name_end]);
        let attrs = &self.src[name_end..end];
        self.at = end + 1;
        Some(if closing {
            Token::End { name }
        } else {
            if !attrs.trim_end().ends_with('/') {
                self.raw_until = RAW_TEXT.iter().find(|n| **n == name).copied();
            }
            Token::Start { name, attrs }
        })
    }

    /// The rest of the input, as text: what a tag or declaration the input ends
    /// inside of (`<b`, `<!DOCTYPE`) leaves. HTML would drop it; feedparser keeps it,
    /// and keeping it loses nothing a reader wrote.
    fn rest_as_text(&mut self) -> Token<'a> {
        let text = &self.src[self.at..];
        self.advance(text.len());
        Token::Text(text)
    }

    /// A comment from `<!--`: to `-->` or `--!>`; `<!-->` and `<!--->` are empty ones.
    /// One that is never closed ends at its first `>` (the SGML reading of
    /// `<!-- -- x >`), or at the end of the input when there is none.
    fn comment(&mut self) -> Token<'a> {
        let body = self.at + 4;
        let bytes = self.src.as_bytes();
        if bytes[body..].starts_with(b">") {
            self.advance(5);
            return Token::Comment;
        }
        if bytes[body..].starts_with(b"->") {
            self.advance(6);
            return Token::Comment;
        }
        let mut first_gt = None;
        let mut i = body;
        while let Some(gt) = memchr(b'>', &bytes[i..]) {
            let at = i + gt;
            first_gt.get_or_insert(at);
            let before = &bytes[body..at];
            if before.ends_with(b"--") || before.ends_with(b"--!") {
                self.advance(at + 1 - self.at);
                return Token::Comment;
            }
            i = at + 1;
        }
        self.examined += bytes.len() - self.at;
        self.at = first_gt.map_or(bytes.len(), |at| at + 1);
        Token::Comment
    }

    /// `<!...>`, `<?...>`, `</ ...>`: a bogus comment, to the next `>`.
    fn bogus_comment(&mut self) -> Token<'a> {
        let bytes = self.rest();
        match memchr(b'>', &bytes[1..]) {
            Some(gt) => {
                self.advance(gt + 2);
                Token::Comment
            }
            None => self.rest_as_text(),
        }
    }
}

impl<'a> Iterator for Tokens<'a> {
    type Item = Token<'a>;

    fn next(&mut self) -> Option<Token<'a>> {
        loop {
            if self.at >= self.src.len() {
                return None;
            }
            if let Some(name) = self.raw_until.take() {
                match self.raw_text(name) {
                    Token::RawText { text: "", .. } => continue,
                    token => return Some(token),
                }
            }
            let rest = self.rest();
            if rest[0] != b'<' {
                let len = memchr(b'<', rest).unwrap_or(rest.len());
                let text = &self.src[self.at..self.at + len];
                self.advance(len);
                return Some(Token::Text(text));
            }
            match rest.get(1).copied() {
                Some(b) if b.is_ascii_alphabetic() => {
                    if let Some(token) = self.tag(false) {
                        return Some(token);
                    }
                }
                Some(b'/') => match rest.get(2).copied() {
                    Some(b) if b.is_ascii_alphabetic() => {
                        if let Some(token) = self.tag(true) {
                            return Some(token);
                        }
                    }
                    Some(b'>') => self.advance(3),
                    None => {
                        self.advance(2);
                        return Some(Token::Text("</"));
                    }
                    Some(_) => return Some(self.bogus_comment()),
                },
                Some(b'!') if rest.starts_with(b"<!--") => return Some(self.comment()),
                Some(b'!' | b'?') => return Some(self.bogus_comment()),
                _ => {
                    // A `<` that starts nothing is text.
                    let len = 1 + memchr(b'<', &rest[1..]).unwrap_or(rest.len() - 1);
                    let text = &self.src[self.at..self.at + len];
                    self.advance(len);
                    return Some(Token::Text(text));
                }
            }
        }
    }
}

fn lowercase(name: &str) -> Cow<'_, str> {
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(name.to_ascii_lowercase())
    } else {
        Cow::Borrowed(name)
    }
}

fn memchr(needle: u8, haystack: &[u8]) -> Option<usize> {
    haystack.iter().position(|&b| b == needle)
}

/// The value of attribute `name` in the attribute markup of a start tag, references
/// decoded. One pass over `attrs`.
pub fn attribute<'a>(attrs: &'a str, name: &str) -> Option<Cow<'a, str>> {
    let bytes = attrs.as_bytes();
    let mut i = 0;
    loop {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
            i += 1;
        }
        if i >= bytes.len() {
            return None;
        }
        let key_start = i;
        i += 1; // a name may start with `=`
        while i < bytes.len() && !(bytes[i].is_ascii_whitespace() || matches!(bytes[i], b'/' | b'=')) {
            i += 1;
        }
        let key = &attrs[key_start..i];
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = "";
        if bytes.get(i) == Some(&b'=') {
            i += 1;
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            match bytes.get(i) {
                Some(&q @ (b'"' | b'\'')) => {
                    let len = memchr(q, &bytes[i + 1..]).unwrap_or(bytes.len() - i - 1);
                    value = &attrs[i + 1..i + 1 + len];
                    i += len + 2;
                }
                _ => {
                    let start = i;
                    while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
                        i += 1;
                    }
                    value = &attrs[start..i];
                }
            }
        }
        if key.eq_ignore_ascii_case(name) {
            return Some(decode_in(value, Context::Attribute));
        }
    }
}

#[cfg(test)]
mod tests;
