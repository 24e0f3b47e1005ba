//! Redirects followed by hand: permanent vs temporary chains, loops, the limit, the
//! User-Agent and validators re-sent on every hop, the feed's headers and cookies kept
//! to its own origin (scheme, host and port).

mod support;

use std::time::Duration;

use feedvault_fetch::{FailureKind, FetchOptions, Fetched, Fetcher, ProxyChoice, RequestSpec, Source, Validators};
use support::{Server, feed, respond, within};

const LIMIT: Duration = Duration::from_secs(20);

fn fetcher(max_redirects: usize) -> Fetcher {
    Fetcher::new(FetchOptions { proxy: ProxyChoice::Direct, max_redirects, ..FetchOptions::default() }).unwrap()
}

/// Routes `/r/<status>/<rest>` to a `<status>` redirect to `/<rest>`; `/loop-a` and
/// `/loop-b` point at each other; `/hop/<n>` redirects to `/hop/<n+1>` forever;
/// `/feed` answers the feed (304 when If-None-Match matches).
fn redirecting_server() -> Server {
    Server::start(|request, stream| {
        let path = request.path().to_owned();
        if let Some(rest) = path.strip_prefix("/r/") {
            let (status, next) = rest.split_once('/').unwrap();
            respond(stream, status.parse().unwrap(), &[("Location", &format!("/{next}"))], b"");
        } else if path == "/loop-a" {
            respond(stream, 302, &[("Location", "/loop-b")], b"");
        } else if path == "/loop-b" {
            respond(stream, 301, &[("Location", "loop-a")], b"");
        } else if let Some(n) = path.strip_prefix("/hop/") {
            let next = n.parse::<u32>().unwrap() + 1;
            respond(stream, 307, &[("Location", &format!("/hop/{next}"))], b"");
        } else if path == "/no-location" {
            respond(stream, 302, &[], b"");
        } else if path == "/to-ftp" {
            respond(stream, 301, &[("Location", "ftp://example.com/feed")], b"");
        } else if request.header("if-none-match") == Some("\"e\"") {
            respond(stream, 304, &[], b"");
        } else {
            respond(stream, 200, &[], &feed("redirected"));
        }
    })
}

#[test]
fn permanent_and_temporary_chains() {
    let server = redirecting_server();
    within(LIMIT, async {
        let fetcher = fetcher(10);
        let get = |path: &str| {
            let (fetcher, url) = (fetcher.clone(), server.url(path));
            async move {
                fetcher.fetch_with(&Source::Http(url), &Validators::default(), &RequestSpec::default()).await.unwrap()
            }
        };
        let permanent = get("/r/301/r/308/feed").await;
        assert_eq!(permanent.final_url, server.url("/feed"));
        assert_eq!(permanent.permanent_url, Some(server.url("/feed")));
        assert_eq!(permanent.redirects.iter().map(|r| r.status).collect::<Vec<_>>(), [301, 308]);
        assert_eq!(permanent.redirects[0].to, server.url("/r/308/feed"));
        let Fetched::Body(body) = &permanent.fetched else { panic!("a body") };
        assert_eq!(body.bytes, feed("redirected"));
        assert_eq!(body.final_url, server.url("/feed"));

        for chain in ["/r/302/feed", "/r/307/feed", "/r/303/feed", "/r/301/r/302/feed", "/r/307/r/308/feed"] {
            let temporary = get(chain).await;
            assert_eq!(temporary.final_url, server.url("/feed"), "{chain}");
            assert_eq!(temporary.permanent_url, None, "{chain}: a temporary hop keeps the stored URL");
        }
    });
}

#[test]
fn loops_limits_and_bad_targets() {
    let server = redirecting_server();
    within(LIMIT, async {
        let fetch = |fetcher: Fetcher, path: &str| {
            let url = server.url(path);
            async move { fetcher.fetch(&Source::Http(url), &Validators::default()).await.unwrap_err() }
        };
        let looped = fetch(fetcher(10), "/loop-a").await;
        assert_eq!(looped.kind, FailureKind::Redirects);
        assert!(looped.message.contains("redirect loop"), "{}", looped.message);

        let endless = fetch(fetcher(10), "/hop/0").await;
        assert_eq!(endless.kind, FailureKind::Redirects);
        assert!(endless.message.contains("too many redirects"), "{}", endless.message);
        let three = fetch(fetcher(3), "/hop/100").await;
        assert_eq!(three.kind, FailureKind::Redirects);

        assert_eq!(fetch(fetcher(10), "/no-location").await.kind, FailureKind::HttpStatus(302));
        assert_eq!(fetch(fetcher(10), "/to-ftp").await.kind, FailureKind::Redirects);
    });
    assert_eq!(server.hits("/loop-a"), 1);
    assert_eq!(server.hits("/loop-b"), 1);
    // The first request plus 10 followed redirects; the 11th is refused unrequested.
    let endless = (0..100).filter(|n| server.hits(&format!("/hop/{n}")) == 1).count();
    assert_eq!(endless, 11);
    assert_eq!(server.hits("/hop/11"), 0);
    assert_eq!(server.hits("/hop/103"), 1);
    assert_eq!(server.hits("/hop/104"), 0);
}

/// A feed server whose `/same` stays on its origin, `/away` leaves it for `target`.
fn origin_server(target: String) -> Server {
    Server::start(move |request, stream| match request.path() {
        "/same" => respond(stream, 301, &[("Location", "/away")], b""),
        "/home" => respond(stream, 200, &[], &feed("home")),
        _ => respond(stream, 302, &[("Location", &target)], b""),
    })
}

fn credentials() -> RequestSpec {
    RequestSpec {
        headers: vec![("X-Feed-Key".into(), "k1".into()), ("Authorization".into(), "Bearer t0k".into())],
        cookies: vec![("sid".into(), "s3cret".into())],
        user_agent: Some("Agent/9".into()),
        ..RequestSpec::default()
    }
}

