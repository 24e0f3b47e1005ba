//! The standard proxy environment variables, in a test binary of their own because
//! the environment is process-wide: HTTP_PROXY and NO_PROXY are honoured by the
//! default route, and an explicit global proxy (or `Direct`) overrides them.

mod support;

use std::time::Duration;

use feedvault_fetch::{FetchOptions, Fetched, Fetcher, ProxyChoice, Source, Validators};
use support::proxies::{http_forward, socks5};
use support::{Server, feed, respond, within};

#[test]
fn environment_proxies_and_explicit_overrides() {
    let server = Server::start(|request, stream| respond(stream, 200, &[], &feed(request.path())));
    let forward = http_forward();
    let socks = socks5("socks5");
    // SAFETY: this is the only test in this binary, and no other thread reads the
    // environment while it is changed.
    unsafe {
        for name in ["http_proxy", "https_proxy", "all_proxy", "ALL_PROXY", "HTTPS_PROXY", "no_proxy", "REQUEST_METHOD"]
        {
            std::env::remove_var(name);
        }
        std::env::set_var("HTTP_PROXY", &forward.url);
        std::env::set_var("NO_PROXY", "localhost");
    }
    within(Duration::from_secs(20), async {
        let get = |proxy: ProxyChoice, url: String| async move {
            let fetcher = Fetcher::new(FetchOptions { proxy, ..FetchOptions::default() }).unwrap();
            match fetcher.fetch(&Source::Http(url::Url::parse(&url).unwrap()), &Validators::default()).await {
                Ok(Fetched::Body(body)) => body.bytes,
                other => panic!("{url}: {other:?}"),
            }
        };
        assert_eq!(get(ProxyChoice::FromEnv, format!("{}/env", server.base)).await, feed("/env"));
        let by_name = format!("http://localhost:{}/no-proxy", server.port);
        assert_eq!(get(ProxyChoice::FromEnv, by_name).await, feed("/no-proxy"));
        assert_eq!(get(ProxyChoice::Direct, format!("{}/direct", server.base)).await, feed("/direct"));
        let explicit = ProxyChoice::Url(socks.url.clone());
        assert_eq!(get(explicit, format!("{}/explicit", server.base)).await, feed("/explicit"));
    });
    assert_eq!(forward.targets(), [format!("{}/env", server.base)], "only the default route used HTTP_PROXY");
    assert_eq!(socks.connections(), 1, "an explicit proxy overrides HTTP_PROXY");
    assert_eq!(server.requests().len(), 4);
}
