//! Kept images in the web UI and the static mirror: a vault keeping images (from a
//! loopback image server) shows a kept image from `/assets/<hash>.<ext>`, served
//! with its media type, nosniff, a sandboxing policy and immutable caching, and
//! leaves an image that was not kept a link; the mirror holds the copy and links
//! to it relatively.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::Arc;

use feedvault_engine::Vault;
use feedvault_web::site::{SiteOptions, export_site_async};

use crate::support::{Fixture, Item, article_paths, get, href};

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR kept";

/// Serves [`PNG`] at `/cat.png` and 404 elsewhere; returns its base URL.
fn image_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut line = String::new();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let _ = reader.read_line(&mut line);
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).unwrap_or(0) == 0 || header.trim().is_empty() {
                    break;
                }
            }
            let found = line.split_whitespace().nth(1) == Some("/cat.png");
            let head = if found {
                format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    PNG.len()
                )
            } else {
                "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_owned()
            };
            let _ = stream.write_all(head.as_bytes());
            if found {
                let _ = stream.write_all(PNG);
            }
        }
    });
    base
}

/// A vault keeping images, with one article referencing a kept and a missing image.
fn fixture() -> (Fixture, String) {
    let base = image_server();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("v");
    Vault::init(&root, "dated", "Asia/Shanghai").unwrap();
    let config = root.join("feedvault.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    let text = text
        .replace("[preserve.images]\nenabled = false", "[preserve.images]\nenabled = true")
        .replace("[fetch]\n", "[fetch]\nproxy = \"none\"\n");
    std::fs::write(&config, text).unwrap();
    let fixture = Fixture { vault: Arc::new(Vault::open(&root).unwrap()), dir };
    let body = format!(
        "<p>Kept: <img src=\"{base}/cat.png\" alt=\"a cat\"> not kept: <img src=\"{base}/gone.png\" alt=\"gone\"></p>"
    );
    fixture.add_feed("pics", &[Item::new("p1", "Pictures", &body)]);
    (fixture, base)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_kept_image_is_served_from_the_vault_and_one_not_kept_stays_a_link() {
    let (fixture, base) = tokio::task::spawn_blocking(fixture).await.unwrap();
    let app = fixture.app();
    let path = article_paths(&fixture.vault).remove(0);
    let page = get(&app, &href(&path)).await;
    assert_eq!(page.status, 200);
    let hash = feedvault_core::identity::file_hash(PNG);
    assert!(page.body.contains(&format!("<img src=\"/assets/{hash}.png\" alt=\"a cat\">")), "{}", page.body);
    assert!(page.body.contains(&format!("<a class=\"image\" href=\"{base}/gone.png\"")), "{}", page.body);
    assert!(!page.body.contains(&format!("src=\"{base}")), "nothing is loaded from the source");
    let csp = page.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("img-src 'self';") && !csp.contains("http"), "{csp}");

    let copy = get(&app, &format!("/assets/{hash}.png")).await;
    assert_eq!(copy.status, 200);
    assert_eq!(copy.content_type(), "image/png");
    assert_eq!(copy.body, String::from_utf8_lossy(PNG), "the bytes as kept");
    assert_eq!(copy.headers["x-content-type-options"], "nosniff");
    assert_eq!(copy.headers["content-security-policy"], feedvault_web::assets::ASSET_CSP);
    assert_eq!(copy.headers["cache-control"], "public, max-age=31536000, immutable");
    for wrong in [
        format!("/assets/{hash}.jpg"),
        format!("/assets/{hash}"),
        format!("/assets/{}.png", "0".repeat(64)),
        "/assets/..%2Fstate.db".to_owned(),
        "/assets/records.jsonl".to_owned(),
    ] {
        assert_eq!(get(&app, &wrong).await.status, 404, "{wrong}");
    }
    // The article file is unchanged: it still names the source.
    let text = std::fs::read_to_string(fixture.root().join(&path)).unwrap();
    assert!(text.contains(&format!("<img src=\"{base}/cat.png\" alt=\"a cat\">")), "{text}");

    // The static mirror holds the copy and links to it relatively.
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("site");
    let vault = Arc::new(Vault::open(&fixture.root()).unwrap());
    let report = export_site_async(vault, &dir, &SiteOptions::default()).await.unwrap();
    assert_eq!(report.assets, 3, "the stylesheet, the icon and the kept image");
    let site = out.path().join("site");
    assert_eq!(std::fs::read(site.join(format!("assets/{hash}.png"))).unwrap(), PNG);
    let page_file = feedvault_web::ids::article_href(&path).trim_start_matches('/').to_owned() + "/index.html";
    let html = std::fs::read_to_string(site.join(&page_file)).unwrap();
    let depth = page_file.matches('/').count();
    let relative = format!("{}assets/{hash}.png", "../".repeat(depth));
    assert!(html.contains(&format!("<img src=\"{relative}\" alt=\"a cat\">")), "{html}");
    assert!(html.contains(&format!("href=\"{base}/gone.png\"")), "{html}");
}
