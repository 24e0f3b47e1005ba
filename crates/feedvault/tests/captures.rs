//! Raw captures end to end, against loopback HTTP servers: a body served unchanged is
//! kept once and a changed one again; `[preserve] captures = false` keeps none; the
//! feed's secret headers and cookies appear nowhere under captures/, in state.db or in
//! the WARC; a killed fetch never leaves a partial body under its final name;
//! `reindex` after losing state.db restores every capture and link; the WARC's
//! request/response records pair up and their bodies are the kept bytes.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use feedvault_engine::{ArticleQuery, CaptureRow, Page, Vault};
use sha2::{Digest, Sha256};
use support::{Response, Server, feedvault, new_vault, rss, subscribe};

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Every file under captures/ (relative paths, sorted).
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = fs::read_dir(dir) else { return };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() { walk(&path, out) } else { out.push(path) }
        }
    }
    walk(dir, &mut out);
    out.sort();
    out
}

/// The kept bodies: (hash in the name, decompressed bytes), each checked against its name.
fn kept_bodies(vault: &Path) -> BTreeMap<String, Vec<u8>> {
    files_under(&vault.join("captures"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "zst"))
        .map(|path| {
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            let bytes = zstd::decode_all(fs::File::open(&path).unwrap()).unwrap();
            assert_eq!(sha256(&bytes), name, "{} holds the body its name says", path.display());
            (name, bytes)
        })
        .collect()
}

fn fetch(vault: &Path) {
    feedvault(vault).args(["fetch", "--force"]).assert().success();
}

/// Every article path of the vault.
fn article_paths(vault: &Vault) -> Vec<String> {
    let query = ArticleQuery { page: Page { number: 1, size: 1000 }, ..Default::default() };
    vault.articles(&query).unwrap().items.into_iter().map(|a| a.path).collect()
}

/// (article path, version seen_at, capture) for every capture link of the vault.
fn links(vault: &Vault) -> BTreeSet<(String, i64, String, String)> {
    let mut out = BTreeSet::new();
    for path in article_paths(vault) {
        for found in vault.article_captures(&path).unwrap() {
            out.insert((path.clone(), found.seen_at, found.capture.id.clone(), found.capture.body_hash.clone()));
        }
    }
    out
}

const V1: [(&str, &str, &str); 2] = [("a1", "第一篇", "<p>原文一</p>"), ("a2", "Second", "<p>two</p>")];
const V2: [(&str, &str, &str); 2] = [("a1", "第一篇", "<p>原文一（更正）</p>"), ("a2", "Second", "<p>two</p>")];

/// A vault with feeds `one` and `two` serving the same document, fetched three times
/// unchanged, then `one` changed once and fetched again.
fn fetched_twice_changed_once() -> (tempfile::TempDir, PathBuf, Server, String, String) {
    let dir = new_vault();
    let vault = dir.path().join("v");
    let server = Server::start();
    let (v1, v2) = (rss("zh", &V1), rss("zh", &V2));
    server.route("/one.xml", Response::ok("application/rss+xml; charset=utf-8", v1.clone()));
    server.route("/two.xml", Response::ok("application/rss+xml; charset=utf-8", v1.clone()));
    subscribe(&vault, "one", &server.url("/one.xml"));
    subscribe(&vault, "two", &server.url("/two.xml"));
    for _ in 0..3 {
        fetch(&vault);
    }
    server.route("/one.xml", Response::ok("application/rss+xml; charset=utf-8", v2.clone()));
    fetch(&vault);
    (dir, vault, server, v1, v2)
}

