//! The query language.
//!
//! ```text
//! 军事合作 普京            both words (AND is the default)
//! "joint exercises"       a phrase
//! -乌克兰                  exclusion (also -"a phrase")
//! 普京 OR 习近平            either
//! feed:nytimes-cn          only that feed (repeat for several)
//! title:合作               in the title only (also title:"a phrase")
//! after:2022-09-01         published on or after that day (UTC)
//! before:2022-10-01        published before that day (UTC)
//! ```
//!
//! Parsing is separate from the index: [`parse`] gives a [`ParsedQuery`] that
//! `index` turns into a tantivy query. Malformed dates are errors; everything else is
//! read leniently (an unmatched quote runs to the end).

use chrono::{DateTime, NaiveDate, Utc};
use thiserror::Error;

/// A query the user wrote that cannot be understood.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum QueryError {
    #[error("{0:?} is not a date (use YYYY-MM-DD)")]
    BadDate(String),
    #[error("the query has nothing to search for")]
    Empty,
}

/// Filters given beside the query (command-line flags, web form fields).
#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub feed: Option<String>,
    /// Published at or after.
    pub since: Option<DateTime<Utc>>,
    /// Published before.
    pub until: Option<DateTime<Utc>>,
}

/// Where a term must match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    TitleOrBody,
    Title,
}

/// One thing to look for: a word or a phrase (both may analyze to several terms).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Needle {
    pub text: String,
    pub scope: Scope,
}

/// A query, read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedQuery {
    /// Every group must match; a group matches when any of its needles does.
    pub required: Vec<Vec<Needle>>,
    pub excluded: Vec<Needle>,
    pub feeds: Vec<String>,
    pub after: Option<DateTime<Utc>>,
    pub before: Option<DateTime<Utc>>,
}

/// Parses a day (`YYYY-MM-DD`) as midnight UTC.
pub fn parse_day(text: &str) -> Result<DateTime<Utc>, QueryError> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map(|d| d.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc())
        .map_err(|_| QueryError::BadDate(text.to_owned()))
}

/// Splits a query into raw tokens: `"quoted phrases"` (with any prefix such as `-` or
/// `title:` attached) and whitespace-separated words.
fn raw_tokens(query: &str) -> Vec<(String, bool)> {
    let mut tokens = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut was_quoted = false;
    for c in query.chars() {
        match c {
            '"' | '“' | '”' | '「' | '」' => {
                if quoted {
                    tokens.push((std::mem::take(&mut current), true));
                    quoted = false;
                    was_quoted = false;
                } else {
                    quoted = true;
                    was_quoted = true;
                }
            }
            c if c.is_whitespace() && !quoted => {
                if !current.is_empty() {
                    tokens.push((std::mem::take(&mut current), was_quoted));
                }
                was_quoted = false;
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        tokens.push((current, was_quoted));
    }
    tokens
}

/// Reads a query.
pub fn parse(query: &str) -> Result<ParsedQuery, QueryError> {
    let mut parsed = ParsedQuery::default();
    let mut join_next = false;
    for (token, quoted) in raw_tokens(query) {
        if !quoted && token == "OR" {
            join_next = !parsed.required.is_empty();
            continue;
        }
        let (negated, body) = match token.strip_prefix('-') {
            Some(rest) if !rest.is_empty() => (true, rest.to_owned()),
            _ => (false, token.clone()),
        };
        let (scope, text) = match body.split_once(':') {
            Some(("feed", value)) if !negated && !value.is_empty() => {
                parsed.feeds.push(value.to_owned());
                continue;
            }
            Some(("after", value)) if !negated => {
                parsed.after = Some(parse_day(value)?);
                continue;
            }
            Some(("before", value)) if !negated => {
                parsed.before = Some(parse_day(value)?);
                continue;
            }
            Some(("title", value)) if !value.is_empty() => (Scope::Title, value.to_owned()),
            _ => (Scope::TitleOrBody, body),
        };
        if text.trim().is_empty() {
            // `""` or `"  "`: nothing to look for. Ignored, as if it were not there (it
            // would otherwise count as a term that no document can match or fail).
            continue;
        }
        let needle = Needle { text, scope };
        if negated {
            parsed.excluded.push(needle);
        } else if join_next {
            parsed.required.last_mut().expect("a group exists when joining").push(needle);
        } else {
            parsed.required.push(vec![needle]);
        }
        join_next = false;
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn needle(text: &str) -> Needle {
        Needle { text: text.into(), scope: Scope::TitleOrBody }
    }

    #[test]
    fn words_phrases_exclusion_or_and_filters() {
        let q = parse(r#"军事合作 "joint exercises" -乌克兰 普京 OR 习近平 feed:nyt title:合作 after:2022-09-01 before:2022-10-01"#)
            .unwrap();
        assert_eq!(
            q.required,
            vec![
                vec![needle("军事合作")],
                vec![needle("joint exercises")],
                vec![needle("普京"), needle("习近平")],
                vec![Needle { text: "合作".into(), scope: Scope::Title }],
            ]
        );
        assert_eq!(q.excluded, vec![needle("乌克兰")]);
        assert_eq!(q.feeds, vec!["nyt"]);
        assert_eq!(q.after.unwrap().to_rfc3339(), "2022-09-01T00:00:00+00:00");
        assert_eq!(q.before.unwrap().to_rfc3339(), "2022-10-01T00:00:00+00:00");
    }

    #[test]
    fn quoted_with_prefixes_and_lenient_edges() {
        let q = parse(r#"-"bad phrase" title:"good phrase" "unclosed phrase"#).unwrap();
        assert_eq!(q.excluded, vec![needle("bad phrase")]);
        assert_eq!(q.required[0], vec![Needle { text: "good phrase".into(), scope: Scope::Title }]);
        assert_eq!(q.required[1], vec![needle("unclosed phrase")]);
        assert_eq!(parse("OR a").unwrap().required, vec![vec![needle("a")]], "a leading OR is a no-op");
        assert_eq!(parse("a -").unwrap().required, vec![vec![needle("a")], vec![needle("-")]]);
        assert_eq!(parse("“中文引号”").unwrap().required, vec![vec![needle("中文引号")]]);
    }

    #[test]
    fn blank_phrases_are_ignored() {
        // Found by fuzzing: `""` used to be a needle of no text.
        assert_eq!(parse(r#""""#).unwrap(), ParsedQuery::default());
        assert_eq!(parse("\"  \" -\"\t\" title:\" \"").unwrap(), ParsedQuery::default());
        let q = parse(r#"a OR "" b"#).unwrap();
        assert_eq!(q.required, vec![vec![needle("a"), needle("b")]], "a blank phrase is as if absent");
    }

    #[test]
    fn bad_dates_are_errors() {
        assert_eq!(parse("x after:yesterday"), Err(QueryError::BadDate("yesterday".into())));
        assert_eq!(parse_day("2022-02-30"), Err(QueryError::BadDate("2022-02-30".into())));
    }
}
