//! The article file: one archived article as one plain UTF-8 file.
//!
//! ```text
//! <!--{T}-->
//! [{TITLE}]({URL})
//! ------
//!
//! {BODY}
//! ```
//!
//! followed by one final `\n`. This module is the only place that knows the layout:
//! [`Article::to_file`] writes it, [`Article::from_file`] reads it back, and
//! `to_file(from_file(f)) == f` byte for byte for every file feedvault writes.
//! [`Article::from_item`] applies DESIGN.md's normalizations to a parsed item.

use std::fmt;

use chrono::{DateTime, Utc};
use thiserror::Error;

use crate::{link, model::Item, text};

/// Line 3 of every article file.
const RULE: &str = "------";

/// The time on line 1: milliseconds since the Unix epoch, or, in files written by
/// other tools, whatever was there (`NaN` in the original archive).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ArticleTime {
    Millis(i64),
    /// Not a number; kept verbatim so the file round-trips, and reported.
    Unparsed(String),
}

impl ArticleTime {
    pub fn from_datetime(t: DateTime<Utc>) -> Self {
        ArticleTime::Millis(t.timestamp_millis())
    }

    pub fn millis(&self) -> Option<i64> {
        match self {
            ArticleTime::Millis(ms) => Some(*ms),
            ArticleTime::Unparsed(_) => None,
        }
    }

    pub fn to_datetime(&self) -> Option<DateTime<Utc>> {
        DateTime::from_timestamp_millis(self.millis()?)
    }
}

impl fmt::Display for ArticleTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ArticleTime::Millis(ms) => write!(f, "{ms}"),
            ArticleTime::Unparsed(raw) => f.write_str(raw),
        }
    }
}

/// One archived article, as its file holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Article {
    pub time: ArticleTime,
    /// Plain one-line title, unescaped.
    pub title: String,
    /// The link exactly as line 2 writes it (already serialized for the file).
    pub url: String,
    /// The body exactly as the file holds it.
    pub body: String,
}

/// Why a file is not an article file.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum ArticleError {
    #[error("not UTF-8 text")]
    NotUtf8,
    #[error("line {line}: {problem}")]
    Malformed { line: usize, problem: &'static str },
}

fn malformed(line: usize, problem: &'static str) -> ArticleError {
    ArticleError::Malformed { line, problem }
}

impl Article {
    /// Builds the article for a parsed item, applying every normalization of the
    /// format: T from the item's time or `first_seen`, the plain title, the
    /// serialized link (guid when it is an absolute URL), the one-line body.
    pub fn from_item(item: &Item, first_seen: DateTime<Utc>) -> Self {
        let time = ArticleTime::from_datetime(item.time().unwrap_or(first_seen));
        let title = item.title.as_deref().map(text::plain_title).unwrap_or_default();
        let url = item
            .link
            .as_deref()
            .and_then(|l| link::resolve(l, None))
            .or_else(|| item.id.as_deref().and_then(|id| link::resolve(id, None)))
            .filter(|u| u.has_host())
            .map(|u| link::article_url(u.as_str()))
            .unwrap_or_default();
        let body = text::body_line(item.body_html());
        Article { time, title, url, body }
    }

    /// Serializes the article file.
    pub fn to_file(&self) -> String {
        let mut out = String::with_capacity(self.body.len() + self.title.len() + 64);
        out.push_str("<!--");
        out.push_str(&self.time.to_string());
        out.push_str("-->\n[");
        escape_title_into(&self.title, &mut out);
        out.push_str("](");
        out.push_str(&self.url);
        out.push_str(")\n");
        out.push_str(RULE);
        out.push_str("\n\n");
        out.push_str(&self.body);
        out.push('\n');
        out
    }

    /// Reads an article file. CRLF line endings and a missing final newline are
    /// tolerated; a non-numeric T is kept as [`ArticleTime::Unparsed`].
    pub fn from_file(bytes: &[u8]) -> Result<Self, ArticleError> {
        let text = std::str::from_utf8(bytes).map_err(|_| ArticleError::NotUtf8)?;
        let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
        let crlf = text.split('\n').next().is_some_and(|line| line.ends_with('\r'));
        let mut rest = text;
        let mut next_line = || -> Option<&str> {
            if rest.is_empty() {
                return None;
            }
            let (line, tail) = match rest.find('\n') {
                Some(i) => (&rest[..i], &rest[i + 1..]),
                None => (rest, ""),
            };
            rest = tail;
            Some(line.strip_suffix('\r').unwrap_or(line))
        };
        let line1 = next_line().ok_or(malformed(1, "empty file"))?;
        let time =
            line1.strip_prefix("<!--").and_then(|l| l.strip_suffix("-->")).ok_or(malformed(1, "expected <!--T-->"))?;
        let line2 = next_line().ok_or(malformed(2, "missing title line"))?;
        let (title, url) = split_title_line(line2).ok_or(malformed(2, "expected [TITLE](URL)"))?;
        if next_line() != Some(RULE) {
            return Err(malformed(3, "expected ------"));
        }
        if next_line() != Some("") {
            return Err(malformed(4, "expected an empty line"));
        }
        // The final newline follows the file's line endings (those of line 1): in a
        // file written with LF, a body that ends in CR keeps it (found by fuzzing).
        let body =
            if crlf { rest.strip_suffix("\r\n").or_else(|| rest.strip_suffix('\n')) } else { rest.strip_suffix('\n') };
        let body = body.unwrap_or(rest);
        let time = match time.parse::<i64>() {
            Ok(ms) if ms.to_string() == time => ArticleTime::Millis(ms),
            _ => ArticleTime::Unparsed(time.to_owned()),
        };
        Ok(Article { time, title, url: url.to_owned(), body: body.to_owned() })
    }

