//! `feedvault fetch` end to end against a loopback HTTP server and local files:
//! archiving, conditional requests, revisions, compression, charsets, failures that
//! do not stop the other feeds, the vault lock, and crash safety.

mod support;

use std::fs;
use std::io::Write;
use std::path::Path;
use std::time::Duration;

use predicates::prelude::*;
use support::{Response, Server, archive_files, feedvault, new_vault, rss, set_fetch};

fn add(vault: &Path, url: &str, name: &str) {
    support::subscribe(vault, name, url);
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn brotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut writer = brotli::CompressorWriter::new(&mut out, 4096, 5, 22);
    writer.write_all(bytes).unwrap();
    drop(writer);
    out
}

#[test]
fn archives_then_writes_nothing_then_keeps_revisions() {
    let server = Server::start();
    let feed = rss("zh-CN", &[("1", "中俄军事合作", "<p>正文一</p>"), ("2", "Second", "<p>two\nlines</p>")]);
    server.route("/feed.xml", Response::ok("application/rss+xml", feed.clone()).header("ETag", "\"v1\""));
    let dir = new_vault();
    let vault = dir.path().join("v");
    set_fetch(&vault, "min_interval", "\"0s\"");
    set_fetch(&vault, "max_interval", "\"0s\"");
    add(&vault, &server.url("/feed.xml"), "news");

    feedvault(&vault).arg("fetch").assert().success().stdout(predicate::str::contains("news: 2 new, 0 revised"));
    let files = archive_files(&vault);
    assert_eq!(files.len(), 2, "{files:?}");
    let snapshot: Vec<Vec<u8>> = files.iter().map(|f| fs::read(vault.join(f)).unwrap()).collect();

    // Second run: a conditional request, answered 304; nothing written.
    feedvault(&vault).arg("fetch").assert().success().stdout(predicate::str::contains("not changed"));
    let requests = server.requests_to("/feed.xml");
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[1].headers.get("if-none-match").map(String::as_str), Some("\"v1\""));
    assert!(requests[0].headers.get("user-agent").unwrap().starts_with("feedvault/"));
    // --force fetches and parses again, still writing nothing.
    feedvault(&vault)
        .args(["fetch", "--force"])
        .assert()
        .success()
        .stdout(predicate::str::contains("0 new, 0 revised, 2 unchanged"));
    assert_eq!(archive_files(&vault), files);
    let after: Vec<Vec<u8>> = files.iter().map(|f| fs::read(vault.join(f)).unwrap()).collect();
    assert_eq!(after, snapshot);

    // The publisher edits one article.
    let edited = rss("zh-CN", &[("1", "中俄军事合作（更新）", "<p>改写</p>"), ("2", "Second", "<p>two\nlines</p>")]);
    server.route("/feed.xml", Response::ok("application/rss+xml", edited).header("ETag", "\"v2\""));
    feedvault(&vault)
        .arg("fetch")
        .assert()
        .success()
        .stdout(predicate::str::contains("news: 0 new, 1 revised, 1 unchanged"));
    let files = archive_files(&vault);
    assert_eq!(files.len(), 3);
    let revision = files.iter().find(|f| f.contains(".revisions/")).unwrap();
    assert!(snapshot.contains(&fs::read(vault.join(revision)).unwrap()), "the old version is kept whole");
    feedvault(&vault).arg("verify").assert().success();
}

#[test]
fn compressed_bodies_and_a_charset_only_in_content_type() {
    let server = Server::start();
    let feed = rss("en", &[("g", "Gzip", "<p>a</p>")]);
    server.route("/gz", Response::ok("application/rss+xml", gzip(feed.as_bytes())).header("Content-Encoding", "gzip"));
    let feed = rss("en", &[("b", "Brotli", "<p>b</p>")]);
    server.route("/br", Response::ok("application/rss+xml", brotli(feed.as_bytes())).header("Content-Encoding", "br"));
    let chinese = "<rss version=\"2.0\"><channel><title>纽约时报中文网</title><item><guid>c</guid><title>朱镕基谈经济</title><link>https://cn.example.org/c</link></item></channel></rss>";
    let (gbk, _, _) = encoding_rs::GBK.encode(chinese);
    server.route("/gbk", Response::ok("text/xml; charset=gbk", gbk.into_owned()));

    let dir = new_vault();
    let vault = dir.path().join("v");
    for name in ["gz", "br", "gbk"] {
        add(&vault, &server.url(&format!("/{name}")), name);
    }
    feedvault(&vault).arg("fetch").assert().success().stdout(predicate::str::contains("3 new articles"));
    let requests = server.requests_to("/gz");
    let accepted = requests[0].headers.get("accept-encoding").cloned().unwrap_or_default();
    assert!(accepted.contains("gzip") && accepted.contains("br"), "{accepted}");
    let files = archive_files(&vault);
    let gbk_file = files.iter().find(|f| f.starts_with("archive/gbk/")).unwrap();
    assert!(fs::read_to_string(vault.join(gbk_file)).unwrap().contains("[朱镕基谈经济]"));
}