#[test]
fn unchanged_bodies_are_kept_once_and_a_changed_one_again() {
    let (_dir, vault, server, v1, v2) = fetched_twice_changed_once();
    assert_eq!(server.requests_to("/one.xml").len(), 4);
    // Two feeds served the same bytes, each fetched four times: only the two bodies.
    let bodies = kept_bodies(&vault);
    assert_eq!(bodies.values().cloned().collect::<BTreeSet<_>>(), BTreeSet::from([v1.into_bytes(), v2.into_bytes()]));
    let records = fs::read_to_string(vault.join("captures/records.jsonl")).unwrap();
    // One record per fetch that archived: both feeds' first, and `one`'s change.
    assert_eq!(records.lines().count(), 3, "{records}");

    let opened = Vault::open(&vault).unwrap();
    let paths = article_paths(&opened);
    assert_eq!(paths.len(), 4);
    let revised =
        paths.iter().find(|p| p.contains("/one/") && opened.article(p).unwrap().unwrap().revisions.len() == 1);
    let revised = revised.expect("one article of `one` revised");
    let captures = opened.article_captures(revised).unwrap();
    assert_eq!(captures.len(), 2, "the first version and the revision each have theirs");
    let detail = opened.article(revised).unwrap().unwrap();
    assert_eq!(captures[0].seen_at, detail.revisions[0].seen_at);
    assert_eq!(captures[1].seen_at, detail.summary.version_seen_at);
    for found in &captures {
        let capture = &found.capture;
        assert_eq!((capture.status, capture.kind.as_str()), (200, "feed"));
        assert_eq!(capture.final_url, server.url("/one.xml"));
        assert_eq!(capture.media_type.as_deref(), Some("application/rss+xml"));
        assert!(
            capture.response_headers.contains("Content-Type: application/rss+xml")
                || capture.response_headers.contains("content-type: application/rss+xml"),
            "{}",
            capture.response_headers
        );
        assert!(capture.request_headers.contains("user-agent: feedvault/"), "{}", capture.request_headers);
        let body = opened.capture_body(capture).unwrap();
        assert_eq!(body.len() as u64, capture.body_length);
        assert_eq!(sha256(&body), capture.body_hash);
    }
    assert_ne!(captures[0].capture.body_hash, captures[1].capture.body_hash);
    // The unchanged article of `one` has the first capture only.
    let unchanged: Vec<&String> = paths.iter().filter(|p| p.contains("/one/") && *p != revised).collect();
    let of_unchanged = opened.article_captures(unchanged[0]).unwrap();
    assert_eq!(of_unchanged.len(), 1);
    assert_eq!(of_unchanged[0].capture, captures[0].capture);
}

#[test]
fn captures_off_keeps_none() {
    let dir = new_vault();
    let vault = dir.path().join("v");
    let config = vault.join("feedvault.toml");
    let text = fs::read_to_string(&config).unwrap();
    assert!(text.contains("\ncaptures = true\n"), "the template sets captures");
    fs::write(&config, text.replace("\ncaptures = true\n", "\ncaptures = false\n")).unwrap();
    let server = Server::start();
    server.route("/f.xml", Response::ok("application/rss+xml", rss("en", &V1)));
    subscribe(&vault, "f", &server.url("/f.xml"));
    fetch(&vault);
    server.route("/f.xml", Response::ok("application/rss+xml", rss("en", &V2)));
    fetch(&vault);
    assert!(!vault.join("captures").exists(), "{:?}", files_under(&vault.join("captures")));
    let opened = Vault::open(&vault).unwrap();
    assert_eq!(article_paths(&opened).len(), 2, "the articles were archived");
    assert!(links(&opened).is_empty());
    assert!(opened.captures_after(None, 10).unwrap().is_empty());
}

const SECRETS: [&str; 3] = ["HEADER-SECRET-7f3a", "COOKIE-SECRET-91bc", "SERVER-SECRET-c0de"];

