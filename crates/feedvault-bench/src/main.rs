//! feedvault-bench: the benchmarks behind BENCHMARKS.md.
//!
//! `parse FILE [--seconds S]` prints one JSON line for feedvault's parser and one
//! for a bare quick-xml tokenizer pass over the same bytes (the ceiling); the peers
//! (feedparser, rss-parser) run from `bench/parse/run.sh` on the same file.
//! `archive [--feeds F] [--items N]` generates F local feeds of N items, then times
//! the release `feedvault fetch` archiving all of them into a new vault, end to end
//! (parse, identity, durable writes, state). `search [--docs N] [--dir D]` indexes N
//! synthetic articles with feedvault's index and with SQLite FTS5 (trigram) and
//! compares them. `engine --feeds-dir D --vault V` times the engine's fetch cycle
//! (files and state durable, then the index caught up) and `verify`. `adversarial
//! FILE` times each pass over the text of a hostile document (`bench/adversarial/gen.py`
//! writes them). `commit [--files N] [--new M]` times committing M new articles
//! into a repository of N with feedvault's publishing and with the git command
//! line. `images [--articles N]` times a fetch cycle keeping 3 images per article
//! from a loopback server against one keeping none. `rechecks [--articles N]
//! [--hosts H]` times the re-check scheduler on N articles due at once. `captures
//! [--feeds F] [--rounds R]` times F feeds checked R times with and without raw
//! captures and measures what the vault grows by. Timing lives here, never in tests.

mod captures;
mod commit;
mod corpus;
mod engine;
mod fetching;
mod images;
mod loopback;
mod rechecks;
mod search;
mod segmentation;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use quick_xml::Reader;
use quick_xml::events::Event;
use serde_json::json;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str, default: f64| -> Result<f64> {
        match args.iter().position(|a| a == name) {
            Some(i) => args.get(i + 1).context("flag without value")?.parse().context("not a number"),
            None => Ok(default),
        }
    };
    match args.first().map(String::as_str) {
        Some("parse") => {
            let file = args.get(1).context("usage: feedvault-bench parse FILE [--seconds S]")?;
            parse(Path::new(file), Duration::from_secs_f64(flag("--seconds", 5.0)?))
        }
        Some("archive") => archive(flag("--feeds", 20.0)? as usize, flag("--items", 500.0)? as usize),
        Some("search") => {
            let dir = args.iter().position(|a| a == "--dir").and_then(|i| args.get(i + 1));
            let dir = dir.map(PathBuf::from).unwrap_or_else(|| PathBuf::from("target/bench-search"));
            search::run(
                flag("--docs", 100_000.0)? as usize,
                &dir,
                !args.iter().any(|a| a == "--no-fts5"),
                args.iter().any(|a| a == "--reuse"),
            )
        }
        Some("fetch") => fetching::run(
            flag("--feeds", 10_000.0)? as usize,
            flag("--items", 20.0)? as usize,
            &sibling_binary("feedvault")?,
        ),
        Some("engine") => {
            let path = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1));
            let usage = "usage: feedvault-bench engine --feeds-dir D --vault V [--generate F]";
            let feeds = Path::new(path("--feeds-dir").context(usage)?);
            if let Some(count) = path("--generate") {
                // F generated feeds of 500 items of ~2 KB (the archive benchmark's).
                std::fs::create_dir_all(feeds)?;
                for f in 0..count.parse::<usize>().context(usage)? {
                    std::fs::write(feeds.join(format!("feed-{f:04}.xml")), generated_feed(f, 500))?;
                }
            }
            engine::run(feeds, Path::new(path("--vault").context(usage)?))
        }
        Some("images") => images::run(flag("--articles", 1000.0)? as usize),
        Some("adversarial") => {
            let file = args.get(1).context("usage: feedvault-bench adversarial FILE")?;
            adversarial(Path::new(file))
        }
        Some("commit") => {
            let dir = args.iter().position(|a| a == "--dir").and_then(|i| args.get(i + 1));
            let dir = dir.map(PathBuf::from).unwrap_or_else(|| PathBuf::from("target/bench-commit"));
            commit::run(
                flag("--files", 100_000.0)? as usize,
                flag("--new", 100.0)? as usize,
                flag("--rounds", 5.0)? as usize,
                &dir,
            )
        }
        Some("rechecks") => rechecks::run(
            flag("--articles", 100_000.0)? as usize,
            flag("--hosts", 8.0)? as usize,
            flag("--delay-ms", 0.0)? as u64,
        ),
        Some("captures") => captures::run(
            flag("--feeds", 10_000.0)? as usize,
            flag("--rounds", 10.0)? as usize,
            flag("--items", 5.0)? as usize,
            flag("--changed", 0.1)?,
            match args.iter().position(|a| a == "--only").and_then(|i| args.get(i + 1)).map(String::as_str) {
                Some("on") => &[true],
                Some("off") => &[false],
                None => &[true, false],
                Some(other) => bail!("--only {other}: use on or off"),
            },
        ),
        Some("segmentation") => segmentation::run(Path::new("examples/feeds"), flag("--docs", 20_000.0)? as usize),
        _ => bail!(
            "usage: feedvault-bench parse FILE [--seconds S] | adversarial FILE | archive [--feeds F] [--items N] | search [--docs N] [--dir D] | segmentation [--docs N] | fetch [--feeds F] [--items N] | engine --feeds-dir D --vault V | commit [--files N] [--new M] [--rounds R] [--dir D] | rechecks [--articles N] [--hosts H] [--delay-ms D] | images [--articles N] | captures [--feeds F] [--rounds R] [--items N] [--changed P] [--only on|off]"
        ),
    }
}

