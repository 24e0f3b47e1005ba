//! The countdown layout's lists, exactly as the original public archive writes them:
//! `lists/<site name>.md` is `<site name>\n------\n\n` followed by one line per
//! article for the first 300 files of `articles/<feed>/` in file-name order (ids
//! count down, so these are the newest), `M-D [<title>](/articles/<feed>/<file>)`,
//! the lines separated by a blank line, and a final blank line. M-D is the
//! article's time in the vault's zone (the original: UTC+8). The title is the one
//! line 2 of the file holds, as written. So an archive that switches from the
//! original archiver to feedvault keeps every list byte for byte and every link to
//! one. Derived data: rewritten after a fetch that brings something new to the
//! feed, after an import, and by `reindex`.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use chrono::{DateTime, Datelike};
use chrono_tz::Tz;

use crate::durable::write_file;
use crate::{ArchiveError, Result, io_error};

/// Articles per list.
pub const LIST_LENGTH: usize = 300;

/// True for a site name that can be a file name in `lists/` (no path separators,
/// no NUL, no leading dot).
pub fn is_safe_site_name(name: &str) -> bool {
    !name.is_empty() && !name.starts_with('.') && !name.contains(['/', '\\', '\0'])
}

/// Rewrites `lists/<site_name>.md` from the files of `articles/<feed>/`; its path
/// relative to the vault.
pub fn write_list(root: &Path, feed: &str, site_name: &str, zone: Tz) -> Result<String> {
    if !is_safe_site_name(site_name) || !is_safe_site_name(feed) {
        return Err(ArchiveError::OutsideVault(root.join("lists").join(site_name)));
    }
    let relative = format!("lists/{site_name}.md");
    let path = root.join(&relative);
    write_file(&path, list_text(root, feed, site_name, zone)?.as_bytes()).map_err(io_error(&path))?;
    Ok(relative)
}

/// The text of a feed's list.
pub fn list_text(root: &Path, feed: &str, site_name: &str, zone: Tz) -> Result<String> {
    let dir = root.join("articles").join(feed);
    let mut names: Vec<String> = match fs::read_dir(&dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok())
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|n| n.ends_with(".md") && !n.starts_with('.'))
            .collect(),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(err) => return Err(io_error(&dir)(err)),
    };
    names.sort();
    let mut text = format!("{site_name}\n------\n\n");
    for name in names.iter().take(LIST_LENGTH) {
        let file = dir.join(name);
        let bytes = fs::read(&file).map_err(io_error(&file))?;
        let Some((time, title)) = head(&bytes) else { continue };
        let _ = write!(text, "{} [{title}](/articles/{feed}/{name})\n\n", month_day(time, zone));
    }
    Ok(text)
}

/// Line 1's time and line 2's title as written (between `[` and the first unescaped
/// `](`), without parsing the body.
fn head(bytes: &[u8]) -> Option<(&str, &str)> {
    let text = std::str::from_utf8(bytes.get(..bytes.len().min(64 * 1024))?)
        .or_else(|e| std::str::from_utf8(&bytes[..e.valid_up_to()]))
        .ok()?;
    let mut lines = text.split('\n');
    let time = lines.next()?.trim_end_matches('\r').strip_prefix("<!--")?.strip_suffix("-->")?;
    let line = lines.next()?.trim_end_matches('\r').strip_prefix('[')?;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        match c {
            '\\' if !escaped => escaped = true,
            ']' if !escaped && line[i + 1..].starts_with('(') => return Some((time, &line[..i])),
            _ => escaped = false,
        }
    }
    None
}

/// `M-D` of a millisecond time in `zone`; `NaN-NaN` when it is not a number, as
/// the original (JavaScript dates) wrote it.
fn month_day(time: &str, zone: Tz) -> String {
    match time.parse::<i64>().ok().and_then(DateTime::from_timestamp_millis) {
        Some(t) => {
            let local = t.with_timezone(&zone);
            format!("{}-{}", local.month(), local.day())
        }
        None => "NaN-NaN".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(dir: &Path, name: &str, time: &str, title: &str) {
        let text = format!("<!--{time}-->\n[{title}](https://e.com/{name})\n------\n\n<p>x</p>\n");
        fs::write(dir.join(name), text).unwrap();
    }

    #[test]
    fn lists_are_the_originals_format() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("articles/nyt");
        fs::create_dir_all(&dir).unwrap();
        // 2022-09-19 20:00 UTC is 9-20 in UTC+8.
        article(&dir, "1048574.md", "1663617600000", "新的 \\[更新\\]");
        article(&dir, "1048575.md", "1663000000000", "Old [draft] title");
        article(&dir, "1048573.md", "NaN", "无日期");
        fs::write(dir.join("notes.txt"), "not an article").unwrap();
        let path = write_list(root.path(), "nyt", "纽约时报中文网", chrono_tz::Asia::Shanghai).unwrap();
        assert_eq!(path, "lists/纽约时报中文网.md");
        let list = fs::read_to_string(root.path().join(&path)).unwrap();
        assert_eq!(
            list,
            "纽约时报中文网\n------\n\n\
             NaN-NaN [无日期](/articles/nyt/1048573.md)\n\n\
             9-20 [新的 \\[更新\\]](/articles/nyt/1048574.md)\n\n\
             9-13 [Old [draft] title](/articles/nyt/1048575.md)\n\n"
        );
        let utc = list_text(root.path(), "nyt", "x", chrono_tz::UTC).unwrap();
        assert!(utc.contains("9-19 [新的"), "dates in the vault's zone: {utc}");
        assert!(write_list(root.path(), "nyt", "../escape", chrono_tz::UTC).is_err());
        assert!(write_list(root.path(), "nyt", ".hidden", chrono_tz::UTC).is_err());
    }

    #[test]
    fn only_the_first_300_files_in_name_order() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("articles/f");
        fs::create_dir_all(&dir).unwrap();
        for id in 0..310 {
            article(&dir, &format!("{}.md", 1_048_575 - id), "1663617600000", &format!("t{id}"));
        }
        let list = list_text(root.path(), "f", "F", chrono_tz::UTC).unwrap();
        assert_eq!(list.matches("](/articles/f/").count(), 300);
        assert!(list.contains("[t309](/articles/f/1048266.md)") && !list.contains("[t9]("), "the lowest ids");
    }
}
