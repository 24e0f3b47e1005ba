//! `serve` and `daemon` serve the web UI: the real binary on a port-0 address,
//! spoken to over plain HTTP/1.1; the daemon's "fetch now" is queued for its loop.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use support::{Response, Server, new_vault, rss, subscribe};

/// Sends one request; returns (status, body).
fn http(addr: &str, method: &str, path: &str, body: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status = answer.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = answer.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default();
    (status, body)
}

/// Waits for the line that says where the server listens; returns `ip:port`.
fn served_at(child: &mut Child) -> String {
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(at) = line.find("serving the web UI at http://") {
            let rest = &line[at + "serving the web UI at http://".len()..];
            let addr = rest.split('/').next().unwrap().to_owned();
            // Keep draining stderr so the child never blocks on a full pipe.
            std::thread::spawn(move || for _ in lines {});
            return addr;
        }
    }
    panic!("the server never said where it listens");
}

fn stop(mut child: Child) {
    // SAFETY: sends SIGTERM to the child this test started and still owns.
    assert_eq!(unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) }, 0);
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
}

fn binary() -> std::path::PathBuf {
    assert_cmd::cargo::cargo_bin("feedvault")
}

#[test]
fn serve_answers_health_pages_and_api() {
    let dir = new_vault();
    let vault = dir.path().join("v");
    let mut child = Command::new(binary())
        .arg("--vault")
        .arg(&vault)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .env_remove("FEEDVAULT_TOKEN")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let addr = served_at(&mut child);
    assert_eq!(http(&addr, "GET", "/healthz", ""), (200, "ok\n".to_owned()));
    let (status, body) = http(&addr, "GET", "/api/feeds", "");
    assert_eq!((status, body.trim()), (200, "[]"));
    let (status, body) = http(&addr, "GET", "/", "");
    assert_eq!(status, 200);
    assert!(body.contains("action=\"/search\""));
    assert_eq!(http(&addr, "POST", "/fetch", "csrf=forged").0, 403);
    stop(child);
}

#[test]
fn serve_refuses_a_bad_address() {
    let dir = new_vault();
    let output = Command::new(binary())
        .arg("--vault")
        .arg(dir.path().join("v"))
        .args(["serve", "--addr", "nowhere"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--addr \"nowhere\""));
}

#[test]
fn the_daemon_serves_and_fetch_now_wakes_it() {
    let server = Server::start();
    server.route("/d", Response::ok("application/rss+xml", rss("zh", &[("1", "第一篇", "<p>正文</p>")])));
    let dir = new_vault();
    let vault = dir.path().join("v");
    subscribe(&vault, "d", &server.url("/d"));
    let mut child = Command::new(binary())
        .arg("--vault")
        .arg(&vault)
        .args(["daemon", "--addr", "127.0.0.1:0"])
        .env("NO_PROXY", "*")
        .env_remove("FEEDVAULT_TOKEN")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let addr = served_at(&mut child);
    let wait_for = |n: usize| {
        let started = Instant::now();
        while server.requests_to("/d").len() < n {
            assert!(started.elapsed() < Duration::from_secs(30), "{} requests", server.requests_to("/d").len());
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    wait_for(1);
    // The first cycle archived the article: the daemon's own server shows it.
    let started = Instant::now();
    while !http(&addr, "GET", "/", "").1.contains("第一篇") {
        assert!(started.elapsed() < Duration::from_secs(30), "the article never showed");
        std::thread::sleep(Duration::from_millis(100));
    }
    // The feed is not due for minutes; "fetch now" makes the daemon fetch it again.
    let (_, page) = http(&addr, "GET", "/feeds", "");
    let at = page.find("action=\"/fetch\"").unwrap();
    let value = &page[at..][page[at..].find("name=\"csrf\" value=\"").unwrap() + 19..];
    let csrf = &value[..value.find('"').unwrap()];
    let (status, body) = http(&addr, "POST", "/fetch", &format!("csrf={csrf}"));
    assert_eq!(status, 303, "queued for the daemon, answered with its status page: {body}");
    wait_for(2);
    stop(child);
}
