//! Changes asked for from the web while a daemon holds the vault: a separate
//! `feedvault serve` on the same vault queues them (303 to `/requests/{id}`), the
//! daemon carries them out (subscribe, unsubscribe, fetch now, publish now into a
//! bare git remote), requests queued while no daemon ran are carried out when one
//! starts, and a malformed request fails alone. Real processes, real HTTP.

mod support;

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use feedvault_engine::{RequestKind, RequestStatus, Vault};
use support::{Response, Server, archive_files, new_vault, rss, subscribe};

/// One request as a browser on the server's own page sends it: (status, Location, body).
fn http(addr: &str, method: &str, path: &str, body: &str, origin: &str) -> (u16, String, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nOrigin: {origin}\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status = answer.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    let location = head
        .lines()
        .find_map(|l| l.strip_prefix("location: ").or_else(|| l.strip_prefix("Location: ")))
        .unwrap_or("")
        .to_owned();
    (status, location, body.to_owned())
}

fn get(addr: &str, path: &str) -> String {
    http(addr, "GET", path, "", &format!("http://{addr}")).2
}

/// The CSRF token of the form posting to `action` on `page`.
fn csrf(addr: &str, page: &str, action: &str) -> String {
    let body = get(addr, page);
    let at = body.find(&format!("action=\"{action}\"")).unwrap_or_else(|| panic!("no form for {action}: {body}"));
    let rest = &body[at..];
    let value = &rest[rest.find("name=\"csrf\" value=\"").unwrap() + 19..];
    value[..value.find('"').unwrap()].to_owned()
}

/// Posts a form from the server's own page; returns the status page it redirects to.
fn post(addr: &str, action: &str, page: &str, fields: &str) -> String {
    let token = csrf(addr, page, action);
    let body = if fields.is_empty() { format!("csrf={token}") } else { format!("{fields}&csrf={token}") };
    let (status, location, answer) = http(addr, "POST", action, &body, &format!("http://{addr}"));
    assert_eq!(status, 303, "{action}: {answer}");
    assert!(location.starts_with("/requests/"), "{location}");
    location
}

/// Waits (bounded by a count of polls, not a clock assertion) for `done`.
fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..600 {
        if done() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("{what} never happened");
}

fn start(vault: &Path, command: &str, extra: &[&str]) -> (Child, String) {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("feedvault"))
        .arg("--vault")
        .arg(vault)
        .args([command, "--addr", "127.0.0.1:0"])
        .args(extra)
        .env("NO_PROXY", "*")
        .env_remove("FEEDVAULT_TOKEN")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let marker = "serving the web UI at http://";
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(at) = line.find(marker) {
            let addr = line[at + marker.len()..].split('/').next().unwrap().to_owned();
            std::thread::spawn(move || for _ in lines {});
            return (child, addr);
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("{command} never said where it listens");
}

fn stop(mut child: Child) {
    // SAFETY: sends SIGTERM to a child this test started and still owns.
    assert_eq!(unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) }, 0);
    assert!(child.wait().unwrap().success());
}

/// The status page's verdict once it is no longer queued.
fn finished(addr: &str, status_page: &str) -> String {
    let mut page = String::new();
    eventually(&format!("{status_page} finishing"), || {
        page = get(addr, status_page);
        !page.contains("Queued")
    });
    page
}

/// Which process carried out a request (its outcome file records it).
fn carried_out_by(vault: &Path, status_page: &str) -> u64 {
    let id = status_page.trim_start_matches("/requests/");
    let text = fs::read_to_string(vault.join("requests/done").join(format!("{id}.json"))).unwrap();
    serde_json::from_str::<serde_json::Value>(&text).unwrap()["by_pid"].as_u64().unwrap()
}

