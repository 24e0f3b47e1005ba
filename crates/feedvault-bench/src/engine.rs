//! `engine --feeds-dir D --vault V [--verify-files N]`: the engine benchmark.
//!
//! Subscribes a new vault to every feed file in D and runs one fetch cycle through
//! the engine library (the code `feedvault fetch` runs), timing two moments: when
//! the last feed's files and state.db rows were durable (its result callback comes
//! after its state.db commit) and when the search index had caught up (the cycle
//! returns after the indexer's flush). Then it times `feedvault verify` over the
//! vault, as files per second. One JSON line.

use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use feedvault_engine::{CycleOptions, Outcome, Vault};
use serde_json::json;

pub fn run(feeds_dir: &Path, vault: &Path) -> Result<()> {
    Vault::init(vault, "dated", "UTC")?;
    let opened = Vault::open(vault)?;
    let mut feeds: Vec<_> = std::fs::read_dir(feeds_dir)?.filter_map(|e| Some(e.ok()?.path())).collect();
    feeds.sort();
    for (i, feed) in feeds.iter().enumerate() {
        opened.subscribe(feed.to_str().context("a UTF-8 path")?, Some(&format!("feed-{i}")), None, feeds_dir)?;
    }
    let mut writer = opened.writer(Duration::ZERO)?;
    let started = Instant::now();
    let mut durable = Duration::ZERO;
    let mut articles = 0;
    let report = writer.fetch(CycleOptions::default(), &AtomicBool::new(false), |result| {
        durable = started.elapsed();
        if let Outcome::Archived { new, .. } = result.outcome {
            articles += new;
        }
    })?;
    let indexed = started.elapsed();
    drop(writer);
    let verify_started = Instant::now();
    let problems = opened.verify(&mut |_, _| {})?;
    let verify_seconds = verify_started.elapsed().as_secs_f64();
    let (files, _) = opened.counts()?;
    let line = json!({
        "archiver": "feedvault",
        "feeds": report.results.len(),
        "articles": articles,
        "durable_s": durable.as_secs_f64(),
        "articles_per_s": articles as f64 / durable.as_secs_f64(),
        "index_caught_up_after_s": (indexed - durable).as_secs_f64(),
        "verify_files_per_s": files as f64 / verify_seconds,
        "verify_problems": problems.len(),
    });
    println!("{line}");
    Ok(())
}
