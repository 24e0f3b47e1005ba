//! The HTTP client against a loopback server: identity, per-feed headers and cookies,
//! conditional requests, compression, caching hints, and failure classification.

mod support;

use std::io::Write;
use std::time::Duration;

use feedvault_fetch::{
    DEFAULT_USER_AGENT, FailureKind, FetchOptions, Fetched, Fetcher, ProxyChoice, RequestSpec, Response, Source,
    Validators,
};
use support::{Server, feed, respond, within};

const LIMIT: Duration = Duration::from_secs(20);

fn fetcher() -> Fetcher {
    Fetcher::new(FetchOptions { proxy: ProxyChoice::Direct, ..FetchOptions::default() }).unwrap()
}

async fn get(fetcher: &Fetcher, url: url::Url, validators: &Validators, spec: &RequestSpec) -> Response {
    fetcher.fetch_with(&Source::Http(url), validators, spec).await.unwrap()
}

fn body(response: &Response) -> &[u8] {
    match &response.fetched {
        Fetched::Body(body) => &body.bytes,
        Fetched::NotModified => panic!("expected a body"),
    }
}

#[test]
fn identity_headers_cookies_and_hints() {
    let server = Server::start(|_, stream| {
        respond(
            stream,
            200,
            &[
                ("Content-Type", "application/rss+xml; charset=GB18030"),
                ("ETag", "\"v1\""),
                ("Last-Modified", "Sun, 06 Nov 1994 08:49:37 GMT"),
                ("Cache-Control", "public, max-age=900"),
                ("Expires", "Sun, 06 Nov 1994 09:49:37 GMT"),
            ],
            &feed("identity"),
        )
    });
    within(LIMIT, async {
        let fetcher = fetcher();
        let plain = get(&fetcher, server.url("/plain"), &Validators::default(), &RequestSpec::default()).await;
        assert_eq!(plain.status, 200);
        assert_eq!(body(&plain), feed("identity"));
        assert_eq!(plain.final_url, server.url("/plain"));
        assert!(plain.redirects.is_empty() && plain.permanent_url.is_none());
        assert_eq!(plain.cache.max_age, Some(Duration::from_secs(900)));
        assert_eq!(plain.cache.expires.unwrap().to_rfc3339(), "1994-11-06T09:49:37+00:00");
        let Fetched::Body(b) = &plain.fetched else { unreachable!() };
        assert_eq!(b.charset.as_deref(), Some("GB18030"));
        assert_eq!(b.validators.etag.as_deref(), Some("\"v1\""));
        assert_eq!(b.validators.last_modified.as_deref(), Some("Sun, 06 Nov 1994 08:49:37 GMT"));

        let spec = RequestSpec {
            user_agent: Some("MyReader/2.0".into()),
            headers: vec![("Authorization".into(), "Bearer t0k".into()), ("Accept-Language".into(), "zh-TW".into())],
            cookies: vec![("session".into(), "abc".into()), ("lang".into(), "zh".into())],
            ..RequestSpec::default()
        };
        get(&fetcher, server.url("/custom"), &Validators::default(), &spec).await;
    });
    let requests = server.requests();
    let plain = requests.iter().find(|r| r.path() == "/plain").unwrap();
    assert_eq!(plain.header("user-agent"), Some(DEFAULT_USER_AGENT));
    assert!(DEFAULT_USER_AGENT.starts_with(&format!("feedvault/{}", env!("CARGO_PKG_VERSION"))));
    assert_eq!(plain.header("cookie"), None);
    let accept = plain.header("accept-encoding").unwrap();
    for coding in ["gzip", "br", "zstd", "deflate"] {
        assert!(accept.contains(coding), "{accept} lacks {coding}");
    }
    let custom = requests.iter().find(|r| r.path() == "/custom").unwrap();
    assert_eq!(custom.header("user-agent"), Some("MyReader/2.0"));
    assert_eq!(custom.header("authorization"), Some("Bearer t0k"));
    assert_eq!(custom.header("accept-language"), Some("zh-TW"));
    assert_eq!(custom.header("cookie"), Some("session=abc; lang=zh"));
}

#[test]
fn conditional_request_gets_304() {
    let server = Server::start(|request, stream| {
        if request.header("if-none-match") == Some("\"v1\"") {
            respond(stream, 304, &[("Cache-Control", "max-age=60")], b"");
        } else {
            respond(stream, 200, &[("ETag", "\"v1\"")], &feed("c"));
        }
    });
    within(LIMIT, async {
        let fetcher = fetcher();
        let source = Source::Http(server.url("/feed"));
        let Fetched::Body(first) = fetcher.fetch(&source, &Validators::default()).await.unwrap() else {
            panic!("expected a body")
        };
        let again = fetcher.fetch_with(&source, &first.validators, &RequestSpec::default()).await.unwrap();
        assert!(matches!(again.fetched, Fetched::NotModified));
        assert_eq!(again.status, 304);
        assert_eq!(again.cache.max_age, Some(Duration::from_secs(60)));
    });
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[1].header("if-none-match"), Some("\"v1\""));
}