#[test]
fn failing_feeds_are_reported_and_the_others_archived() {
    let server = Server::start();
    server.route("/good.xml", Response::ok("application/rss+xml", rss("en", &[("1", "Good", "<p>ok</p>")])));
    server.route("/gone.xml", Response::status(410));
    server.route("/page.html", Response::ok("text/html", "<!DOCTYPE html><html><head><link rel=\"alternate\" type=\"application/rss+xml\" href=\"/good.xml\"></head></html>"));
    server.route("/huge.xml", Response::ok("application/rss+xml", rss("en", &[("h", "Huge", &"x".repeat(200_000))])));
    server.route(
        "/broken.json",
        Response::ok("application/feed+json", "{\"version\": \"https://jsonfeed.org/version/1.1\", \"items\": [ {"),
    );
    let dir = new_vault();
    let vault = dir.path().join("v");
    let config = vault.join("feedvault.toml");
    let text = fs::read_to_string(&config).unwrap().replace("max_feed_bytes = 33554432", "max_feed_bytes = 100000");
    fs::write(&config, text).unwrap();
    set_fetch(&vault, "connect_timeout", "\"2s\"");
    add(&vault, &server.url("/good.xml"), "good");
    add(&vault, &server.url("/gone.xml"), "gone");
    add(&vault, &server.url("/page.html"), "page");
    add(&vault, &server.url("/huge.xml"), "huge");
    add(&vault, &server.url("/broken.json"), "broken");
    // Nothing listens on port 9 of 127.0.0.1: connection refused.
    add(&vault, "http://127.0.0.1:9/feed.xml", "refused");

    let output = feedvault(&vault).arg("fetch").assert().success().get_output().clone();
    let stderr = String::from_utf8(output.stderr).unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("good: 1 new"), "{stdout}");
    assert!(stdout.contains("5 feeds failed"), "{stdout}");
    let expected = [
        ("gone", "HTTP 410"),
        ("page", "not a feed: an HTML page"),
        ("huge", "limit"),
        ("broken", "invalid JSON feed"),
        ("refused", "connection failed"),
    ];
    for (feed, message) in expected {
        let line = stderr
            .lines()
            .find(|l| l.contains(&format!("feed {feed}:")))
            .unwrap_or_else(|| panic!("no line for {feed}:\n{stderr}"));
        assert!(line.contains(message), "{feed}: {line}");
    }
    assert_eq!(stderr.lines().count(), 5, "one line per failing feed:\n{stderr}");
    let list = feedvault(&vault).arg("list").assert().success().get_output().stdout.clone();
    let list = String::from_utf8(list).unwrap();
    assert!(
        list.lines().any(|l| l.starts_with("gone") && l.contains("http 410 ×1 since") && l.contains("HTTP 410")),
        "{list}"
    );
    assert!(list.lines().any(|l| l.starts_with("refused") && l.contains("connect ×1")), "{list}");
    assert!(list.lines().any(|l| l.starts_with("page") && l.contains("not a feed ×1")), "{list}");
    assert!(list.lines().any(|l| l.starts_with("good") && l.contains(" ok ")), "{list}");
}

#[test]
fn a_second_writer_is_refused_clearly() {
    let dir = new_vault();
    let vault = dir.path().join("v");
    let _held = feedvault_archive::VaultLock::acquire(&vault, Duration::ZERO).unwrap();
    feedvault(&vault).arg("fetch").assert().code(1).stderr(
        predicate::str::contains("locked by another feedvault process")
            .and(predicate::str::contains(std::process::id().to_string())),
    );
}