/// A bare repository in `dir` that the vault publishes to (`[publish.git]` with
/// `extra` lines), made before the vault's first publishing.
fn publish_to_bare_remote(dir: &Path, vault: &Path, extra: &str) -> std::path::PathBuf {
    let remote = dir.join("remote.git");
    fs::create_dir_all(&remote).unwrap();
    git(&remote, &["init", "--quiet", "--bare"]);
    let config = vault.join("feedvault.toml");
    let text = fs::read_to_string(&config).unwrap();
    fs::write(&config, format!("{text}\n[publish.git]\nremotes = [{remote:?}]\n{extra}")).unwrap();
    remote
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git").current_dir(dir).args(args).output().unwrap();
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn a_serve_beside_the_daemon_queues_changes_and_the_daemon_carries_them_out() {
    let server = Server::start();
    server.route("/added", Response::ok("application/rss+xml", rss("en", &[("x", "Added", "<p>x</p>")])));
    let dir = new_vault();
    let vault = dir.path().join("v");
    let feed = dir.path().join("feed.xml");
    fs::write(&feed, rss("zh-CN", &[("a", "第一篇", "<p>一</p>")])).unwrap();
    subscribe(&vault, "local", feed.to_str().unwrap());
    let remote = publish_to_bare_remote(dir.path(), &vault, "interval = \"1h\"\n");

    let (daemon, _) = start(&vault, "daemon", &[]);
    eventually("the first cycle", || archive_files(&vault).len() == 1);
    eventually("the first commit pushed", || !git(&remote, &["for-each-ref", "--format=%(refname)"]).trim().is_empty());
    let branch = git(&remote, &["for-each-ref", "--format=%(refname)"]).trim().to_owned();
    let (serve, addr) = start(&vault, "serve", &["--allow-private-feeds"]);

    // The guard still holds: no CSRF token, or another origin, is refused.
    assert_eq!(http(&addr, "POST", "/fetch", "", &format!("http://{addr}")).0, 403);
    let token = csrf(&addr, "/feeds", "/fetch");
    assert_eq!(http(&addr, "POST", "/fetch", &format!("csrf={token}"), "http://evil.example").0, 403);

    let url = server.url("/added");
    let added = post(&addr, "/feeds", "/feeds", &format!("url={}&name=added", url.replace(':', "%3A")));
    let page = finished(&addr, &added);
    assert!(page.contains("Done.") && page.contains("as added"), "{page}");
    assert_eq!(carried_out_by(&vault, &added), daemon.id() as u64, "the daemon wrote feedvault.toml");
    let settings = Vault::open(&vault).unwrap().settings().unwrap();
    assert!(settings.feed("added").is_some_and(|f| !f.public_only));
    eventually("the new feed fetched", || !server.requests_to("/added").is_empty());

    let removed = post(&addr, "/feeds/added/remove", "/feeds/added", "");
    assert!(finished(&addr, &removed).contains("Done."));
    assert_eq!(carried_out_by(&vault, &removed), daemon.id() as u64);
    assert!(Vault::open(&vault).unwrap().settings().unwrap().feed("added").is_none());

    // Fetch now: a forced cycle archives what the feed has now.
    fs::write(&feed, rss("zh-CN", &[("a", "第一篇", "<p>一</p>"), ("b", "第二篇", "<p>二</p>")])).unwrap();
    let before = archive_files(&vault).iter().filter(|f| !f.ends_with("README.md")).count();
    let fetched = post(&addr, "/fetch", "/feeds", "");
    assert!(finished(&addr, &fetched).contains("Done."));
    let after = archive_files(&vault).iter().filter(|f| !f.ends_with("README.md")).count();
    assert!(after > before, "{before} → {after}");

    // Publish now: the second article is committed at once (the interval is an hour).
    let published = post(&addr, "/publish", "/feeds", "");
    let page = finished(&addr, &published);
    assert!(page.contains("Done.") && page.contains("committed"), "{page}");
    let log = git(&remote, &["log", "--format=%s", &branch]);
    assert_eq!(log.lines().count(), 2, "{log}");
    let files = git(&remote, &["ls-tree", "-r", "--name-only", &branch]);
    assert!(!files.contains("requests/"), "the queue is never published: {files}");

    stop(serve);
    stop(daemon);
}

#[test]
fn requests_queued_while_no_daemon_runs_are_carried_out_when_one_starts() {
    let dir = new_vault();
    let vault = dir.path().join("v");
    let feed = dir.path().join("feed.xml");
    fs::write(&feed, rss("en", &[("a", "One", "<p>1</p>")])).unwrap();
    subscribe(&vault, "gone-soon", feed.to_str().unwrap());
    let opened = Vault::open(&vault).unwrap();
    fs::create_dir_all(vault.join("requests/pending")).unwrap();
    fs::write(vault.join("requests/pending/0000000000001-0000000001-0000.json"), b"{\"kind\": \"nuke\"").unwrap();
    let unsubscribe = opened.queue_request(RequestKind::Unsubscribe { feed: "gone-soon".into() }).unwrap();
    let missing = opened.queue_request(RequestKind::Unsubscribe { feed: "no-such-feed".into() }).unwrap();
    assert_eq!(opened.request_status(&unsubscribe), RequestStatus::Pending);

    let (daemon, addr) = start(&vault, "daemon", &[]);
    eventually("the queue emptied", || !matches!(opened.request_status(&missing), RequestStatus::Pending));
    let malformed = get(&addr, "/requests/0000000000001-0000000001-0000");
    assert!(malformed.contains("Failed.") && malformed.contains("does not read"), "{malformed}");
    assert!(matches!(opened.request_status(&missing), RequestStatus::Failed(m) if m.contains("no-such-feed")));
    assert!(matches!(opened.request_status(&unsubscribe), RequestStatus::Done(_)), "the others still run");
    assert!(opened.settings().unwrap().feed("gone-soon").is_none());
    assert!(get(&addr, &format!("/requests/{unsubscribe}")).contains("Done."));
    stop(daemon);
    // The queue's folder is not the archive's business.
    support::feedvault(&vault).arg("verify").assert().success();
}

#[test]
fn a_standalone_serve_publishes_itself_when_nobody_holds_the_vault() {
    let dir = new_vault();
    let vault = dir.path().join("v");
    let feed = dir.path().join("feed.xml");
    fs::write(&feed, rss("en", &[("a", "One", "<p>1</p>")])).unwrap();
    subscribe(&vault, "local", feed.to_str().unwrap());
    support::feedvault(&vault).arg("fetch").assert().success();
    let remote = publish_to_bare_remote(dir.path(), &vault, "");

    let (serve, addr) = start(&vault, "serve", &[]);
    let published = post(&addr, "/publish", "/feeds", "");
    let page = finished(&addr, &published);
    assert!(page.contains("Done.") && page.contains("committed"), "{page}");
    assert_eq!(carried_out_by(&vault, &published), serve.id() as u64, "serve became the writer briefly");
    assert!(!git(&remote, &["for-each-ref"]).trim().is_empty(), "pushed");
    // It let go of the vault again.
    support::feedvault(&vault).arg("fetch").assert().success();
    stop(serve);
}
