//! The engine under concurrency and crashes, driven through the real binary: edits
//! of feedvault.toml that race, a removal during a fetch that follows a redirect,
//! `kill -9` at random moments, an imported archive adopted by a subscription of
//! another name, a reader in another process, and `verify` checking bytes.

mod support;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use feedvault_engine::{ArticleQuery, Page, Vault};
use predicates::prelude::*;
use support::{Misbehave, Response, Server, archive_files, feedvault, new_vault, rss, subscribe};

fn binary() -> std::path::PathBuf {
    assert_cmd::cargo::cargo_bin("feedvault")
}

/// Every article file (not revisions) with its bytes.
fn article_bytes(vault: &Path) -> BTreeMap<String, Vec<u8>> {
    archive_files(vault)
        .into_iter()
        .filter(|f| f.ends_with(".md") && !f.contains(".revisions/"))
        .map(|f| {
            let bytes = fs::read(vault.join(&f)).unwrap();
            (f, bytes)
        })
        .collect()
}

/// Every README index under archive/ with its bytes.
fn readme_bytes(vault: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else if path.file_name().is_some_and(|n| n == "README.md") {
                out.insert(path.strip_prefix(root).unwrap().display().to_string(), fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(vault, &vault.join("archive"), &mut out);
    out
}

#[test]
fn two_adds_at_once_both_land() {
    let dir = new_vault();
    let vault = dir.path().join("v");
    let feeds: Vec<_> = (0..6)
        .map(|i| {
            let path = dir.path().join(format!("f{i}.xml"));
            fs::write(&path, rss("en", &[("1", "t", "b")])).unwrap();
            path
        })
        .collect();
    let children: Vec<_> = feeds
        .iter()
        .map(|path| {
            Command::new(binary())
                .arg("--vault")
                .arg(&vault)
                .arg("add")
                .arg(path)
                .stdout(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }
    let settings = Vault::open(&vault).unwrap().settings().unwrap();
    let mut names: Vec<&str> = settings.feeds.iter().map(|f| f.name.as_str()).collect();
    names.sort();
    assert_eq!(names, ["f0", "f1", "f2", "f3", "f4", "f5"], "every subscription landed");
}

/// `remove` of one feed while a fetch, which also follows a permanent redirect of
/// another, is running: no panic, nothing under the wrong feed, both edits kept.
#[test]
fn remove_during_a_fetch_that_follows_a_redirect() {
    let server = Server::start();
    let dir = new_vault();
    let vault = dir.path().join("v");
    for name in ["a", "b", "c", "d"] {
        let items = [(name, &*format!("title of {name}"), &*format!("<p>body of {name}</p>"))];
        let body = rss("en", &items).replace("https://news.example.org/a/", &format!("https://{name}.example.org/a/"));
        let response = Response::ok("application/rss+xml", body);
        if name == "c" {
            server.route("/c", Response::status(301).header("Location", "/c-new"));
            server.route("/c-new", Response { misbehave: Misbehave::Delay(1500), ..response });
        } else {
            server.route(&format!("/{name}"), response);
        }
        subscribe(&vault, name, &server.url(&format!("/{name}")));
    }
    let fetch = Command::new(binary())
        .arg("--vault")
        .arg(&vault)
        .arg("fetch")
        .env("NO_PROXY", "*")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The fetch waits for c's slow answer; remove a feed listed before it.
    std::thread::sleep(Duration::from_millis(500));
    feedvault(&vault).args(["remove", "a"]).assert().success();
    let output = fetch.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "fetch: {stderr}");
    assert!(!stderr.contains("internal error"), "{stderr}");
    let settings = Vault::open(&vault).unwrap().settings().unwrap();
    let urls: Vec<(&str, &str)> = settings.feeds.iter().map(|f| (f.name.as_str(), f.url.as_str())).collect();
    let c_new = server.url("/c-new");
    assert_eq!(urls, [("b", &*server.url("/b")), ("c", c_new.as_str()), ("d", &*server.url("/d"))]);
    for file in archive_files(&vault) {
        let feed = file.split('/').nth(1).unwrap();
        let text = fs::read_to_string(vault.join(&file)).unwrap();
        assert!(text.contains(&format!("https://{feed}.example.org/a/{feed}")), "{file} is {feed}'s: {text}");
    }
}

/// Generates `feeds` feed files of `items` items each under `dir`.
fn write_feeds(dir: &Path, feeds: usize, items: usize) -> Vec<std::path::PathBuf> {
    (0..feeds)
        .map(|f| {
            let list: Vec<(String, String, String)> = (0..items)
                .map(|i| (format!("f{f}-{i}"), format!("标题 {f} {i} archive"), format!("<p>正文 {f}-{i} 内容。</p>")))
                .collect();
            let borrowed: Vec<(&str, &str, &str)> =
                list.iter().map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str())).collect();
            let path = dir.join(format!("feed{f}.xml"));
            fs::write(&path, rss("zh", &borrowed)).unwrap();
            path
        })
        .collect()
}

/// A small deterministic generator (xorshift), so the kill moments are seeded.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// `kill -9` at 20 random moments of a 5,000-article fetch: each time a plain
/// fetch and verify afterwards give every article exactly once, byte for byte,
/// recorded and searchable, and the README indexes the reference has, with no
/// manual reindex.
#[test]
fn kill_nine_at_random_moments_heals_on_the_next_fetch() {
    let seed: u64 = std::env::var("FEEDVAULT_KILL_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(20261201);
    println!("kill loop seed {seed} (set FEEDVAULT_KILL_SEED to replay)");
    let mut rng = Rng(seed);
    let work = tempfile::tempdir().unwrap();
    let feeds = write_feeds(work.path(), 10, 500);
    let make_vault = |name: &str| {
        let vault = work.path().join(name);
        feedvault(&vault).arg("init").assert().success();
        for (i, feed) in feeds.iter().enumerate() {
            subscribe(&vault, &format!("feed{i}"), &format!("file://{}", feed.display()));
        }
        vault
    };
    // The reference: one uninterrupted fetch, timed to pick the kill moments.
    let reference = make_vault("reference");
    let started = Instant::now();
    feedvault(&reference).arg("fetch").assert().success();
    let full_run = started.elapsed();
    let expected = article_bytes(&reference);
    assert_eq!(expected.len(), 5000);
    let expected_indexes = readme_bytes(&reference);
    assert!(expected_indexes.len() > 10, "{} README indexes", expected_indexes.len());
    for round in 0..20 {
        let vault = make_vault(&format!("v{round}"));
        let at = Duration::from_millis(rng.next() % (full_run.as_millis() as u64 + 1));
        let mut child = Command::new(binary())
            .arg("--vault")
            .arg(&vault)
            .arg("fetch")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(at);
        let _ = child.kill(); // SIGKILL
        child.wait().unwrap();
        let interrupted = article_bytes(&vault).len();
        feedvault(&vault).arg("fetch").assert().success();
        feedvault(&vault).arg("verify").assert().success();
        let got = article_bytes(&vault);
        assert_eq!(got.len(), 5000, "round {round} (killed at {at:?} with {interrupted} files): every article once");
        assert!(got == expected, "round {round} (killed at {at:?}): the files are byte for byte the reference's");
        let indexes = readme_bytes(&vault);
        assert!(
            indexes == expected_indexes,
            "round {round} (killed at {at:?}): the README indexes are the reference's"
        );
        let total = feedvault(&vault).args(["search", "archive"]).output().unwrap();
        assert!(String::from_utf8_lossy(&total.stdout).contains("5000 results"), "round {round}: all searchable");
        fs::remove_dir_all(&vault).unwrap();
    }
}

/// An archive in the original layout, with Chinese folder names, imported and
/// then subscribed to under another name: the first fetch recognises every item.
#[test]
fn an_imported_archive_is_adopted_by_a_subscription_of_any_name() {
    let server = Server::start();
    let items = [("a-1", "避谈分歧，中俄两国同意深化军事合作", "<p>正文一</p>"), ("a-2", "第二篇", "<p>正文二</p>")];
    server.route("/rss/nytimes.xml", Response::ok("application/rss+xml", rss("zh-CN", &items)));
    // What the original archiver wrote for these items: the same article files.
    let reference = new_vault();
    let reference_vault = reference.path().join("v");
    subscribe(&reference_vault, "nyt", &server.url("/rss/nytimes.xml"));
    feedvault(&reference_vault).arg("fetch").assert().success();
    let old = tempfile::tempdir().unwrap();
    for (i, (_, bytes)) in article_bytes(&reference_vault).into_iter().enumerate() {
        let folder = old.path().join("articles/纽约时报");
        fs::create_dir_all(&folder).unwrap();
        fs::write(folder.join(format!("{}_标题{i}.md", 1_048_575 - i)), bytes).unwrap();
    }
    for mapped in [false, true] {
        let dir = new_vault();
        let vault = dir.path().join("v");
        if mapped {
            let mut text = fs::read_to_string(vault.join("feedvault.toml")).unwrap();
            text.push_str("\n[import]\nfolders = { \"纽约时报\" = \"nyt\" }\n");
            fs::write(vault.join("feedvault.toml"), text).unwrap();
            subscribe(&vault, "nyt", &server.url("/rss/nytimes.xml"));
        }
        feedvault(&vault).arg("import-archive").arg(old.path()).assert().success();
        let before = archive_files(&vault);
        assert_eq!(before.len(), 2, "{before:?}");
        if !mapped {
            // `add` picks its own name from the address.
            feedvault(&vault).args(["add", &server.url("/rss/nytimes.xml")]).assert().success();
        }
        feedvault(&vault)
            .arg("fetch")
            .assert()
            .success()
            .stdout(predicate::str::contains("0 new, 0 revised, 2 unchanged"));
        assert_eq!(archive_files(&vault), before, "mapped={mapped}: nothing archived twice");
        feedvault(&vault).arg("verify").assert().success();
        // The subscription now owns the imported articles.
        let opened = Vault::open(&vault).unwrap();
        let name = opened.settings().unwrap().feeds[0].name.clone();
        let owned = opened.articles(&ArticleQuery { feed: Some(name), ..ArticleQuery::default() }).unwrap();
        assert_eq!(owned.total, 2, "mapped={mapped}");
    }
}

/// A reader opened before a fetch in another process sees what it archived, without
/// reopening: state.db through WAL, the index through its reload on commit.
#[test]
fn a_reader_in_another_process_sees_new_articles() {
    let dir = new_vault();
    let vault = dir.path().join("v");
    let feed = dir.path().join("feed.xml");
    fs::write(&feed, rss("en", &[("1", "Quietly edited", "<p>the archive keeps it</p>")])).unwrap();
    subscribe(&vault, "news", &format!("file://{}", feed.display()));
    let reader = Vault::open(&vault).unwrap();
    let search = |q: &str| {
        reader.search(q, &Default::default(), Default::default(), Default::default()).map(|r| r.total).unwrap_or(0)
    };
    assert_eq!(search("edited"), 0);
    feedvault(&vault).arg("fetch").assert().success();
    assert_eq!(reader.articles(&ArticleQuery::default()).unwrap().total, 1, "state.db is read fresh");
    let deadline = Instant::now() + Duration::from_secs(10);
    while search("edited") == 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(search("edited"), 1, "the index reader reloaded after the other process's commit");
    let feeds = reader.feeds().unwrap();
    assert_eq!((feeds.len(), feeds[0].state.articles), (1, 1));
    let page = reader.articles(&ArticleQuery { page: Page { number: 1, size: 10 }, ..Default::default() }).unwrap();
    let detail = reader.article(&page.items[0].path).unwrap().unwrap();
    assert_eq!(detail.article.title, "Quietly edited");
}

/// `verify` compares every file with the hash recorded when it was archived.
#[test]
fn verify_reports_an_edited_file_and_a_deleted_revision() {
    let dir = new_vault();
    let vault = dir.path().join("v");
    let feed = dir.path().join("feed.xml");
    fs::write(&feed, rss("en", &[("1", "Title", "<p>first version</p>")])).unwrap();
    subscribe(&vault, "news", &format!("file://{}", feed.display()));
    feedvault(&vault).arg("fetch").assert().success();
    fs::write(&feed, rss("en", &[("1", "Title", "<p>second version</p>")])).unwrap();
    feedvault(&vault).args(["fetch", "--force"]).assert().success();
    feedvault(&vault).arg("verify").assert().success();
    let files = archive_files(&vault);
    let article = files.iter().find(|f| !f.contains(".revisions/")).unwrap();
    let revision = files.iter().find(|f| f.contains(".revisions/")).unwrap();
    let edited = fs::read_to_string(vault.join(article)).unwrap().replace("second", "altered");
    fs::write(vault.join(article), edited).unwrap();
    fs::remove_file(vault.join(revision)).unwrap();
    feedvault(&vault)
        .arg("verify")
        .assert()
        .code(1)
        .stdout(predicate::str::contains(format!("{article}: changed since archived")))
        .stdout(predicate::str::contains(format!("{revision}: recorded in state.db but the file is missing")));
}

/// `add` on an address that sends its head and then nothing does not hang:
/// discovery has a total budget (here the vault's 2 s fetch timeout), after which
/// the feed is subscribed as given, with one line saying so.
#[test]
fn add_on_a_silent_address_subscribes_it_as_given() {
    let server = Server::start();
    server.route("/slow", Response::misbehaving(Misbehave::HangAfterHead));
    let dir = new_vault();
    let vault = dir.path().join("v");
    support::set_fetch(&vault, "timeout", "\"2s\"");
    let output = feedvault(&vault).args(["add", &server.url("/slow"), "--name", "slow"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("subscribing to it as given"), "{stderr}");
    let settings = Vault::open(&vault).unwrap().settings().unwrap();
    assert_eq!(settings.feed("slow").map(|f| f.url.as_str()), Some(server.url("/slow").as_str()));
}

/// A feed added from the web is `public_only`: every fetch checks every hop's
/// address, so one that leads to loopback (here, the test server itself, which a
/// redirect or a changed DNS answer could point at) fails and fetches nothing.
#[test]
fn a_public_only_feed_never_reaches_an_internal_address() {
    let server = Server::start();
    server.route("/feed.xml", Response::ok("application/rss+xml", rss("en", &[("1", "t", "<p>b</p>")])));
    let dir = new_vault();
    let vault = dir.path().join("v");
    subscribe(&vault, "open", &server.url("/feed.xml"));
    subscribe(&vault, "guarded", &server.url("/feed.xml"));
    let config = vault.join("feedvault.toml");
    let text = fs::read_to_string(&config).unwrap();
    fs::write(&config, format!("{text}public_only = true\n")).unwrap();
    feedvault(&vault)
        .arg("fetch")
        .assert()
        .success()
        .stdout(predicate::str::contains("open: 1 new"))
        .stdout(predicate::str::contains("guarded: failed (config)"))
        .stderr(predicate::str::contains("added from the web"));
    assert_eq!(server.requests_to("/feed.xml").len(), 1, "the guarded feed never sent a request");
}
