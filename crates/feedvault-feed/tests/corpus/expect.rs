//! A tiny evaluator for the `Expect:` lines of feedparser's test documents: the Python
//! expressions they are written in, over the fields feedvault's parse output has.
//!
//! Grammar (a subset of Python): `or`/`and`/`not`, parentheses, chained `==`/`!=`,
//! `is None/True/False`, string literals (with `u`/`r` prefixes, `+` concatenation and
//! the usual escapes), integers, tuples of integers, `len(entries)`, and paths such as
//! `feed['title']`, `entries[0]['content'][0]['value']`, `entries[0].link`.
//! `1` alone ("the parser survives this") holds for any result. Anything else
//! makes the case "not mappable". `bozo` (feedparser's "not
//! well-formed" flag) is ignored, so `not bozo and X` is `X`.

use std::sync::atomic::{AtomicUsize, Ordering};

use feedvault_core::text::{collapse_whitespace, plain_title, strip_tags};
use feedvault_core::{Feed, FeedFormat, Item};
use url::Url;

/// A value in an expectation or of a field.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Str(String),
    Int(i64),
    Tuple(Vec<Value>),
    None,
    Bool(bool),
    /// A field of feedvault's output, with the rule it is compared by.
    Field(Field),
}

/// How a field of feedvault's output is compared.
#[derive(Debug, Clone, PartialEq)]
pub enum Field {
    /// A title: feedvault makes it plain text.
    Title(Option<String>),
    /// A body: feedvault keeps it as published; feedparser sanitizes it, resolves the
    /// links in it and reserializes it. Equal when equal, or when the visible text is.
    Body(Option<String>),
    /// A link or id: equal as strings, or as parsed URLs.
    Link(Option<String>),
    Text(Option<String>),
    Time(Option<chrono::DateTime<chrono::Utc>>),
    Len(usize),
    /// feedvault's format, compared with feedparser's `version` by family.
    Format(Option<FeedFormat>),
}

/// How many body comparisons held by their visible text only (not as written).
pub static VISIBLE_ONLY: AtomicUsize = AtomicUsize::new(0);

/// Why an expectation is not evaluated.
#[derive(Debug)]
pub struct NotMappable(pub String);

type Result<T> = std::result::Result<T, NotMappable>;

fn unmappable<T>(what: impl Into<String>) -> Result<T> {
    Err(NotMappable(what.into()))
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Str(String),
    Int(i64),
    Ident(String),
    Punct(&'static str),
}

fn lex(src: &str) -> Result<Vec<Tok>> {
    let chars: Vec<char> = src.chars().collect();
    let mut i = 0;
    let mut out = Vec::new();
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let starts_string = |j: usize| matches!(chars.get(j), Some('\'' | '"'));
        if c == '\'' || c == '"' || (matches!(c, 'u' | 'r' | 'b' | 'U' | 'R') && starts_string(i + 1)) {
            let raw = matches!(c, 'r' | 'R');
            if c != '\'' && c != '"' {
                i += 1;
            }
            let quote = chars[i];
            i += 1;
            let mut s = String::new();
            loop {
                let Some(&c) = chars.get(i) else { return unmappable("unterminated string") };
                i += 1;
                if c == quote {
                    break;
                }
                if c != '\\' || raw {
                    s.push(c);
                    continue;
                }
                let Some(&e) = chars.get(i) else { return unmappable("bad escape") };
                i += 1;
                let mut hex = |n: usize| -> Result<char> {
                    let digits: String = chars.get(i..i + n).map(|d| d.iter().collect()).unwrap_or_default();
                    i += n;
                    u32::from_str_radix(&digits, 16)
                        .ok()
                        .and_then(char::from_u32)
                        .ok_or_else(|| NotMappable(format!("bad escape \\{e}{digits}")))
                };
                match e {
                    'n' => s.push('\n'),
                    't' => s.push('\t'),
                    'r' => s.push('\r'),
                    '\\' | '\'' | '"' => s.push(e),
                    'x' => s.push(hex(2)?),
                    'u' => s.push(hex(4)?),
                    'U' => s.push(hex(8)?),
                    '0' => s.push('\0'),
                    _ => return unmappable(format!("escape \\{e}")),
                }
            }
            out.push(Tok::Str(s));
            continue;
        }
        if c.is_ascii_digit() || (c == '-' && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit())) {
            let start = i;
            i += 1;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            if chars.get(i) == Some(&'.') {
                return unmappable("a float");
            }
            let text: String = chars[start..i].iter().collect();
            out.push(Tok::Int(text.parse().map_err(|_| NotMappable("big integer".into()))?));
            continue;
        }
        if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push(Tok::Ident(chars[start..i].iter().collect()));
            continue;
        }
        let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
        let punct = match two.as_str() {
            "==" => "==",
            "!=" => "!=",
            _ => match c {
                '[' => "[",
                ']' => "]",
                '(' => "(",
                ')' => ")",
                ',' => ",",
                '.' => ".",
                '+' => "+",
                _ => return unmappable(format!("character {c:?}")),
            },
        };
        i += punct.len();
        out.push(Tok::Punct(punct));
    }
    Ok(out)
}

