//! Changes from the web: POST forms with a CSRF token, Host and Origin checks even
//! on loopback, the token off loopback, internal addresses refused, and "fetch now"
//! both inside the daemon and standalone.

use std::sync::Arc;
use std::time::Duration;

use feedvault_engine::Vault;
use feedvault_web::{Requests, ServeOptions};

use crate::pages::fixture;
use crate::support::{ADDR, get, hidden, post};

const HOST: (&str, &str) = ("host", ADDR);

/// What a refused request was: a name, its headers, its CSRF token.
type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, String);

#[tokio::test]
async fn add_and_remove_a_feed_with_a_csrf_token() {
    let fixture = fixture();
    let app = fixture.app_with(ServeOptions { allow_private_feeds: true, ..Default::default() }, ADDR);
    let page = get(&app, "/feeds").await;
    let csrf = hidden(&page.body, "/feeds", "csrf");
    assert!(!page.body.contains("name=\"token\""), "no token field on loopback");

    let added = post(
        &app,
        "/feeds",
        &[HOST, ("origin", "http://127.0.0.1:8080")],
        &[("url", "http://127.0.0.1:9/feed.xml"), ("name", "local"), ("csrf", &csrf)],
    )
    .await;
    assert_eq!(added.status, 303, "{}", added.body);
    assert_eq!(added.headers["location"], "/feeds/local");
    let settings = Vault::open(&fixture.root()).unwrap().settings().unwrap();
    assert!(settings.feed("local").is_some(), "subscribed in feedvault.toml");

    let page = get(&app, "/feeds/nyt").await;
    let csrf = hidden(&page.body, "/feeds/nyt/remove", "csrf");
    let removed = post(&app, "/feeds/nyt/remove", &[HOST], &[("csrf", &csrf)]).await;
    assert_eq!(removed.status, 303, "{}", removed.body);
    assert!(Vault::open(&fixture.root()).unwrap().settings().unwrap().feed("nyt").is_none());
    assert_eq!(get(&app, "/feeds/nyt").await.status, 404);
    assert_eq!(get(&app, "/api/articles").await.json()["total"], 2, "the articles stay");
    // A token is for one action: the remove token does not remove another feed.
    let other = post(&app, "/feeds/local/remove", &[HOST], &[("csrf", &csrf)]).await;
    assert_eq!(other.status, 403);
}

#[tokio::test]
async fn changes_without_the_right_token_host_or_origin_are_refused() {
    let fixture = fixture();
    let app = fixture.app_with(ServeOptions { allow_private_feeds: true, ..Default::default() }, ADDR);
    let csrf = hidden(&get(&app, "/feeds").await.body, "/feeds", "csrf");
    let form = |csrf: &str| {
        vec![("url", "http://127.0.0.1:9/x.xml"), ("csrf", csrf)]
            .into_iter()
            .map(|(k, v)| (k, v.to_owned()))
            .collect::<Vec<_>>()
    };
    let cases: Vec<Case<'_>> = vec![
        ("no token", vec![HOST], String::new()),
        ("a forged token", vec![HOST], "0".repeat(64)),
        ("a rebinding host", vec![("host", "evil.example:8080")], csrf.clone()),
        ("no host", vec![], csrf.clone()),
        ("another origin", vec![HOST, ("origin", "http://evil.example")], csrf.clone()),
        ("a null origin", vec![HOST, ("origin", "null")], csrf.clone()),
        ("another referer", vec![HOST, ("referer", "http://evil.example/page")], csrf.clone()),
        ("cross-site fetch", vec![HOST, ("sec-fetch-site", "cross-site")], csrf.clone()),
    ];
    for (what, headers, token) in cases {
        let fields = form(&token);
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let answer = post(&app, "/feeds", &headers, &fields).await;
        assert_eq!(answer.status, 403, "{what}: {}", answer.body);
    }
    assert!(Vault::open(&fixture.root()).unwrap().settings().unwrap().feeds.len() == 1, "nothing was added");
    assert_eq!(get(&app, "/feeds").await.status, 200, "GET never needs a token");
}

#[tokio::test]
async fn internal_addresses_are_refused_unless_allowed() {
    let fixture = fixture();
    let app = fixture.app();
    let csrf = hidden(&get(&app, "/feeds").await.body, "/feeds", "csrf");
    for url in [
        "http://127.0.0.1:9/feed",
        "http://localhost/feed",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/",
        "http://10.0.0.1/",
    ] {
        let answer = post(&app, "/feeds", &[HOST], &[("url", url), ("csrf", &csrf)]).await;
        assert_eq!(answer.status, 403, "{url}: {}", answer.body);
    }
    for url in ["file:///etc/passwd", "/etc/passwd", "gopher://x/", ""] {
        let answer = post(&app, "/feeds", &[HOST], &[("url", url), ("csrf", &csrf)]).await;
        assert_eq!(answer.status, 400, "{url}: {}", answer.body);
    }
    assert_eq!(Vault::open(&fixture.root()).unwrap().settings().unwrap().feeds.len(), 1);
}

