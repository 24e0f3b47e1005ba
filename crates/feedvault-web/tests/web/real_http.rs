//! The server on a real socket: `serve` on a port-0 listener, reqwest as the
//! client, a full change through the form (CSRF token read from the page), and a
//! graceful shutdown.

use std::sync::Arc;

use feedvault_engine::Vault;
use feedvault_web::ServeOptions;

use crate::pages::fixture;
use crate::support::hidden;

#[tokio::test]
async fn serves_over_http_and_stops() {
    let fixture = fixture();
    let vault = Arc::new(Vault::open(&fixture.root()).unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let options = ServeOptions { allow_private_feeds: true, ..Default::default() };
    let server = tokio::spawn(feedvault_web::serve(vault, listener, options, async {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::builder().no_proxy().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let base = format!("http://{addr}");
    let health = client.get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    assert_eq!(health.headers()["x-frame-options"], "DENY");
    assert_eq!(health.text().await.unwrap(), "ok\n");
    let hits: serde_json::Value =
        client.get(format!("{base}/api/search?q=cat")).send().await.unwrap().json().await.unwrap();
    assert_eq!(hits.as_array().unwrap().len(), 1);

    let page = client.get(format!("{base}/feeds")).send().await.unwrap().text().await.unwrap();
    let csrf = hidden(&page, "/feeds", "csrf");
    let added = client
        .post(format!("{base}/feeds"))
        .header("origin", &base)
        .form(&[("url", "http://127.0.0.1:9/feed.xml"), ("name", "overhttp"), ("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(added.status(), 303);
    assert_eq!(added.headers()["location"], "/feeds/overhttp");
    let feeds: serde_json::Value = client.get(format!("{base}/api/feeds")).send().await.unwrap().json().await.unwrap();
    assert!(feeds.as_array().unwrap().iter().any(|f| f["name"] == "overhttp"), "a running server sees the new feed");

    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
    assert!(client.get(format!("{base}/healthz")).send().await.is_err(), "stopped");
}
