//! Fetching over time (issue: fetching): the schedule, Retry-After, backoff,
//! permanent and temporary redirects, gone feeds, many feeds failing in many ways
//! at once, discovery on `add`, and the daemon.

mod support;

use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use predicates::prelude::*;
use support::{Misbehave, Response, Server, archive_files, feedvault, new_vault, rss, set_fetch, subscribe};

fn list(vault: &Path) -> String {
    String::from_utf8(feedvault(vault).arg("list").assert().success().get_output().stdout.clone()).unwrap()
}

fn feed_line(list: &str, name: &str) -> String {
    list.lines().find(|l| l.starts_with(&format!("{name} "))).unwrap_or_else(|| panic!("{name} in:\n{list}")).to_owned()
}

#[test]
fn a_feed_is_not_fetched_again_before_it_is_due() {
    let server = Server::start();
    server.route("/f", Response::ok("application/rss+xml", rss("en", &[("1", "One", "<p>a</p>")])));
    let dir = new_vault();
    let vault = dir.path().join("v");
    subscribe(&vault, "f", &server.url("/f"));
    feedvault(&vault).arg("fetch").assert().success().stdout(predicate::str::contains("f: 1 new"));
    feedvault(&vault).arg("fetch").assert().success().stdout(predicate::str::contains("Fetched 0 feeds (1 not due)"));
    assert_eq!(server.requests_to("/f").len(), 1);
    assert!(!feed_line(&list(&vault), "f").contains(" now "), "a next check in the future");
    feedvault(&vault).args(["fetch", "--force"]).assert().success();
    assert_eq!(server.requests_to("/f").len(), 2, "--force fetches what is not due");
}

#[test]
fn retry_after_is_honoured() {
    let server = Server::start();
    server.route("/busy", Response::status(429).header("Retry-After", "7200"));
    server.route("/down", Response::status(503).header("Retry-After", "Wed, 21 Oct 2099 07:28:00 GMT"));
    let dir = new_vault();
    let vault = dir.path().join("v");
    subscribe(&vault, "busy", &server.url("/busy"));
    subscribe(&vault, "down", &server.url("/down"));
    let out = feedvault(&vault).arg("fetch").assert().success().get_output().clone();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("feed busy: HTTP 429"), "{stderr}");
    for _ in 0..3 {
        feedvault(&vault).arg("fetch").assert().success();
    }
    assert_eq!(server.requests_to("/busy").len(), 1, "no request before Retry-After has passed");
    assert_eq!(server.requests_to("/down").len(), 1);
    let listing = list(&vault);
    assert!(feed_line(&listing, "busy").contains("http 429 ×1"), "{listing}");
    let next = |name: &str| {
        let line = feed_line(&listing, name);
        let cells: Vec<&str> = line.split("  ").map(str::trim).filter(|c| !c.is_empty()).collect();
        chrono::NaiveDateTime::parse_from_str(cells[3], "%Y-%m-%d %H:%M UTC").unwrap().and_utc()
    };
    let now = chrono::Utc::now();
    assert!(next("busy") >= now + chrono::Duration::minutes(119), "Retry-After: 7200 s");
    assert!(next("down") >= now + chrono::Duration::days(6), "an HTTP date, capped at 7 days");
}

#[test]
fn permanent_redirects_move_the_feed_and_temporary_ones_do_not() {
    let server = Server::start();
    server.route("/old", Response::status(301).header("Location", "/new"));
    server.route("/new", Response::ok("application/rss+xml", rss("en", &[("1", "Moved", "<p>m</p>")])));
    server.route("/temp", Response::status(302).header("Location", "/new"));
    let dir = new_vault();
    let vault = dir.path().join("v");
    subscribe(&vault, "moving", &server.url("/old"));
    subscribe(&vault, "visiting", &server.url("/temp"));
    feedvault(&vault)
        .arg("fetch")
        .assert()
        .success()
        .stderr(predicate::str::contains("feed moving: moved permanently to").and(predicate::str::contains("/new")));
    let config = fs::read_to_string(vault.join("feedvault.toml")).unwrap();
    assert!(config.contains(&format!("url = \"{}\"", server.url("/new"))), "{config}");
    assert!(config.contains(&format!("url = \"{}\"", server.url("/temp"))), "a 302 keeps the URL:\n{config}");
    assert!(feed_line(&list(&vault), "moving").contains(&format!("moved from {}", server.url("/old"))));
    feedvault(&vault).args(["fetch", "--force"]).assert().success();
    assert_eq!(server.requests_to("/old").len(), 1, "the old URL is not asked again");
    assert_eq!(server.requests_to("/temp").len(), 2, "the temporary one is");
}