#[test]
fn secret_headers_and_cookies_are_written_nowhere() {
    let dir = new_vault();
    let vault = dir.path().join("v");
    let server = Server::start();
    let page = "<html><body><div class=\"post-content\"><p>全文：这是文章的正文，足够长。</p></div></body></html>";
    let feed = format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>T</title><item><guid>p1</guid><title>Paged</title><link>{}</link><description>summary</description></item></channel></rss>",
        server.url("/a/1.html")
    );
    let with_cookie = |r: Response| r.header("Set-Cookie", &format!("sid={}; HttpOnly", SECRETS[2]));
    server.route("/f.xml", with_cookie(Response::ok("application/rss+xml", feed)));
    server.route("/a/1.html", with_cookie(Response::ok("text/html; charset=utf-8", page)));
    subscribe(&vault, "f", &server.url("/f.xml"));
    let config = vault.join("feedvault.toml");
    let mut text = fs::read_to_string(&config).unwrap();
    text.push_str(&format!(
        "full_text = \"css:div.post-content\"\nheaders = {{ \"X-Api-Key\" = \"{}\", Authorization = \"Bearer {}\" }}\ncookies = {{ session = \"{}\" }}\n",
        SECRETS[0], SECRETS[0], SECRETS[1]
    ));
    fs::write(&config, text).unwrap();
    fetch(&vault);
    // The secrets were sent (so a leak would have had something to leak).
    let sent = &server.requests_to("/a/1.html")[0].headers;
    assert_eq!(sent.get("x-api-key").map(String::as_str), Some(SECRETS[0]));
    assert!(sent.get("cookie").unwrap().contains(SECRETS[1]));

    let opened = Vault::open(&vault).unwrap();
    let paths = article_paths(&opened);
    let captures = opened.article_captures(&paths[0]).unwrap();
    let kinds: BTreeSet<&str> = captures.iter().map(|c| c.capture.kind.as_str()).collect();
    assert_eq!(kinds, BTreeSet::from(["feed", "page"]), "the feed and the page the text came from");
    let page_capture = &captures.iter().find(|c| c.capture.kind == "page").unwrap().capture;
    assert_eq!(opened.capture_body(page_capture).unwrap(), page.as_bytes());
    for capture in captures.iter().map(|c| &c.capture) {
        for name in ["x-api-key", "authorization", "cookie"] {
            assert!(capture.request_headers.contains(&format!("{name}: [redacted]")), "{}", capture.request_headers);
        }
        assert!(capture.response_headers.contains("set-cookie: [redacted]"), "{}", capture.response_headers);
    }
    let warc = dir.path().join("out.warc");
    feedvault(&vault).args(["export", "warc"]).arg(&warc).assert().success();

    let mut places: Vec<(String, Vec<u8>)> = files_under(&vault.join("captures"))
        .into_iter()
        .map(|p| (p.display().to_string(), fs::read(&p).unwrap()))
        .collect();
    places.extend(kept_bodies(&vault).into_iter().map(|(hash, bytes)| (format!("body {hash}"), bytes)));
    for db in ["state.db", "state.db-wal"] {
        if let Ok(bytes) = fs::read(vault.join(db)) {
            places.push((db.to_owned(), bytes));
        }
    }
    places.push(("the WARC".to_owned(), fs::read(&warc).unwrap()));
    assert!(places.len() >= 5, "{:?}", places.iter().map(|p| &p.0).collect::<Vec<_>>());
    for (place, bytes) in &places {
        for secret in SECRETS {
            assert!(!bytes.windows(secret.len()).any(|w| w == secret.as_bytes()), "{secret} found in {place}");
        }
    }
}

#[test]
fn reindex_after_losing_state_db_restores_every_capture_and_link() {
    let (_dir, vault, _server, _, _) = fetched_twice_changed_once();
    let before = links(&Vault::open(&vault).unwrap());
    assert_eq!(before.len(), 5, "4 first versions and one revision: {before:#?}");
    for name in ["state.db", "state.db-wal", "state.db-shm"] {
        let _ = fs::remove_file(vault.join(name));
    }
    assert!(links(&Vault::open(&vault).unwrap()).is_empty(), "a new state.db knows nothing yet");
    feedvault(&vault)
        .arg("reindex")
        .assert()
        .success()
        .stdout(predicates::str::contains("Recorded 3 raw captures again from captures/records.jsonl."));
    assert_eq!(links(&Vault::open(&vault).unwrap()), before);
}