#[tokio::test]
async fn off_loopback_every_change_needs_the_configured_token() {
    let fixture = fixture();
    let open = fixture.app_with(ServeOptions { allow_private_feeds: true, ..Default::default() }, "0.0.0.0:8080");
    let page = get(&open, "/feeds").await;
    assert!(page.body.contains("Changes are disabled"), "{}", page.body);
    let host = ("host", "0.0.0.0:8080");
    let csrf = feedvault_web::writes::csrf::Csrf::new().token("fetch");
    assert_eq!(post(&open, "/fetch", &[host], &[("csrf", &csrf)]).await.status, 403);

    let options = ServeOptions { token: Some("s3cret".into()), allow_private_feeds: true, ..Default::default() };
    let guarded = fixture.app_with(options, "0.0.0.0:8080");
    let page = get(&guarded, "/feeds").await;
    assert!(page.body.contains("name=\"token\""), "the form asks for the token");
    let csrf = hidden(&page.body, "/feeds", "csrf");
    let fields = |token: &'static str| {
        [("url", "http://127.0.0.1:9/x.xml"), ("name", "viatoken"), ("csrf", csrf.as_str()), ("token", token)]
    };
    assert_eq!(post(&guarded, "/feeds", &[host], &fields("")).await.status, 403);
    assert_eq!(post(&guarded, "/feeds", &[host], &fields("wrong")).await.status, 403);
    let ok = post(&guarded, "/feeds", &[host], &fields("s3cret")).await;
    assert_eq!(ok.status, 303, "{}", ok.body);
}

#[tokio::test]
async fn inside_the_daemon_changes_are_queued_for_it_with_a_status_page() {
    let fixture = fixture();
    let requests = Arc::new(Requests::writer());
    let options = ServeOptions { requests: Some(requests.clone()), allow_private_feeds: true, ..Default::default() };
    let app = fixture.app_with(options, ADDR);
    assert!(!requests.take());
    let page = get(&app, "/feeds").await;
    let fetch = hidden(&page.body, "/fetch", "csrf");
    let add = hidden(&page.body, "/feeds", "csrf");
    let answer = post(&app, "/fetch", &[HOST], &[("csrf", &fetch)]).await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    let fetch_status = answer.headers["location"].to_str().unwrap().to_owned();
    assert!(fetch_status.starts_with("/requests/"), "{fetch_status}");
    assert!(requests.take(), "the daemon's loop is woken");
    assert!(!requests.take(), "once");
    let queued = get(&app, &fetch_status).await;
    assert!(queued.body.contains("Queued") && queued.body.contains("http-equiv=\"refresh\""), "{}", queued.body);
    let chinese = get(&app, &format!("{fetch_status}?lang=zh")).await;
    assert!(chinese.body.contains("已排队"), "{}", chinese.body);

    let answer =
        post(&app, "/feeds", &[HOST], &[("url", "http://127.0.0.1:9/feed.xml"), ("name", "queued"), ("csrf", &add)])
            .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    let add_status = answer.headers["location"].to_str().unwrap().to_owned();
    let vault = Vault::open(&fixture.root()).unwrap();
    assert!(vault.settings().unwrap().feed("queued").is_none(), "not written by the web");

    // The writer (as the daemon) carries them out in order.
    let root = fixture.root();
    let done = tokio::task::spawn_blocking(move || {
        let vault = Vault::open(&root).unwrap();
        let mut writer = vault.writer(Duration::ZERO).unwrap();
        writer.carry_out_requests(|_, kind| Ok(format!("ran {}", kind.describe()))).unwrap()
    })
    .await
    .unwrap();
    assert_eq!(done.len(), 2);
    assert!(vault.settings().unwrap().feed("queued").is_some(), "subscribed by the writer");
    let page = get(&app, &add_status).await;
    assert!(page.body.contains("Done.") && page.body.contains("as queued"), "{}", page.body);
    assert!(!page.body.contains("refresh"), "a finished request does not reload");
    assert!(get(&app, &fetch_status).await.body.contains("ran fetch now"));
    assert_eq!(get(&app, "/requests/12345").await.status, 404);
    assert_eq!(get(&app, "/requests/..%2fetc").await.status, 404);
}

#[tokio::test]
async fn publish_now_is_offered_only_where_publishing_is_configured() {
    let fixture = fixture();
    let requests = Arc::new(Requests::writer());
    let app = fixture.app_with(ServeOptions { requests: Some(requests), ..Default::default() }, ADDR);
    let page = get(&app, "/feeds").await;
    assert!(!page.body.contains("action=\"/publish\""), "no [publish.git]: no form");
    let csrf = feedvault_web::writes::csrf::Csrf::new().token("publish");
    assert_eq!(post(&app, "/publish", &[HOST], &[("csrf", &csrf)]).await.status, 403, "a token of another server");
}

#[tokio::test]
async fn fetch_now_standalone_fetches_unless_another_process_writes() {
    let fixture = fixture();
    let app = fixture.app();
    let csrf = hidden(&get(&app, "/feeds").await.body, "/fetch", "csrf");
    let vault = Arc::new(Vault::open(&fixture.root()).unwrap());
    // Another writer (as a `fetch` in another process would be) holds the vault.
    let (held, release) = (std::sync::mpsc::channel(), std::sync::mpsc::channel::<()>());
    let holder = {
        let vault = vault.clone();
        std::thread::spawn(move || {
            let _writer = vault.writer(Duration::ZERO).unwrap();
            held.0.send(()).unwrap();
            let _ = release.1.recv();
        })
    };
    held.1.recv().unwrap();
    let answer = post(&app, "/fetch", &[HOST], &[("csrf", &csrf)]).await;
    assert_eq!(answer.status, 409, "{}", answer.body);
    assert!(answer.body.contains("another process writes this vault"));
    release.0.send(()).unwrap();
    holder.join().unwrap();

    let answer = post(&app, "/fetch", &[HOST], &[("csrf", &csrf)]).await;
    assert_eq!(answer.status, 202, "{}", answer.body);
    // The cycle runs in the background; wait for it to let go of the vault.
    let mut released = false;
    for _ in 0..600 {
        let vault = vault.clone();
        if tokio::task::spawn_blocking(move || vault.writer(Duration::ZERO).is_ok()).await.unwrap() {
            released = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(released, "the web's fetch finished and released the vault");
}
