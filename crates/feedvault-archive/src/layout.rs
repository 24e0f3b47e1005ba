//! Where files go in a vault: pure functions from an article to its path.
//!
//! Dated layout (default): `archive/<feed>/<YYYY>/<MM>/<DD>/<article>.md`, the day
//! being T in the vault's time zone. Countdown layout (the original public archive's):
//! `articles/<feed>/<id>.md` with ids counting down from 1048575 so the newest sorts
//! first. Earlier versions of `<article>.md` live in `<article>.revisions/<T-seen>.md`.
//! Paths are relative to the vault, use `/`, and are built only from slugs and
//! numbers, so no path can leave the vault.

use chrono::{DateTime, Datelike, Utc};
use chrono_tz::Tz;

/// How a vault arranges its article files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Layout {
    #[default]
    Dated,
    Countdown,
}

/// The first id of the countdown layout (2^20 - 1).
pub const COUNTDOWN_START: u32 = 1_048_575;

/// The folder of each layout, relative to the vault.
impl Layout {
    pub fn root(self) -> &'static str {
        match self {
            Layout::Dated => "archive",
            Layout::Countdown => "articles",
        }
    }
}

/// `archive/<feed>/<YYYY>/<MM>/<DD>/<slug>.md`.
pub fn dated_path(feed: &str, time: DateTime<Utc>, zone: Tz, slug: &str) -> String {
    let local = time.with_timezone(&zone);
    format!("archive/{feed}/{:04}/{:02}/{:02}/{slug}.md", local.year(), local.month(), local.day())
}

/// `articles/<feed>/<id>.md`.
pub fn countdown_path(feed: &str, id: u32) -> String {
    format!("articles/{feed}/{id}.md")
}

/// `<article>.revisions/<seen_ms>.md` for an article at `article_path`.
pub fn revision_path(article_path: &str, seen_ms: i64) -> String {
    let stem = article_path.strip_suffix(".md").unwrap_or(article_path);
    format!("{stem}.revisions/{seen_ms}.md")
}

/// The identity hash an article file name ends with (`…-<hex>.md` or `<hex>.md`),
/// when it has one.
pub fn key_hash_of(path: &str) -> Option<&str> {
    let name = path.rsplit('/').next()?.strip_suffix(".md")?;
    let hash = name.rsplit('-').next()?;
    (hash.len() >= 8 && hash.len() <= 64 && hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
        .then_some(hash)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn paths() {
        let t = Utc.with_ymd_and_hms(2022, 9, 19, 20, 0, 0).unwrap();
        assert_eq!(dated_path("nyt", t, chrono_tz::UTC, "a-1234abcd"), "archive/nyt/2022/09/19/a-1234abcd.md");
        assert_eq!(
            dated_path("nyt", t, chrono_tz::Asia::Shanghai, "a-1234abcd"),
            "archive/nyt/2022/09/20/a-1234abcd.md",
            "the day is T in the vault's zone"
        );
        assert_eq!(countdown_path("nyt", COUNTDOWN_START), "articles/nyt/1048575.md");
        assert_eq!(
            revision_path("archive/f/2022/09/20/a.md", 1663641422000),
            "archive/f/2022/09/20/a.revisions/1663641422000.md"
        );
    }

    #[test]
    fn key_hashes_from_file_names() {
        assert_eq!(key_hash_of("archive/f/2022/09/20/some-title-1234abcd.md"), Some("1234abcd"));
        assert_eq!(key_hash_of("archive/f/2022/09/20/1234abcd5678ef90.md"), Some("1234abcd5678ef90"));
        assert_eq!(key_hash_of("articles/f/1048575.md"), None, "countdown ids are not hashes");
        assert_eq!(key_hash_of("archive/f/2022/09/20/title-only.md"), None);
    }
}
