//! feedvault against the test documents of Python's feedparser
//! (`../shared/fixtures/feedparser/`): every case whose `Expect:` line maps onto
//! feedvault's parse output is evaluated (see `corpus/expect.rs`). Cases with a
//! `Header:` line are served from a loopback HTTP server with those headers and
//! parsed the way the fetcher does: the Content-Type charset and the
//! Content-Location base. The others are parsed with the URL they would be served at.
//!
//! Every case that still fails is listed, with the reason the difference is
//! deliberate, in `tests/data/feedparser-known-differences.tsv`; the test fails on a
//! failure not listed there and on a listed case that now passes.

#[path = "corpus/expect.rs"]
mod expect;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

use feedvault_feed::{FeedError, ParseOptions, parse};
use url::Url;

/// The address feedparser's own test server used; expectations name it.
const FEEDPARSER_ORIGIN: &str = "http://127.0.0.1:8097";

struct Case {
    /// Path below the corpus folder, e.g. `tests/wellformed/rss/item_title.xml`.
    rel: String,
    bytes: Vec<u8>,
    expect: String,
    headers: Vec<(String, String)>,
}

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/feedparser")
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "xml" || e == "json") {
            out.push(path);
        }
    }
}

/// The `Key: value` lines of the leading comment (for JSON: of its `__TEST__` string).
fn header_lines(bytes: &[u8]) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]);
    let comment = match (text.find("<!--"), text.find("-->")) {
        (Some(start), Some(end)) if start < end => text[start + 4..end].to_owned(),
        _ => match text.find("\"__TEST__\"") {
            Some(at) => text[at..].lines().next().unwrap_or("").replace("Expect:", "\nExpect:"),
            None => String::new(),
        },
    };
    comment
        .lines()
        .filter_map(|line| {
            let (key, value) = line.trim().split_once(':')?;
            let value = value.trim().trim_end_matches("\",").trim_end_matches("-->").trim();
            Some((key.trim().trim_start_matches('"').to_owned(), value.to_owned()))
        })
        .collect()
}

fn cases() -> Vec<Case> {
    let root = corpus();
    let mut paths = Vec::new();
    files(&root.join("tests"), &mut paths);
    paths.sort();
    paths
        .into_iter()
        .filter_map(|path| {
            let bytes = std::fs::read(&path).ok()?;
            let lines = header_lines(&bytes);
            let expect = lines.iter().find(|(k, _)| k == "Expect").map(|(_, v)| v.clone())?;
            let headers = lines
                .iter()
                .filter(|(k, _)| k == "Header")
                .filter_map(|(_, v)| v.split_once(':'))
                .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
                .collect();
            let rel = path.strip_prefix(&root).ok()?.to_string_lossy().replace('\\', "/");
            Some(Case { rel, bytes, expect, headers })
        })
        .collect()
}

/// Serves each case at `/<rel>` with its headers, for `requests` requests, then stops.
/// What the server answers for a path: the body and the headers to send with it.
type Served = BTreeMap<String, (Vec<u8>, Vec<(String, String)>)>;

fn serve(cases: &Served, requests: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    let origin = format!("http://{}", listener.local_addr().expect("local address"));
    let cases = cases.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(requests) {
            let Ok(mut stream) = stream else { continue };
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            let mut request = Vec::new();
            let mut buf = [0u8; 1024];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buf[..n]),
                }
            }
            let line = String::from_utf8_lossy(&request);
            let path = line.split_whitespace().nth(1).unwrap_or("/").trim_start_matches('/').to_owned();
            let response = match cases.get(&path) {
                Some((body, headers)) => {
                    let mut head = String::from("HTTP/1.0 200 OK\r\n");
                    for (k, v) in headers {
                        head.push_str(&format!("{k}: {v}\r\n"));
                    }
                    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
                    [head.into_bytes(), body.clone()].concat()
                }
                None => b"HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n".to_vec(),
            };
            let _ = stream.write_all(&response);
        }
    });
    origin
}

/// GET over HTTP/1.0: the headers (names lowercased) and the body.
fn get(url: &Url) -> (Vec<(String, String)>, Vec<u8>) {
    let addr = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap());
    let mut stream = TcpStream::connect(addr).expect("connect to the loopback server");
    stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(stream, "GET {} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n", url.path()).unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).expect("read the response");
    let split = response.windows(4).position(|w| w == b"\r\n\r\n").expect("a complete response");
    let head = String::from_utf8_lossy(&response[..split]).into_owned();
    let headers = head
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    (headers, response[split + 4..].to_vec())
}

