//! Answers that are not a feed although they are not errors on the wire: 204 and 205
//! (success without a body), a 304 to a request that was not conditional, and 1xx
//! informational answers (skipped by hyper when a final answer follows; 101 refused;
//! an endless stream of them meets the stall limit).

mod support;

use std::io::Write;
use std::time::{Duration, Instant};

use feedvault_fetch::{FailureKind, FetchError, FetchOptions, Fetched, Fetcher, ProxyChoice, Source, Validators};
use support::{Server, THREAD_LIMIT, feed, respond, within};

const LIMIT: Duration = Duration::from_secs(20);

fn fetcher() -> Fetcher {
    Fetcher::new(FetchOptions {
        proxy: ProxyChoice::Direct,
        connect_timeout: Duration::from_secs(1),
        stall_timeout: Duration::from_secs(1),
        ..FetchOptions::default()
    })
    .unwrap()
}

fn server() -> Server {
    Server::start(|request, stream| match request.path() {
        "/204" => {
            let _ = stream.write_all(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n");
        }
        "/205" => respond(stream, 205, &[], b""),
        "/304" => {
            let _ = stream.write_all(b"HTTP/1.1 304 Not Modified\r\nETag: \"e\"\r\nConnection: close\r\n\r\n");
        }
        "/103" => {
            let _ = stream.write_all(b"HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n");
            let _ = stream.write_all(b"HTTP/1.1 102 Processing\r\n\r\n");
            respond(stream, 200, &[], &feed("after hints"));
        }
        "/101" => {
            let _ = stream
                .write_all(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
            std::thread::sleep(Duration::from_millis(200));
        }
        "/102-forever" => {
            let start = Instant::now();
            while start.elapsed() < THREAD_LIMIT {
                if stream.write_all(b"HTTP/1.1 102 Processing\r\n\r\n").and_then(|()| stream.flush()).is_err() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        }
        _ => respond(stream, 200, &[], &feed("ok")),
    })
}

async fn fail(fetcher: &Fetcher, url: url::Url, validators: &Validators) -> FetchError {
    fetcher.fetch(&Source::Http(url), validators).await.unwrap_err()
}

#[test]
fn success_without_a_body_is_no_content() {
    let server = server();
    within(LIMIT, async {
        let fetcher = fetcher();
        for code in [204, 205] {
            let err = fail(&fetcher, server.url(&format!("/{code}")), &Validators::default()).await;
            assert_eq!(err.kind, FailureKind::HttpStatus(code));
            assert!(err.message.starts_with("no content: HTTP"), "{}", err.message);
            assert!(err.message.contains(&format!("/{code}")), "{}", err.message);
        }
    });
}

#[test]
fn a_304_counts_only_as_an_answer_to_a_conditional_request() {
    let server = server();
    within(LIMIT, async {
        let fetcher = fetcher();
        let err = fail(&fetcher, server.url("/304"), &Validators::default()).await;
        assert_eq!(err.kind, FailureKind::HttpStatus(304));
        assert!(err.message.contains("not conditional"), "{}", err.message);
        for validators in [
            Validators { etag: Some("\"e\"".into()), last_modified: None },
            Validators { etag: None, last_modified: Some("Mon, 01 Jan 2024 00:00:00 GMT".into()) },
        ] {
            let fetched = fetcher.fetch(&Source::Http(server.url("/304")), &validators).await.unwrap();
            assert!(matches!(fetched, Fetched::NotModified), "{validators:?}");
        }
    });
}

#[test]
fn informational_answers() {
    let server = server();
    within(LIMIT, async {
        let fetcher = fetcher();
        let Fetched::Body(body) =
            fetcher.fetch(&Source::Http(server.url("/103")), &Validators::default()).await.unwrap()
        else {
            panic!("a body after the hints");
        };
        assert_eq!(body.bytes, feed("after hints"));

        let upgrade = fail(&fetcher, server.url("/101"), &Validators::default()).await;
        assert_eq!(upgrade.kind, FailureKind::HttpStatus(101), "{}", upgrade.message);

        let endless = fail(&fetcher, server.url("/102-forever"), &Validators::default()).await;
        assert_eq!(endless.kind, FailureKind::Timeout, "{}", endless.message);
        assert!(endless.message.contains("waiting for the response"), "{}", endless.message);
    });
}