/// A WARC record's named fields (each name with every value it has) and its block.
type WarcRecord = (BTreeMap<String, Vec<String>>, Vec<u8>);

/// A minimal strict WARC reader.
fn parse_warc(mut bytes: &[u8]) -> Vec<WarcRecord> {
    let mut records = Vec::new();
    while !bytes.is_empty() {
        let end = bytes.windows(4).position(|w| w == b"\r\n\r\n").expect("a header end");
        let head = std::str::from_utf8(&bytes[..end]).unwrap();
        let mut lines = head.split("\r\n");
        assert_eq!(lines.next(), Some("WARC/1.1"));
        let mut fields: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for line in lines {
            let (k, v) = line.split_once(": ").unwrap();
            fields.entry(k.to_owned()).or_default().push(v.to_owned());
        }
        let length: usize = fields["Content-Length"][0].parse().unwrap();
        let start = end + 4;
        records.push((fields, bytes[start..start + length].to_vec()));
        assert_eq!(&bytes[start + length..start + length + 4], b"\r\n\r\n");
        bytes = &bytes[start + length + 4..];
    }
    records
}

#[test]
fn warc_responses_are_the_kept_bytes_and_versions_point_at_them() {
    let (dir, vault, _server, v1, v2) = fetched_twice_changed_once();
    let warc = dir.path().join("out.warc");
    feedvault(&vault).args(["export", "warc"]).arg(&warc).assert().success();
    let first = fs::read(&warc).unwrap();
    feedvault(&vault).args(["export", "warc"]).arg(&warc).assert().success();
    assert_eq!(fs::read(&warc).unwrap(), first, "deterministic");
    let records = parse_warc(&first);
    let opened = Vault::open(&vault).unwrap();
    let one = |fields: &BTreeMap<String, Vec<String>>, name: &str| fields[name][0].clone();
    let by_id: BTreeMap<String, usize> =
        records.iter().enumerate().map(|(at, (fields, _))| (one(fields, "WARC-Record-ID"), at)).collect();
    let mut responses = 0;
    let mut bodies = BTreeSet::new();
    for (fields, block) in &records {
        match one(fields, "WARC-Type").as_str() {
            "response" => {
                responses += 1;
                let capture: CaptureRow = opened.capture(&one(fields, "Feedvault-Capture-ID")).unwrap().unwrap();
                let split = block.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
                let (head, body) = (std::str::from_utf8(&block[..split]).unwrap(), &block[split..]);
                assert_eq!(body, opened.capture_body(&capture).unwrap().as_slice(), "the body as kept");
                assert!(head.starts_with("HTTP/1.1 200 "), "{head}");
                assert!(head.contains(&format!("Content-Length: {}\r\n", body.len())), "{head}");
                assert_eq!(head.matches("ontent-Length").count(), 1, "one Content-Length: {head}");
                bodies.insert(body.to_vec());
                let request = &records[by_id[&one(fields, "WARC-Concurrent-To")]];
                assert_eq!(one(&request.0, "WARC-Type"), "request");
                assert_eq!(one(&request.0, "WARC-Concurrent-To"), one(fields, "WARC-Record-ID"));
                assert!(
                    request.1.starts_with(b"GET /one.xml HTTP/1.1\r\nHost: 127.0.0.1:")
                        || request.1.starts_with(b"GET /two.xml HTTP/1.1\r\nHost: 127.0.0.1:")
                );
                assert_eq!(one(fields, "Content-Type"), "application/http; msgtype=response");
            }
            "resource" => {
                let refers = one(fields, "WARC-Refers-To");
                let response = &records[by_id[&refers]];
                assert_eq!(one(&response.0, "WARC-Type"), "response");
            }
            _ => {}
        }
    }
    assert_eq!(responses, 3);
    assert_eq!(bodies, BTreeSet::from([v1.into_bytes(), v2.into_bytes()]));
}

