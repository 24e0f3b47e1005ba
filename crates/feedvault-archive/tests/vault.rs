//! The archive stage end to end on a real directory and a real state.db: new
//! articles, revisions, unchanged items, crash recovery, rebuild, verify and import.

use std::fs;
use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use feedvault_archive::import::import_archive;
use feedvault_archive::reindex::reindex;
use feedvault_archive::verify::verify;
use feedvault_archive::{Archiver, Layout, VaultLock, VaultSettings};
use feedvault_core::{Article, Item};
use feedvault_store::{SqliteStore, Store};

fn archiver(root: &Path, layout: Layout) -> Archiver<SqliteStore> {
    let store = SqliteStore::open(&root.join("state.db")).unwrap();
    let lock = VaultLock::acquire(root, Duration::ZERO).unwrap();
    Archiver::new(root, store, VaultSettings { layout, zone: chrono_tz::UTC }, lock)
}

fn item(guid: &str, title: &str, body: &str) -> Item {
    Item {
        id: Some(guid.into()),
        title: Some(title.into()),
        link: Some(format!("https://cn.example.org/world/{guid}/")),
        published: Some(Utc.with_ymd_and_hms(2022, 9, 20, 2, 37, 2).unwrap()),
        content_html: Some(body.into()),
        ..Item::default()
    }
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2022, 9, 21, 0, 0, 0).unwrap()
}

fn files_under(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                out.push(path.strip_prefix(root).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    if root.join("archive").exists() {
        walk(root, &root.join("archive"), &mut out);
    }
    out.sort();
    out
}

#[test]
fn new_then_unchanged_then_revised() {
    let dir = tempfile::tempdir().unwrap();
    let mut archiver = archiver(dir.path(), Layout::Dated);
    let items = [item("a-story", "标题", "<p>正文</p>"), item("b-story", "Title", "<p>Body</p>")];
    let report = archiver.archive_items("nyt", &items, now()).unwrap();
    assert_eq!((report.new, report.revised, report.unchanged), (2, 0, 0));
    let files = files_under(dir.path());
    assert_eq!(files.len(), 2);
    assert!(files[0].starts_with("archive/nyt/2022/09/20/a-story-"), "{files:?}");
    let first = fs::read_to_string(dir.path().join(&files[0])).unwrap();
    assert_eq!(Article::from_file(first.as_bytes()).unwrap().title, "标题");

    let report = archiver.archive_items("nyt", &items, now()).unwrap();
    assert_eq!((report.new, report.revised, report.unchanged), (0, 0, 2));
    assert!(report.written.is_empty(), "unchanged items write nothing");

    let edited = [item("a-story", "标题（更新）", "<p>改过的正文</p>")];
    let later = now() + chrono::Duration::hours(1);
    let report = archiver.archive_items("nyt", &edited, later).unwrap();
    assert_eq!((report.new, report.revised), (0, 1));
    let files = files_under(dir.path());
    assert_eq!(files.len(), 3, "{files:?}");
    let revision = files.iter().find(|f| f.contains(".revisions/")).unwrap();
    assert!(revision.ends_with(&format!("{}.md", now().timestamp_millis())), "named by when that version was seen");
    assert_eq!(fs::read_to_string(dir.path().join(revision)).unwrap(), first, "the old version is kept whole");
    let current = fs::read(dir.path().join(&files[0])).unwrap();
    assert_eq!(Article::from_file(&current).unwrap().title, "标题（更新）");
    assert!(verify(dir.path(), &archiver.store().recorded_files().unwrap(), &mut |_, _| {}).unwrap().is_empty());
}

#[test]
fn duplicates_within_one_document_count_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut archiver = archiver(dir.path(), Layout::Dated);
    let items = [item("x", "one", "a"), item("x", "two", "b")];
    let report = archiver.archive_items("f", &items, now()).unwrap();
    assert_eq!(report.new, 1);
    assert_eq!(files_under(dir.path()).len(), 1);
}

#[test]
fn a_file_written_before_a_crash_lost_its_row_is_adopted_not_duplicated() {
    let dir = tempfile::tempdir().unwrap();
    let items = [item("a", "t", "b")];
    {
        let mut archiver = archiver(dir.path(), Layout::Dated);
        archiver.archive_items("f", &items, now()).unwrap();
    }
    // Simulate losing the state commit: the file is there, state.db is not.
    fs::remove_file(dir.path().join("state.db")).unwrap();
    for extra in ["state.db-wal", "state.db-shm"] {
        let _ = fs::remove_file(dir.path().join(extra));
    }
    let mut archiver = archiver(dir.path(), Layout::Dated);
    let report = archiver.archive_items("f", &items, now()).unwrap();
    assert_eq!((report.new, report.written.len()), (1, 0));
    assert_eq!(files_under(dir.path()).len(), 1);
    assert!(verify(dir.path(), &archiver.store().recorded_files().unwrap(), &mut |_, _| {}).unwrap().is_empty());
}

