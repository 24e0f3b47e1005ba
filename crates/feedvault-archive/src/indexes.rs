//! The dated layout's README indexes, which a git host shows below a folder's file
//! list: `archive/README.md` (the feeds, totals, the latest days),
//! `archive/<feed>/README.md` (the feed's months and days, newest first) and
//! `archive/<feed>/<YYYY>/<MM>/<DD>/README.md` (the day's articles with their times
//! in the vault's zone). Every link is relative and resolves to a file in the vault.
//! The day of an article is the day folder of its path (a path never moves), read
//! from state.db with range queries on the path index. Derived data, deterministic
//! (the same records give the same bytes) and written only where the bytes change;
//! after a fetch only the days that got new or revised articles, their feeds and
//! the archive's index are regenerated, and `reindex` regenerates them all. The
//! countdown layout has [`crate::lists`] instead.

pub mod markdown;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use chrono::{DateTime, Datelike, Timelike};
use chrono_tz::Tz;
use feedvault_store::{ArticleRow, Store};

use crate::durable::Batch;
use crate::{Result, io_error};
use markdown::{encode_path, escape_text, link_text, url_destination};

/// The file name of an index.
pub const INDEX_NAME: &str = "README.md";

/// Days listed under "Latest days" in `archive/README.md`.
pub const LATEST_DAYS: usize = 30;

/// What the vault's settings say of a feed folder (both optional: a folder may
/// hold articles of a feed no longer subscribed).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedInfo {
    pub title: Option<String>,
    pub url: Option<String>,
}

/// Which indexes to regenerate.
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    /// Every index of the archive.
    All,
    /// The days of these article paths (new or revised), their feeds and the archive's.
    Changed(&'a [String]),
}

/// True for the vault-relative path of an index file: `archive/README.md`,
/// `archive/<feed>/README.md` or `archive/<feed>/<YYYY>/<MM>/<DD>/README.md`.
/// Scans of the archive skip these by name and place: they are not articles.
pub fn is_index_file(path: &str) -> bool {
    let Some(rest) = path.strip_prefix("archive/") else { return false };
    let parts: Vec<&str> = rest.split('/').collect();
    match parts.as_slice() {
        [INDEX_NAME] => true,
        [feed, INDEX_NAME] => !feed.is_empty(),
        [feed, year, month, day, INDEX_NAME] => !feed.is_empty() && is_day(year, month, day),
        _ => false,
    }
}

fn is_day(year: &str, month: &str, day: &str) -> bool {
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    digits(year, 4) && digits(month, 2) && digits(day, 2)
}

/// The feed folder and day (`YYYY/MM/DD`) of a dated article path.
pub fn day_of(path: &str) -> Option<(&str, &str)> {
    let rest = path.strip_prefix("archive/")?;
    let (feed, rest) = rest.split_once('/')?;
    let (day, file) = (rest.get(..10)?, rest.get(11..)?);
    let mut parts = day.split('/');
    let ok = matches!((parts.next(), parts.next(), parts.next()), (Some(y), Some(m), Some(d)) if is_day(y, m, d));
    (ok && !feed.is_empty() && rest.as_bytes()[10] == b'/' && !file.is_empty() && !file.contains('/'))
        .then_some((feed, day))
}

/// Regenerates the indexes of `scope` under `root` from the records of `store`,
/// `feeds` giving the title and URL of each feed folder, times shown in `zone`.
/// Returns the vault-relative paths of the index files written (those whose bytes
/// changed), sorted; an index whose bytes would not change is not touched.
pub fn write_indexes<S: Store>(
    root: &Path,
    store: &S,
    feeds: &BTreeMap<String, FeedInfo>,
    zone: Tz,
    scope: Scope<'_>,
) -> Result<Vec<String>> {
    let folders = store.folders_under("archive/")?;
    let mut all_days: BTreeMap<String, Vec<(String, u64)>> = BTreeMap::new();
    for folder in &folders {
        let days = store.article_days(&format!("archive/{folder}/"))?;
        if !days.is_empty() {
            all_days.insert(folder.clone(), days);
        }
    }
    // (feed, day) of each day index to write, and the feeds they belong to.
    let wanted: BTreeSet<(String, String)> = match scope {
        Scope::All => {
            all_days.iter().flat_map(|(feed, days)| days.iter().map(|(day, _)| (feed.clone(), day.clone()))).collect()
        }
        Scope::Changed(paths) => {
            paths.iter().filter_map(|p| day_of(p)).map(|(feed, day)| (feed.to_owned(), day.to_owned())).collect()
        }
    };
    if wanted.is_empty() && matches!(scope, Scope::Changed(_)) {
        return Ok(Vec::new());
    }
    let mut files: Vec<(String, String)> = Vec::new();
    for (feed, day) in &wanted {
        let articles = store.articles_in_folder(&format!("archive/{feed}/{day}/"))?;
        if articles.is_empty() {
            continue;
        }
        let title = feed_title(feed, feeds);
        files.push((format!("archive/{feed}/{day}/{INDEX_NAME}"), day_text(feed, &title, day, &articles, zone)));
    }
    let changed_feeds: BTreeSet<&String> = wanted.iter().map(|(feed, _)| feed).collect();
    for feed in changed_feeds {
        if let Some(days) = all_days.get(feed) {
            let info = feeds.get(feed).cloned().unwrap_or_default();
            files.push((format!("archive/{feed}/{INDEX_NAME}"), feed_text(feed, &info, days)));
        }
    }
    let summaries: Vec<FeedSummary<'_>> =
        all_days.iter().map(|(folder, days)| FeedSummary { folder, title: feed_title(folder, feeds), days }).collect();
    files.push((format!("archive/{INDEX_NAME}"), archive_text(&summaries)));
    write_changed(root, files)
}

