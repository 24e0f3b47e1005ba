//! The dated layout's README indexes through the real binary and a file feed: every
//! link resolves, a fetch that brings nothing rewrites nothing, a new item rewrites
//! only its day's, its feed's and the archive's index, `reindex` gives the same
//! bytes again, and the countdown layout gets none.

mod support;

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use feedvault_engine::{CycleOptions, Vault};
use support::{feedvault, new_vault, subscribe};

/// An RSS document whose items are `(guid, title, RFC 2822 date)`.
fn feed(items: &[(&str, &str, &str)]) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>World | News [daily]</title>\
         <link>https://news.example.org/</link>\n",
    );
    for (guid, title, date) in items {
        out.push_str(&format!(
            "<item><guid isPermaLink=\"false\">{guid}</guid><title>{title}</title>\
             <link>https://news.example.org/a/{guid}</link><pubDate>{date}</pubDate>\
             <description>&lt;p&gt;{guid}&lt;/p&gt;</description></item>\n"
        ));
    }
    out.push_str("</channel></rss>\n");
    out
}

const DAY_ONE: &str = "Tue, 20 Sep 2022 10:16:32 +0000";
const DAY_TWO: &str = "Wed, 21 Sep 2022 23:59:00 +0000";
const DAY_THREE: &str = "Fri, 23 Sep 2022 08:05:00 +0000";

/// Every README.md under archive/ (vault-relative) with its bytes and inode.
fn indexes(vault: &Path) -> BTreeMap<String, (Vec<u8>, u64)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![vault.join("archive")];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.file_name().unwrap() == "README.md" {
                let relative = path.strip_prefix(vault).unwrap().to_string_lossy().into_owned();
                out.insert(relative, (fs::read(&path).unwrap(), fs::metadata(&path).unwrap().ino()));
            }
        }
    }
    out
}

/// Checks that every relative link of every index resolves to a file; returns how
/// many links were checked.
fn check_links(vault: &Path) -> usize {
    let mut checked = 0;
    for (path, (bytes, _)) in indexes(vault) {
        let text = String::from_utf8(bytes).unwrap();
        let dir = vault.join(&path).parent().unwrap().to_owned();
        for rest in text.split("](").skip(1) {
            let link = &rest[..rest.find(')').expect("a closed link")];
            if link.starts_with('<') {
                continue;
            }
            assert!(!link.starts_with('/') && !link.contains("://"), "{path}: {link} is not relative");
            assert!(dir.join(link).is_file(), "{path}: {link} does not resolve to a file");
            checked += 1;
        }
    }
    checked
}

/// One fetch cycle through the library, returning the index files it wrote.
fn fetch_returning_indexes(vault: &Path, force: bool) -> Vec<String> {
    let opened = Vault::open(vault).unwrap();
    let mut writer = opened.writer(Duration::ZERO).unwrap();
    let report = writer.fetch(CycleOptions { force }, &AtomicBool::new(false), |_| {}).unwrap();
    report.indexes
}

#[test]
fn readme_indexes_follow_the_archive() {
    let dir = new_vault();
    let vault = dir.path().join("v");
    let source = dir.path().join("news.xml");
    let mut items =
        vec![("a", "First &amp; *bold* [x]", DAY_ONE), ("b", "Second | pipe", DAY_ONE), ("c", "Late", DAY_TWO)];
    fs::write(&source, feed(&items)).unwrap();
    subscribe(&vault, "news", source.to_str().unwrap());
    feedvault(&vault).arg("fetch").assert().success();

    let first = indexes(&vault);
    let paths: Vec<&str> = first.keys().map(String::as_str).collect();
    assert_eq!(
        paths,
        [
            "archive/README.md",
            "archive/news/2022/09/20/README.md",
            "archive/news/2022/09/21/README.md",
            "archive/news/README.md"
        ]
    );
    assert!(check_links(&vault) >= 12, "links to files, days, feeds and back");
    let text = |path: &str| String::from_utf8(first[path].0.clone()).unwrap();
    let day = text("archive/news/2022/09/20/README.md");
    assert!(day.starts_with("# World \\| News \\[daily\\]: 2022-09-20\n"), "{day}");
    assert!(day.contains("- 10:16 [First \\& \\*bold\\* \\[x\\]]("), "{day}");
    assert!(day.contains("- 10:16 [Second \\| pipe]("), "{day}");
    let feed_index = text("archive/news/README.md");
    assert!(feed_index.contains("- [2022-09-21](2022/09/21/README.md): 1 article\n"), "{feed_index}");
    assert!(feed_index.contains("## 2022-09 (3 articles)"), "{feed_index}");
    let archive = text("archive/README.md");
    assert!(archive.contains("| [news](news/README.md) | World \\| News \\[daily\\] | 3 |"), "{archive}");
    feedvault(&vault).arg("verify").assert().success();

    // Nothing new (the same body; then parsed again with --force): nothing rewritten.
    feedvault(&vault).args(["fetch", "--force"]).assert().success();
    assert!(fetch_returning_indexes(&vault, true).is_empty(), "the writer wrote no index");
    assert_eq!(indexes(&vault), first, "same bytes, same files (a rewrite renames a new inode in)");

    // A new item on another day: its day, the feed and the archive only.
    items.push(("d", "Third day", DAY_THREE));
    fs::write(&source, feed(&items)).unwrap();
    let written = fetch_returning_indexes(&vault, true);
    assert_eq!(written, ["archive/README.md", "archive/news/2022/09/23/README.md", "archive/news/README.md"]);
    let second = indexes(&vault);
    for (path, (bytes, inode)) in &second {
        let unchanged = first.get(path) == Some(&(bytes.clone(), *inode));
        assert_eq!(unchanged, !written.contains(path), "{path}");
    }
    check_links(&vault);

    // Deleted, then rebuilt by reindex: the same bytes.
    for path in second.keys() {
        fs::remove_file(vault.join(path)).unwrap();
    }
    feedvault(&vault).arg("reindex").assert().success().stdout(predicates::str::contains("(0 files skipped)"));
    let rebuilt = indexes(&vault);
    let bytes = |m: &BTreeMap<String, (Vec<u8>, u64)>| m.iter().map(|(p, (b, _))| (p.clone(), b.clone())).collect();
    let (rebuilt_bytes, second_bytes): (BTreeMap<String, Vec<u8>>, BTreeMap<String, Vec<u8>>) =
        (bytes(&rebuilt), bytes(&second));
    assert_eq!(rebuilt_bytes, second_bytes);
    feedvault(&vault).arg("verify").assert().success();
}

#[test]
fn the_countdown_layout_gets_no_readme_indexes() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("v");
    feedvault(&vault).args(["init", "--layout", "countdown"]).assert().success();
    let source = dir.path().join("news.xml");
    fs::write(&source, feed(&[("a", "One", DAY_ONE), ("b", "Two", DAY_TWO)])).unwrap();
    subscribe(&vault, "news", source.to_str().unwrap());
    assert!(fetch_returning_indexes(&vault, false).is_empty());
    feedvault(&vault).arg("reindex").assert().success();
    let mut stack = vec![vault.clone()];
    let mut articles = 0;
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            assert_ne!(path.file_name().unwrap(), "README.md", "{}", path.display());
            if path.is_dir() {
                stack.push(path);
            } else if path.starts_with(vault.join("articles")) {
                articles += 1;
            }
        }
    }
    assert_eq!(articles, 2);
    assert!(vault.join("lists").is_dir(), "it has lists instead");
}
