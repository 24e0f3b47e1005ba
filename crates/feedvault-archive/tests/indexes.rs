//! The dated layout's README indexes on a real directory and a real state.db:
//! written where the bytes change only, incremental after new and revised
//! articles, every link resolving to a file, and never taken for articles by
//! reindex, verify or import.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use feedvault_archive::import::import_archive;
use feedvault_archive::indexes::{FeedInfo, Scope, write_indexes};
use feedvault_archive::reindex::reindex;
use feedvault_archive::verify::verify;
use feedvault_archive::{Archiver, Layout, VaultLock, VaultSettings};
use feedvault_core::Item;
use feedvault_store::{SqliteStore, Store};

fn archiver(root: &Path) -> Archiver<SqliteStore> {
    let store = SqliteStore::open(&root.join("state.db")).unwrap();
    let lock = VaultLock::acquire(root, Duration::ZERO).unwrap();
    Archiver::new(root, store, VaultSettings { layout: Layout::Dated, zone: chrono_tz::UTC }, lock)
}

fn item(guid: &str, title: &str, day: u32) -> Item {
    Item {
        id: Some(guid.into()),
        title: Some(title.into()),
        link: Some(format!("https://e.example.org/{guid}")),
        published: Some(Utc.with_ymd_and_hms(2022, 9, day, 10, 16, 0).unwrap()),
        content_html: Some(format!("<p>{guid}</p>")),
        ..Item::default()
    }
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2022, 9, 30, 0, 0, 0).unwrap()
}

fn feeds() -> BTreeMap<String, FeedInfo> {
    let info = FeedInfo { title: Some("News [daily]".into()), url: Some("https://e.example.org/feed".into()) };
    BTreeMap::from([("f".to_owned(), info)])
}

fn write<S: Store>(root: &Path, store: &S, scope: Scope<'_>) -> Vec<String> {
    write_indexes(root, store, &feeds(), chrono_tz::UTC, scope).unwrap()
}

