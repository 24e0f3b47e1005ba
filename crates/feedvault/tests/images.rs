//! Images kept, end to end: `feedvault fetch` against a loopback server that is
//! also the feed's proxy (so an `images.weserv.nl` URL reaches it), with `srcset`,
//! `<picture>`, a proxy URL, one image under two URLs, an image too large (sent
//! without a length, more than the limit), HTML served as image/png, a GIF served
//! as text/plain, a 404 and an image on another origin; then `verify` catching an
//! altered copy and `reindex` recovering the records after state.db is deleted.

mod support;

use std::collections::HashMap;
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;

use predicates::prelude::*;
use support::{feedvault, new_vault};

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR one";
const AWAY_PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR away";
const JPEG: &[u8] = b"\xFF\xD8\xFF\xE0\0\x10JFIF large";
const GIF: &[u8] = b"GIF89a picture";
const MISLABELED_GIF: &[u8] = b"GIF89a mislabeled";
const WEBP: &[u8] = b"RIFF\x10\0\0\0WEBPVP8 original";
/// What the flood route sends in all (the limit is 1 MiB).
const FLOOD: usize = 64 * 1024 * 1024;

#[derive(Clone)]
enum Serve {
    Ok(&'static str, Vec<u8>),
    /// A PNG's first bytes, then zeros up to [`FLOOD`] bytes, with no length.
    Flood,
}

/// A request as the server saw it: host, path, headers.
type Seen = (String, String, HashMap<String, String>);

struct ImageServer {
    base: String,
    routes: Arc<Mutex<HashMap<String, Serve>>>,
    seen: Arc<Mutex<Vec<Seen>>>,
    flood_sent: Arc<AtomicUsize>,
}

impl ImageServer {
    fn start() -> ImageServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let server = ImageServer { base, routes: Arc::default(), seen: Arc::default(), flood_sent: Arc::default() };
        let (routes, seen, sent) = (server.routes.clone(), server.seen.clone(), server.flood_sent.clone());
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (routes, seen, sent) = (routes.clone(), seen.clone(), sent.clone());
                thread::spawn(move || answer(stream, &routes, &seen, &sent));
            }
        });
        server
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn route(&self, path: &str, serve: Serve) {
        self.routes.lock().unwrap().insert(path.to_owned(), serve);
    }

    fn requests(&self, host: &str, path: &str) -> Vec<HashMap<String, String>> {
        let seen = self.seen.lock().unwrap();
        seen.iter().filter(|(h, p, _)| h == host && p == path).map(|(_, _, headers)| headers.clone()).collect()
    }

    fn host(&self) -> String {
        self.base.trim_start_matches("http://").to_owned()
    }
}

/// One request per connection, origin-form or (as a proxy) absolute-form.
fn answer(stream: TcpStream, routes: &Mutex<HashMap<String, Serve>>, seen: &Mutex<Vec<Seen>>, sent: &AtomicUsize) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let target = line.split_whitespace().nth(1).unwrap_or("/").to_owned();
    let mut headers = HashMap::new();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).unwrap_or(0) == 0 || header.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = header.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
        }
    }
    let (host, path) = match target.strip_prefix("http://") {
        Some(rest) => match rest.find('/') {
            Some(at) => (rest[..at].to_owned(), rest[at..].to_owned()),
            None => (rest.to_owned(), "/".to_owned()),
        },
        None => (headers.get("host").cloned().unwrap_or_default(), target),
    };
    seen.lock().unwrap().push((host, path.clone(), headers));
    let serve = routes.lock().unwrap().get(&path).cloned();
    match serve {
        Some(Serve::Ok(content_type, body)) => {
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = writer.write_all(head.as_bytes()).and_then(|()| writer.write_all(&body));
        }
        Some(Serve::Flood) => {
            let head = "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nConnection: close\r\n\r\n";
            if writer.write_all(head.as_bytes()).and_then(|()| writer.write_all(PNG)).is_err() {
                return;
            }
            let chunk = vec![0u8; 64 * 1024];
            let mut total = PNG.len();
            while total < FLOOD {
                if writer.write_all(&chunk).is_err() {
                    break;
                }
                total += chunk.len();
                sent.store(total, Ordering::SeqCst);
            }
        }
        None => {
            let _ = writer.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        }
    }
}

