//! The engine's writer heals derived state when it opens: files a crash left
//! unrecorded, journal entries of files that never arrived, a lost or damaged
//! index. Each test makes the damage by hand, then opens a writer and checks that
//! `verify` finds nothing and search finds everything.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use feedvault_engine::{ArticleQuery, CycleOptions, Vault};
use feedvault_search::{Filters, Page, Sort};
use feedvault_store::{SqliteStore, Store};

fn feed(items: usize, word: &str) -> String {
    let mut out = String::from("<rss version=\"2.0\"><channel><title>T</title>");
    for i in 0..items {
        out.push_str(&format!(
            "<item><guid>g{i}</guid><title>{word} {i}</title><link>https://e.example/{i}</link>\
             <pubDate>Tue, 20 Sep 2022 10:16:32 +0800</pubDate><description>&lt;p&gt;body {i}&lt;/p&gt;</description></item>"
        ));
    }
    out.push_str("</channel></rss>");
    out
}

/// A vault subscribed to one local feed of `items` items, fetched once.
fn fetched_vault(items: usize) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("v");
    Vault::init(&root, "dated", "UTC").unwrap();
    let file = dir.path().join("feed.xml");
    fs::write(&file, feed(items, "archived")).unwrap();
    let vault = Vault::open(&root).unwrap();
    vault.subscribe(file.to_str().unwrap(), Some("news"), None, dir.path()).unwrap();
    let mut writer = vault.writer(Duration::ZERO).unwrap();
    let report = writer.fetch(CycleOptions::default(), &AtomicBool::new(false), |_| {}).unwrap();
    assert_eq!(report.results.len(), 1);
    (dir, root)
}

fn assert_sound(root: &Path, articles: u64) {
    let vault = Vault::open(root).unwrap();
    let problems = vault.verify(&mut |_, _| {}).unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(vault.articles(&ArticleQuery::default()).unwrap().total, articles);
    let found = vault.search("archived", &Filters::default(), Page::default(), Sort::Relevance).unwrap();
    assert_eq!(found.total as u64, articles, "every article is searchable");
}

#[test]
fn files_a_crash_left_unrecorded_are_recorded_and_indexed() {
    let (_dir, root) = fetched_vault(30);
    let paths = {
        let mut store = SqliteStore::open(&root.join("state.db")).unwrap();
        let paths = store.article_paths().unwrap();
        // As after a kill between the renames and the state.db transaction: the
        // files are in place, journalled, and not recorded.
        store.replace_articles(&[]).unwrap();
        store.add_pending("news", &paths, 0).unwrap();
        paths
    };
    assert_eq!(paths.len(), 30);
    let vault = Vault::open(&root).unwrap();
    let writer = vault.writer(Duration::ZERO).unwrap();
    assert_eq!((writer.healed().files_recovered, writer.healed().indexed), (30, 30));
    drop(writer);
    assert_sound(&root, 30);
    // The next fetch adopts the recovered rows: nothing new, nothing twice.
    let mut writer = vault.writer(Duration::ZERO).unwrap();
    assert!(writer.healed().is_clean(), "{:?}", writer.healed());
    let report = writer.fetch(CycleOptions { force: true }, &AtomicBool::new(false), |_| {}).unwrap();
    assert_eq!(report.results[0].outcome, feedvault_engine::Outcome::Archived { new: 0, revised: 0, unchanged: 30 });
    drop(writer);
    assert_sound(&root, 30);
}

#[test]
fn journal_entries_of_files_that_never_arrived_are_forgotten() {
    let (_dir, root) = fetched_vault(3);
    {
        let mut store = SqliteStore::open(&root.join("state.db")).unwrap();
        store.add_pending("news", &["archive/news/2022/09/20/never-written-0000aaaa.md".to_owned()], 0).unwrap();
    }
    let writer = Vault::open(&root).unwrap().writer(Duration::ZERO).unwrap();
    assert_eq!((writer.healed().files_recovered, writer.healed().files_forgotten), (0, 1));
    drop(writer);
    let store = SqliteStore::open(&root.join("state.db")).unwrap();
    assert!(store.pending().unwrap().is_empty());
    assert_sound(&root, 3);
}

#[test]
fn a_lost_index_is_refilled_and_a_damaged_one_replaced() {
    let (_dir, root) = fetched_vault(12);
    fs::remove_dir_all(root.join("index")).unwrap();
    let writer = Vault::open(&root).unwrap().writer(Duration::ZERO).unwrap();
    assert_eq!(writer.healed().indexed, 12);
    drop(writer);
    assert_sound(&root, 12);
    fs::write(root.join("index/meta.json"), "{ damaged").unwrap();
    let vault = Vault::open(&root).unwrap();
    assert!(vault.search("archived", &Filters::default(), Page::default(), Sort::Relevance).is_err());
    assert!(vault.verify(&mut |_, _| {}).unwrap().iter().any(|p| p.contains("reindex")));
    let writer = vault.writer(Duration::ZERO).unwrap();
    assert!(writer.healed().index_rebuilt);
    assert_eq!(writer.healed().indexed, 12);
    drop(writer);
    assert_sound(&root, 12);
}

#[test]
fn articles_never_marked_indexed_are_indexed_at_open() {
    let (_dir, root) = fetched_vault(5);
    {
        let mut store = SqliteStore::open(&root.join("state.db")).unwrap();
        store.mark_all_unindexed().unwrap();
        assert_eq!(store.unindexed(0, 100).unwrap().len(), 5);
    }
    let writer = Vault::open(&root).unwrap().writer(Duration::ZERO).unwrap();
    assert_eq!(writer.healed().indexed, 5);
    drop(writer);
    let store = SqliteStore::open(&root.join("state.db")).unwrap();
    assert!(store.unindexed(0, 100).unwrap().is_empty(), "marked after the index commit");
    assert_sound(&root, 5);
}

#[test]
fn files_without_a_recorded_hash_get_one() {
    let (_dir, root) = fetched_vault(2);
    forget_file_hashes(&root.join("state.db"));
    let writer = Vault::open(&root).unwrap().writer(Duration::ZERO).unwrap();
    assert_eq!(writer.healed().hashes_recorded, 2);
    drop(writer);
    let store = SqliteStore::open(&root.join("state.db")).unwrap();
    assert!(store.recorded_files().unwrap().iter().all(|f| f.file_hash.is_some()));
    assert_sound(&root, 2);
}

/// Makes the rows look like those of a vault written before byte hashes were
/// recorded (the rows rebuilt without them).
fn forget_file_hashes(db: &Path) {
    let mut store = SqliteStore::open(db).unwrap();
    let rows: Vec<_> = store
        .article_paths()
        .unwrap()
        .iter()
        .map(|p| store.article_by_path(p).unwrap().unwrap())
        .map(|mut row| {
            row.file_hash = None;
            feedvault_store::Change::Insert(row)
        })
        .collect();
    store.replace_articles(&rows).unwrap();
}
