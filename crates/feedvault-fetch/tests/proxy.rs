//! Proxies: SOCKS5 and SOCKS5h (a test proxy that records what it was asked for) and an
//! HTTP forward proxy, globally and per feed, with a NO_PROXY list for the global one.

mod support;

use std::time::Duration;

use feedvault_fetch::{FetchOptions, Fetched, Fetcher, ProxyChoice, RequestSpec, Source, Validators};
use support::proxies::{http_forward, socks5};
use support::{Server, feed, respond, within};

const LIMIT: Duration = Duration::from_secs(20);

fn origin() -> Server {
    Server::start(|request, stream| respond(stream, 200, &[], &feed(request.path())))
}

fn fetcher(proxy: ProxyChoice, no_proxy: Option<&str>) -> Fetcher {
    Fetcher::new(FetchOptions { proxy, no_proxy: no_proxy.map(str::to_owned), ..FetchOptions::default() }).unwrap()
}

async fn body(fetcher: &Fetcher, url: &str, spec: &RequestSpec) -> Vec<u8> {
    let source = Source::Http(url::Url::parse(url).unwrap());
    match fetcher.fetch_with(&source, &Validators::default(), spec).await {
        Ok(response) => match response.fetched {
            Fetched::Body(body) => body.bytes,
            Fetched::NotModified => panic!("304"),
        },
        Err(err) => panic!("{url}: {err}"),
    }
}

#[test]
fn socks5_resolves_locally_and_socks5h_remotely() {
    let server = origin();
    let local = socks5("socks5");
    let remote = socks5("socks5h");
    within(LIMIT, async {
        let via_local = fetcher(ProxyChoice::Url(local.url.clone()), None);
        assert_eq!(body(&via_local, &format!("{}/a", server.base), &RequestSpec::default()).await, feed("/a"));
        let via_remote = fetcher(ProxyChoice::Url(remote.url.clone()), None);
        let by_name = format!("http://localhost:{}/b", server.port);
        assert_eq!(body(&via_remote, &by_name, &RequestSpec::default()).await, feed("/b"));
    });
    assert_eq!(local.targets(), [format!("127.0.0.1:{}", server.port)]);
    assert_eq!(remote.targets(), [format!("localhost:{}", server.port)], "socks5h sends the name");
    assert_eq!(server.hits("/a") + server.hits("/b"), 2);
}

#[test]
fn per_feed_proxy_overrides_the_global_route() {
    let server = origin();
    let forward = http_forward();
    let socks = socks5("socks5h");
    within(LIMIT, async {
        let direct = fetcher(ProxyChoice::Direct, None);
        let spec = RequestSpec { proxy: Some(ProxyChoice::Url(forward.url.clone())), ..Default::default() };
        assert_eq!(body(&direct, &format!("{}/via-http", server.base), &spec).await, feed("/via-http"));
        assert_eq!(body(&direct, &format!("{}/direct", server.base), &RequestSpec::default()).await, feed("/direct"));
        let spec = RequestSpec { proxy: Some(ProxyChoice::Url(socks.url.clone())), ..Default::default() };
        assert_eq!(body(&direct, &format!("{}/via-socks", server.base), &spec).await, feed("/via-socks"));
        // A feed may also opt out of a global proxy.
        let proxied = fetcher(ProxyChoice::Url(socks.url.clone()), None);
        let spec = RequestSpec { proxy: Some(ProxyChoice::Direct), ..Default::default() };
        assert_eq!(body(&proxied, &format!("{}/opt-out", server.base), &spec).await, feed("/opt-out"));
    });
    assert_eq!(forward.targets(), [format!("{}/via-http", server.base)], "absolute-form request through the proxy");
    assert_eq!(socks.connections(), 1);
    assert_eq!(server.requests().len(), 4);
}

#[test]
fn no_proxy_list_bypasses_the_global_proxy() {
    let server = origin();
    let forward = http_forward();
    within(LIMIT, async {
        let proxied = fetcher(ProxyChoice::Url(forward.url.clone()), Some("localhost"));
        let by_name = format!("http://localhost:{}/bypassed", server.port);
        assert_eq!(body(&proxied, &by_name, &RequestSpec::default()).await, feed("/bypassed"));
        assert_eq!(
            body(&proxied, &format!("{}/proxied", server.base), &RequestSpec::default()).await,
            feed("/proxied")
        );
    });
    assert_eq!(forward.targets(), [format!("{}/proxied", server.base)]);
    assert_eq!(server.hits("/bypassed"), 1);
}