#[test]
fn reindex_rebuilds_state_and_fetch_recognizes_the_articles_again() {
    let dir = tempfile::tempdir().unwrap();
    let mut archiver = archiver(dir.path(), Layout::Dated);
    let items = [item("a", "t", "b"), item("b", "u", "c")];
    archiver.archive_items("f", &items, now()).unwrap();
    archiver.archive_items("f", &[item("a", "t2", "b2")], now() + chrono::Duration::hours(1)).unwrap();
    let before = (archiver.store().article_paths().unwrap(), archiver.store().revision_paths().unwrap());

    let report = reindex(dir.path(), archiver.store_mut()).unwrap();
    assert_eq!((report.articles, report.revisions, report.skipped.len()), (2, 1, 0));
    assert_eq!(before, (archiver.store().article_paths().unwrap(), archiver.store().revision_paths().unwrap()));
    assert!(verify(dir.path(), &archiver.store().recorded_files().unwrap(), &mut |_, _| {}).unwrap().is_empty());

    let report = archiver.archive_items("f", &[item("a", "t2", "b2"), item("b", "u", "c")], now()).unwrap();
    assert_eq!((report.new, report.revised, report.unchanged), (0, 0, 2), "identities recovered from file names");
}

#[test]
fn verify_lists_every_kind_of_problem() {
    let dir = tempfile::tempdir().unwrap();
    let mut archiver = archiver(dir.path(), Layout::Dated);
    let report = archiver.archive_items("f", &[item("a", "t", "b"), item("b", "t", "b")], now()).unwrap();
    let folder = dir.path().join("archive/f/2022/09/20");
    fs::remove_file(dir.path().join(&report.written[0])).unwrap();
    fs::write(folder.join("stray.md"), "not an article").unwrap();
    fs::write(folder.join(".x.md.1.fvtmp"), "partial").unwrap();
    let problems = verify(dir.path(), &archiver.store().recorded_files().unwrap(), &mut |_, _| {}).unwrap();
    let text = problems.join("\n");
    assert!(text.contains("file is missing"), "{text}");
    assert!(text.contains("stray.md: not an article file"), "{text}");
    assert!(text.contains("stray.md: file is not recorded"), "{text}");
    assert!(text.contains("temporary file"), "{text}");
    assert_eq!(problems.len(), 4, "{text}");
}

#[test]
fn import_keeps_files_byte_for_byte_and_fetch_adopts_them() {
    let source = tempfile::tempdir().unwrap();
    let seed =
        fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("../feedvault-core/testdata/seed-article.md")).unwrap();
    let site = source.path().join("articles/纽约时报中文网");
    fs::create_dir_all(&site).unwrap();
    fs::write(site.join("1048570_避谈分歧.md"), &seed).unwrap();
    fs::write(site.join("1048569.md"), "<!--NaN-->\n[no date](https://cn.nytimes.com/x/)\n------\n\n<p>x</p>\n")
        .unwrap();
    fs::write(source.path().join("broken.md"), "# just markdown\n").unwrap();

    let vault = tempfile::tempdir().unwrap();
    let mut archiver = archiver(vault.path(), Layout::Dated);
    let report = import_archive(&mut archiver, source.path(), now(), &Default::default()).unwrap();
    assert_eq!((report.imported, report.skipped.len(), report.undated.len()), (2, 1, 1), "{report:?}");
    assert!(report.skipped[0].contains("broken.md"));
    assert_eq!(report.by_feed.keys().collect::<Vec<_>>(), ["cn-nytimes-com"], "feed from the link's host");
    let imported = archiver.store().article_paths().unwrap();
    let seed_copy = imported.iter().find(|p| p.contains("2022/09/20")).unwrap();
    assert_eq!(fs::read(vault.path().join(seed_copy)).unwrap(), seed, "kept byte for byte");

    let again = import_archive(&mut archiver, source.path(), now(), &Default::default()).unwrap();
    assert_eq!((again.imported, again.already_present), (0, 2));

    // The feed later presents the same article with a guid: it is that article.
    let article = Article::from_file(&seed).unwrap();
    let fetched = Item {
        id: Some("nyt-guid-1".into()),
        title: Some(article.title.clone()),
        link: Some(article.url.clone()),
        content_html: Some(article.body.clone()),
        ..Item::default()
    };
    let report = archiver.archive_items("cn-nytimes-com", &[fetched], now()).unwrap();
    assert_eq!((report.new, report.unchanged), (0, 1));
    assert!(verify(vault.path(), &archiver.store().recorded_files().unwrap(), &mut |_, _| {}).unwrap().is_empty());
}

