//! Limits enforced while streaming: a dripping server meets the total limit (not the
//! stall limit), a silent one the stall limit, an endless body the size or total limit.

mod support;

use std::io::Write;
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use feedvault_fetch::{FailureKind, FetchError, FetchOptions, Fetcher, ProxyChoice, Source, Validators};
use support::{Server, THREAD_LIMIT, within};

const LIMIT: Duration = Duration::from_secs(20);

fn options(stall: u64, total: u64) -> FetchOptions {
    FetchOptions {
        proxy: ProxyChoice::Direct,
        connect_timeout: Duration::from_secs(1),
        stall_timeout: Duration::from_secs(stall),
        total_timeout: Duration::from_secs(total),
        ..FetchOptions::default()
    }
}

fn fail(options: FetchOptions, url: url::Url) -> (FetchError, Duration) {
    within(LIMIT, async move {
        let start = Instant::now();
        let fetcher = Fetcher::new(options).unwrap();
        let err = fetcher.fetch(&Source::Http(url), &Validators::default()).await.unwrap_err();
        (err, start.elapsed())
    })
}

fn head(stream: &mut TcpStream, extra: &str) {
    let _ = write!(stream, "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n{extra}\r\n");
    let _ = stream.flush();
}

#[test]
fn dripping_server_hits_the_total_limit_not_the_stall_limit() {
    let sent = Arc::new(AtomicUsize::new(0));
    let counter = sent.clone();
    let server = Server::start(move |_, stream| {
        head(stream, "Content-Length: 100000\r\n");
        let start = Instant::now();
        while start.elapsed() < THREAD_LIMIT {
            if stream.write_all(b"x").and_then(|()| stream.flush()).is_err() {
                return;
            }
            counter.fetch_add(1, Ordering::SeqCst);
            thread::sleep(Duration::from_secs(1));
        }
    });
    let (err, took) = fail(options(2, 4), server.url("/drip"));
    assert_eq!(err.kind, FailureKind::Timeout);
    assert!(err.message.contains("time limit") && !err.message.contains("stalled"), "{}", err.message);
    assert!(took >= Duration::from_millis(3900) && took < Duration::from_secs(8), "{took:?}");
    assert!(sent.load(Ordering::SeqCst) >= 3, "bytes kept arriving");
}

#[test]
fn silent_body_hits_the_stall_limit() {
    let server = Server::start(|_, stream| {
        head(stream, "Content-Length: 1000\r\n");
        let _ = stream.write_all(b"<rss>");
        thread::sleep(THREAD_LIMIT);
    });
    let (err, took) = fail(options(1, 10), server.url("/silent"));
    assert_eq!(err.kind, FailureKind::Timeout);
    assert!(err.message.contains("stalled") && err.message.contains("/silent"), "{}", err.message);
    assert!(took >= Duration::from_millis(900) && took < Duration::from_secs(5), "{took:?}");
}

#[test]
fn silent_server_hits_the_stall_limit_before_the_head() {
    let server = Server::start(|_, _| thread::sleep(THREAD_LIMIT));
    let (err, took) = fail(options(1, 10), server.url("/mute"));
    assert_eq!(err.kind, FailureKind::Timeout);
    assert!(err.message.contains("stalled") && err.message.contains("waiting for the response"), "{}", err.message);
    // connect timeout (1 s) + stall (1 s) for the head
    assert!(took >= Duration::from_millis(1900) && took < Duration::from_secs(6), "{took:?}");
}

fn endless_server() -> Server {
    Server::start(|_, stream| {
        head(stream, "Transfer-Encoding: chunked\r\n");
        let chunk = vec![b'y'; 8192];
        let start = Instant::now();
        while start.elapsed() < THREAD_LIMIT {
            let ok = write!(stream, "{:x}\r\n", chunk.len())
                .and_then(|()| stream.write_all(&chunk))
                .and_then(|()| stream.write_all(b"\r\n"));
            if ok.is_err() {
                return;
            }
            thread::sleep(Duration::from_millis(2));
        }
    })
}

#[test]
fn endless_body_hits_the_size_limit() {
    let server = endless_server();
    let (err, took) = fail(FetchOptions { max_bytes: 64 * 1024, ..options(2, 15) }, server.url("/endless"));
    assert_eq!(err.kind, FailureKind::TooLarge, "{}", err.message);
    assert_eq!(err.kind.label(), "too-large");
    assert!(took < Duration::from_secs(5), "{took:?}");
}

#[test]
fn endless_body_hits_the_total_limit() {
    let server = endless_server();
    let (err, took) = fail(FetchOptions { max_bytes: usize::MAX, ..options(1, 2) }, server.url("/endless"));
    assert_eq!(err.kind, FailureKind::Timeout, "{}", err.message);
    assert!(took >= Duration::from_millis(1900) && took < Duration::from_secs(6), "{took:?}");
}

#[test]
fn declared_length_over_the_limit_is_refused_at_once() {
    let server = Server::start(|_, stream| {
        head(stream, "Content-Length: 999999999\r\n");
        thread::sleep(THREAD_LIMIT);
    });
    let (err, took) = fail(FetchOptions { max_bytes: 1024, ..options(5, 10) }, server.url("/big"));
    assert_eq!(err.kind, FailureKind::TooLarge);
    assert!(took < Duration::from_secs(2), "{took:?}");
}
