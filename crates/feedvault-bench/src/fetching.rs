//! The fetch benchmark: a loopback server with 10,000 feeds of 20 items each, spread
//! over 250 loopback addresses (127.0.1.1 …, one "host" each), and the release
//! `feedvault fetch` run twice against it: the first run archives everything, the
//! second finds every feed unchanged (304). For each run: feeds/s, articles/s and
//! feedvault's peak memory (the child's maximum resident set). Once with the default
//! politeness (16 at once, 2 per host, 1 s between requests to a host) and once with
//! it lifted (64 at once, 64 per host, no delay).

use std::collections::HashMap;
use std::io::Read;
use std::net::TcpListener;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

use crate::loopback::{self, Reply, Request};
use anyhow::{Context, Result, bail};
use serde_json::json;

const HOSTS: usize = 250;

pub fn run(feeds: usize, items: usize, binary: &Path) -> Result<()> {
    let mut bodies = HashMap::new();
    for f in 0..feeds {
        bodies.insert(format!("/feed/{f}.xml"), feed(f, items).into_bytes());
    }
    let bodies = Arc::new(bodies);
    let mut ports = Vec::new();
    for host in 0..HOSTS {
        let listener = TcpListener::bind(("127.0.1.".to_owned() + &(host % 250 + 1).to_string(), 0))
            .or_else(|_| TcpListener::bind("127.0.0.1:0"))?;
        ports.push(listener.local_addr()?);
        let bodies = bodies.clone();
        // A matching If-None-Match gets 304.
        loopback::spawn(
            listener,
            Arc::new(move |request: &Request| {
                let etag = format!("\"{}\"", request.path.len());
                match bodies.get(&request.path) {
                    Some(_) if request.if_none_match.as_deref() == Some(etag.as_str()) => Reply::not_modified(&etag),
                    Some(body) => Reply::ok("application/rss+xml", body.clone()).header("ETag", etag),
                    None => Reply::not_found(),
                }
            }),
        );
    }
    for (label, limits) in [
        ("default politeness", "concurrency = 16\nper_host = 2\nhost_delay = \"1s\"\n"),
        ("politeness lifted", "concurrency = 64\nper_host = 64\nhost_delay = \"0s\"\n"),
    ] {
        let dir = tempfile::tempdir()?;
        let vault = dir.path().join("vault");
        let status =
            Command::new(binary).arg("--vault").arg(&vault).arg("init").stdout(std::process::Stdio::null()).status()?;
        if !status.success() {
            bail!("init failed");
        }
        let config = vault.join("feedvault.toml");
        let mut text = std::fs::read_to_string(&config)?;
        text = text.replace("concurrency = 16\nper_host = 2\nhost_delay = \"1s\"\n", limits);
        text = text
            .replace("min_interval = \"10m\"\nmax_interval = \"24h\"", "min_interval = \"1s\"\nmax_interval = \"1s\"");
        for f in 0..feeds {
            let address = ports[f % ports.len()];
            text.push_str(&format!("\n[[feeds]]\nname = \"feed-{f}\"\nurl = \"http://{address}/feed/{f}.xml\"\n"));
        }
        std::fs::write(&config, text)?;
        for run in ["first run", "second run (304)"] {
            if run != "first run" {
                // Every feed is due again one second after its check (see the config).
                std::thread::sleep(std::time::Duration::from_secs(2));
            }
            let started = Instant::now();
            let (status, stdout, stderr, peak_kb) = run_measured(binary, &vault)?;
            let seconds = started.elapsed().as_secs_f64();
            if !status {
                bail!("fetch failed: {stderr}");
            }
            let summary = stdout.lines().last().unwrap_or("").to_owned();
            println!(
                "{}",
                json!({"benchmark": "fetch", "limits": label, "run": run, "feeds": feeds, "seconds": seconds,
                    "feeds_per_s": feeds as f64 / seconds,
                    "articles_per_s": if run == "first run" { (feeds * items) as f64 / seconds } else { 0.0 },
                    "peak_rss_mb": peak_kb as f64 / 1024.0, "stderr_lines": stderr.lines().count(), "summary": summary})
            );
        }
    }
    Ok(())
}

/// Runs `feedvault fetch` and returns (success, stdout, stderr, peak resident set in
/// KiB) — the peak of that process alone, from `wait4`'s resource usage.
fn run_measured(binary: &Path, vault: &Path) -> Result<(bool, String, String, i64)> {
    let mut child = Command::new(binary)
        .arg("--vault")
        .arg(vault)
        .arg("fetch")
        .env("NO_PROXY", "*")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .context("running feedvault fetch")?;
    let (mut stdout, mut stderr) = (String::new(), String::new());
    let mut err_pipe = child.stderr.take().context("stderr")?;
    let errors = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = err_pipe.read_to_string(&mut text);
        text
    });
    child.stdout.take().context("stdout")?.read_to_string(&mut stdout)?;
    stderr.push_str(&errors.join().unwrap_or_default());
    let mut status = 0;
    // SAFETY: wait4 writes only into `status` and the zeroed `usage`; the child is ours
    // and is reaped here (std's Child is not waited on afterwards).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    if pid < 0 {
        bail!("wait4 failed");
    }
    let success = libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
    Ok((success, stdout, stderr, usage.ru_maxrss))
}

fn feed(f: usize, items: usize) -> String {
    let mut out = format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Feed {f}</title><link>http://example.org/{f}/</link>"
    );
    for i in 0..items {
        out.push_str(&format!(
            "<item><guid>f{f}-{i}</guid><title>Feed {f} item {i}</title><link>http://example.org/{f}/{i}</link><pubDate>Fri, 20 Nov 2026 10:{:02}:00 GMT</pubDate><description>Item {i} of feed {f}: a short summary of the story, enough to look like one.</description></item>",
            i % 60
        ));
    }
    out.push_str("</channel></rss>");
    out
}
