//! `captures [--feeds F] [--rounds R] [--items N] [--changed P]`: what raw captures
//! cost. A loopback server this benchmark starts serves F feeds of N items; a vault
//! with `[preserve] captures = true` and one with `false` each check every feed R
//! times through the engine's fetch cycle (the code `feedvault fetch` runs; forced,
//! so every feed is fetched and parsed every round). Before each check after the
//! first, a fraction P of the feeds (the same ones in both vaults) gets one new item,
//! so its body changes; the rest are served byte for byte as before. For each vault:
//! the wall time of the first check and of the later ones, and how much the vault
//! (every file under it, and each part: archive/, the kept bodies, the records file,
//! state.db, the index) grew over the later checks. The growth of the kept bodies is
//! compared with what it must be: the changed bodies alone, zstd-compressed as the
//! vault keeps them. One JSON line per vault, then one with the ratios (`--only on`
//! or `--only off` runs one vault).

use std::net::TcpListener;
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use crate::loopback::{self, Reply, Request};
use anyhow::{Result, bail};
use feedvault_engine::{CycleOptions, Outcome, Vault};
use serde_json::json;

/// Each feed's current version (how many items it has gained).
type Versions = Arc<RwLock<Vec<usize>>>;

pub fn run(feeds: usize, rounds: usize, items: usize, changed: f64, modes: &[bool]) -> Result<()> {
    let versions: Versions = Arc::new(RwLock::new(vec![0; feeds]));
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let address = listener.local_addr()?;
    let served = versions.clone();
    // `/feed/N.xml` is feed N at its current version.
    loopback::spawn(
        listener,
        Arc::new(move |request: &Request| {
            let path = &request.path;
            let number = path.strip_prefix("/feed/").and_then(|p| p.strip_suffix(".xml")).and_then(|n| n.parse().ok());
            let version = number.and_then(|n: usize| served.read().ok().and_then(|v| v.get(n).copied()));
            match (number, version) {
                (Some(f), Some(version)) => Reply::ok("application/rss+xml", feed(f, version, items)),
                _ => Reply::not_found(),
            }
        }),
    );
    let changing = ((feeds as f64 * changed).round() as usize).min(feeds);
    let mut lines = Vec::new();
    for &captures in modes {
        versions.write().unwrap_or_else(|p| p.into_inner()).iter_mut().for_each(|v| *v = 0);
        let dir = tempfile::tempdir()?;
        let vault = dir.path().join("vault");
        Vault::init(&vault, "dated", "UTC")?;
        let config = vault.join("feedvault.toml");
        let mut text = std::fs::read_to_string(&config)?;
        text = text.replace(
            "concurrency = 16\nper_host = 2\nhost_delay = \"1s\"\n",
            "concurrency = 64\nper_host = 64\nhost_delay = \"0s\"\n",
        );
        text = text.replace("\ncaptures = true\n", &format!("\ncaptures = {captures}\n"));
        for f in 0..feeds {
            text.push_str(&format!("\n[[feeds]]\nname = \"feed-{f}\"\nurl = \"http://{address}/feed/{f}.xml\"\n"));
        }
        std::fs::write(&config, text)?;
        if Vault::open(&vault)?.settings()?.preserve.captures != captures {
            bail!("the captures setting was not applied");
        }
        // The first check, then the later ones, each in a session of its own: closing
        // the vault folds state.db's WAL in, so the sizes compare like with like.
        let check = |round: usize, writer: &mut feedvault_engine::VaultWriter| -> Result<(f64, usize)> {
            if round > 0 {
                let mut current = versions.write().unwrap_or_else(|p| p.into_inner());
                // A different slice of the feeds changes each round.
                for k in 0..changing {
                    current[(round * changing + k) % feeds] += 1;
                }
            }
            let started = Instant::now();
            let mut archived = 0;
            let mut failed = 0;
            writer.fetch(CycleOptions { force: true }, &AtomicBool::new(false), |result| match result.outcome {
                Outcome::Archived { new, revised, .. } => archived += new + revised,
                Outcome::Failed { .. } => failed += 1,
                Outcome::Unchanged => {}
            })?;
            if failed > 0 {
                bail!("{failed} feeds failed in round {round}");
            }
            Ok((started.elapsed().as_secs_f64(), archived))
        };
        let (first_s, first_articles) = {
            let opened = Vault::open(&vault)?;
            let mut writer = opened.writer(Duration::ZERO)?;
            check(0, &mut writer)?
        };
        let before = Sizes::of(&vault);
        let mut later_s = 0.0;
        let mut later_articles = 0;
        {
            let opened = Vault::open(&vault)?;
            let mut writer = opened.writer(Duration::ZERO)?;
            for round in 1..rounds {
                let (seconds, articles) = check(round, &mut writer)?;
                later_s += seconds;
                later_articles += articles;
            }
        }
        let after = Sizes::of(&vault);
        let growth = |pick: fn(&Sizes) -> u64| pick(&after) as i64 - pick(&before) as i64;
        let vault_growth = growth(|s| s.total);
        let bodies_growth = growth(|s| s.bodies);
        let records_growth = growth(|s| s.records);
        // What captures/ must have grown by: each changed body once, compressed as kept.
        let final_versions = versions.read().unwrap_or_else(|p| p.into_inner()).clone();
        let mut expected_bodies = 0u64;
        let mut changed_bodies = 0u64;
        for (f, &last) in final_versions.iter().enumerate() {
            for version in 1..=last {
                let body = feed(f, version, items);
                expected_bodies += zstd::bulk::compress(body.as_bytes(), 3)?.len() as u64;
                changed_bodies += 1;
            }
        }
        let records = std::fs::read_to_string(vault.join("captures/records.jsonl")).unwrap_or_default();
        let zst_files = count_files(&vault.join("captures"), "zst");
        let line = json!({
            "benchmark": "captures", "captures": captures, "feeds": feeds, "checks": rounds, "items": items,
            "changed_per_check": changing, "first_check_s": first_s, "first_check_articles": first_articles,
            "later_checks_s": later_s, "later_articles": later_articles,
            "vault_growth_bytes": vault_growth, "archive_growth_bytes": growth(|s| s.archive),
            "state_db_growth_bytes": growth(|s| s.state), "index_growth_bytes": growth(|s| s.index),
            "kept_bodies_growth_bytes": bodies_growth, "records_growth_bytes": records_growth,
            "changed_bodies": changed_bodies, "changed_bodies_zstd_bytes": if captures { expected_bodies } else { 0 },
            "kept_bodies": zst_files, "records": records.lines().count(),
        });
        println!("{line}");
        lines.push((later_s, vault_growth, bodies_growth, expected_bodies, zst_files, changed_bodies, records_growth));
    }
    let [on, off] = lines[..] else { return Ok(()) };
    let bodies_ok = on.4 as u64 == changed_bodies_plus_first(on.5, feeds);
    println!(
        "{}",
        json!({
            "benchmark": "captures", "later_checks_time_ratio_on_off": on.0 / off.0,
            "vault_growth_on_minus_off_bytes": on.1 - off.1,
            "vault_growth_ratio_on_off": on.1 as f64 / off.1.max(1) as f64,
            "kept_bodies_growth_over_changed_bodies_zstd": on.2 as f64 / on.3.max(1) as f64,
            "records_bytes_per_changed_body": on.6 as f64 / on.5.max(1) as f64,
            "kept_bodies_are_first_plus_changed": bodies_ok,
        })
    );
    Ok(())
}