/// Stages every file whose bytes differ from what is on disk and commits them in
/// one durable batch.
fn write_changed(root: &Path, files: Vec<(String, String)>) -> Result<Vec<String>> {
    let mut batch = Batch::new(root);
    let mut written = Vec::new();
    for (path, text) in files {
        let full = root.join(&path);
        match fs::read(&full) {
            Ok(bytes) if bytes == text.as_bytes() => continue,
            Ok(_) => {}
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
            Err(err) => return Err(io_error(&full)(err)),
        }
        batch.stage(&full, text.as_bytes()).map_err(io_error(&full))?;
        written.push(path);
    }
    batch.commit().map_err(io_error(root))?;
    written.sort();
    Ok(written)
}

fn feed_title(folder: &str, feeds: &BTreeMap<String, FeedInfo>) -> String {
    feeds
        .get(folder)
        .and_then(|f| f.title.as_deref())
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .unwrap_or(folder)
        .to_owned()
}

/// `1 article`, `N articles`.
fn count(n: u64) -> String {
    if n == 1 { "1 article".to_owned() } else { format!("{n} articles") }
}

/// `YYYY-MM-DD` of a `YYYY/MM/DD` day folder.
fn date(day: &str) -> String {
    day.replace('/', "-")
}

/// The text of a day's index: its articles newest first (undated last, then by
/// file name), each with its time in `zone` (with the date when T falls on
/// another day than the folder's), its title linked to its file, and its revisions.
pub fn day_text(feed: &str, title: &str, day: &str, articles: &[ArticleRow], zone: Tz) -> String {
    let mut sorted: Vec<&ArticleRow> = articles.iter().collect();
    sorted.sort_by(|a, b| b.time_ms.cmp(&a.time_ms).then_with(|| a.path.cmp(&b.path)));
    let mut text = format!(
        "# {}: {}\n\n[{}](../../../{INDEX_NAME}) · [archive](../../../../{INDEX_NAME}) · {}\n\n",
        escape_text(title),
        date(day),
        link_text(feed, "feed"),
        count(articles.len() as u64),
    );
    for article in sorted {
        let file = article.path.rsplit('/').next().unwrap_or(&article.path);
        let _ = write!(
            text,
            "- {} [{}]({})",
            time_of(article.time_ms, day, zone),
            link_text(&article.title, "(no title)"),
            encode_path(file)
        );
        match article.revisions {
            0 => {}
            1 => text.push_str(" (1 revision)"),
            n => {
                let _ = write!(text, " ({n} revisions)");
            }
        }
        text.push('\n');
    }
    text
}

/// `HH:MM` of a millisecond time in `zone`, `YYYY-MM-DD HH:MM` when that is not
/// `day`, `--:--` without a time.
fn time_of(time_ms: Option<i64>, day: &str, zone: Tz) -> String {
    let Some(local) = time_ms.and_then(DateTime::from_timestamp_millis).map(|t| t.with_timezone(&zone)) else {
        return "--:--".to_owned();
    };
    let local_day = format!("{:04}/{:02}/{:02}", local.year(), local.month(), local.day());
    let time = format!("{:02}:{:02}", local.hour(), local.minute());
    if local_day == day { time } else { format!("{} {time}", date(&local_day)) }
}