fn compress(coding: &str, bytes: &[u8]) -> Vec<u8> {
    match coding {
        "gzip" => {
            let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            encoder.write_all(bytes).unwrap();
            encoder.finish().unwrap()
        }
        "deflate" => {
            let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
            encoder.write_all(bytes).unwrap();
            encoder.finish().unwrap()
        }
        "br" => {
            let mut out = Vec::new();
            let mut writer = brotli::CompressorWriter::new(&mut out, 4096, 5, 22);
            writer.write_all(bytes).unwrap();
            drop(writer);
            out
        }
        "zstd" => zstd::encode_all(bytes, 3).unwrap(),
        other => panic!("{other}"),
    }
}

#[test]
fn compressed_bodies_are_decoded() {
    let server = Server::start(|request, stream| {
        let coding = request.path().trim_start_matches('/').to_owned();
        let encoded = compress(&coding, &feed(&format!("{coding} body")));
        respond(stream, 200, &[("Content-Encoding", &coding)], &encoded);
    });
    within(LIMIT, async {
        let fetcher = fetcher();
        for coding in ["gzip", "deflate", "br", "zstd"] {
            let response =
                get(&fetcher, server.url(&format!("/{coding}")), &Validators::default(), &RequestSpec::default()).await;
            assert_eq!(body(&response), feed(&format!("{coding} body")), "{coding}");
        }
    });
}

#[test]
fn failures_are_classified() {
    let server = Server::start(|request, stream| match request.path() {
        "/missing" => respond(stream, 404, &[], b"no"),
        "/gone" => respond(stream, 410, &[], b""),
        "/busy" => respond(stream, 429, &[("Retry-After", "120")], b""),
        "/down" => respond(stream, 503, &[("Retry-After", "Fri, 31 Dec 2100 23:59:59 GMT")], b""),
        "/broken" => respond(stream, 500, &[("Retry-After", "5")], b""),
        _ => respond(stream, 200, &[], &feed("x")),
    });
    // A port nobody listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    within(LIMIT, async {
        let fetcher = fetcher();
        let fail = |url: url::Url| {
            let fetcher = fetcher.clone();
            async move { fetcher.fetch(&Source::Http(url), &Validators::default()).await.unwrap_err() }
        };
        let missing = fail(server.url("/missing")).await;
        assert_eq!(missing.kind, FailureKind::HttpStatus(404));
        assert_eq!(missing.kind.label(), "http 404");
        assert!(missing.message.contains("404") && missing.message.contains("/missing"), "{}", missing.message);
        assert!(fail(server.url("/gone")).await.kind.is_gone_status());

        let busy = fail(server.url("/busy")).await;
        assert_eq!((busy.kind, busy.retry_after), (FailureKind::HttpStatus(429), Some(Duration::from_secs(120))));
        let down = fail(server.url("/down")).await;
        assert_eq!(down.kind, FailureKind::HttpStatus(503));
        assert!(down.retry_after.unwrap() > Duration::from_secs(365 * 24 * 3600), "{:?}", down.retry_after);
        assert_eq!(fail(server.url("/broken")).await.retry_after, None, "only 429 and 503 carry Retry-After");

        let refused = fail(url::Url::parse(&format!("http://127.0.0.1:{closed}/")).unwrap()).await;
        assert_eq!(refused.kind, FailureKind::Connect, "{}", refused.message);
        assert_eq!(refused.kind.label(), "connect");

        // TLS spoken to a plain-HTTP server fails in the handshake.
        let tls = fail(url::Url::parse(&server.base.replace("http://", "https://")).unwrap()).await;
        assert_eq!(tls.kind, FailureKind::Tls, "{}", tls.message);

        let spec = RequestSpec { headers: vec![("Bad Name".into(), "x".into())], ..Default::default() };
        let invalid = fetcher.fetch_with(&Source::Http(server.url("/ok")), &Validators::default(), &spec).await;
        assert_eq!(invalid.unwrap_err().kind, FailureKind::Config);
        let spec = RequestSpec { proxy: Some(ProxyChoice::Url("gopher://p".into())), ..Default::default() };
        let invalid = fetcher.fetch_with(&Source::Http(server.url("/ok")), &Validators::default(), &spec).await;
        assert_eq!(invalid.unwrap_err().kind, FailureKind::Config);
    });
    assert_eq!(server.hits("/ok"), 0, "invalid options send nothing");
}

#[test]
fn files_are_read_with_the_size_limit() {
    let dir = std::env::temp_dir().join(format!("feedvault-fetch-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("feed.xml");
    std::fs::write(&path, feed("file")).unwrap();
    within(LIMIT, async {
        let fetcher = Fetcher::new(FetchOptions { max_bytes: 10, ..FetchOptions::default() }).unwrap();
        let err = fetcher.fetch(&Source::File(path.clone()), &Validators::default()).await.unwrap_err();
        assert_eq!(err.kind, FailureKind::TooLarge);
        let response = fetcher
            .fetch_with(&Source::File(dir.join("none.xml")), &Validators::default(), &RequestSpec::default())
            .await;
        assert_eq!(response.unwrap_err().kind, FailureKind::Io);
        let fetcher = fetcher_default();
        let response = fetcher
            .fetch_with(&Source::File(path.clone()), &Validators::default(), &RequestSpec::default())
            .await
            .unwrap();
        assert_eq!(body(&response), feed("file"));
        assert_eq!(response.final_url, url::Url::from_file_path(&path).unwrap());
    });
    std::fs::remove_dir_all(&dir).unwrap();
}

fn fetcher_default() -> Fetcher {
    Fetcher::new(FetchOptions::default()).unwrap()
}