/// Times, once each, the passes over an item's text on one (adversarial) document:
/// parsing, title plain-texting, the body line and the index text.
fn adversarial(file: &Path) -> Result<()> {
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let started = Instant::now();
    let feed = feedvault_feed::parse(&bytes, &feedvault_feed::ParseOptions::default())
        .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let parse = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let titles: usize =
        feed.items.iter().map(|i| feedvault_core::text::plain_title(i.title.as_deref().unwrap_or("")).len()).sum();
    let title = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let lines: usize = feed.items.iter().map(|i| feedvault_core::text::body_line(i.body_html()).len()).sum();
    let body_line = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let texts: usize =
        feed.items.iter().map(|i| feedvault_search::analysis::html::html_to_text(i.body_html()).len()).sum();
    let index_text = started.elapsed().as_secs_f64();
    let line = json!({
        "file": file.display().to_string(), "bytes": bytes.len(), "items": feed.items.len(),
        "parse_s": parse, "plain_title_s": title, "body_line_s": body_line, "html_to_text_s": index_text,
        "total_s": parse + title + body_line + index_text, "output_bytes": titles + lines + texts,
    });
    println!("{line}");
    Ok(())
}

/// Runs `work` repeatedly for at least `budget` (and at least twice); returns
/// (iterations, seconds, last result).
fn repeat<T>(budget: Duration, mut work: impl FnMut() -> T) -> (u32, f64, T) {
    let started = Instant::now();
    let mut iterations = 0;
    loop {
        let result = work();
        iterations += 1;
        if iterations >= 2 && started.elapsed() >= budget {
            return (iterations, started.elapsed().as_secs_f64(), result);
        }
    }
}

fn report(parser: &str, file: &Path, bytes: usize, iterations: u32, seconds: f64, items: usize) {
    let mb_per_s = bytes as f64 * f64::from(iterations) / seconds / 1e6;
    let line = json!({
        "parser": parser, "file": file.display().to_string(), "bytes": bytes,
        "iterations": iterations, "seconds": seconds, "mb_per_s": mb_per_s, "items": items,
    });
    println!("{line}");
}

fn parse(file: &Path, budget: Duration) -> Result<()> {
    let bytes = std::fs::read(file).with_context(|| file.display().to_string())?;
    // Default options: detection, recovery and date fallbacks are always on.
    let options = feedvault_feed::ParseOptions::default();
    let (iterations, seconds, feed) = repeat(budget, || feedvault_feed::parse(&bytes, &options));
    let feed = feed.map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    report("feedvault", file, bytes.len(), iterations, seconds, feed.items.len());

    let (iterations, seconds, items) = repeat(budget, || {
        let mut reader = Reader::from_reader(bytes.as_slice());
        let mut buf = Vec::new();
        let mut items = 0;
        loop {
            match reader.read_event_into(&mut buf) {
                Ok(Event::Start(e)) if e.name().as_ref() == "item" => items += 1,
                Ok(Event::Eof) | Err(_) => break,
                Ok(_) => {}
            }
            buf.clear();
        }
        items
    });
    report("quick-xml (bare tokenizer)", file, bytes.len(), iterations, seconds, items);
    Ok(())
}

fn archive(feeds: usize, items: usize) -> Result<()> {
    let binary = sibling_binary("feedvault")?;
    let dir = tempfile::tempdir()?;
    let vault = dir.path().join("vault");
    let run = |args: &[&str]| -> Result<()> {
        let status =
            Command::new(&binary).arg("--vault").arg(&vault).args(args).stdout(std::process::Stdio::null()).status()?;
        if !status.success() {
            bail!("feedvault {args:?} failed");
        }
        Ok(())
    };
    run(&["init"])?;
    for f in 0..feeds {
        let path = dir.path().join(format!("feed-{f}.xml"));
        std::fs::write(&path, generated_feed(f, items))?;
        run(&["add", path.to_str().context("a UTF-8 temp path")?, "--name", &format!("feed-{f}")])?;
    }
    let started = Instant::now();
    run(&["fetch"])?;
    let seconds = started.elapsed().as_secs_f64();
    let articles = feeds * items;
    let line = json!({
        "benchmark": "archive", "feeds": feeds, "articles": articles, "seconds": seconds,
        "articles_per_s": articles as f64 / seconds,
    });
    println!("{line}");
    Ok(())
}

/// A full-text RSS feed with Chinese and English text, ~2 KB per item.
fn generated_feed(feed: usize, items: usize) -> String {
    const WORDS: [&str; 12] =
        ["中国", "俄罗斯", "军事合作", "经济", "外交部", "记者", "报道", "news", "policy", "表示", "官员", "会议"];
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><channel><title>Feed {feed}</title><link>https://news{feed}.example.org/</link><language>zh-CN</language>\n"
    );
    for i in 0..items {
        let body: String = (0..120).map(|w| WORDS[(w * 7 + i + feed) % WORDS.len()]).collect::<Vec<_>>().join("，");
        out.push_str(&format!(
            "<item><guid isPermaLink=\"false\">f{feed}-i{i}</guid><title>标题 {feed}-{i} {}</title><link>https://news{feed}.example.org/2026/11/{i}/story-{i}/</link><pubDate>Fri, {:02} Nov 2026 10:16:32 +0800</pubDate><content:encoded><![CDATA[<section><p>{body}</p><p>{body}</p></section>]]></content:encoded></item>\n",
            WORDS[i % WORDS.len()],
            1 + i % 28
        ));
    }
    out.push_str("</channel></rss>\n");
    out
}

/// A binary built beside this one (same profile).
fn sibling_binary(name: &str) -> Result<PathBuf> {
    let me = std::env::current_exe()?;
    let path = me.with_file_name(name);
    if !path.exists() {
        bail!("{} not found: build it first (cargo build --release -p feedvault)", path.display());
    }
    Ok(path)
}
