//! Editing feedvault.toml without losing anyone's edit.
//!
//! [`edit`] takes an OS lock on `.feedvault.toml.lock` (so `add`, `remove`,
//! `import-opml` and a redirect's write-back in a running fetch never interleave),
//! reads the file again under the lock, applies the change with toml_edit (which
//! keeps the user's comments, order and formatting), checks that the result still
//! reads as valid [`Settings`], and writes it atomically. Edits address feeds by
//! name, never by position.

use std::fs::{File, OpenOptions};
use std::path::Path;

use toml_edit::{ArrayOfTables, DocumentMut, Item, Table, value};

use crate::settings::{FILE_NAME, FeedSettings, Settings};
use crate::{EngineError, Result};

/// Reads the settings of the vault at `vault`.
pub fn load(vault: &Path) -> Result<Settings> {
    let path = vault.join(FILE_NAME);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            return Err(EngineError::Usage(format!(
                "{}: no vault here (run `feedvault --vault {} init`)",
                vault.display(),
                vault.display()
            )));
        }
        Err(source) => return Err(EngineError::Io { path, source }),
    };
    Settings::parse(&text, &path.display().to_string())
}

/// One state of feedvault.toml as the file system describes it (size, times,
/// inode), so a reader can tell that the file changed without reading it. An
/// edit by feedvault replaces the file (a new inode); an editor that writes in
/// place changes the size or the times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileStamp {
    len: u64,
    modified: Option<std::time::SystemTime>,
    inode: u64,
    changed: (i64, i64),
}

/// feedvault.toml's stamp, or `None` when it cannot be read.
pub fn stamp(vault: &Path) -> Option<FileStamp> {
    let meta = std::fs::metadata(vault.join(FILE_NAME)).ok()?;
    #[cfg(unix)]
    let (inode, changed) = {
        use std::os::unix::fs::MetadataExt;
        (meta.ino(), (meta.ctime(), meta.ctime_nsec()))
    };
    #[cfg(not(unix))]
    let (inode, changed) = (0, (0, 0));
    Some(FileStamp { len: meta.len(), modified: meta.modified().ok(), inode, changed })
}

/// Held while one process edits feedvault.toml.
struct EditLock {
    _file: File,
}

fn lock(vault: &Path) -> Result<EditLock> {
    let path = vault.join(".feedvault.toml.lock");
    let io = |source| EngineError::Io { path: path.clone(), source };
    let file = OpenOptions::new().read(true).write(true).create(true).truncate(false).open(&path).map_err(io)?;
    // Edits are short: wait for the other editor rather than fail.
    file.lock().map_err(io)?;
    Ok(EditLock { _file: file })
}

/// Applies `change` to feedvault.toml under the edit lock and saves it atomically.
/// `change` sees the file as it is now (re-read under the lock) and the settings it
/// holds; what it returns is passed back.
pub fn edit<T>(vault: &Path, change: impl FnOnce(&mut DocumentMut, &Settings) -> Result<T>) -> Result<T> {
    let _lock = lock(vault)?;
    let path = vault.join(FILE_NAME);
    let settings = load(vault)?;
    let text = std::fs::read_to_string(&path).map_err(|source| EngineError::Io { path: path.clone(), source })?;
    let mut doc: DocumentMut = text.parse().map_err(|e| EngineError::Usage(format!("{}: {e}", path.display())))?;
    let result = change(&mut doc, &settings)?;
    let new_text = doc.to_string();
    if new_text != text {
        Settings::parse(&new_text, &path.display().to_string())?;
        feedvault_archive::durable::write_file(&path, new_text.as_bytes())
            .map_err(|source| EngineError::Io { path: path.clone(), source })?;
    }
    Ok(result)
}

/// Appends a `[[feeds]]` table.
pub fn add_feed(doc: &mut DocumentMut, feed: &FeedSettings) {
    let mut table = Table::new();
    table["name"] = value(&feed.name);
    table["url"] = value(&feed.url);
    if let Some(title) = &feed.title {
        table["title"] = value(title);
    }
    if feed.public_only {
        table["public_only"] = value(true);
    }
    let feeds = doc.entry("feeds").or_insert(Item::ArrayOfTables(ArrayOfTables::new()));
    if let Some(tables) = feeds.as_array_of_tables_mut() {
        tables.push(table);
    }
}