fn has_credentials(request: &support::Request) -> bool {
    let sent = [request.header("x-feed-key"), request.header("authorization"), request.header("cookie")];
    assert!(sent.iter().all(Option::is_some) || sent.iter().all(Option::is_none), "all or none: {sent:?}");
    sent[0].is_some()
}

#[test]
fn credentials_stay_on_the_feeds_origin() {
    // Another host (127.0.0.2) and another port on the same IP are both other origins.
    let other_host = Server::start_on("127.0.0.2", |request, stream| {
        if request.header("if-none-match") == Some("\"e\"") {
            respond(stream, 304, &[], b"");
        } else {
            respond(stream, 200, &[], &feed("other"));
        }
    });
    let other_port = Server::start(|_, stream| respond(stream, 200, &[], &feed("other port")));
    let to_host = origin_server(other_host.url("/feed").to_string());
    let to_port = origin_server(other_port.url("/feed").to_string());
    within(LIMIT, async {
        let validators =
            Validators { etag: Some("\"e\"".into()), last_modified: Some("Mon, 01 Jan 2024 00:00:00 GMT".into()) };
        let response =
            fetcher(10).fetch_with(&Source::Http(to_host.url("/same")), &validators, &credentials()).await.unwrap();
        assert!(matches!(response.fetched, Fetched::NotModified), "a 304 at the end of a chain");
        assert_eq!(response.final_url, other_host.url("/feed"));
        assert_eq!(response.permanent_url, None);

        let response = fetcher(10)
            .fetch_with(&Source::Http(to_port.url("/away")), &Validators::default(), &credentials())
            .await
            .unwrap();
        assert_eq!(response.final_url, other_port.url("/feed"));
    });
    let mut hops = to_host.requests();
    hops.sort_by_key(|r| r.at);
    hops.extend(other_host.requests());
    assert_eq!(hops.iter().map(|r| r.path()).collect::<Vec<_>>(), ["/same", "/away", "/feed"]);
    for hop in &hops {
        assert_eq!(hop.header("user-agent"), Some("Agent/9"), "the User-Agent goes on every hop: {}", hop.path());
        assert_eq!(hop.header("if-none-match"), Some("\"e\""), "{}", hop.path());
        assert_eq!(hop.header("if-modified-since"), Some("Mon, 01 Jan 2024 00:00:00 GMT"), "{}", hop.path());
    }
    assert!(has_credentials(&hops[0]));
    assert_eq!(hops[0].header("cookie"), Some("sid=s3cret"));
    assert_eq!(hops[0].header("x-feed-key"), Some("k1"));
    assert!(has_credentials(&hops[1]), "same origin: headers and cookies go along");
    assert!(!has_credentials(&hops[2]), "another host never gets the feed's headers or cookies");

    let port_hops = other_port.requests();
    assert_eq!(port_hops.len(), 1);
    assert!(has_credentials(&to_port.requests()[0]));
    assert!(!has_credentials(&port_hops[0]), "another port is another origin");
    assert_eq!(port_hops[0].header("user-agent"), Some("Agent/9"));
}

#[test]
fn credentials_are_not_resent_after_the_chain_left_the_origin() {
    // origin /out -> elsewhere /bounce -> origin /home: the way back carries nothing,
    // or a host the chain passed through could aim the feed's credentials at any path.
    let origin = Server::start(|request, stream| match request.path() {
        "/home" => respond(stream, 200, &[], &feed("home")),
        _ => respond(stream, 302, &[("Location", request.header("x-next").unwrap_or("/home"))], b""),
    });
    let home = origin.url("/home").to_string();
    let elsewhere = Server::start_on("127.0.0.2", move |_, stream| respond(stream, 302, &[("Location", &home)], b""));
    within(LIMIT, async {
        let mut spec = credentials();
        spec.headers.push(("X-Next".into(), elsewhere.url("/bounce").to_string()));
        let response =
            fetcher(10).fetch_with(&Source::Http(origin.url("/out")), &Validators::default(), &spec).await.unwrap();
        assert_eq!(response.final_url, origin.url("/home"));
        assert_eq!(response.redirects.len(), 2);
    });
    let mut hops = origin.requests();
    hops.sort_by_key(|r| r.at);
    assert_eq!(hops.iter().map(|r| r.path()).collect::<Vec<_>>(), ["/out", "/home"]);
    assert!(has_credentials(&hops[0]));
    assert!(!has_credentials(&hops[1]), "back on the origin after leaving it: no credentials");
    assert!(!has_credentials(&elsewhere.requests()[0]));
}

#[test]
fn plain_http_redirects_are_followed_and_the_downgrade_switch_changes_nothing_else() {
    // http -> http on another host is no downgrade; allowing insecure redirects does not
    // widen where credentials go. (https -> http needs a TLS server: that decision is
    // table-tested as a pure function in src/http.rs.)
    let other = Server::start_on("127.0.0.2", |_, stream| respond(stream, 200, &[], &feed("other")));
    let origin = origin_server(other.url("/feed").to_string());
    within(LIMIT, async {
        for allow in [false, true] {
            let spec = RequestSpec { allow_insecure_redirects: allow, ..credentials() };
            let response = fetcher(10)
                .fetch_with(&Source::Http(origin.url("/away")), &Validators::default(), &spec)
                .await
                .unwrap();
            assert_eq!(response.final_url, other.url("/feed"), "allowed: {allow}");
        }
    });
    assert_eq!(other.requests().len(), 2);
    assert!(other.requests().iter().all(|r| !has_credentials(r)));
    assert!(origin.requests().iter().all(has_credentials));
}