    /// The identity-independent content of the article: what a revision changes.
    pub fn content_hash(&self) -> String {
        crate::identity::sha256_hex(&[self.title.as_bytes(), self.body.as_bytes()])
    }
}

fn escape_title_into(title: &str, out: &mut String) {
    for c in title.chars() {
        if matches!(c, '\\' | '[' | ']') {
            out.push('\\');
        }
        out.push(c);
    }
}

/// Splits `[TITLE](URL)` at the first unescaped `](`, unescaping the title. Files of
/// the original archive did not escape brackets; an unescaped `]` not followed by `(`
/// is simply part of the title.
fn split_title_line(line: &str) -> Option<(String, &str)> {
    let inner = line.strip_prefix('[')?.strip_suffix(')')?;
    let mut title = String::new();
    let mut chars = inner.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some((_, e @ ('\\' | '[' | ']'))) => title.push(e),
                Some((_, other)) => {
                    title.push('\\');
                    title.push(other);
                }
                None => title.push('\\'),
            },
            ']' if inner[i + 1..].starts_with('(') => return Some((title, &inner[i + 2..])),
            _ => title.push(c),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    const SEED: &[u8] = include_bytes!("../testdata/seed-article.md");

    fn item(title: &str, link: &str, body: &str) -> Item {
        Item {
            title: Some(title.into()),
            link: Some(link.into()),
            content_html: Some(body.into()),
            published: Some(Utc.with_ymd_and_hms(2022, 9, 20, 2, 37, 2).unwrap()),
            ..Item::default()
        }
    }

    #[test]
    fn seed_round_trips_byte_for_byte() {
        let article = Article::from_file(SEED).unwrap();
        assert_eq!(article.time, ArticleTime::Millis(1663641422000));
        assert_eq!(article.title, "避谈分歧，中俄两国同意深化军事合作");
        assert!(article.url.starts_with("https://cn.nytimes.com/world/20220920/"));
        assert!(article.body.starts_with("<address>IVAN NECHEPURENKO"));
        assert_eq!(article.to_file().as_bytes(), SEED);
    }

    #[test]
    fn seed_body_is_a_fixed_point_of_the_body_rule() {
        let article = Article::from_file(SEED).unwrap();
        assert_eq!(text::body_line(&article.body), article.body);
    }

    #[test]
    fn writes_the_exact_layout() {
        let a = Article::from_item(&item(" Hi\n[there] \\ ", "https://e.com/a b", "<p>x</p>\n"), Utc::now());
        assert_eq!(
            a.to_file(),
            "<!--1663641422000-->\n[Hi \\[there\\] \\\\](https://e.com/a%20b)\n------\n\n<p>x</p>\n"
        );
    }

    #[test]
    fn missing_time_uses_first_seen_and_missing_link_uses_url_guid() {
        let seen = Utc.with_ymd_and_hms(2024, 1, 2, 3, 4, 5).unwrap();
        let mut it = item("t", "", "b");
        it.published = None;
        it.link = None;
        it.id = Some("https://e.com/guid-link".into());
        let a = Article::from_item(&it, seen);
        assert_eq!(a.time, ArticleTime::Millis(seen.timestamp_millis()));
        assert_eq!(a.url, "https://e.com/guid-link");
        it.id = Some("tag:e.com,2024:1".into());
        assert_eq!(Article::from_item(&it, seen).url, "");
        it.id = Some("urn:uuid:1234".into());
        assert_eq!(Article::from_item(&it, seen).url, "", "a URN is not a link");
    }

    #[test]
    fn reading_tolerates_crlf_and_missing_final_newline() {
        let a = Article::from_file(b"<!--5-->\r\n[t](u)\r\n------\r\n\r\nbody").unwrap();
        assert_eq!(
            (a.time, a.title.as_str(), a.url.as_str(), a.body.as_str()),
            (ArticleTime::Millis(5), "t", "u", "body")
        );
        let a = Article::from_file(b"<!--5-->\r\n[t](u)\r\n------\r\n\r\nbody\r\n").unwrap();
        assert_eq!(a.body, "body");
    }

    #[test]
    fn nan_time_is_accepted_and_kept() {
        let file = "<!--NaN-->\n[t](https://e.com/)\n------\n\nb\n";
        let a = Article::from_file(file.as_bytes()).unwrap();
        assert_eq!(a.time, ArticleTime::Unparsed("NaN".into()));
        assert_eq!(a.to_file(), file);
        let padded = Article::from_file(b"<!--007-->\n[t](u)\n------\n\nb\n").unwrap();
        assert_eq!(padded.time, ArticleTime::Unparsed("007".into()), "kept verbatim to round-trip");
    }

    #[test]
    fn unescaped_brackets_of_the_original_archive_are_read() {
        let a = Article::from_file(b"<!--1-->\n[[Live] News](https://e.com/(x))\n------\n\nb\n").unwrap();
        assert_eq!(a.title, "[Live] News");
        assert_eq!(a.url, "https://e.com/(x)");
    }

    #[test]
    fn malformed_files_are_rejected_with_the_line() {
        let cases: [(&[u8], usize); 6] = [
            (b"", 1),
            (b"# heading\n", 1),
            (b"<!--1-->\nno link\n------\n\nb\n", 2),
            (b"<!--1-->\n[t](u)\n-----\n\nb\n", 3),
            (b"<!--1-->\n[t](u)\n------\nbody\n", 4),
            (b"<!--1-->\n[t](u)\n", 3),
        ];
        for (bytes, line) in cases {
            match Article::from_file(bytes) {
                Err(ArticleError::Malformed { line: l, .. }) => {
                    assert_eq!(l, line, "{:?}", String::from_utf8_lossy(bytes))
                }
                other => panic!("{:?}: {other:?}", String::from_utf8_lossy(bytes)),
            }
        }
        assert_eq!(Article::from_file(&[0xff, 0xfe]), Err(ArticleError::NotUtf8));
    }

    #[test]
    fn title_rules() {
        let seen = Utc::now();
        let cases = [
            ("[Update] a\\b", "[\\[Update\\] a\\\\b]"),
            ("<em>Big</em>\nnews &amp; more", "[Big news & more]"),
            ("習近平 軍事合作 🎉", "[習近平 軍事合作 🎉]"),
            ("", "[]"),
        ];
        for (title, want) in cases {
            let file = Article::from_item(&item(title, "https://e.com/", "b"), seen).to_file();
            let line2 = file.lines().nth(1).unwrap();
            assert!(line2.starts_with(want), "{title:?} gave {line2}");
            assert_eq!(Article::from_file(file.as_bytes()).unwrap().to_file(), file);
        }
    }

    #[test]
    fn link_rules() {
        let seen = Utc::now();
        let cases = [
            ("https://e.com/a(b", "https://e.com/a%28b"),
            ("https://e.com/wiki/A_(b)", "https://e.com/wiki/A_(b)"),
            ("https://例子.测试/新闻 1", "https://xn--fsqu00a.xn--0zwm56d/%E6%96%B0%E9%97%BB%201"),
            ("javascript:alert(1)", ""),
            ("relative/only", ""),
        ];
        for (link, want) in cases {
            assert_eq!(Article::from_item(&item("t", link, "b"), seen).url, want, "{link}");
        }
    }

    fn arb_article() -> impl Strategy<Value = Article> {
        let time = prop_oneof![any::<i64>().prop_map(ArticleTime::Millis), Just(ArticleTime::Unparsed("NaN".into())),];
        // Titles and bodies as feedvault produces them: one line, normalized.
        let title = any::<String>().prop_map(|s| text::plain_title(&s));
        let url = "[a-z]{1,8}://[a-z0-9.]{1,12}/[a-zA-Z0-9()%/._-]{0,20}".prop_map(|s| link::article_url(&s));
        let body = any::<String>().prop_map(|s| text::body_line(&s));
        (time, title, url, body).prop_map(|(time, title, url, body)| Article { time, title, url, body })
    }

    proptest! {
        #[test]
        fn write_read_write_is_identity(article in arb_article()) {
            let file = article.to_file();
            let read = Article::from_file(file.as_bytes()).unwrap();
            prop_assert_eq!(&read, &article);
            prop_assert_eq!(read.to_file(), file);
        }

        #[test]
        fn normalized_titles_and_bodies_are_single_lines(raw in any::<String>()) {
            prop_assert!(!text::plain_title(&raw).contains('\n'));
            prop_assert!(!text::body_line(&raw).contains('\n'));
            prop_assert!(!text::body_line(&raw).contains('\r'));
        }
    }
}