/// The text of a feed's index: title, URL, totals, then per month (newest first)
/// its days (newest first), each linked to its day index with its count.
pub fn feed_text(folder: &str, info: &FeedInfo, days: &[(String, u64)]) -> String {
    let title = info.title.as_deref().map(str::trim).filter(|t| !t.is_empty()).unwrap_or(folder);
    let mut text = format!("# {}\n\n", escape_text(title));
    if let Some(url) = info.url.as_deref() {
        let shown = escape_text(url);
        if url.starts_with("https://") || url.starts_with("http://") {
            let _ = write!(text, "Feed: [{shown}]({})\n\n", url_destination(url));
        } else {
            let _ = write!(text, "Feed: {shown}\n\n");
        }
    }
    let total: u64 = days.iter().map(|(_, n)| n).sum();
    let _ = write!(text, "[archive](../{INDEX_NAME}) · {}", count(total));
    match (days.first(), days.last()) {
        (Some((first, _)), Some((last, _))) if first != last => {
            let _ = write!(text, " · {} days, {} to {}", days.len(), date(first), date(last));
        }
        (Some((day, _)), _) => {
            let _ = write!(text, " · 1 day, {}", date(day));
        }
        _ => {}
    }
    text.push('\n');
    let newest_first: Vec<&(String, u64)> = days.iter().rev().collect();
    for month in newest_first.chunk_by(|a, b| a.0.get(..7) == b.0.get(..7)) {
        let name = month[0].0.get(..7).unwrap_or_default();
        let in_month: u64 = month.iter().map(|(_, n)| n).sum();
        let _ = write!(text, "\n## {} ({})\n\n", date(name), count(in_month));
        for (day, n) in month {
            let _ = writeln!(text, "- [{}]({}/{INDEX_NAME}): {}", date(day), encode_path(day), count(*n));
        }
    }
    text
}

/// What `archive/README.md` shows of one feed folder.
pub struct FeedSummary<'a> {
    pub folder: &'a str,
    pub title: String,
    /// (`YYYY/MM/DD`, articles), by day.
    pub days: &'a [(String, u64)],
}

/// The text of the archive's index: totals, a table of the feeds (by folder name)
/// and the latest days that have articles, each with the day indexes of its feeds.
pub fn archive_text(feeds: &[FeedSummary<'_>]) -> String {
    let total: u64 = feeds.iter().flat_map(|f| f.days.iter().map(|(_, n)| n)).sum();
    let latest = feeds.iter().filter_map(|f| f.days.last()).map(|(d, _)| d).max();
    let feed_count = if feeds.len() == 1 { "1 feed".to_owned() } else { format!("{} feeds", feeds.len()) };
    let mut text = format!("# Archive\n\n{feed_count} · {}", count(total));
    if let Some(latest) = latest {
        let _ = write!(text, " · latest day {}", date(latest));
    }
    text.push_str("\n\n| feed | title | articles | latest day |\n| --- | --- | ---: | --- |\n");
    for feed in feeds {
        let folder = encode_path(feed.folder);
        let articles: u64 = feed.days.iter().map(|(_, n)| n).sum();
        let last = feed.days.last().map(|(day, _)| day.as_str()).unwrap_or_default();
        let _ = writeln!(
            text,
            "| [{}]({folder}/{INDEX_NAME}) | {} | {articles} | [{}]({folder}/{}/{INDEX_NAME}) |",
            link_text(feed.folder, "feed"),
            escape_text(&feed.title),
            date(last),
            encode_path(last),
        );
    }
    // The latest days across feeds: day -> (feed, count), feeds in folder order.
    let mut by_day: BTreeMap<&str, Vec<(&str, u64)>> = BTreeMap::new();
    for feed in feeds {
        for (day, n) in feed.days.iter().rev().take(LATEST_DAYS) {
            by_day.entry(day.as_str()).or_default().push((feed.folder, *n));
        }
    }
    if !by_day.is_empty() {
        text.push_str("\n## Latest days\n\n");
    }
    for (day, day_feeds) in by_day.iter().rev().take(LATEST_DAYS) {
        let all: u64 = day_feeds.iter().map(|(_, n)| n).sum();
        let _ = write!(text, "- {} ({}):", date(day), count(all));
        for (i, (folder, n)) in day_feeds.iter().enumerate() {
            let separator = if i == 0 { " " } else { " · " };
            let link = format!("{}/{}/{INDEX_NAME}", encode_path(folder), encode_path(day));
            let _ = write!(text, "{separator}[{}]({link}) {n}", link_text(folder, "feed"));
        }
        text.push('\n');
    }
    text
}

#[cfg(test)]
mod tests;
