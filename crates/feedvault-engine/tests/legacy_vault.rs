//! A vault written by the release before the parser fixes (tests/fixtures/legacy-vault,
//! made by its make.sh with commit 1cc303a), fetched again by today's engine: the
//! parser fixes must not look like edits, nor archive an item twice, and a real edit
//! must still be one. The feeds are served at their fixed URLs
//! (http://legacy.feedvault.test/NAME.xml) through a loopback proxy started here.

use std::collections::HashMap;
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use feedvault_core::{Article, identity::item_key};
use feedvault_engine::{CycleOptions, Outcome, Vault};
use feedvault_feed::ParseOptions;
use feedvault_store::{SqliteStore, Store};

const HOST: &str = "http://legacy.feedvault.test/";

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/legacy-vault")
}

/// The fixture's feeds as the old release fetched them: name → bytes.
fn feeds_v1() -> HashMap<String, Vec<u8>> {
    let mut feeds = HashMap::new();
    for entry in fs::read_dir(fixture().join("feeds")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_str().unwrap().to_owned();
        feeds.insert(name, fs::read(&path).unwrap());
    }
    feeds
}

/// The old text of the one item that gets a real edit, and its edited text.
const EDITED_FEED: &str = "entities";
const EDIT_FROM: &str = "says the draft.";
const EDIT_TO: &str = "says the final report.";

/// Version 2 of a feed: every old item byte for byte, one new item before them,
/// and in [`EDITED_FEED`] one item whose text really changed.
fn v2(name: &str, bytes: &[u8]) -> Vec<u8> {
    let text = std::str::from_utf8(bytes).ok();
    let (marker, new) = if bytes.windows(7).any(|w| w == b"<entry>") {
        (
            &b"<entry>"[..],
            format!(
                "<entry>\n<id>tag:legacy.feedvault.test,2023:{name}-new</id>\n<title>New in {name}</title>\n\
                 <link rel=\"alternate\" href=\"{HOST}new/{name}\"/>\n<issued>2023-10-01T10:00:00Z</issued>\n\
                 <updated>2023-10-01T10:00:00Z</updated>\n<content type=\"text/html\">&lt;p&gt;A new entry&lt;/p&gt;</content>\n</entry>\n"
            ),
        )
    } else {
        (
            &b"<item>"[..],
            format!(
                "<item>\n<guid isPermaLink=\"false\">{name}-new</guid>\n<title>New in {name}</title>\n\
                 <link>{HOST}new/{name}</link>\n<pubDate>Sun, 01 Oct 2023 10:00:00 +0000</pubDate>\n\
                 <description>&lt;p&gt;A new item&lt;/p&gt;</description>\n</item>\n"
            ),
        )
    };
    let at = bytes.windows(marker.len()).position(|w| w == marker).unwrap();
    let mut out = bytes[..at].to_vec();
    out.extend_from_slice(new.as_bytes());
    out.extend_from_slice(&bytes[at..]);
    if name == EDITED_FEED {
        let edited = String::from_utf8(out).unwrap().replace(EDIT_FROM, EDIT_TO);
        assert!(text.is_some_and(|t| t.contains(EDIT_FROM)));
        out = edited.into_bytes();
    }
    out
}