fn rss(items: &[(&str, String, String)]) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><channel><title>Images</title><link>https://news.example.org/</link>\n",
    );
    for (guid, link, body) in items {
        out.push_str(&format!(
            "<item><guid isPermaLink=\"false\">{guid}</guid><title>Item {guid}</title><link>{link}</link><pubDate>Tue, 20 Sep 2022 10:16:32 +0800</pubDate><content:encoded><![CDATA[{body}]]></content:encoded></item>\n"
        ));
    }
    out.push_str("</channel></rss>\n");
    out
}

/// Every file under assets/<ab>/ (vault-relative, sorted).
fn asset_files(vault: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let Ok(folders) = fs::read_dir(vault.join("assets")) else { return out };
    for folder in folders.flatten().filter(|f| f.path().is_dir()) {
        for file in fs::read_dir(folder.path()).unwrap().flatten() {
            out.push(file.path().strip_prefix(vault).unwrap().to_string_lossy().into_owned());
        }
    }
    out.sort();
    out
}

fn sha256(bytes: &[u8]) -> String {
    feedvault_core::identity::file_hash(bytes)
}

#[test]
fn images_are_kept_once_by_hash_checked_by_their_bytes_and_failures_stay_per_item() {
    let server = ImageServer::start();
    let port = server.host().rsplit(':').next().unwrap().to_owned();
    server.route("/img/a.png", Serve::Ok("image/png", PNG.to_vec()));
    server.route("/img/a-copy.png", Serve::Ok("image/png", PNG.to_vec()));
    server.route("/img/small.jpg", Serve::Ok("image/jpeg", JPEG.to_vec()));
    server.route("/img/large.jpg", Serve::Ok("image/jpeg", JPEG.to_vec()));
    server.route("/img/pic.gif", Serve::Ok("image/gif", GIF.to_vec()));
    server.route("/img/orig.webp", Serve::Ok("image/webp", WEBP.to_vec()));
    server.route("/img/mislabeled.gif", Serve::Ok("text/plain", MISLABELED_GIF.to_vec()));
    server.route("/img/fake.png", Serve::Ok("image/png", b"<!doctype html><p>not an image".to_vec()));
    server.route("/img/huge.png", Serve::Flood);
    server.route("/img/away.png", Serve::Ok("image/png", AWAY_PNG.to_vec()));
    let weserv = format!("http://images.weserv.nl/?url=127.0.0.1:{port}/img/orig.webp&amp;w=300");
    let first = format!(
        "<p><img src=\"/img/a.png\" alt=\"A\"> <img src=\"{a_copy}\"></p>\
         <img srcset=\"/img/small.jpg 320w, /img/large.jpg 1280w\" src=\"/img/a.png\">\
         <picture><source srcset=\"/img/pic.gif\" type=\"image/gif\"><img src=\"/img/a.png\"></picture>\
         <img src=\"{weserv}\"><img src=\"/img/mislabeled.gif\"><img src=\"/img/fake.png\">\
         <img src=\"/img/missing.png\"><img src=\"/img/huge.png\"><img src=\"http://localhost:{port}/img/away.png\">",
        a_copy = server.url("/img/a-copy.png"),
    );
    let second = format!("<p>Again: <img src=\"{}\"></p>", server.url("/img/a-copy.png"));
    let items = [("1", server.url("/a/1"), first.clone()), ("2", server.url("/a/2"), second)];
    server.route("/feed.xml", Serve::Ok("application/rss+xml", rss(&items).into_bytes()));

    let dir = new_vault();
    let vault = dir.path().join("v");
    let config = vault.join("feedvault.toml");
    let text = fs::read_to_string(&config).unwrap();
    assert!(text.contains("[preserve.images]\nenabled = false\nmax_bytes = 10485760\n"), "{text}");
    let text = text.replace("max_bytes = 10485760", "max_bytes = 1048576");
    let feed = format!(
        "\n[[feeds]]\nname = \"pics\"\nurl = \"{}\"\nproxy = \"{}\"\nheaders = {{ \"X-Key\" = \"secret\" }}\nimages = true\n",
        server.url("/feed.xml"),
        server.base
    );
    fs::write(&config, text + &feed).unwrap();

    let huge = server.url("/img/huge.png");
    let fake = server.url("/img/fake.png");
    let missing = server.url("/img/missing.png");
    feedvault(&vault)
        .arg("fetch")
        .assert()
        .success()
        .stdout(predicate::str::contains("pics: 2 new, 0 revised, 0 unchanged, 8 images kept, 3 images not kept"))
        .stderr(predicate::str::contains(format!(
            "feedvault: feed pics: image {huge} of archive/pics/2022/09/20/"
        )))
        .stderr(predicate::str::contains("body larger than the 1048576-byte limit"))
        .stderr(predicate::str::is_match(format!(
            "image {fake} of archive/pics/2022/09/20/item-1-[0-9a-f]+\\.md: not an image: its bytes are not JPEG, PNG, GIF, WebP or AVIF; it stays a link"
        )).unwrap())
        .stderr(predicate::str::contains(format!("image {missing} of archive/pics/2022/09/20/item-1-")))
        .stderr(predicate::str::contains(format!("HTTP 404 Not Found from {missing}; it stays a link")));
    let first_article = support::archive_files(&vault).into_iter().find(|f| f.contains("item-1-")).unwrap();

    // Not buffered whole: the fetch stopped reading long before the server was done.
    let sent = server.flood_sent.load(Ordering::SeqCst);
    assert!(sent < FLOOD / 2, "the oversized image was read to the end ({sent} bytes sent)");

    // Stored once per content, named by hash, with the type its bytes show (the GIF
    // served as text/plain is a GIF; the HTML served as image/png is not kept).
    let expected: Vec<String> =
        [(PNG, "png"), (AWAY_PNG, "png"), (JPEG, "jpg"), (GIF, "gif"), (MISLABELED_GIF, "gif"), (WEBP, "webp")]
            .iter()
            .map(|(bytes, ext)| {
                let hash = sha256(bytes);
                format!("assets/{}/{hash}.{ext}", &hash[..2])
            })
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
    assert_eq!(asset_files(&vault), expected);
    let records = fs::read_to_string(vault.join("assets/records.jsonl")).unwrap();
    assert_eq!(records.lines().count(), 8, "{records}");
    assert!(records.contains(&format!("\"url\":\"{}\"", weserv.replace("&amp;", "&"))), "{records}");
    assert!(records.contains("\"media_type\":\"image/gif\""), "{records}");

    // Each URL fetched once; the smaller srcset candidate and the proxy never.
    let host = server.host();
    for path in ["/img/a.png", "/img/a-copy.png", "/img/large.jpg", "/img/pic.gif", "/img/orig.webp"] {
        assert_eq!(server.requests(&host, path).len(), 1, "{path}");
    }
    assert!(server.requests(&host, "/img/small.jpg").is_empty());
    assert!(server.seen.lock().unwrap().iter().all(|(h, ..)| h != "images.weserv.nl"), "the proxy was asked");
    // The feed's headers went to its own origin only.
    assert_eq!(server.requests(&host, "/img/a.png")[0].get("x-key").map(String::as_str), Some("secret"));
    let away = server.requests(&format!("localhost:{port}"), "/img/away.png");
    assert_eq!(away.len(), 1);
    assert!(!away[0].contains_key("x-key"), "{:?}", away[0]);

    // The article file is evidence: unchanged.
    let article = fs::read_to_string(vault.join(&first_article)).unwrap();
    assert!(article.contains("<img src=\"/img/a.png\" alt=\"A\">") && article.contains(&weserv), "{article}");

    // Item 1 revised (its images looked at again): nothing kept is downloaded again,
    // a permanent failure is not tried again.
    let revised = [("1", server.url("/a/1"), format!("{first}<p>rev</p>")), items[1].clone()];
    server.route("/feed.xml", Serve::Ok("application/rss+xml", rss(&revised).into_bytes()));
    feedvault(&vault)
        .args(["fetch", "--force"])
        .assert()
        .success()
        .stdout(predicate::str::contains("pics: 0 new, 1 revised"));
    assert_eq!(server.requests(&host, "/img/a.png").len(), 1);
    assert_eq!(server.requests(&host, "/img/missing.png").len(), 1);
    assert_eq!(server.requests(&host, "/img/fake.png").len(), 1);

    feedvault(&vault).arg("verify").assert().success();
    // An altered copy is found; a missing one too.
    let jpeg = expected.iter().find(|p| p.ends_with(".jpg")).unwrap().clone();
    let gif = expected.iter().find(|p| p.contains(&sha256(GIF))).unwrap().clone();
    fs::write(vault.join(&jpeg), b"\xFF\xD8\xFF\xE0 altered").unwrap();
    fs::remove_file(vault.join(&gif)).unwrap();
    feedvault(&vault)
        .arg("verify")
        .assert()
        .failure()
        .stdout(predicate::str::contains(format!(
            "{jpeg}: a kept image was altered (its bytes no longer match its SHA-256)"
        )))
        .stdout(predicate::str::contains(format!("{gif}: a kept image is missing")));
    fs::write(vault.join(&jpeg), JPEG).unwrap();
    fs::write(vault.join(&gif), GIF).unwrap();

    // state.db is derived: reindex recovers the records from assets/records.jsonl.
    for name in ["state.db", "state.db-wal", "state.db-shm"] {
        let _ = fs::remove_file(vault.join(name));
    }
    feedvault(&vault)
        .arg("reindex")
        .assert()
        .success()
        .stdout(predicate::str::contains("Recorded 8 kept images again from assets/records.jsonl."));
    feedvault(&vault).arg("verify").assert().success();
    // And they are known again: item 2 revised, its kept image is not downloaded again.
    let again = [revised[0].clone(), ("2", items[1].1.clone(), format!("{}<p>rev</p>", items[1].2))];
    server.route("/feed.xml", Serve::Ok("application/rss+xml", rss(&again).into_bytes()));
    feedvault(&vault)
        .args(["fetch", "--force"])
        .assert()
        .success()
        .stdout(predicate::str::contains("pics: 0 new, 1 revised"));
    assert_eq!(server.requests(&host, "/img/a-copy.png").len(), 1);
}

