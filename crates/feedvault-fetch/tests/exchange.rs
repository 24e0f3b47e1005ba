//! What a response reports for a raw capture, against a loopback server: the URL
//! asked for and the final one after a redirect, the status line, the response
//! headers in order, the request headers sent with every secret redacted by name, and
//! a decoded body without the Content-Encoding it came with.

mod support;

use std::io::Write;
use std::time::Duration;

use feedvault_fetch::exchange::REDACTED;
use feedvault_fetch::{FetchOptions, Fetcher, ProxyChoice, RequestSpec, Source, Validators};
use support::{Server, feed, respond, within};

#[test]
fn the_exchange_reports_both_heads_with_secrets_redacted() {
    let server = Server::start(|request, stream| match request.path() {
        "/old" => respond(stream, 301, &[("Location", "/new")], b""),
        _ => {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            gz.write_all(&feed("exchange")).unwrap();
            let body = gz.finish().unwrap();
            let headers = [
                ("Content-Type", "application/rss+xml"),
                ("Content-Encoding", "gzip"),
                ("Set-Cookie", "sid=server-secret"),
                ("X-Order", "1"),
            ];
            respond(stream, 200, &headers, &body)
        }
    });
    let fetcher = Fetcher::new(FetchOptions { proxy: ProxyChoice::Direct, ..FetchOptions::default() }).unwrap();
    let spec = RequestSpec {
        headers: vec![("X-Api-Key".into(), "k3y-secret".into()), ("Authorization".into(), "Bearer t0k".into())],
        cookies: vec![("session".into(), "c00kie".into())],
        ..RequestSpec::default()
    };
    let response = within(Duration::from_secs(20), async {
        fetcher.fetch_with(&Source::Http(server.url("/old")), &Validators::default(), &spec).await.unwrap()
    });
    let exchange = response.exchange.expect("an HTTP response has an exchange");
    assert_eq!(exchange.request_url, server.url("/old"));
    assert_eq!(response.final_url, server.url("/new"));
    assert_eq!((exchange.status, exchange.reason.as_str(), exchange.version.as_str()), (200, "OK", "HTTP/1.1"));
    let names: Vec<&str> = exchange.response_headers.iter().map(|(n, _)| n.as_str()).collect();
    let (at_type, at_order) =
        (names.iter().position(|n| *n == "content-type"), names.iter().position(|n| *n == "x-order"));
    assert!(at_type < at_order && at_order.is_some(), "in order: {names:?}");
    assert_eq!(exchange.response_header("Set-Cookie"), Some(REDACTED));
    assert_eq!(exchange.response_header("content-encoding"), None, "the body is decoded: {names:?}");
    let sent = format!("{:?}", exchange.request_headers);
    for secret in ["k3y-secret", "t0k", "c00kie"] {
        assert!(!sent.contains(secret), "{secret} in {sent}");
    }
    for name in ["x-api-key", "authorization", "cookie"] {
        assert!(exchange.request_headers.contains(&(name.to_owned(), REDACTED.to_owned())), "{name}: {sent}");
    }
    assert!(exchange.request_headers.iter().any(|(n, v)| n == "user-agent" && v.starts_with("feedvault/")));
    // The secrets did go to the server.
    let requests = server.requests();
    assert_eq!(requests.iter().find(|r| r.path() == "/old").unwrap().header("x-api-key"), Some("k3y-secret"));
}

#[test]
fn a_file_has_no_exchange() {
    let path = std::env::temp_dir().join(format!("feedvault-exchange-{}.xml", std::process::id()));
    std::fs::write(&path, feed("file")).unwrap();
    let fetcher = Fetcher::new(FetchOptions::default()).unwrap();
    let response = within(Duration::from_secs(20), async {
        fetcher.fetch_with(&Source::File(path.clone()), &Validators::default(), &RequestSpec::default()).await.unwrap()
    });
    let _ = std::fs::remove_file(&path);
    assert!(response.exchange.is_none());
}