/// The charset parameter of a Content-Type value.
fn charset(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        name.trim().eq_ignore_ascii_case("charset").then(|| value.trim().trim_matches(['"', '\'']).to_owned())
    })
}

#[test]
fn feedparser_corpus() {
    let cases = cases();
    assert!(cases.len() > 2000, "the corpus is at {} ({} cases found)", corpus().display(), cases.len());
    let served: Served = cases
        .iter()
        .filter(|c| !c.headers.is_empty())
        .map(|c| (c.rel.clone(), (c.bytes.clone(), c.headers.clone())))
        .collect();
    let origin = serve(&served, served.len());

    let known: BTreeMap<&str, &str> = include_str!("data/feedparser-known-differences.tsv")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split_once('\t'))
        .collect();
    let verbose = std::env::var_os("FEEDPARSER_VERBOSE").is_some();

    let (mut mappable, mut passed) = (0, 0);
    let mut unexpected = Vec::new();
    let mut fixed = Vec::new();
    let mut failed_known = 0;
    let mut evaluated = Vec::new();
    for case in &cases {
        let expect = case.expect.replace(FEEDPARSER_ORIGIN, &origin);
        if let Err(why) = expect::evaluate(&expect, &feedvault_core::Feed::default()) {
            if verbose {
                eprintln!("UNMAPPABLE {} {}", case.rel, why.0);
            }
            continue;
        }
        mappable += 1;
        evaluated.push(case.rel.as_str());
        let url = Url::parse(&format!("{origin}/{}", case.rel)).unwrap();
        let mut options = ParseOptions { url: Some(url.clone()), ..ParseOptions::default() };
        let bytes = if case.headers.is_empty() {
            case.bytes.clone()
        } else {
            let (headers, body) = get(&url);
            let header = |name: &str| headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
            options.http_charset = header("content-type").and_then(charset);
            options.content_location = header("content-location").and_then(|l| url.join(l).ok());
            body
        };
        let outcome = match parse(&bytes, &options) {
            // `1`: the document only has to be survived; feedvault may refuse it,
            // cleanly.
            Err(err) if expect.trim() == "1" => !matches!(err, FeedError::Panic(_)),
            Ok(feed) => expect::evaluate(&expect, &feed).unwrap_or(false),
            Err(_) => false,
        };
        let listed = known.contains_key(case.rel.as_str());
        match (outcome, listed) {
            (true, false) => passed += 1,
            (true, true) => {
                passed += 1;
                fixed.push(case.rel.clone());
            }
            (false, true) => failed_known += 1,
            (false, false) => unexpected.push(case.rel.clone()),
        }
        if verbose && !outcome {
            let got = match parse(&bytes, &options) {
                Ok(feed) => {
                    let item = feed.items.first().cloned().unwrap_or_default();
                    let cut = |s: Option<String>| s.map(|s| s.chars().take(160).collect::<String>());
                    format!(
                        "{:?} title={:?} link={:?} | item title={:?} link={:?} id={:?} authors={:?} published={:?} updated={:?} content={:?} summary={:?} warnings={:?}",
                        feed.format,
                        cut(Some(feed.title.clone())),
                        feed.link,
                        cut(item.title),
                        item.link,
                        item.id,
                        item.authors,
                        item.published,
                        item.updated,
                        cut(item.content_html),
                        cut(item.summary_html),
                        feed.warnings
                    )
                }
                Err(err) => format!("error: {err}"),
            };
            eprintln!("FAIL {}\n  expect: {}\n  got: {got}", case.rel, case.expect);
        }
    }
    let failed = mappable - passed;
    // Written to stderr directly, past the test harness's capture, so that every
    // run shows the numbers.
    let visible_only = expect::VISIBLE_ONLY.load(std::sync::atomic::Ordering::Relaxed);
    let summary = format!(
        "feedparser corpus: {mappable} mappable, {passed} passed, {failed} failed ({failed_known} known); \
         {visible_only} body comparisons held by visible text only"
    );
    let _ = writeln!(std::io::stderr(), "{summary}");
    assert!(
        unexpected.is_empty(),
        "{} cases failed that are not known differences:\n{}",
        unexpected.len(),
        unexpected.join("\n")
    );
    assert!(
        fixed.is_empty(),
        "listed as known differences but now pass (remove them from the list):\n{}",
        fixed.join("\n")
    );
    let stale: Vec<&str> = known.keys().copied().filter(|k| !evaluated.contains(k)).collect();
    assert!(stale.is_empty(), "listed as known differences but not evaluated (gone or not mappable): {stale:?}");
    assert!(passed * 100 >= mappable * 99, "under 99%: {passed} of {mappable}");
}