fn position(doc: &DocumentMut, name: &str) -> Option<usize> {
    doc.get("feeds")?.as_array_of_tables()?.iter().position(|t| t.get("name").and_then(Item::as_str) == Some(name))
}

/// Removes the feed named `name`; false when there is none.
pub fn remove_feed(doc: &mut DocumentMut, name: &str) -> bool {
    let Some(index) = position(doc, name) else { return false };
    if let Some(tables) = doc.get_mut("feeds").and_then(Item::as_array_of_tables_mut) {
        tables.remove(index);
    }
    true
}

/// Changes the URL of the feed named `name` (a permanent redirect), keeping
/// everything else as written; false when the feed is no longer there.
pub fn set_feed_url(doc: &mut DocumentMut, name: &str, url: &str) -> bool {
    let Some(index) = position(doc, name) else { return false };
    match doc.get_mut("feeds").and_then(Item::as_array_of_tables_mut).and_then(|t| t.get_mut(index)) {
        Some(table) => {
            table["url"] = value(url);
            true
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::template;
    use feedvault_archive::Layout;

    #[test]
    fn edits_keep_comments_and_formatting() {
        let dir = tempfile::tempdir().unwrap();
        let mut text = template(Layout::Dated, "Asia/Shanghai");
        text.push_str("\n# my favourite\n[[feeds]]\nname   = \"a\"   # spaced\nurl = \"https://a.example/feed\"\n");
        std::fs::write(dir.path().join(FILE_NAME), &text).unwrap();
        let b = FeedSettings { name: "b".into(), url: "https://b.example/".into(), ..FeedSettings::default() };
        edit(dir.path(), |doc, settings| {
            assert_eq!(settings.vault.timezone, chrono_tz::Asia::Shanghai);
            add_feed(doc, &b);
            Ok(())
        })
        .unwrap();
        let saved = std::fs::read_to_string(dir.path().join(FILE_NAME)).unwrap();
        assert!(saved.starts_with(&text), "everything before is kept byte for byte:\n{saved}");
        assert!(edit(dir.path(), |doc, _| Ok(set_feed_url(doc, "a", "https://a.example/new"))).unwrap());
        assert!(!edit(dir.path(), |doc, _| Ok(set_feed_url(doc, "gone", "https://x/"))).unwrap());
        assert_eq!(load(dir.path()).unwrap().feed("a").unwrap().url, "https://a.example/new");
        assert!(edit(dir.path(), |doc, _| Ok(remove_feed(doc, "b"))).unwrap());
        let saved = std::fs::read_to_string(dir.path().join(FILE_NAME)).unwrap();
        assert_eq!(saved, text.replace("https://a.example/feed", "https://a.example/new"));
    }

    #[test]
    fn an_edit_that_breaks_the_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let text = template(Layout::Dated, "UTC");
        std::fs::write(dir.path().join(FILE_NAME), &text).unwrap();
        let bad = FeedSettings { name: "Not A Slug".into(), url: "x".into(), ..FeedSettings::default() };
        assert!(
            edit(dir.path(), |doc, _| {
                add_feed(doc, &bad);
                Ok(())
            })
            .is_err()
        );
        assert_eq!(std::fs::read_to_string(dir.path().join(FILE_NAME)).unwrap(), text, "nothing written");
        let missing = tempfile::tempdir().unwrap();
        assert!(load(missing.path()).unwrap_err().to_string().contains("no vault here"));
    }

    #[test]
    fn concurrent_edits_all_land() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE_NAME), template(Layout::Dated, "UTC")).unwrap();
        let threads: Vec<_> = (0..8)
            .map(|i| {
                let vault = dir.path().to_owned();
                std::thread::spawn(move || {
                    let feed =
                        FeedSettings { name: format!("f{i}"), url: format!("https://e.com/{i}"), ..Default::default() };
                    edit(&vault, |doc, _| {
                        add_feed(doc, &feed);
                        Ok(())
                    })
                    .unwrap();
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        assert_eq!(load(dir.path()).unwrap().feeds.len(), 8, "every edit landed");
    }
}
