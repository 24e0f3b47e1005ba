//! The article page's raw captures: a feed served over loopback HTTP, fetched, and
//! its article page listing where each version was captured from, when, the status
//! and the body's hash; a page with no capture shows no such section.

use std::io::{Read, Write};
use std::net::TcpListener;

use crate::support::{Fixture, Item, article_paths, get, href, rss};

/// Serves `body` to every request, one connection at a time, until the test ends.
fn serve(body: String) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/feed.xml", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut seen = Vec::new();
            let mut buf = [0u8; 1024];
            while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => seen.extend_from_slice(&buf[..n]),
                }
            }
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(body.as_bytes()));
        }
    });
    url
}

#[tokio::test]
async fn an_article_page_lists_its_captures() {
    let fixture = Fixture::new("files", &[Item::new("f-1", "From a file", "<p>file</p>")]);
    let body = rss(&[Item::new("h-1", "抓取的文章", "<p>经由 HTTP 抓取。</p>")]);
    let url = serve(body.clone());
    let config = fixture.root().join("feedvault.toml");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str(&format!("\n[[feeds]]\nname = \"web\"\nurl = \"{url}\"\n"));
    std::fs::write(&config, text).unwrap();
    fixture.fetch();
    let app = fixture.app();
    let paths = article_paths(&fixture.vault);
    let web = paths.iter().find(|p| p.contains("/web/")).unwrap();
    let page = get(&app, &href(web)).await;
    assert!(page.status.is_success());
    let hash: String = {
        use sha2::Digest;
        sha2::Sha256::digest(body.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
    };
    for want in ["Raw captures", "current version", &url, "status 200", &hash[..16]] {
        assert!(page.body.contains(want), "{want} in\n{}", page.body);
    }
    let zh = get(&app, &format!("{}?lang=zh", href(web))).await;
    assert!(zh.body.contains("原始抓取") && zh.body.contains("抓取自"), "{}", zh.body);
    let file = paths.iter().find(|p| p.contains("/files/")).unwrap();
    assert!(!get(&app, &href(file)).await.body.contains("Raw captures"), "a file feed has no capture");
}
