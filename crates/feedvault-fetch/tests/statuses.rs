//! Answers that are not a feed although they are not errors on the wire: 204 and 205
//! (success without a body), a 304 to a request that was not conditional, and 1xx
//! informational answers (skipped by hyper when a final answer follows; 101 refused;
//! an endless stream of them meets the stall limit).

mod support;

use std::io::Write;
use std::time::{Duration, Instant};

use feedvault_fetch::{
    FailureKind, FetchError, FetchOptions, Fetched, Fetcher, ProxyChoice, RequestSpec, Source, Validators,
};
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
        "/404" => respond(stream, 404, &[("X-Served-By", "edge-7")], b"<p>gone</p>"),
        "/404-huge" => respond(stream, 404, &[], &vec![b'x'; feedvault_fetch::ERROR_BODY_LIMIT + 1]),
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

#[test]
fn an_error_status_hands_back_what_answered_and_hashes_its_body_only_when_asked() {
    let server = server();
    within(LIMIT, async {
        let fetcher = fetcher();
        let fetch = |path: &str, hash: bool| {
            let spec = RequestSpec { hash_error_body: hash, ..RequestSpec::default() };
            let (fetcher, source) = (fetcher.clone(), Source::Http(server.url(path)));
            async move { fetcher.fetch_with(&source, &Validators::default(), &spec).await.unwrap_err() }
        };
        let plain = fetch("/404", false).await;
        assert_eq!(plain.kind, FailureKind::HttpStatus(404));
        let answer = plain.answer.expect("the response of the error status");
        assert_eq!((answer.exchange.status, answer.final_url.path()), (404, "/404"));
        assert_eq!(answer.exchange.response_header("x-served-by"), Some("edge-7"));
        assert_eq!((answer.body_sha256, answer.body_len), (None, 0), "not read unless asked");

        let hashed = fetch("/404", true).await.answer.unwrap();
        // As sha256sum prints it.
        let digest = "18b01ce4d04693b2029bca7db07b0c25a52141f2a5ddd50d3f2d1acface4efb6";
        assert_eq!(hashed.body_sha256.as_deref(), Some(digest));
        assert_eq!(hashed.body_len, 11);
        let huge = fetch("/404-huge", true).await.answer.unwrap();
        assert_eq!(huge.body_sha256, None, "a body over the limit is not hashed");
    });
}
