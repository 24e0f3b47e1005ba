//! The re-check benchmark: N archived articles (100,000) all due at once, their
//! pages served by a loopback server on H hosts (8: 127.0.2.1 …, one listener each,
//! so the fetcher's per-host limits apply per address), re-checked by one
//! `VaultWriter::recheck` with politeness on (16 at once, 2 per host, no delay
//! between requests to a host unless `--delay-ms`). The server counts requests in
//! flight per host and the benchmark fails if any host ever saw more than the
//! per-host limit. Reports the time to schedule and to pick the due work from
//! state.db, and the checks per second.

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::loopback::{self, Handler, Reply, Request};
use anyhow::{Result, bail};
use chrono::Utc;
use feedvault_engine::Vault;
use feedvault_store::{ArticleRow, Change, Origin, SqliteStore, Store};
use serde_json::json;

const PER_HOST: usize = 2;
const CONCURRENCY: usize = 16;

/// One host's counters.
#[derive(Default)]
struct HostCount {
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    requests: AtomicUsize,
}

pub fn run(articles: usize, hosts: usize, delay_ms: u64) -> Result<()> {
    let mut addresses: Vec<SocketAddr> = Vec::new();
    let mut counts = Vec::new();
    for host in 0..hosts {
        let listener = TcpListener::bind(format!("127.0.2.{}:0", host % 250 + 1))?;
        addresses.push(listener.local_addr()?);
        let count = Arc::new(HostCount::default());
        counts.push(count.clone());
        loopback::spawn(listener, count);
    }
    let dir = tempfile::tempdir()?;
    let root = dir.path().join("vault");
    Vault::init(&root, "dated", "UTC")?;
    let config = root.join("feedvault.toml");
    let mut text = std::fs::read_to_string(&config)?;
    let limits = format!("concurrency = {CONCURRENCY}\nper_host = {PER_HOST}\nhost_delay = \"{delay_ms}ms\"\n");
    text = text.replace("concurrency = 16\nper_host = 2\nhost_delay = \"1s\"\n", &limits);
    text = text.replace("max_per_cycle = 500", &format!("max_per_cycle = {articles}"));
    text = text.replace("max_time = \"5m\"", "max_time = \"24h\"");
    if !text.contains(&limits) || !text.contains(&format!("max_per_cycle = {articles}")) {
        bail!("the template's [fetch] or [preserve.recheck] defaults changed; update the benchmark");
    }
    for (h, address) in addresses.iter().enumerate() {
        text.push_str(&format!("\n[[feeds]]\nname = \"host-{h}\"\nurl = \"http://{address}/feed.xml\"\n"));
    }
    std::fs::write(&config, text)?;
    let vault = Vault::open(&root)?;
    let mut writer = vault.writer(Duration::from_secs(5))?;

    // The articles, recorded as archived two hours ago (no files: a feed without
    // full_text compares the page with the text its previous check saw).
    let now = Utc::now();
    let seen = now.timestamp_millis() - 2 * 3_600_000;
    let started = Instant::now();
    let mut store = SqliteStore::open(&root.join("state.db"))?;
    let rows: Vec<Change> = (0..articles)
        .map(|i| {
            let h = i % hosts;
            Change::Insert(ArticleRow {
                id: 0,
                feed: format!("host-{h}"),
                item_key: Some(format!("id:{i}")),
                key_hash: None,
                path: format!("archive/host-{h}/2026/01/01/a-{i}.md"),
                url: format!("http://{}/a/{i}", addresses[h]),
                title: format!("Article {i}: officials deny the report"),
                time_ms: Some(seen),
                content_hash: format!("{i:064}"),
                first_seen_at: seen,
                version_seen_at: seen,
                revisions: 0,
                origin: Origin::Fetch,
                file_hash: Some(format!("{i:064}")),
                link_key: None,
                raw_hash: None,
            })
        })
        .collect();
    store.apply(&rows)?;
    let recorded = started.elapsed();
    let started = Instant::now();
    let scheduled = store.schedule_new_checks(3_600_000)?;
    let schedule_time = started.elapsed();
    let feeds: Vec<String> = (0..hosts).map(|h| format!("host-{h}")).collect();
    let started = Instant::now();
    let due = store.due_checks(now.timestamp_millis(), &feeds, articles + 1)?;
    let pick_time = started.elapsed();
    let started = Instant::now();
    let first_500 = store.due_checks(now.timestamp_millis(), &feeds, 500)?.len();
    let pick_500_time = started.elapsed();
    drop(store);
    if scheduled != articles || due.len() != articles || first_500 != 500.min(articles) {
        bail!("scheduled {scheduled}, due {}, first batch {first_500} of {articles}", due.len());
    }
    drop(due);

    let classify_per_s = classify_rate(&addresses[0]);
    let started = Instant::now();
    let report = writer.recheck(now, &AtomicBool::new(false))?;
    let elapsed = started.elapsed().as_secs_f64();
    let requests: usize = counts.iter().map(|c| c.requests.load(Ordering::SeqCst)).sum();
    let max_per_host = counts.iter().map(|c| c.max_in_flight.load(Ordering::SeqCst)).max().unwrap_or(0);
    println!(
        "{}",
        json!({
            "articles": articles,
            "hosts": hosts,
            "politeness": { "concurrency": CONCURRENCY, "per_host": PER_HOST, "host_delay_ms": delay_ms },
            "record_rows_s": recorded.as_secs_f64(),
            "schedule_s": schedule_time.as_secs_f64(),
            "pick_all_due_s": pick_time.as_secs_f64(),
            "pick_500_due_s": pick_500_time.as_secs_f64(),
            "checked": report.checked,
            "unchanged": report.unchanged,
            "unreachable": report.unreachable,
            "recheck_s": elapsed,
            "checks_per_s": report.checked as f64 / elapsed,
            "classify_only_per_s": classify_per_s,
            "requests": requests,
            "max_in_flight_per_host": max_per_host,
        })
    );
    if report.checked != articles || requests != articles {
        bail!("{} checks and {requests} requests for {articles} articles", report.checked);
    }
    if max_per_host > PER_HOST {
        bail!("a host saw {max_per_host} requests at once (the limit is {PER_HOST})");
    }
    Ok(())
}