#[test]
fn svg_is_never_kept_and_images_are_off_by_default() {
    let dir = new_vault();
    let vault = dir.path().join("v");
    let config = vault.join("feedvault.toml");
    let text = fs::read_to_string(&config).unwrap();
    let svg = text.replace("types = [\"image/jpeg\",", "types = [\"image/svg+xml\", \"image/jpeg\",");
    fs::write(&config, svg).unwrap();
    feedvault(&vault)
        .arg("list")
        .assert()
        .failure()
        .stderr(predicate::str::contains("\"image/svg+xml\" cannot be kept"))
        .stderr(predicate::str::contains("SVG is never kept, it can carry script"));
    let settings = feedvault_engine::Settings::parse(&text, "feedvault.toml").unwrap();
    assert!(!settings.preserve.images.enabled);
}

/// Runs git in `dir`; its stdout.
fn git(dir: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("git").current_dir(dir).args(args).output().unwrap();
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn git_publishing_commits_new_copies_and_their_records_when_asked() {
    let server = ImageServer::start();
    server.route("/img/a.png", Serve::Ok("image/png", PNG.to_vec()));
    server.route("/img/b.png", Serve::Ok("image/png", AWAY_PNG.to_vec()));
    let item = |n: &'static str, img: &str| (n, server.url(&format!("/a/{n}")), format!("<img src=\"{img}\">"));
    let one = [item("1", "/img/a.png")];
    server.route("/feed.xml", Serve::Ok("application/rss+xml", rss(&one).into_bytes()));
    let dir = new_vault();
    let vault = dir.path().join("v");
    let config = vault.join("feedvault.toml");
    let text = fs::read_to_string(&config).unwrap().replace("enabled = false", "enabled = true");
    let tables = format!(
        "\n[publish.git]\nremotes = []\ninterval = \"0s\"\ninclude_assets = true\n\n[[feeds]]\nname = \"pics\"\nurl = \"{}\"\n",
        server.url("/feed.xml")
    );
    fs::write(&config, text + &tables).unwrap();
    feedvault(&vault).arg("fetch").assert().success();
    let two = [item("1", "/img/a.png"), item("2", "/img/b.png")];
    server.route("/feed.xml", Serve::Ok("application/rss+xml", rss(&two).into_bytes()));
    feedvault(&vault)
        .args(["fetch", "--force"])
        .assert()
        .success()
        .stdout(predicate::str::contains("1 new, 0 revised, 1 unchanged, 1 images kept"));
    // The second commit is built from the journal: the new copy and the records.
    let files = git(&vault, &["ls-tree", "-r", "--name-only", "main"]);
    for bytes in [PNG, AWAY_PNG] {
        let hash = sha256(bytes);
        assert!(files.contains(&format!("assets/{}/{hash}.png", &hash[..2])), "{files}");
    }
    let records = git(&vault, &["show", "main:assets/records.jsonl"]);
    assert_eq!(records.lines().count(), 2, "{records}");
    let changed = git(&vault, &["show", "--name-only", "--format=", "main"]);
    let b = sha256(AWAY_PNG);
    assert!(
        changed.contains(&format!("assets/{}/{b}.png", &b[..2])) && changed.contains("assets/records.jsonl"),
        "{changed}"
    );
    assert!(!changed.contains(&sha256(PNG)), "the first copy was committed before: {changed}");
}