#[test]
fn countdown_layout_counts_down() {
    let dir = tempfile::tempdir().unwrap();
    let mut archiver = archiver(dir.path(), Layout::Countdown);
    let mut newer = item("newer", "u", "c");
    newer.published = Some(now());
    archiver.archive_items("f", &[newer, item("older", "t", "b")], now()).unwrap();
    let newest = archiver.store().article_by_path("articles/f/1048574.md").unwrap().unwrap();
    assert_eq!(newest.title, "u", "the newest article sorts first");
    assert!(archiver.store().article_by_path("articles/f/1048575.md").unwrap().is_some());
    drop(archiver);
    let mut archiver = self::archiver(dir.path(), Layout::Countdown);
    archiver.archive_items("f", &[item("c", "v", "d")], now()).unwrap();
    assert!(archiver.store().article_paths().unwrap().contains(&"articles/f/1048573.md".to_owned()));
}

#[test]
fn importing_again_after_state_was_lost_records_the_same_files() {
    let source = tempfile::tempdir().unwrap();
    let seed =
        fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("../feedvault-core/testdata/seed-article.md")).unwrap();
    fs::write(source.path().join("seed.md"), &seed).unwrap();
    let vault = tempfile::tempdir().unwrap();
    {
        let mut archiver = archiver(vault.path(), Layout::Dated);
        assert_eq!(import_archive(&mut archiver, source.path(), now(), &Default::default()).unwrap().imported, 1);
    }
    fs::remove_file(vault.path().join("state.db")).unwrap();
    let mut archiver = archiver(vault.path(), Layout::Dated);
    let report = import_archive(&mut archiver, source.path(), now(), &Default::default()).unwrap();
    assert_eq!(report.imported, 1, "recorded again");
    assert_eq!(files_under(vault.path()).len(), 1, "the identical file is adopted, not copied beside itself");
    assert!(verify(vault.path(), &archiver.store().recorded_files().unwrap(), &mut |_, _| {}).unwrap().is_empty());
}

/// A better parser reads the same bytes differently: the same raw bytes are the
/// same article, unchanged, whatever identity or text today's parser reads from them.
#[test]
fn a_parser_fix_never_looks_like_an_edit() {
    let dir = tempfile::tempdir().unwrap();
    let mut archiver = archiver(dir.path(), Layout::Dated);
    let with_raw =
        |guid: &str, title: &str, raw: &str| Item { raw_hash: Some(raw.into()), ..item(guid, title, "<p>x</p>") };
    // Archived by the earlier parser: a relative id and a title it decoded wrongly.
    let before = [with_raw("a-story", "The ; function", "raw-1"), with_raw("b-story", "Other", "raw-2")];
    archiver.archive_items("nyt", &before, now()).unwrap();
    // The fixed parser: the id resolved against the base, the entity decoded.
    let after = [with_raw("https://cn.example.org/a-story", "The α function", "raw-1")];
    let report = archiver.archive_items("nyt", &after, now()).unwrap();
    assert_eq!((report.new, report.revised, report.unchanged), (0, 0, 1), "same bytes: unchanged");
    assert_eq!(files_under(dir.path()).len(), 2, "nothing written");
    // Found again by its new identity from now on; a real edit is still an edit.
    let edited = [with_raw("https://cn.example.org/a-story", "The α function, revised", "raw-3")];
    let report = archiver.archive_items("nyt", &edited, now() + chrono::Duration::hours(1)).unwrap();
    assert_eq!((report.new, report.revised), (0, 1));
    // A vault archived before raw bytes were recorded: an identity spelled
    // differently is still found by link and text.
    let legacy = [Item {
        link: Some("https://cn.example.org/world/b-story/".into()),
        ..item("b-story-v2", "Other", "<p>x</p>")
    }];
    let report = archiver.archive_items("nyt", &legacy, now()).unwrap();
    assert_eq!((report.new, report.unchanged), (0, 1), "same link, same text: the same article");
    assert!(verify(dir.path(), &archiver.store().recorded_files().unwrap(), &mut |_, _| {}).unwrap().is_empty());
}