/// A loopback HTTP proxy answering http://legacy.feedvault.test/NAME.xml with the
/// feed of that name; returns its address. Serves until the test process ends.
fn serve(feeds: Arc<Mutex<HashMap<String, Vec<u8>>>>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request = String::new();
            if reader.read_line(&mut request).is_err() {
                continue;
            }
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let target = request.split(' ').nth(1).unwrap_or("");
            let name = target.strip_prefix(HOST).and_then(|p| p.strip_suffix(".xml")).unwrap_or("");
            let body = feeds.lock().unwrap().get(name).cloned();
            let _ = match body {
                Some(body) => {
                    let head = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    );
                    stream.write_all(head.as_bytes()).and_then(|_| stream.write_all(&body))
                }
                None => stream.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"),
            };
        }
    });
    format!("http://{address}")
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// The fixture vault copied to a temporary folder, its feeds' proxy pointed at `proxy`.
fn legacy_vault(proxy: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("vault");
    copy_dir(&fixture().join("vault"), &root);
    let config = root.join("feedvault.toml");
    let text = fs::read_to_string(&config).unwrap();
    let rewritten: String =
        text.lines()
            .map(|line| {
                if line.starts_with("proxy = \"http://127.0.0.1:") {
                    format!("proxy = \"{proxy}\"")
                } else {
                    line.into()
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
    assert_eq!(rewritten.matches(proxy).count(), 7, "every feed goes through the proxy");
    fs::write(&config, rewritten + "\n").unwrap();
    (dir, root)
}

/// Every archived article of the vault: path → (row's raw hash, article file).
fn archived(root: &Path) -> HashMap<String, (Option<String>, Article)> {
    let store = SqliteStore::open(&root.join("state.db")).unwrap();
    let mut out = HashMap::new();
    for path in store.article_paths().unwrap() {
        let row = store.article_by_path(&path).unwrap().unwrap();
        let article = Article::from_file(&fs::read(root.join(&path)).unwrap()).unwrap();
        out.insert(path, (row.raw_hash, article));
    }
    out
}

/// What today's parser reads differently from what the old release archived, item
/// by item: printed (run with --nocapture), and counted so that the fixture keeps
/// exercising the fixes.
#[test]
fn todays_parser_reads_the_fixture_differently() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture().join("vault"), dir.path());
    let store = SqliteStore::open(&dir.path().join("state.db")).unwrap();
    let rows: Vec<_> =
        store.article_paths().unwrap().iter().map(|p| store.article_by_path(p).unwrap().unwrap()).collect();
    assert_eq!(rows.len(), 21);
    assert!(rows.iter().all(|r| r.raw_hash.is_none()), "the old release recorded no raw hashes");
    let (mut other_key, mut other_text, mut other_url) = (0, 0, 0);
    let mut names: Vec<_> = feeds_v1().into_iter().collect();
    names.sort();
    for (name, bytes) in names {
        let options =
            ParseOptions { url: Some(format!("{HOST}{name}.xml").parse().unwrap()), ..ParseOptions::default() };
        let feed = feedvault_feed::parse(&bytes, &options).unwrap();
        for item in &feed.items {
            let key = item_key(item);
            let now = Article::from_item(item, chrono::Utc::now());
            let Some(row) = rows.iter().find(|r| r.feed == name && r.item_key.as_deref() == Some(&key)) else {
                other_key += 1;
                println!("{name}: identity now {key:?}, archived under another (earlier id {:?})", item.earlier_id);
                continue;
            };
            let old = Article::from_file(&fs::read(dir.path().join(&row.path)).unwrap()).unwrap();
            if old.content_hash() != now.content_hash() {
                other_text += 1;
                if old.title != now.title {
                    println!("{name} {key}: title {:?} -> {:?}", old.title, now.title);
                }
                if old.body != now.body {
                    println!("{name} {key}: body {:?} -> {:?}", old.body, now.body);
                }
            }
            if old.url != now.url {
                other_url += 1;
                println!("{name} {key}: url {:?} -> {:?}", old.url, now.url);
            }
        }
    }
    println!("{other_key} identities, {other_text} texts, {other_url} links read differently");
    assert!(other_key >= 2 && other_text >= 6, "the fixture exercises the fixes");
}

fn fetch(root: &Path) -> HashMap<String, Outcome> {
    let vault = Vault::open(root).unwrap();
    let mut writer = vault.writer(Duration::ZERO).unwrap();
    let report = writer.fetch(CycleOptions { force: true }, &AtomicBool::new(false), |_| {}).unwrap();
    report.results.into_iter().map(|r| (r.name, r.outcome)).collect()
}

fn revision_count(root: &Path) -> u64 {
    let store = SqliteStore::open(&root.join("state.db")).unwrap();
    store.revision_paths().unwrap().len() as u64
}

#[test]
fn a_vault_of_the_release_before_the_fixes_gains_no_false_revision_and_no_twin() {
    let v1 = feeds_v1();
    let old_counts: HashMap<&str, usize> = [
        ("atom-relative", 3),
        ("atom03", 2),
        ("chinese", 2),
        ("entities", 4),
        ("fallbacks", 5),
        ("latin1", 2),
        ("relative", 3),
    ]
    .into_iter()
    .collect();
    let served: HashMap<String, Vec<u8>> = v1.iter().map(|(name, bytes)| (name.clone(), v2(name, bytes))).collect();
    let proxy = serve(Arc::new(Mutex::new(served)));
    let (_dir, root) = legacy_vault(&proxy);
    let before = archived(&root);
    assert_eq!(before.len(), 21);
    assert_eq!(revision_count(&root), 0);

    let outcomes = fetch(&root);
    assert_eq!(outcomes.len(), 7);
    for (name, old) in &old_counts {
        let revised = usize::from(*name == EDITED_FEED);
        assert_eq!(
            outcomes[*name],
            Outcome::Archived { new: 1, revised, unchanged: old - revised },
            "{name}: the old items unchanged (but the edited one), the new one archived"
        );
    }
    let after = archived(&root);
    assert_eq!(after.len(), 21 + 7, "no item archived twice");
    assert_eq!(revision_count(&root), 1, "one revision: the real edit");
    for (path, (_, old)) in &before {
        let (raw_hash, now) = &after[path];
        assert!(raw_hash.is_some(), "{path}: its raw hash is recorded");
        if now.body.contains(EDIT_TO) {
            assert!(old.body.contains(EDIT_FROM), "{path}");
        } else {
            assert_eq!(now, old, "{path}: the archived version stays");
        }
    }
    let edited: Vec<_> = after.values().filter(|(_, a)| a.body.contains(EDIT_TO)).collect();
    assert_eq!(edited.len(), 1, "the edited text is archived");
    assert_eq!(edited[0].1.title, "Δ report: the first draft", "read with today's parser");
    for name in old_counts.keys() {
        assert!(after.values().any(|(_, a)| a.title == format!("New in {name}")), "{name}'s new item");
    }

    // The same documents again: nothing changes.
    let outcomes = fetch(&root);
    for (name, old) in &old_counts {
        assert_eq!(outcomes[*name], Outcome::Archived { new: 0, revised: 0, unchanged: old + 1 }, "{name}");
    }
    assert_eq!(archived(&root), after);
    assert_eq!(revision_count(&root), 1);
    let problems = Vault::open(&root).unwrap().verify(&mut |_, _| {}).unwrap();
    assert!(problems.is_empty(), "{problems:?}");
}

/// The tolerance is for rows without a raw hash only, and never for changed letters:
/// a legacy item whose text really changed, beside the entity fix, is a revision.
#[test]
fn a_real_edit_of_a_legacy_item_is_a_revision() {
    let mut served = feeds_v1();
    for (name, bytes) in served.iter_mut() {
        if name == "entities" {
            // The Greek item's text edited: "start" becomes "beginning".
            *bytes =
                String::from_utf8(bytes.clone()).unwrap().replace("for the start", "for the beginning").into_bytes();
        }
        if name == "fallbacks" {
            // The untitled item's body edited: a title appears too (a fallback), but
            // the letters of the body changed.
            *bytes =
                String::from_utf8(bytes.clone()).unwrap().replace("Media body", "Media body, corrected").into_bytes();
        }
    }
    let proxy = serve(Arc::new(Mutex::new(served)));
    let (_dir, root) = legacy_vault(&proxy);
    let outcomes = fetch(&root);
    assert_eq!(outcomes["entities"], Outcome::Archived { new: 0, revised: 1, unchanged: 3 });
    assert_eq!(outcomes["fallbacks"], Outcome::Archived { new: 0, revised: 1, unchanged: 4 });
    assert_eq!(outcomes["latin1"], Outcome::Archived { new: 0, revised: 0, unchanged: 2 });
    assert_eq!(revision_count(&root), 2);
    let after = archived(&root);
    assert!(after.values().any(|(_, a)| a.body.contains("for the beginning") && a.title == "α, β and χ squared"));
    assert!(after.values().any(|(_, a)| a.body.contains("corrected") && a.title == "A title only in media:title"));
}