/// Kills `fetch` at several moments while it writes a large feed; every time, no
/// partial article file exists, and a re-run completes the archive with no loss
/// and no duplicate.
#[test]
fn a_crash_at_any_point_leaves_no_partial_file_and_loses_nothing() {
    let dir = new_vault();
    let vault = dir.path().join("v");
    let items: Vec<(String, String, String)> = (0..3000)
        .map(|i| (format!("item-{i}"), format!("标题 {i}"), format!("<p>{}</p>", "正文内容。".repeat(200))))
        .collect();
    let borrowed: Vec<(&str, &str, &str)> =
        items.iter().map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str())).collect();
    let feed_path = dir.path().join("big.xml");
    fs::write(&feed_path, rss("zh", &borrowed)).unwrap();
    add(&vault, feed_path.to_str().unwrap(), "big");

    let binary = assert_cmd::cargo::cargo_bin("feedvault");
    for delay_ms in [30, 120, 400] {
        let mut child = std::process::Command::new(&binary)
            .arg("--vault")
            .arg(&vault)
            .args(["fetch", "--force"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        child.wait().unwrap();
        for file in archive_files(&vault).iter().filter(|f| f.ends_with(".md")) {
            let bytes = fs::read(vault.join(file)).unwrap();
            assert!(feedvault_core::Article::from_file(&bytes).is_ok(), "{file} is a whole article file");
        }
    }
    feedvault(&vault).args(["fetch", "--force"]).assert().success();
    let files: Vec<String> = archive_files(&vault);
    assert_eq!(files.len(), 3000, "every item archived exactly once");
    feedvault(&vault).arg("verify").assert().success();
}

#[test]
fn the_countdown_layout_writes_articles_and_lists() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("v");
    feedvault(&vault).args(["init", "--layout", "countdown", "--timezone", "Asia/Shanghai"]).assert().success();
    let feed = dir.path().join("feed.xml");
    let items: Vec<(String, String, String)> =
        (0..305).map(|i| (format!("{i}"), format!("第{i}篇 [更新]"), format!("<p>{i}</p>"))).collect();
    let borrowed: Vec<(&str, &str, &str)> =
        items.iter().map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str())).collect();
    fs::write(&feed, rss("zh-CN", &borrowed)).unwrap();
    add(&vault, feed.to_str().unwrap(), "news");
    feedvault(&vault).arg("fetch").assert().success().stdout(predicate::str::contains("-> articles/news/"));
    let mut ids: Vec<String> = fs::read_dir(vault.join("articles/news"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    ids.sort();
    assert_eq!((ids.len(), ids.last().map(String::as_str)), (305, Some("1048575.md")));
    // The site name is the feed's title; the bytes are the original algorithm's.
    let list = fs::read(vault.join("lists/Test feed.md")).unwrap();
    assert_eq!(String::from_utf8(list).unwrap(), original_list(&vault.join("articles/news"), "news", "Test feed"));
    feedvault(&vault).arg("verify").assert().success();
}

/// The original archiver's list, computed independently of feedvault's code: the
/// first 300 files in name order, `M-D [title](/articles/<feed>/<file>)` in UTC+8
/// (a fixed offset, as the original's server clock), blank lines between.
fn original_list(dir: &Path, feed: &str, site: &str) -> String {
    let mut names: Vec<String> =
        fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    let mut out = format!("{site}\n------\n\n");
    for name in names.iter().take(300) {
        let text = fs::read_to_string(dir.join(name)).unwrap();
        let mut lines = text.lines();
        let ms: i64 = lines.next().unwrap().trim_start_matches("<!--").trim_end_matches("-->").parse().unwrap();
        let line = lines.next().unwrap();
        let title = &line[1..line.rfind("](").unwrap()];
        let local = chrono::DateTime::from_timestamp_millis(ms + 8 * 3_600_000).unwrap();
        use chrono::Datelike;
        out.push_str(&format!("{}-{} [{title}](/articles/{feed}/{name})\n\n", local.month(), local.day()));
    }
    out
}

/// A vault that cannot be written (here a file stands where the feed's folder must
/// go, as a full or broken disk would refuse): the run exits 1 saying so, records
/// nothing it did not write, and the next run, once the disk is fixed, loses nothing.
#[test]
fn a_vault_that_cannot_be_written_fails_the_run_and_loses_nothing() {
    let dir = new_vault();
    let vault = dir.path().join("v");
    let feed = dir.path().join("feed.xml");
    fs::write(&feed, rss("en", &[("1", "One", "<p>1</p>"), ("2", "Two", "<p>2</p>")])).unwrap();
    add(&vault, feed.to_str().unwrap(), "news");
    fs::write(vault.join("archive/news"), "in the way").unwrap();
    feedvault(&vault).arg("fetch").assert().code(1).stderr(
        predicate::str::contains("the vault could not be written").and(predicate::str::contains("archive/news")),
    );
    assert!(archive_files(&vault).iter().all(|f| !f.ends_with(".md")), "no article was written");
    feedvault(&vault)
        .arg("verify")
        .assert()
        .code(1)
        .stdout(predicate::str::contains("archive/news: not an article file"));

    fs::remove_file(vault.join("archive/news")).unwrap();
    feedvault(&vault).arg("fetch").assert().success().stdout(predicate::str::contains("news: 2 new"));
    assert_eq!(archive_files(&vault).len(), 2);
    feedvault(&vault).arg("verify").assert().success();
}
