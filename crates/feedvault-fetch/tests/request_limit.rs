//! A request's own size limit (`RequestSpec::max_bytes`, images kept by a vault):
//! lower than the fetcher's, it refuses a larger body from a server or a file; it
//! never raises the fetcher's.

mod support;

use std::time::Duration;

use feedvault_fetch::{FailureKind, FetchOptions, Fetcher, ProxyChoice, RequestSpec, Source, Validators};
use support::{Server, respond, within};

#[test]
fn a_request_limit_lowers_the_fetchers_and_never_raises_it() {
    let server = Server::start(|_, stream| respond(stream, 200, &[("Content-Type", "image/png")], &[7u8; 100]));
    let dir = std::env::temp_dir().join(format!("feedvault-fetch-limit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("image.png");
    std::fs::write(&file, [7u8; 100]).unwrap();
    within(Duration::from_secs(20), async {
        let fetcher = Fetcher::new(FetchOptions { proxy: ProxyChoice::Direct, ..FetchOptions::default() }).unwrap();
        let get = |max_bytes: Option<usize>, source: Source| {
            let fetcher = fetcher.clone();
            async move {
                let spec = RequestSpec { max_bytes, ..RequestSpec::default() };
                fetcher.fetch_with(&source, &Validators::default(), &spec).await
            }
        };
        let web = || Source::Http(server.url("/image.png"));
        let err = get(Some(50), web()).await.unwrap_err();
        assert_eq!(err.kind, FailureKind::TooLarge);
        assert!(err.message.contains("50-byte limit"), "{}", err.message);
        assert!(get(Some(100), web()).await.is_ok());
        assert!(get(None, web()).await.is_ok());
        assert_eq!(get(Some(10), Source::File(file.clone())).await.unwrap_err().kind, FailureKind::TooLarge);
        let small = Fetcher::new(FetchOptions { max_bytes: 10, proxy: ProxyChoice::Direct, ..FetchOptions::default() })
            .unwrap();
        let spec = RequestSpec { max_bytes: Some(1000), ..RequestSpec::default() };
        let err = small.fetch_with(&web(), &Validators::default(), &spec).await.unwrap_err();
        assert!(err.message.contains("10-byte limit"), "{}", err.message);
    });
    std::fs::remove_dir_all(&dir).unwrap();
}
