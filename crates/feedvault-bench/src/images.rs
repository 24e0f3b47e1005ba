//! The cost of keeping images: one local feed of N articles, each referencing three
//! images on a loopback server (two of its own, one of ten shared "logos"), archived
//! by the engine's fetch cycle into a new vault twice, with `[preserve.images]` off
//! and on. Prints, per run, the cycle's time, the images downloaded, and the sizes
//! of archive/ and assets/. Politeness is lifted (loopback is one host: the default
//! 1 s between requests to a host would time the delay, not feedvault).

use std::collections::HashMap;
use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use crate::loopback::{self, Reply, Request};
use anyhow::{Context, Result};
use feedvault_engine::{CycleOptions, Vault};
use serde_json::json;

/// Bytes of every image.
const IMAGE_BYTES: usize = 16 * 1024;
const LOGOS: usize = 10;

pub fn run(articles: usize) -> Result<()> {
    let mut images = HashMap::new();
    for i in 0..articles * 2 {
        images.insert(format!("/img/{i}.png"), png(i as u64));
    }
    for l in 0..LOGOS {
        images.insert(format!("/logo/{l}.png"), png(1_000_000 + l as u64));
    }
    let images = Arc::new(images);
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let base = format!("http://{}", listener.local_addr()?);
    loopback::spawn(
        listener,
        Arc::new(move |request: &Request| match images.get(&request.path) {
            Some(body) => Reply::ok("image/png", body.clone()),
            None => Reply::not_found(),
        }),
    );
    let dir = tempfile::tempdir()?;
    let feed = dir.path().join("feed.xml");
    std::fs::write(&feed, feed_xml(articles, &base))?;
    for enabled in [false, true] {
        let root = dir.path().join(if enabled { "with-images" } else { "without-images" });
        Vault::init(&root, "dated", "UTC")?;
        let config = root.join("feedvault.toml");
        let text = std::fs::read_to_string(&config)?
            .replace(
                "concurrency = 16\nper_host = 2\nhost_delay = \"1s\"\n",
                "concurrency = 16\nper_host = 16\nhost_delay = \"0s\"\nproxy = \"none\"\n",
            )
            .replace("[preserve.images]\nenabled = false", &format!("[preserve.images]\nenabled = {enabled}"));
        std::fs::write(&config, format!("{text}\n[[feeds]]\nname = \"pics\"\nurl = \"{}\"\n", feed.display()))?;
        let vault = Vault::open(&root)?;
        let mut writer = vault.writer(Duration::ZERO)?;
        let started = Instant::now();
        let report = writer.fetch(CycleOptions { force: true }, &AtomicBool::new(false), |_| {})?;
        let seconds = started.elapsed().as_secs_f64();
        let result = report.results.first().context("the feed was not fetched")?;
        let notes = &result.preserve.images;
        println!(
            "{}",
            json!({
                "images": enabled,
                "articles": articles,
                "seconds": (seconds * 1000.0).round() / 1000.0,
                "images_kept": notes.kept + notes.reused,
                "images_failed": notes.failures.len(),
                "asset_files": count_files(&root.join("assets"))? .saturating_sub(usize::from(enabled)),
                "archive_bytes": size(&root.join("archive"))?,
                "assets_bytes": size(&root.join("assets"))?,
            })
        );
    }
    Ok(())
}

/// A PNG signature and `IMAGE_BYTES` of deterministic noise.
fn png(seed: u64) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    while bytes.len() < IMAGE_BYTES {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        bytes.extend_from_slice(&state.to_le_bytes());
    }
    bytes.truncate(IMAGE_BYTES);
    bytes
}

fn feed_xml(articles: usize, base: &str) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>Images</title><link>https://news.example.org/</link>\n",
    );
    for a in 0..articles {
        let body = format!(
            "<p>Article {a}: <img src=\"{base}/img/{}.png\"> text <img src=\"{base}/img/{}.png\"> <img src=\"{base}/logo/{}.png\"></p>",
            2 * a,
            2 * a + 1,
            a % LOGOS
        );
        out.push_str(&format!(
            "<item><guid>a-{a}</guid><title>Article {a}</title><link>https://news.example.org/{a}</link><pubDate>Tue, 20 Sep 2022 10:16:32 +0800</pubDate><description><![CDATA[{body}]]></description></item>\n"
        ));
    }
    out.push_str("</channel></rss>\n");
    out
}

fn walk(dir: &Path, each: &mut dyn FnMut(&std::fs::Metadata)) -> Result<()> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Ok(()) };
    for entry in entries {
        let entry = entry?;
        let meta = entry.metadata()?;
        if meta.is_dir() {
            walk(&entry.path(), each)?;
        } else {
            each(&meta);
        }
    }
    Ok(())
}

fn size(dir: &Path) -> Result<u64> {
    let mut total = 0;
    walk(dir, &mut |meta| total += meta.len())?;
    Ok(total)
}

fn count_files(dir: &Path) -> Result<usize> {
    let mut count = 0;
    walk(dir, &mut |_| count += 1)?;
    Ok(count)
}