#[test]
fn a_killed_fetch_never_leaves_a_partial_body_under_its_final_name() {
    let server = Server::start();
    let feeds = 30;
    for n in 0..feeds {
        // Large, distinct bodies, so that a kill lands while bodies are being written.
        let items: Vec<(String, String, String)> = (0..40)
            .map(|i| {
                (
                    format!("f{n}-{i}"),
                    format!("Item {i} of {n}"),
                    format!("<p>{}</p>", format!("{n}-{i} 正文 ").repeat(400)),
                )
            })
            .collect();
        let items: Vec<(&str, &str, &str)> =
            items.iter().map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str())).collect();
        server.route(&format!("/f{n}.xml"), Response::ok("application/rss+xml", rss("zh", &items)));
    }
    let binary = assert_cmd::cargo::cargo_bin("feedvault");
    for delay in [30u64, 120, 400, 900] {
        let dir = new_vault();
        let vault = dir.path().join("v");
        for n in 0..feeds {
            subscribe(&vault, &format!("f{n}"), &server.url(&format!("/f{n}.xml")));
        }
        let mut child = std::process::Command::new(&binary)
            .arg("--vault")
            .arg(&vault)
            .args(["fetch", "--force"])
            .env("NO_PROXY", "*")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay));
        let _ = child.kill(); // SIGKILL: no cleanup runs
        let _ = child.wait();
        // Every body under its final name is whole (kept_bodies checks each hash).
        let kept = kept_bodies(&vault);
        for path in files_under(&vault.join("captures")) {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            assert!(name.ends_with(".zst") || name == "records.jsonl" || name.ends_with(".fvtmp"), "{name}");
        }
        // A later fetch goes on from there; every record names a kept body.
        feedvault(&vault).args(["fetch", "--force"]).assert().success();
        let after = kept_bodies(&vault);
        assert!(after.len() >= kept.len());
        let opened = Vault::open(&vault).unwrap();
        for capture in opened.captures_after(None, 1000).unwrap() {
            assert!(after.contains_key(&capture.body_hash), "capture {} has its body", capture.id);
        }
        // reindex removes what the kill left behind, and only that.
        feedvault(&vault).arg("reindex").assert().success();
        let left: Vec<PathBuf> = files_under(&vault.join("captures"))
            .into_iter()
            .filter(|p| p.to_string_lossy().ends_with(".fvtmp"))
            .collect();
        assert!(left.is_empty(), "{left:?}");
        assert_eq!(kept_bodies(&vault), after);
    }
}

#[test]
fn refetch_text_keeps_the_page_of_each_revision_it_writes() {
    let dir = new_vault();
    let vault = dir.path().join("v");
    let server = Server::start();
    let page = |text: &str| format!("<html><body><div class=\"post-content\"><p>{text}</p></div></body></html>");
    let feed = format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>T</title><item><guid>p1</guid><title>Paged</title><link>{}</link><description>summary</description></item></channel></rss>",
        server.url("/a/1.html")
    );
    server.route("/f.xml", Response::ok("application/rss+xml", feed));
    server.route("/a/1.html", Response::ok("text/html", page("第一版正文。")));
    subscribe(&vault, "f", &server.url("/f.xml"));
    let config = vault.join("feedvault.toml");
    let text = fs::read_to_string(&config).unwrap() + "full_text = \"css:div.post-content\"\n";
    fs::write(&config, text).unwrap();
    fetch(&vault);
    // Unchanged text: no revision, no new capture.
    feedvault(&vault).args(["refetch-text", "f"]).assert().success();
    let records = || fs::read_to_string(vault.join("captures/records.jsonl")).unwrap().lines().count();
    assert_eq!(records(), 2, "the feed and the page of the first fetch");
    server.route("/a/1.html", Response::ok("text/html", page("第二版正文（已修改）。")));
    feedvault(&vault).args(["refetch-text", "f"]).assert().success();
    assert_eq!(records(), 3, "the page of the revision");
    let opened = Vault::open(&vault).unwrap();
    let path = &article_paths(&opened)[0];
    let detail = opened.article(path).unwrap().unwrap();
    assert_eq!(detail.revisions.len(), 1);
    let pages: Vec<(i64, Vec<u8>)> = opened
        .article_captures(path)
        .unwrap()
        .into_iter()
        .filter(|c| c.capture.kind == "page")
        .map(|c| (c.seen_at, opened.capture_body(&c.capture).unwrap()))
        .collect();
    assert_eq!(
        pages,
        [
            (detail.revisions[0].seen_at, page("第一版正文。").into_bytes()),
            (detail.summary.version_seen_at, page("第二版正文（已修改）。").into_bytes())
        ]
    );
}