/// What a sub-expression came to.
enum Outcome {
    /// `bozo`: ignored.
    Ignored,
    Bool(bool),
}

struct Parser<'f> {
    toks: Vec<Tok>,
    at: usize,
    feed: &'f Feed,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at)
    }

    fn eat_ident(&mut self, word: &str) -> bool {
        if self.peek() == Some(&Tok::Ident(word.to_owned())) {
            self.at += 1;
            return true;
        }
        false
    }

    fn eat(&mut self, punct: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Punct(p)) if *p == punct) {
            self.at += 1;
            return true;
        }
        false
    }

    fn expect(&mut self, punct: &str) -> Result<()> {
        if self.eat(punct) { Ok(()) } else { unmappable(format!("expected {punct} at token {}", self.at)) }
    }

    fn or(&mut self) -> Result<Outcome> {
        let mut left = self.and()?;
        while self.eat_ident("or") {
            let right = self.and()?;
            left = match (left, right) {
                (Outcome::Bool(a), Outcome::Bool(b)) => Outcome::Bool(a || b),
                _ => return unmappable("bozo in an or"),
            };
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Outcome> {
        let mut left = self.not()?;
        while self.eat_ident("and") {
            let right = self.not()?;
            left = match (left, right) {
                (Outcome::Ignored, other) | (other, Outcome::Ignored) => other,
                (Outcome::Bool(a), Outcome::Bool(b)) => Outcome::Bool(a && b),
            };
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<Outcome> {
        if self.eat_ident("not") {
            return Ok(match self.not()? {
                Outcome::Ignored => Outcome::Ignored,
                Outcome::Bool(b) => Outcome::Bool(!b),
            });
        }
        if self.eat_ident("bozo") {
            return Ok(Outcome::Ignored);
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Outcome> {
        if self.peek() == Some(&Tok::Punct("(")) {
            // A parenthesized condition (tuples are values, handled in `value`).
            let save = self.at;
            self.at += 1;
            if let Ok(inner) = self.or()
                && self.eat(")")
                && !matches!(self.peek(), Some(Tok::Punct("==" | "!=")))
            {
                return Ok(inner);
            }
            self.at = save;
        }
        let mut left = self.sum()?;
        let mut result = None;
        loop {
            let negate = if self.eat("==") {
                false
            } else if self.eat("!=") {
                true
            } else if self.eat_ident("is") {
                self.eat_ident("not")
            } else {
                break;
            };
            let right = self.sum()?;
            let equal = equals(&left, &right)?;
            result = Some(result.unwrap_or(true) && (equal != negate));
            left = right;
        }
        match result {
            Some(b) => Ok(Outcome::Bool(b)),
            None => unmappable("a bare value"),
        }
    }

    fn sum(&mut self) -> Result<Value> {
        let mut value = self.value()?;
        while self.eat("+") {
            match (value, self.value()?) {
                (Value::Str(a), Value::Str(b)) => value = Value::Str(a + &b),
                _ => return unmappable("+ on non-strings"),
            }
        }
        Ok(value)
    }

    fn value(&mut self) -> Result<Value> {
        let Some(tok) = self.peek().cloned() else { return unmappable("end of expression") };
        self.at += 1;
        match tok {
            Tok::Str(s) => Ok(Value::Str(s)),
            Tok::Int(n) => Ok(Value::Int(n)),
            Tok::Punct("(") => {
                let mut items = Vec::new();
                while !self.eat(")") {
                    items.push(self.sum()?);
                    if !self.eat(",") {
                        self.expect(")")?;
                        break;
                    }
                }
                Ok(Value::Tuple(items))
            }
            Tok::Ident(word) => match word.as_str() {
                "None" => Ok(Value::None),
                "True" => Ok(Value::Bool(true)),
                "False" => Ok(Value::Bool(false)),
                "len" => {
                    self.expect("(")?;
                    if !self.eat_ident("entries") {
                        return unmappable("len of something else");
                    }
                    self.expect(")")?;
                    Ok(Value::Field(Field::Len(self.feed.items.len())))
                }
                "feed" => self.feed_path(),
                "version" => Ok(Value::Field(Field::Format(self.feed.format))),
                "entries" => self.entry_path(),
                other => unmappable(format!("name {other}")),
            },
            Tok::Punct(p) => unmappable(format!("token {p}")),
        }
    }

    /// The next key of a path: `['key']` or `.key`.
    fn key(&mut self) -> Result<Option<String>> {
        if self.eat(".") {
            return match self.peek().cloned() {
                Some(Tok::Ident(name)) => {
                    self.at += 1;
                    if self.peek() == Some(&Tok::Punct("(")) {
                        return unmappable("a method call");
                    }
                    Ok(Some(name))
                }
                _ => unmappable("bad attribute"),
            };
        }
        if self.peek() == Some(&Tok::Punct("["))
            && let Some(Tok::Str(s)) = self.toks.get(self.at + 1).cloned()
        {
            self.at += 2;
            self.expect("]")?;
            return Ok(Some(s));
        }
        Ok(None)
    }

    fn index(&mut self) -> Result<Option<usize>> {
        if self.peek() == Some(&Tok::Punct("["))
            && let Some(Tok::Int(n)) = self.toks.get(self.at + 1).cloned()
        {
            self.at += 2;
            self.expect("]")?;
            return Ok(usize::try_from(n).ok().or(Some(usize::MAX)));
        }
        Ok(None)
    }

    /// The rest of the path after the field's own key, which must be one of `tail`.
    fn tail(&mut self, allowed: &[&[&str]]) -> Result<()> {
        let mut keys = Vec::new();
        loop {
            if let Some(k) = self.key()? {
                keys.push(k);
            } else if let Some(i) = self.index()? {
                keys.push(i.to_string());
            } else {
                break;
            }
        }
        if allowed.iter().any(|a| a.iter().copied().eq(keys.iter().map(String::as_str))) {
            Ok(())
        } else {
            unmappable(format!("subfield {keys:?}"))
        }
    }

    fn feed_path(&mut self) -> Result<Value> {
        let Some(key) = self.key()? else { return unmappable("feed itself") };
        let feed = self.feed;
        let field = match key.as_str() {
            "title" => Field::Title(Some(feed.title.clone())),
            "title_detail" => {
                self.tail(&[&["value"]])?;
                return Ok(Value::Field(Field::Title(Some(feed.title.clone()))));
            }
            "link" => Field::Link(feed.link.clone()),
            "ttl" => Field::Text(feed.ttl_minutes.map(|t| t.to_string())),
            other => return unmappable(format!("feed field {other}")),
        };
        self.tail(&[&[]])?;
        Ok(Value::Field(field))
    }

    fn entry_path(&mut self) -> Result<Value> {
        let Some(n) = self.index()? else { return unmappable("entries itself") };
        let item = self.feed.items.get(n);
        let Some(key) = self.key()? else { return unmappable("a whole entry") };
        let get = |f: fn(&Item) -> Option<String>| item.and_then(f);
        let field = match key.as_str() {
            "title" => Field::Title(get(|i| i.title.clone())),
            "title_detail" => {
                self.tail(&[&["value"]])?;
                return Ok(Value::Field(Field::Title(get(|i| i.title.clone()))));
            }
            "link" => Field::Link(get(|i| i.link.clone())),
            "id" | "guid" => Field::Link(get(|i| i.id.clone())),
            "author" => Field::Text(get(|i| i.authors.first().cloned())),
            "authors" => {
                let Some(n) = self.index()? else { return unmappable("all authors") };
                self.tail(&[&["name"]])?;
                return Ok(Value::Field(Field::Text(item.and_then(|i| i.authors.get(n).cloned()))));
            }
            "enclosures" => {
                let Some(n) = self.index()? else { return unmappable("all enclosures") };
                let enclosure = item.and_then(|i| i.enclosures.get(n));
                let Some(key) = self.key()? else { return unmappable("a whole enclosure") };
                let field = match key.as_str() {
                    "href" | "url" => Field::Link(enclosure.map(|e| e.url.clone())),
                    "type" => Field::Text(enclosure.and_then(|e| e.mime_type.clone())),
                    "length" => Field::Text(enclosure.and_then(|e| e.length.map(|l| l.to_string()))),
                    other => return unmappable(format!("enclosure field {other}")),
                };
                self.tail(&[&[]])?;
                return Ok(Value::Field(field));
            }
            // feedparser's summary falls back on the content, as the body does.
            "summary" | "description" => Field::Body(get(summary)),
            "summary_detail" | "description_detail" => {
                self.tail(&[&["value"]])?;
                return Ok(Value::Field(Field::Body(get(summary))));
            }
            "content" => {
                self.tail(&[&["0", "value"]])?;
                return Ok(Value::Field(Field::Body(get(|i| i.content_html.clone()))));
            }
            "published_parsed" | "issued_parsed" => Field::Time(item.and_then(|i| i.published)),
            "updated_parsed" | "modified_parsed" => Field::Time(item.and_then(|i| i.updated)),
            other => return unmappable(format!("entry field {other}")),
        };
        self.tail(&[&[]])?;
        Ok(Value::Field(field))
    }
}

fn summary(item: &Item) -> Option<String> {
    item.summary_html.clone().or_else(|| item.content_html.clone())
}

/// Visible text, for comparing bodies: tags, comments, scripts and styles dropped,
/// references decoded, whitespace collapsed.
fn visible(html: &str) -> String {
    collapse_whitespace(&strip_tags(html))
}

fn time_tuple(t: chrono::DateTime<chrono::Utc>) -> Vec<i64> {
    use chrono::{Datelike, Timelike};
    vec![
        t.year() as i64,
        t.month() as i64,
        t.day() as i64,
        t.hour() as i64,
        t.minute() as i64,
        t.second() as i64,
        t.weekday().num_days_from_monday() as i64,
        t.ordinal() as i64,
        0,
    ]
}

fn equals(a: &Value, b: &Value) -> Result<bool> {
    if let (Value::Field(Field::Link(x) | Field::Text(x)), Value::Field(Field::Link(y) | Field::Text(y))) = (a, b) {
        return Ok(x == y);
    }
    let (field, other) = match (a, b) {
        (Value::Field(f), o) | (o, Value::Field(f)) => (f, o),
        _ => return Ok(a == b),
    };
    Ok(match (field, other) {
        (Field::Len(n), Value::Int(m)) => *n as i64 == *m,
        (Field::Title(ours), Value::Str(want)) => ours.as_deref().is_some_and(|ours| {
            let ours = plain_title(ours);
            ours == collapse_whitespace(want) || ours == plain_title(want)
        }),
        (Field::Body(ours), Value::Str(want)) => ours.as_deref().is_some_and(|ours| {
            if ours.trim() == want.trim() {
                return true;
            }
            let same_text = visible(ours) == visible(want) || visible(ours) == collapse_whitespace(want);
            if same_text {
                VISIBLE_ONLY.fetch_add(1, Ordering::Relaxed);
            }
            same_text
        }),
        (Field::Link(ours), Value::Str(want)) => ours.as_deref().is_some_and(|ours| {
            ours == want || matches!((Url::parse(ours), Url::parse(want)), (Ok(a), Ok(b)) if a == b)
        }),
        (Field::Text(ours), Value::Str(want)) => ours.as_deref().is_some_and(|o| o.trim() == want.trim()),
        (Field::Time(ours), Value::Tuple(want)) => {
            let want: Vec<i64> = want
                .iter()
                .map(|v| match v {
                    Value::Int(n) => Ok(*n),
                    _ => unmappable("a tuple of non-integers"),
                })
                .collect::<Result<_>>()?;
            ours.is_some_and(|t| time_tuple(t) == want)
        }
        (Field::Title(ours) | Field::Body(ours) | Field::Link(ours) | Field::Text(ours), Value::None) => ours.is_none(),
        (Field::Time(ours), Value::None) => ours.is_none(),
        (Field::Format(ours), Value::Str(version)) => {
            let family = match version.as_str() {
                "rss090" | "rss091n" | "rss091u" | "rss092" => FeedFormat::Rss09,
                "rss093" | "rss094" | "rss20" | "rss" => FeedFormat::Rss2,
                "rss10" => FeedFormat::Rss1,
                v if v.starts_with("atom") => FeedFormat::Atom,
                v if v.starts_with("json") => FeedFormat::Json,
                "cdf" => FeedFormat::Cdf,
                _ => return unmappable(format!("version {version}")),
            };
            *ours == Some(family)
        }
        (field, other) => return unmappable(format!("compare {field:?} with {other:?}")),
    })
}

/// Evaluates an expectation over feedvault's output: Ok(true/false) when it maps.
pub fn evaluate(expect: &str, feed: &Feed) -> Result<bool> {
    if expect.trim() == "1" {
        // "It does not crash": any result will do.
        return Ok(true);
    }
    let toks = lex(expect)?;
    let mut parser = Parser { toks, at: 0, feed };
    let outcome = parser.or()?;
    if parser.at != parser.toks.len() {
        return unmappable(format!("trailing tokens from {}", parser.at));
    }
    match outcome {
        Outcome::Bool(b) => Ok(b),
        Outcome::Ignored => unmappable("only bozo"),
    }
}

/// Whether an expectation maps at all (evaluated against an empty feed).
pub fn mappable(expect: &str) -> bool {
    evaluate(expect, &Feed::default()).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evaluates_the_common_shapes() {
        let feed = Feed {
            title: "Hello &amp; world".into(),
            items: vec![Item {
                title: Some("<b>T</b>".into()),
                link: Some("http://e.com/".into()),
                published: chrono::DateTime::from_timestamp(1072865695, 0),
                ..Item::default()
            }],
            ..Feed::default()
        };
        let yes = |e: &str| assert!(evaluate(e, &feed).unwrap(), "{e}");
        let no = |e: &str| assert!(!evaluate(e, &feed).unwrap(), "{e}");
        yes("not bozo and feed['title'] == u'Hello & world'");
        yes("entries[0]['title'] == 'T' and entries[0].link == 'http://e.com'");
        yes("entries[0]['published_parsed'] == (2003, 12, 31, 10, 14, 55, 2, 365, 0)");
        yes("len(entries) == 1 and entries[0]['summary'] is None");
        no("feed['title'] == 'Hello ' + 'there'");
        no("(feed['title'] == 'x') and (entries[0]['title'] == 'T')");
        assert!(!mappable("bozo"));
        assert!(!mappable("feed['tagline'] == 'x'"));
    }
}