/// Pages classified per second on one thread, fetching aside (readability and the
/// title and text comparisons: the CPU side of a check).
fn classify_rate(address: &SocketAddr) -> f64 {
    use feedvault_engine::preserve::FullText;
    use feedvault_engine::preserve::recheck::classify::{Answer, Archived, PageAnswer, classify};
    let url = url::Url::parse(&format!("http://{address}/a/1")).expect("a URL");
    let answer = Answer::Page(PageAnswer {
        url: url.clone(),
        status: 200,
        final_url: url,
        redirects: Vec::new(),
        headers: Vec::new(),
        exchange: None,
        charset: Some("utf-8".into()),
        body: page("1").into_bytes(),
    });
    let how = FullText::Readability;
    let archived = Archived { title: "Article 1: officials deny the report", how: &how, text_hash: Some("x") };
    let rounds = 500;
    let started = Instant::now();
    for _ in 0..rounds {
        std::hint::black_box(classify(&archived, &answer));
    }
    rounds as f64 / started.elapsed().as_secs_f64()
}

fn page(id: &str) -> String {
    let paragraph = "Officials in the provincial capital denied on Thursday that the report had been withdrawn, \
        while several accounts that had shared it were suspended and searches for its title returned nothing. ";
    format!(
        "<!DOCTYPE html><html><head><title>Article {id}: officials deny the report</title></head><body>\
         <nav><a href=\"/\">Home</a> <a href=\"/news\">News</a></nav><article><h1>Article {id}: officials deny the \
         report</h1><div class=\"post-content\"><p>{}</p><p>{}</p></div></article><aside>Popular today</aside>\
         </body></html>",
        paragraph.repeat(3),
        paragraph.repeat(2)
    )
}

/// Answers every request with a small article page, counting requests in flight:
/// from reading the request to having written the answer.
impl Handler for HostCount {
    fn answer(&self, request: &Request) -> Reply {
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_in_flight.fetch_max(now, Ordering::SeqCst);
        self.requests.fetch_add(1, Ordering::SeqCst);
        let id = request.path.rsplit('/').next().unwrap_or("0");
        Reply::ok("text/html; charset=utf-8", page(id))
    }

    fn written(&self) {
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}