#[test]
fn git_publishing_of_the_whole_vault_commits_the_captures() {
    let dir = new_vault();
    let vault = dir.path().join("v");
    let server = Server::start();
    server.route("/one.xml", Response::ok("application/rss+xml; charset=utf-8", rss("zh", &V1)));
    subscribe(&vault, "one", &server.url("/one.xml"));
    let remote = dir.path().join("r.git");
    let init = std::process::Command::new("git").args(["init", "--quiet", "--bare"]).arg(&remote).status().unwrap();
    assert!(init.success());
    let settings = vault.join("feedvault.toml");
    let text = fs::read_to_string(&settings).unwrap();
    let table = format!("\n[publish.git]\nremotes = [{:?}]\ninclude = \"vault\"\ninterval = \"0s\"\n", remote);
    fs::write(&settings, format!("{text}{table}")).unwrap();
    fetch(&vault);
    server.route("/one.xml", Response::ok("application/rss+xml; charset=utf-8", rss("zh", &V2)));
    fetch(&vault);
    let listed = std::process::Command::new("git")
        .args(["ls-tree", "-r", "--name-only", "main"])
        .current_dir(&remote)
        .output()
        .unwrap();
    let committed: BTreeSet<String> = String::from_utf8(listed.stdout).unwrap().lines().map(str::to_owned).collect();
    let kept: BTreeSet<String> =
        kept_bodies(&vault).keys().map(|hash| format!("captures/{}/{hash}.zst", &hash[..2])).collect();
    assert_eq!(kept.len(), 2, "both versions of the feed were captured");
    assert!(kept.is_subset(&committed), "{kept:?} not all in {committed:?}");
    assert!(committed.contains("captures/records.jsonl"), "{committed:?}");
    let log =
        std::process::Command::new("git").args(["log", "--format=%s", "main"]).current_dir(&remote).output().unwrap();
    assert_eq!(String::from_utf8(log.stdout).unwrap().lines().count(), 2, "one commit per fetch that archived");
}

#[test]
fn verify_finds_an_altered_and_a_missing_capture_body() {
    let (_dir, vault, _server, _v1, _v2) = fetched_twice_changed_once();
    let verify = || feedvault(&vault).arg("verify").output().unwrap();
    let clean = verify();
    assert!(clean.status.success(), "{}", String::from_utf8_lossy(&clean.stdout));
    let bodies: Vec<PathBuf> = files_under(&vault.join("captures"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "zst"))
        .collect();
    assert_eq!(bodies.len(), 2);
    // Another body's bytes under the first one's name: decompresses, but not to its hash.
    // And a temporary file an interrupted write left beside them.
    let temp = bodies[0].with_file_name(format!(".x{}", feedvault_archive::durable::TEMP_SUFFIX));
    fs::write(&temp, b"partial").unwrap();
    fs::copy(&bodies[1], &bodies[0]).unwrap();
    fs::remove_file(&bodies[1]).unwrap();
    let found = verify();
    assert!(!found.status.success());
    let report = String::from_utf8_lossy(&found.stdout);
    for body in &bodies {
        let shown = body.strip_prefix(&vault).unwrap().to_string_lossy().into_owned();
        assert!(report.contains(&format!("{shown}: a kept capture body is missing or altered")), "{shown}: {report}");
    }
    assert!(report.contains(&format!("{}: a temporary file left by an interrupted write", temp.display())), "{report}");
}
