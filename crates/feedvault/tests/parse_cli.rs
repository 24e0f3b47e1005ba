//! `feedvault parse URL` against a loopback server that answers badly (304, 204, 1xx, a
//! redirect loop): one line on stderr, exit 1, never a panic; and a closed stdout,
//! which ends any command quietly with exit 0.
//!
//! The server here is raw (it writes exact bytes per path), unlike `support`'s, so that
//! it can send interim 1xx answers and bodiless statuses.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::thread;

const RSS: &str = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Loopback</title>\
                   <link>https://example.com/</link><item><title>One</title>\
                   <link>https://example.com/1</link></item></channel></rss>";

/// Starts a server answering each path with the bytes `answers` gives for it (404
/// otherwise), then closing the connection. Returns `http://127.0.0.1:PORT`.
fn serve(answers: HashMap<&'static str, Vec<u8>>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let answers = Arc::new(answers);
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let answers = answers.clone();
            thread::spawn(move || answer(stream, &answers));
        }
    });
    base
}

fn answer(mut stream: TcpStream, answers: &HashMap<&'static str, Vec<u8>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_owned();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).unwrap_or(0) == 0 || header.trim().is_empty() {
            break;
        }
    }
    let not_found = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec();
    let _ = stream.write_all(answers.get(path.as_str()).unwrap_or(&not_found));
    let _ = stream.flush();
    // Let the client read everything before the connection closes.
    let _ = stream.shutdown(std::net::Shutdown::Write);
    let mut rest = Vec::new();
    let _ = std::io::Read::read_to_end(&mut reader, &mut rest);
}

fn head(status: &str, extra: &str) -> Vec<u8> {
    format!("HTTP/1.1 {status}\r\n{extra}Connection: close\r\n\r\n").into_bytes()
}

fn ok_feed() -> Vec<u8> {
    let mut bytes = head("200 OK", &format!("Content-Type: application/rss+xml\r\nContent-Length: {}\r\n", RSS.len()));
    bytes.extend_from_slice(RSS.as_bytes());
    bytes
}

fn server() -> String {
    let mut answers = HashMap::new();
    answers.insert("/feed", ok_feed());
    answers.insert("/304", head("304 Not Modified", "ETag: \"e\"\r\n"));
    answers.insert("/204", head("204 No Content", ""));
    answers.insert("/101", head("101 Switching Protocols", "Upgrade: websocket\r\n"));
    let mut hints = head("103 Early Hints", "Link: </style.css>; rel=preload\r\n");
    hints.truncate(hints.len() - "Connection: close\r\n\r\n".len());
    hints.extend_from_slice(b"\r\nHTTP/1.1 102 Processing\r\n\r\n");
    hints.extend_from_slice(&ok_feed());
    answers.insert("/103", hints);
    answers.insert("/loop-a", head("302 Found", "Location: /loop-b\r\nContent-Length: 0\r\n"));
    answers.insert("/loop-b", head("301 Moved Permanently", "Location: /loop-a\r\nContent-Length: 0\r\n"));
    serve(answers)
}

fn feedvault() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_feedvault"));
    command.env_remove("FEEDVAULT_VAULT").env("NO_PROXY", "*").env("no_proxy", "*").stdin(Stdio::null());
    command
}

fn parse(url: &str) -> Output {
    feedvault().arg("parse").arg(url).output().unwrap()
}

/// Asserts exit 1 and exactly one line on stderr that contains `needle`.
fn fails_in_one_line(output: &Output, needle: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "stderr: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr:?}");
    assert!(stderr.starts_with("feedvault: ") && stderr.contains(needle), "{stderr:?} lacks {needle:?}");
    assert!(!stderr.contains("internal error") && !stderr.contains("panicked"), "{stderr}");
    assert!(output.stdout.is_empty(), "nothing on stdout on failure");
}

#[test]
fn bad_answers_are_one_line_and_exit_1() {
    let base = server();
    fails_in_one_line(&parse(&format!("{base}/304")), "304");
    fails_in_one_line(&parse(&format!("{base}/304")), "not conditional");
    fails_in_one_line(&parse(&format!("{base}/204")), "no content");
    fails_in_one_line(&parse(&format!("{base}/101")), "101");
    fails_in_one_line(&parse(&format!("{base}/loop-a")), "redirect loop");
    fails_in_one_line(&parse(&format!("{base}/missing")), "404");
}

#[test]
fn interim_answers_before_the_feed_are_skipped() {
    let base = server();
    let output = parse(&format!("{base}/103"));
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["title"], "Loopback");
    assert_eq!(json["items"][0]["link"], "https://example.com/1");
}

/// Runs a command whose stdout is a pipe that nobody reads: the read end is closed
/// before the process starts, so its first write meets a broken pipe, every time.
fn with_closed_stdout(mut command: Command) -> Output {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let child = command.stdout(writer).stderr(Stdio::piped()).spawn().unwrap();
    drop(command);
    child.wait_with_output().unwrap()
}

#[test]
fn a_closed_stdout_ends_quietly_with_exit_0() {
    let base = server();
    // parse writes its output and meets the broken pipe as an I/O error.
    let mut command = feedvault();
    command.arg("parse").arg(format!("{base}/feed"));
    let output = with_closed_stdout(command);
    assert_eq!(output.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    assert!(output.stderr.is_empty(), "quiet: {}", String::from_utf8_lossy(&output.stderr));

    // The same for a file, and for a command that prints with println! (the panic
    // std raises on a closed stdout is recognised too).
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("feed.xml");
    std::fs::write(&file, RSS).unwrap();
    let mut command = feedvault();
    command.arg("parse").arg(&file);
    let output = with_closed_stdout(command);
    assert_eq!((output.status.code(), output.stderr.len()), (Some(0), 0), "{output:?}");

    let vault = dir.path().join("vault");
    let init = feedvault().arg("--vault").arg(&vault).arg("init").output().unwrap();
    assert!(init.status.success(), "{init:?}");
    let mut command = feedvault();
    command.arg("--vault").arg(&vault).arg("list");
    let output = with_closed_stdout(command);
    assert_eq!(output.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    assert!(output.stderr.is_empty(), "quiet: {}", String::from_utf8_lossy(&output.stderr));
    assert!(Path::new(&vault).join("feedvault.toml").exists());
}

#[test]
fn a_real_failure_to_write_is_still_reported() {
    // /dev/full accepts the open and fails every write with "no space": that is an
    // error (exit 1, one line), not the quiet end of a closed pipe.
    if !Path::new("/dev/full").exists() {
        return;
    }
    let base = server();
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let output = feedvault().arg("parse").arg(format!("{base}/feed")).stdout(full).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr:?}");
    assert!(stderr.contains("writing to stdout"), "{stderr}");
}