/// The bodies a vault with captures must hold: every feed's first, then each change.
fn changed_bodies_plus_first(changed: u64, feeds: usize) -> u64 {
    changed + feeds as u64
}

/// The bytes of a vault's parts.
struct Sizes {
    total: u64,
    archive: u64,
    /// captures/ less the records file.
    bodies: u64,
    records: u64,
    /// state.db with its WAL.
    state: u64,
    index: u64,
}

impl Sizes {
    fn of(vault: &Path) -> Sizes {
        let file = |name: &str| std::fs::metadata(vault.join(name)).map(|m| m.len()).unwrap_or(0);
        let records = file("captures/records.jsonl");
        Sizes {
            total: size_of(vault),
            archive: size_of(&vault.join("archive")),
            bodies: size_of(&vault.join("captures")) - records,
            records,
            state: file("state.db") + file("state.db-wal"),
            index: size_of(&vault.join("index")),
        }
    }
}

/// The bytes of every file under `dir`.
fn size_of(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    entries
        .flatten()
        .map(|entry| match entry.file_type() {
            Ok(kind) if kind.is_dir() => size_of(&entry.path()),
            _ => entry.metadata().map(|m| m.len()).unwrap_or(0),
        })
        .sum()
}

fn count_files(dir: &Path, extension: &str) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    entries
        .flatten()
        .map(|entry| {
            let path = entry.path();
            if path.is_dir() {
                count_files(&path, extension)
            } else {
                usize::from(path.extension().is_some_and(|e| e == extension))
            }
        })
        .sum()
}

/// Feed `f` at `version`: its newest `items` items (each version adds one).
fn feed(f: usize, version: usize, items: usize) -> String {
    let mut out = format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Feed {f}</title><link>http://example.org/{f}/</link>"
    );
    for i in (version..version + items).rev() {
        out.push_str(&format!(
            "<item><guid>f{f}-{i}</guid><title>Feed {f} item {i}</title><link>http://example.org/{f}/{i}</link><pubDate>Fri, 20 Nov 2026 10:{:02}:00 GMT</pubDate><description>Item {i} of feed {f}: a short summary of the story, enough to look like one, with a few more words.</description></item>",
            i % 60
        ));
    }
    out.push_str("</channel></rss>");
    out
}