#[test]
fn redirect_loops_are_classified() {
    let server = Server::start();
    server.route("/a", Response::status(302).header("Location", "/b"));
    server.route("/b", Response::status(302).header("Location", "/a"));
    let dir = new_vault();
    let vault = dir.path().join("v");
    subscribe(&vault, "loop", &server.url("/a"));
    feedvault(&vault).arg("fetch").assert().success().stderr(predicate::str::contains("feed loop:"));
    assert!(feed_line(&list(&vault), "loop").contains("redirects ×1"), "{}", list(&vault));
    assert!(server.requests_to("/a").len() <= 2);
}

#[test]
fn a_feed_that_stays_404_becomes_gone() {
    let server = Server::start();
    server.route("/gone", Response::status(404));
    let dir = new_vault();
    let vault = dir.path().join("v");
    set_fetch(&vault, "gone_after_checks", "3");
    set_fetch(&vault, "gone_after", "\"0s\"");
    subscribe(&vault, "gone", &server.url("/gone"));
    for _ in 0..2 {
        feedvault(&vault).args(["fetch", "--force"]).assert().success();
        assert!(!feed_line(&list(&vault), "gone").contains("gone;"));
    }
    feedvault(&vault).args(["fetch", "--force"]).assert().success().stderr(predicate::str::contains("feed gone: gone"));
    let line = feed_line(&list(&vault), "gone");
    assert!(line.contains("gone; http 404 ×3") && line.contains("never (gone)"), "{line}");
    feedvault(&vault).arg("fetch").assert().success();
    assert_eq!(server.requests_to("/gone").len(), 3, "a gone feed is no longer fetched");
}

/// 200 feeds at once, 20 of them failing in 20 different ways: the other 180 are
/// archived completely, and each failure is reported on its own line.
#[test]
fn two_hundred_feeds_twenty_failing_in_twenty_ways() {
    let server = Server::start();
    let dir = new_vault();
    let vault = dir.path().join("v");
    set_fetch(&vault, "stall_timeout", "\"2s\"");
    set_fetch(&vault, "timeout", "\"10s\"");
    set_fetch(&vault, "concurrency", "32");
    set_fetch(&vault, "per_host", "32");
    let config = vault.join("feedvault.toml");
    let text = fs::read_to_string(&config).unwrap().replace("max_feed_bytes = 33554432", "max_feed_bytes = 50000");
    fs::write(&config, text).unwrap();
    for i in 0..180 {
        let items: Vec<(String, String, String)> =
            (0..5).map(|j| (format!("f{i}-{j}"), format!("Feed {i} item {j}"), format!("<p>{i} {j}</p>"))).collect();
        let borrowed: Vec<(&str, &str, &str)> =
            items.iter().map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str())).collect();
        server.route(&format!("/ok/{i}"), Response::ok("application/rss+xml", rss("en", &borrowed)));
        subscribe(&vault, &format!("ok-{i}"), &server.url(&format!("/ok/{i}")));
    }
    let bomb = format!(
        "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY a \"{}\"><!ENTITY b \"{}\"><!ENTITY c \"{}\">]><rss><channel><item><title>&c;</title></item></channel></rss>",
        "x".repeat(1000),
        "&a;".repeat(1000),
        "&b;".repeat(1000)
    );
    let failures: Vec<(&str, Response)> = vec![
        ("http-400", Response::status(400)),
        ("http-401", Response::status(401)),
        ("http-403", Response::status(403)),
        ("http-404", Response::status(404)),
        ("http-410", Response::status(410)),
        ("http-429", Response::status(429)),
        ("http-500", Response::status(500)),
        ("http-502", Response::status(502)),
        ("http-503", Response::status(503)),
        ("loop", Response::status(307).header("Location", "/fail/loop")),
        ("redirect-nowhere", Response::status(301)),
        ("html", Response::ok("text/html", "<!DOCTYPE html><html><body>hello</body></html>")),
        (
            "json",
            Response::ok("application/feed+json", "{\"version\": \"https://jsonfeed.org/version/1.1\", \"items\": ["),
        ),
        ("text", Response::ok("text/plain", "just some words")),
        ("huge", Response::ok("application/rss+xml", rss("en", &[("h", "Huge", &"x".repeat(60_000))]))),
        ("bomb", Response::ok("application/rss+xml", bomb)),
        ("bad-gzip", Response::ok("application/rss+xml", "not gzip at all").header("Content-Encoding", "gzip")),
        ("hang", Response::misbehaving(Misbehave::HangAfterHead)),
        ("close", Response::misbehaving(Misbehave::Close)),
        ("short", Response::misbehaving(Misbehave::ShortBody)),
    ];
    assert_eq!(failures.len(), 20);
    for (name, response) in failures {
        server.route(&format!("/fail/{name}"), response);
        subscribe(&vault, name, &server.url(&format!("/fail/{name}")));
    }
    // The timeout is a hang guard, not a speed check: a stalled server must not hold the run.
    let output =
        feedvault(&vault).arg("fetch").timeout(Duration::from_secs(120)).assert().success().get_output().clone();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stdout.contains("Fetched 200 feeds: 900 new articles"), "{stdout}");
    assert!(stdout.contains("20 feeds failed"), "{stdout}");
    let failing: Vec<&str> = stderr.lines().filter(|l| l.contains(": ") && l.starts_with("feedvault: feed ")).collect();
    assert_eq!(failing.len(), 20, "{stderr}");
    assert_eq!(archive_files(&vault).len(), 900);
    let listing = list(&vault);
    let kinds = ["http 401", "http 404", "http 503", "redirects", "not a feed", "parse", "too-large", "timeout"];
    for kind in kinds {
        assert!(listing.contains(kind), "{kind} in:\n{listing}");
    }
    feedvault(&vault).arg("verify").assert().success();
}

