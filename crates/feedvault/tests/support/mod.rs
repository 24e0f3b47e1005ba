//! Test support: a real HTTP/1.1 server on 127.0.0.1 that the tests start, with
//! routes set per test and every request recorded; and helpers to run the binary.

#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::thread;

use assert_cmd::Command;

/// A canned response.
#[derive(Clone, Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub misbehave: Misbehave,
}

/// Ways a server can fail a client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Misbehave {
    No,
    /// Sends the head, then nothing (holds the connection for a while).
    HangAfterHead,
    /// Closes the connection without answering.
    Close,
    /// Announces a longer body than it sends, then closes.
    ShortBody,
    /// Answers normally after this many milliseconds.
    Delay(u64),
}

impl Response {
    pub fn ok(content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Response {
            status: 200,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.into(),
            misbehave: Misbehave::No,
        }
    }

    pub fn status(status: u16) -> Self {
        Response { status, headers: Vec::new(), body: Vec::new(), misbehave: Misbehave::No }
    }

    pub fn misbehaving(misbehave: Misbehave) -> Self {
        Response {
            misbehave,
            ..Response::ok("application/rss+xml", "<rss><channel><item><guid>x</guid></item></channel></rss>")
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
}

/// A request as the server saw it.
#[derive(Clone, Debug)]
pub struct Request {
    pub path: String,
    pub headers: HashMap<String, String>,
}

type Routes = Arc<Mutex<HashMap<String, Response>>>;

/// The loopback server; it stops when the test process ends.
pub struct Server {
    pub base: String,
    routes: Routes,
    requests: Arc<Mutex<Vec<Request>>>,
}

impl Server {
    pub fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let routes: Routes = Arc::default();
        let requests: Arc<Mutex<Vec<Request>>> = Arc::default();
        let (r, q) = (routes.clone(), requests.clone());
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (r, q) = (r.clone(), q.clone());
                thread::spawn(move || serve(stream, &r, &q));
            }
        });
        Server { base, routes, requests }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn route(&self, path: &str, response: Response) {
        self.routes.lock().unwrap().insert(path.to_owned(), response);
    }

    pub fn requests_to(&self, path: &str) -> Vec<Request> {
        self.requests.lock().unwrap().iter().filter(|r| r.path == path).cloned().collect()
    }
}

fn serve(stream: TcpStream, routes: &Routes, requests: &Arc<Mutex<Vec<Request>>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let path = line.split_whitespace().nth(1).unwrap_or("/").to_owned();
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
        if let Some(len) = headers.get("content-length").and_then(|l| l.parse::<usize>().ok()) {
            let mut sink = vec![0; len];
            let _ = reader.read_exact(&mut sink);
        }
        requests.lock().unwrap().push(Request { path: path.clone(), headers: headers.clone() });
        let response = routes.lock().unwrap().get(&path).cloned().unwrap_or_else(|| Response::status(404));
        // Conditional requests: a matching ETag gets 304.
        let etag = response.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("etag")).map(|(_, v)| v.clone());
        let not_modified = etag.is_some() && headers.get("if-none-match") == etag.as_ref();
        let (status, body) = if not_modified { (304, Vec::new()) } else { (response.status, response.body.clone()) };
        if response.misbehave == Misbehave::Close {
            return;
        }
        if let Misbehave::Delay(ms) = response.misbehave {
            thread::sleep(std::time::Duration::from_millis(ms));
        }
        let announced = if response.misbehave == Misbehave::ShortBody { body.len() + 1000 } else { body.len() };
        let mut head = format!("HTTP/1.1 {status} X\r\nContent-Length: {announced}\r\n");
        for (k, v) in &response.headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        match response.misbehave {
            Misbehave::HangAfterHead => {
                let _ = writer.write_all(head.as_bytes());
                thread::sleep(std::time::Duration::from_secs(20));
                return;
            }
            Misbehave::ShortBody => {
                let _ = writer.write_all(head.as_bytes()).and_then(|()| writer.write_all(&body));
                return;
            }
            _ => {}
        }
        if writer.write_all(head.as_bytes()).and_then(|()| writer.write_all(&body)).is_err() {
            return;
        }
    }
}

/// The feedvault binary, with a vault.
pub fn feedvault(vault: &Path) -> Command {
    let mut cmd = Command::cargo_bin("feedvault").unwrap();
    cmd.arg("--vault").arg(vault).env_remove("FEEDVAULT_VAULT").env("NO_PROXY", "*");
    cmd
}

/// A fresh vault in a temporary folder, with no delay between requests to one host
/// (every test server is on 127.0.0.1).
pub fn new_vault() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("v");
    feedvault(&vault).arg("init").assert().success();
    set_fetch(&vault, "host_delay", "\"0s\"");
    dir
}

/// Sets `key = value` (value as TOML) in the `[fetch]` table of a vault's config.
pub fn set_fetch(vault: &Path, key: &str, value: &str) {
    let path = vault.join("feedvault.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let start = lines.iter().position(|l| l == "[fetch]").expect("a [fetch] table");
    let end = lines.iter().skip(start + 1).position(|l| l.starts_with('[')).map_or(lines.len(), |i| start + 1 + i);
    match lines[start..end].iter().position(|l| l.starts_with(&format!("{key} ="))) {
        Some(at) => lines[start + at] = format!("{key} = {value}"),
        None => lines.insert(start + 1, format!("{key} = {value}")),
    }
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
}

/// Subscribes by writing feedvault.toml directly (no discovery request).
pub fn subscribe(vault: &Path, name: &str, url: &str) {
    let path = vault.join("feedvault.toml");
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str(&format!("\n[[feeds]]\nname = \"{name}\"\nurl = \"{url}\"\n"));
    std::fs::write(&path, text).unwrap();
}

/// An RSS 2.0 document with the given items (`(guid, title, body)`).
pub fn rss(language: &str, items: &[(&str, &str, &str)]) -> String {
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><channel><title>Test feed</title><link>https://news.example.org/</link><language>{language}</language>\n"
    );
    for (guid, title, body) in items {
        out.push_str(&format!(
            "<item><guid isPermaLink=\"false\">{guid}</guid><title>{title}</title><link>https://news.example.org/a/{guid}</link><pubDate>Tue, 20 Sep 2022 10:16:32 +0800</pubDate><content:encoded><![CDATA[{body}]]></content:encoded></item>\n"
        ));
    }
    out.push_str("</channel></rss>\n");
    out
}

/// Every article file under a vault's archive/ (relative paths, sorted; the
/// README.md indexes are not articles).
pub fn archive_files(vault: &Path) -> Vec<String> {
    let mut out = Vec::new();
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else if path.file_name().is_some_and(|n| n != "README.md") {
                out.push(path.strip_prefix(root).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    walk(vault, &vault.join("archive"), &mut out);
    out.sort();
    out
}
