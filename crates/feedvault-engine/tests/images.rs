//! Images whose failure may pass are tried again on a later cycle (a 503 now, the
//! image later), a bounded number of times; a final failure (404) is not.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use feedvault_engine::{CycleOptions, Vault};
use feedvault_store::SqliteStore;

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR later";

/// `/busy.png` (any query) answers 503 until `ready`, then the PNG; anything else 404.
fn server(ready: Arc<AtomicBool>, hits: Arc<Mutex<Vec<String>>>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            let _ = reader.read_line(&mut line);
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).unwrap_or(0) == 0 || header.trim().is_empty() {
                    break;
                }
            }
            let path = line.split_whitespace().nth(1).unwrap_or("/").to_owned();
            hits.lock().unwrap().push(path.clone());
            let route = path.split('?').next().unwrap_or_default();
            let answer: Vec<u8> = match (route, ready.load(Ordering::SeqCst)) {
                ("/busy.png", true) => {
                    let mut out = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        PNG.len()
                    )
                    .into_bytes();
                    out.extend_from_slice(PNG);
                    out
                }
                ("/busy.png", false) => b"HTTP/1.1 503 Busy\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec(),
                _ => b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec(),
            };
            let _ = stream.write_all(&answer);
        }
    });
    base
}

/// Marks every failed image as tried long ago (as if an hour had passed).
fn age_failures(root: &std::path::Path, article: &str) {
    let mut store = SqliteStore::open(&root.join("state.db")).unwrap();
    let aged: Vec<_> = store
        .article_assets(article)
        .unwrap()
        .into_iter()
        .filter(|a| a.kept.is_err())
        .map(|a| feedvault_store::ArticleAsset { tried_at: 0, ..a })
        .collect();
    store.record_assets(&[], &aged).unwrap();
}

fn cycle(vault: &Vault) -> feedvault_engine::CycleReport {
    let mut writer = vault.writer(Duration::ZERO).unwrap();
    writer.fetch(CycleOptions::default(), &AtomicBool::new(false), |_| {}).unwrap()
}

#[test]
fn a_failure_that_may_pass_is_tried_again_later_and_a_final_one_is_not() {
    let ready = Arc::new(AtomicBool::new(false));
    let hits = Arc::new(Mutex::new(Vec::new()));
    let base = server(ready.clone(), hits.clone());
    let count = |path: &str| hits.lock().unwrap().iter().filter(|p| *p == path).count();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("v");
    Vault::init(&root, "dated", "UTC").unwrap();
    let feed = dir.path().join("feed.xml");
    std::fs::write(
        &feed,
        format!(
            "<rss version=\"2.0\"><channel><title>t</title><item><guid>1</guid><title>One</title>\
             <link>https://news.example.org/1</link><description><![CDATA[<img src=\"{base}/busy.png\"><img src=\"{base}/gone.png\">]]></description></item></channel></rss>"
        ),
    )
    .unwrap();
    let config = root.join("feedvault.toml");
    let text = std::fs::read_to_string(&config).unwrap().replace("[fetch]\n", "[fetch]\nproxy = \"none\"\n");
    std::fs::write(&config, format!("{text}\n[[feeds]]\nname = \"f\"\nurl = \"{}\"\nimages = true\n", feed.display()))
        .unwrap();
    let vault = Vault::open(&root).unwrap();

    let report = cycle(&vault);
    let notes = &report.results[0].preserve.images;
    assert_eq!((notes.kept, notes.failures.len()), (0, 2), "{notes:?}");
    assert!(notes.failures.iter().any(|f| f.why.contains("503")), "{notes:?}");
    let article = vault.articles(&Default::default()).unwrap().items[0].path.clone();

    // Too soon: nothing is tried again.
    cycle(&vault);
    assert_eq!((count("/busy.png"), count("/gone.png")), (1, 1));

    // An hour later, the 503 is tried again (and now answers); the 404 is not.
    ready.store(true, Ordering::SeqCst);
    age_failures(&root, &article);
    cycle(&vault);
    assert_eq!((count("/busy.png"), count("/gone.png")), (2, 1));
    let kept = vault.kept_images(&article).unwrap();
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(kept[&format!("{base}/busy.png")].hash, feedvault_core::identity::file_hash(PNG));

    // Tries are bounded: a failure that keeps failing stops after the last try.
    ready.store(false, Ordering::SeqCst);
    let mut store = SqliteStore::open(&root.join("state.db")).unwrap();
    let failing = feedvault_store::ArticleAsset {
        article: article.clone(),
        url: format!("{base}/busy.png?v=2"),
        kept: Err("HTTP 503".into()),
        retry: true,
        attempts: 1,
        tried_at: 0,
    };
    store.record_assets(&[], std::slice::from_ref(&failing)).unwrap();
    drop(store);
    for _ in 0..5 {
        cycle(&vault);
        age_failures(&root, &article);
    }
    let max = feedvault_engine::preserve::images::MAX_ATTEMPTS as usize;
    assert_eq!(count("/busy.png?v=2"), max - 1, "tried again until {max} tries in all");
}