#[test]
fn add_finds_the_feed_behind_a_page() {
    let server = Server::start();
    server.route("/feed.xml", Response::ok("application/rss+xml", rss("en", &[("1", "One", "<p>a</p>")])));
    server.route(
        "/",
        Response::ok(
            "text/html",
            "<!DOCTYPE html><html><head><link rel=\"alternate\" type=\"application/rss+xml\" href=\"/feed.xml\"><link rel=\"alternate\" type=\"application/atom+xml\" href=\"/atom.xml\"></head></html>",
        ),
    );
    server.route(
        "/one",
        Response::ok(
            "text/html",
            "<html><head><link rel=alternate type=application/rss+xml href=/feed.xml></head></html>",
        ),
    );
    server.route("/none", Response::ok("text/html", "<html><body>no feeds</body></html>"));
    let dir = new_vault();
    let vault = dir.path().join("v");
    feedvault(&vault)
        .args(["add", &server.url("/")])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("advertises 2 feeds").and(predicate::str::contains("--first")));
    feedvault(&vault)
        .args(["add", &server.url("/"), "--first"])
        .assert()
        .success()
        .stdout(predicate::str::contains(server.url("/feed.xml")));
    feedvault(&vault)
        .args(["add", &server.url("/one")])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already subscribed"));
    feedvault(&vault)
        .args(["add", &server.url("/none")])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("advertises none"));
    let config = fs::read_to_string(vault.join("feedvault.toml")).unwrap();
    assert!(config.contains(&format!("url = \"{}\"", server.url("/feed.xml"))), "{config}");
}

/// The daemon runs two cycles against the server, archiving what each brings, and a
/// SIGTERM ends it cleanly with nothing lost.
#[test]
fn the_daemon_runs_the_schedule_and_stops_cleanly_on_sigterm() {
    let server = Server::start();
    server.route("/d", Response::ok("application/rss+xml", rss("en", &[("1", "First", "<p>1</p>")])));
    let dir = new_vault();
    let vault = dir.path().join("v");
    set_fetch(&vault, "min_interval", "\"1s\"");
    set_fetch(&vault, "max_interval", "\"1s\"");
    subscribe(&vault, "d", &server.url("/d"));
    let binary = assert_cmd::cargo::cargo_bin("feedvault");
    let log = dir.path().join("daemon.log");
    let mut child = std::process::Command::new(&binary)
        .arg("--vault")
        .arg(&vault)
        .args(["daemon", "--log-format", "json", "--addr", "127.0.0.1:0"])
        .env("NO_PROXY", "*")
        .stderr(fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let wait_for_requests = |n: usize| {
        let started = Instant::now();
        while server.requests_to("/d").len() < n {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "the daemon made {} requests",
                server.requests_to("/d").len()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    wait_for_requests(1);
    server.route(
        "/d",
        Response::ok("application/rss+xml", rss("en", &[("1", "First", "<p>1</p>"), ("2", "Second", "<p>2</p>")])),
    );
    wait_for_requests(3);
    std::thread::sleep(Duration::from_millis(300));
    // SAFETY: sends SIGTERM to the child this test started and still owns.
    assert_eq!(unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) }, 0);
    let started = Instant::now();
    let exit = loop {
        if let Some(exit) = child.try_wait().unwrap() {
            break exit;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "the daemon did not stop");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(exit.success(), "exit {exit:?}");
    let log = fs::read_to_string(&log).unwrap();
    assert!(log.lines().all(|l| l.starts_with('{')), "JSON lines:\n{log}");
    assert!(log.contains("SIGTERM") && log.contains("daemon stopped"), "{log}");
    assert_eq!(archive_files(&vault).len(), 2, "both items archived");
    feedvault(&vault).arg("verify").assert().success();
}