/// Every relative link of every README under `archive/` resolves to a file.
fn assert_links_resolve(root: &Path) -> usize {
    let mut checked = 0;
    let mut stack = vec![root.join("archive")];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.file_name().unwrap() == "README.md" {
                let text = fs::read_to_string(&path).unwrap();
                for link in text.split("](").skip(1).map(|rest| &rest[..rest.find(')').unwrap()]) {
                    if link.starts_with('<') {
                        continue; // an absolute URL
                    }
                    let target = dir.join(percent_decode(link));
                    assert!(target.is_file(), "{}: {link} does not resolve", path.display());
                    checked += 1;
                }
            }
        }
    }
    checked
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            out.push(u8::from_str_radix(&text[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

#[test]
fn indexes_are_written_once_and_then_only_where_something_changed() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let mut archiver = archiver(root);
    archiver.archive_items("f", &[item("a", "First | one", 20), item("b", "Second", 21)], now()).unwrap();

    let written = write(root, archiver.store(), Scope::All);
    assert_eq!(
        written,
        [
            "archive/README.md",
            "archive/f/2022/09/20/README.md",
            "archive/f/2022/09/21/README.md",
            "archive/f/README.md"
        ]
    );
    assert!(assert_links_resolve(root) >= 10);
    let day = fs::read_to_string(root.join("archive/f/2022/09/20/README.md")).unwrap();
    assert!(day.starts_with("# News \\[daily\\]: 2022-09-20\n"), "{day}");
    assert!(day.contains("- 10:16 [First \\| one]("), "{day}");
    let snapshot: Vec<Vec<u8>> = written.iter().map(|p| fs::read(root.join(p)).unwrap()).collect();
    let mtimes: Vec<_> = written.iter().map(|p| fs::metadata(root.join(p)).unwrap().modified().unwrap()).collect();

    assert!(write(root, archiver.store(), Scope::All).is_empty(), "nothing changed, nothing written");
    let report = archiver.archive_items("f", &[item("a", "First | one", 20), item("b", "Second", 21)], now()).unwrap();
    assert!(write(root, archiver.store(), Scope::Changed(&report.written)).is_empty());
    let after: Vec<_> = written.iter().map(|p| fs::metadata(root.join(p)).unwrap().modified().unwrap()).collect();
    assert_eq!(mtimes, after, "no file was touched");

    // A new article on another day: that day, the feed and the archive.
    let report = archiver.archive_items("f", &[item("c", "Third", 25)], now()).unwrap();
    assert_eq!(
        write(root, archiver.store(), Scope::Changed(&report.written)),
        ["archive/README.md", "archive/f/2022/09/25/README.md", "archive/f/README.md"]
    );
    assert_eq!(fs::read(root.join("archive/f/2022/09/20/README.md")).unwrap(), snapshot[1], "other days untouched");

    // A revision: its day's index says so, and the counts do not change.
    let report = archiver.archive_items("f", &[item("a", "First, revised", 20)], now()).unwrap();
    assert_eq!(report.revised, 1);
    let rewritten = write(root, archiver.store(), Scope::Changed(&report.written));
    assert_eq!(rewritten, ["archive/f/2022/09/20/README.md"], "the feed's and the archive's bytes are the same");
    let day = fs::read_to_string(root.join("archive/f/2022/09/20/README.md")).unwrap();
    assert!(day.contains("[First, revised](") && day.contains("(1 revision)"), "{day}");
    assert_links_resolve(root);

    // Rebuilt from nothing: the same bytes.
    let all: Vec<String> = write(root, archiver.store(), Scope::All);
    assert!(all.is_empty());
    let before: Vec<Vec<u8>> = index_files(root).iter().map(|p| fs::read(root.join(p)).unwrap()).collect();
    for path in index_files(root) {
        fs::remove_file(root.join(path)).unwrap();
    }
    assert_eq!(write(root, archiver.store(), Scope::All).len(), 5);
    let again: Vec<Vec<u8>> = index_files(root).iter().map(|p| fs::read(root.join(p)).unwrap()).collect();
    assert_eq!(before, again);
}

fn index_files(root: &Path) -> Vec<String> {
    let mut out = vec!["archive/README.md".to_owned(), "archive/f/README.md".to_owned()];
    for day in ["20", "21", "25"] {
        out.push(format!("archive/f/2022/09/{day}/README.md"));
    }
    out.into_iter().filter(|p| root.join(p).exists()).collect()
}

#[test]
fn reindex_verify_and_import_ignore_the_indexes() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let mut archiver = archiver(root);
    archiver.archive_items("f", &[item("a", "A", 20), item("b", "B", 21)], now()).unwrap();
    archiver.archive_items("f", &[item("a", "A2", 20)], now()).unwrap();
    assert_eq!(write(root, archiver.store(), Scope::All).len(), 4);
    // Not at an index's place: still a file verify reports.
    fs::write(root.join("archive/f/2022/README.md"), "# notes\n").unwrap();

    let problems = verify(root, &archiver.store().recorded_files().unwrap(), &mut |_, _| {}).unwrap();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems.iter().all(|p| p.starts_with("archive/f/2022/README.md:")), "{problems:?}");
    fs::remove_file(root.join("archive/f/2022/README.md")).unwrap();
    assert!(verify(root, &archiver.store().recorded_files().unwrap(), &mut |_, _| {}).unwrap().is_empty());

    let report = reindex(root, archiver.store_mut()).unwrap();
    assert_eq!((report.articles, report.revisions), (2, 1));
    assert!(report.skipped.is_empty(), "{:?}", report.skipped);
    assert!(write(root, archiver.store(), Scope::All).is_empty(), "the rebuilt records give the same indexes");

    let other = tempfile::tempdir().unwrap();
    let mut importer = self::archiver(other.path());
    for source in [root.to_owned(), root.join("archive")] {
        let report = import_archive(&mut importer, &source, now(), &Default::default()).unwrap();
        assert!(report.skipped.is_empty(), "{:?}", report.skipped);
        assert_eq!(report.imported + report.already_present, 2, "{report:?}");
    }
}
