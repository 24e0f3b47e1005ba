//! A vault built the way feedvault builds one (init, a feed file, fetch cycles),
//! and a router over it with helpers to send requests and read answers.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use feedvault_engine::{CycleOptions, Vault};
use feedvault_web::ServeOptions;
use http_body_util::BodyExt;
use tower::ServiceExt;

/// The address the routers of these tests believe they are bound to.
pub const ADDR: &str = "127.0.0.1:8080";

/// One item of a test feed: guid, title and body exactly as the XML carries them.
pub struct Item<'a> {
    pub guid: &'a str,
    pub title: &'a str,
    pub link: &'a str,
    pub date: &'a str,
    pub body: &'a str,
}

impl<'a> Item<'a> {
    pub fn new(guid: &'a str, title: &'a str, body: &'a str) -> Item<'a> {
        Item { guid, title, link: "", date: "Tue, 20 Sep 2022 10:16:32 +0800", body }
    }
}

pub fn rss(items: &[Item<'_>]) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><channel><title>测试源</title><link>https://news.example.org/</link>\n",
    );
    for item in items {
        let link = if item.link.is_empty() {
            format!("https://news.example.org/a/{}", item.guid)
        } else {
            item.link.to_owned()
        };
        out.push_str(&format!(
            "<item><guid isPermaLink=\"false\">{}</guid><title>{}</title><link>{}</link><pubDate>{}</pubDate><content:encoded><![CDATA[{}]]></content:encoded></item>\n",
            item.guid, item.title, link, item.date, item.body
        ));
    }
    out.push_str("</channel></rss>\n");
    out
}

/// A vault in a temporary folder.
pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub vault: Arc<Vault>,
}

impl Fixture {
    /// A vault with one feed `name` whose file holds `items`, fetched once.
    pub fn new(name: &str, items: &[Item<'_>]) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("v");
        Vault::init(&root, "dated", "Asia/Shanghai").unwrap();
        let fixture = Fixture { vault: Arc::new(Vault::open(&root).unwrap()), dir };
        fixture.add_feed(name, items);
        fixture
    }

    pub fn root(&self) -> PathBuf {
        self.dir.path().join("v")
    }

    fn feed_file(&self, name: &str) -> PathBuf {
        self.dir.path().join(format!("{name}.xml"))
    }

    /// Subscribes to a new feed file and fetches it.
    pub fn add_feed(&self, name: &str, items: &[Item<'_>]) {
        self.add_feed_document(name, &rss(items));
    }

    /// Subscribes to a new feed file holding `document` and fetches it.
    pub fn add_feed_document(&self, name: &str, document: &str) {
        std::fs::write(self.feed_file(name), document).unwrap();
        let config = self.root().join("feedvault.toml");
        let mut text = std::fs::read_to_string(&config).unwrap();
        text.push_str(&format!("\n[[feeds]]\nname = \"{name}\"\nurl = \"{}\"\n", self.feed_file(name).display()));
        std::fs::write(&config, text).unwrap();
        self.fetch();
    }

    /// Rewrites a feed's file and fetches every feed again.
    pub fn update_feed(&self, name: &str, items: &[Item<'_>]) {
        std::fs::write(self.feed_file(name), rss(items)).unwrap();
        self.fetch();
    }

    /// One forced cycle (on its own thread: the writer runs its own runtime, which
    /// must not start inside a test's).
    pub fn fetch(&self) {
        std::thread::scope(|scope| {
            scope
                .spawn(|| {
                    let mut writer = self.vault.writer(Duration::ZERO).unwrap();
                    let stop = AtomicBool::new(false);
                    writer.fetch(CycleOptions { force: true }, &stop, |_| {}).unwrap();
                })
                .join()
                .unwrap()
        });
    }

    pub fn app(&self) -> Router {
        self.app_with(ServeOptions::default(), ADDR)
    }

    pub fn app_with(&self, options: ServeOptions, addr: &str) -> Router {
        // A fresh reader sees the index as the last fetch committed it.
        let vault = Arc::new(Vault::open(&self.root()).unwrap());
        feedvault_web::router(vault, options, addr.parse::<SocketAddr>().unwrap())
    }
}

/// An answer, read whole.
pub struct Answer {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn content_type(&self) -> &str {
        self.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

pub async fn send(app: &Router, request: Request<Body>) -> Answer {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Answer { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
}

pub async fn get(app: &Router, uri: &str) -> Answer {
    send(app, Request::get(uri).header(header::HOST, ADDR).body(Body::empty()).unwrap()).await
}

pub async fn get_with(app: &Router, uri: &str, headers: &[(&str, &str)]) -> Answer {
    let mut request = Request::get(uri).header(header::HOST, ADDR);
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    send(app, request.body(Body::empty()).unwrap()).await
}

/// A form POST with the given headers (Host is not added: tests choose it).
pub async fn post(app: &Router, uri: &str, headers: &[(&str, &str)], form: &[(&str, &str)]) -> Answer {
    let mut body = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in form {
        body.append_pair(k, v);
    }
    let mut request = Request::post(uri).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    send(app, request.body(Body::from(body.finish())).unwrap()).await
}

/// The value of the hidden input `name` in a page (the first one after `action`).
pub fn hidden(page: &str, action: &str, name: &str) -> String {
    let form = page.find(&format!("action=\"{action}\"")).unwrap_or_else(|| panic!("no form for {action}: {page}"));
    let rest = &page[form..];
    let at = rest.find(&format!("name=\"{name}\" value=\"")).unwrap() + name.len() + 15;
    rest[at..rest[at..].find('"').unwrap() + at].to_owned()
}

/// Every article path the vault records, newest first.
pub fn article_paths(vault: &Vault) -> Vec<String> {
    let query = feedvault_engine::ArticleQuery::default();
    vault.articles(&query).unwrap().items.into_iter().map(|a| a.path).collect()
}

/// `/articles/<id>` of an article path.
pub fn href(path: &str) -> String {
    feedvault_web::ids::article_href(path)
}
