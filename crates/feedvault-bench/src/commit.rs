//! `commit [--files N] [--new M] [--rounds R] [--dir D]`: the cost of publishing a
//! fetch's articles into a big archive. Two copies of one repository holding N
//! article files (dated layout, ~2 KB each) get the same M new files per round;
//! feedvault commits them from the list of changed paths (its publishing code,
//! `feedvault_publish::git::commit_files`), the git command line with
//! `git add -A && git commit`. Prints one JSON line per round and a summary with
//! medians and their ratio.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use chrono::Utc;
use feedvault_engine::settings::GitSection;
use feedvault_engine::{ChangeKind, Unpublished};
use serde_json::json;

pub fn run(files: usize, new: usize, rounds: usize, dir: &Path) -> Result<()> {
    let base = dir.join("base");
    if !base.join(".git").exists() {
        eprintln!("writing {files} article files and committing them with git (once)…");
        std::fs::create_dir_all(&base)?;
        for i in 0..files {
            write_article(&base, &path_of(i), i)?;
        }
        git(&base, &["init", "--quiet", "--initial-branch", "main"])?;
        // No background packing racing the copies below or the timings.
        git(&base, &["config", "gc.auto", "0"])?;
        git(&base, &["config", "maintenance.auto", "false"])?;
        git(&base, &["add", "-A"])?;
        git(&base, &["commit", "--quiet", "-m", "base"])?;
    }
    let (ours, theirs) = (dir.join("feedvault"), dir.join("git-cli"));
    for copy in [&ours, &theirs] {
        let _ = std::fs::remove_dir_all(copy);
        let status = Command::new("cp").arg("-a").arg(&base).arg(copy).status()?;
        if !status.success() {
            bail!("copying {}", base.display());
        }
        // A copy has new inodes: let git refresh its index once, untimed.
        git(copy, &["status", "--porcelain"])?;
    }
    let settings = GitSection::default();
    let (mut ours_times, mut theirs_times) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        let changed: Vec<Unpublished> = (0..new)
            .map(|n| {
                let i = files + round * new + n;
                Unpublished { path: path_of(i), feed: Some(format!("feed-{:02}", i % 20)), change: ChangeKind::New }
            })
            .collect();
        for (n, file) in changed.iter().enumerate() {
            write_article(&ours, &file.path, files + round * new + n)?;
            write_article(&theirs, &file.path, files + round * new + n)?;
        }
        let started = Instant::now();
        let made = feedvault_publish::git::commit_files(&ours, &settings, &changed, Utc::now())?;
        let feedvault = started.elapsed();
        let made = made.context("feedvault made no commit")?;
        let started = Instant::now();
        git(&theirs, &["add", "-A"])?;
        git(&theirs, &["commit", "--quiet", "-m", "round"])?;
        let cli = started.elapsed();
        let clean = git(&ours, &["status", "--porcelain", "--untracked-files=no"])?;
        if !clean.is_empty() || made.files != new {
            bail!("feedvault's commit left {} files changed, {} committed", clean.lines().count(), made.files);
        }
        println!(
            "{}",
            json!({"round": round + 1, "files": files + (round + 1) * new, "new": new,
                   "feedvault_s": secs(feedvault), "git_cli_s": secs(cli)})
        );
        ours_times.push(feedvault);
        theirs_times.push(cli);
    }
    let (ours, theirs) = (median(&mut ours_times), median(&mut theirs_times));
    println!(
        "{}",
        json!({"summary": "commit", "files": files, "new": new, "rounds": rounds,
               "feedvault_median_s": secs(ours), "git_cli_median_s": secs(theirs),
               "speedup": theirs.as_secs_f64() / ours.as_secs_f64().max(1e-9)})
    );
    Ok(())
}

/// Article i's path: 20 feeds, a year of day folders.
fn path_of(i: usize) -> String {
    let day = (i / 20) % 365;
    let (month, day_of_month) = (1 + day / 31 % 12, 1 + day % 28);
    format!("archive/feed-{:02}/2026/{month:02}/{day_of_month:02}/article-{i:07}.md", i % 20)
}

fn write_article(root: &Path, path: &str, i: usize) -> Result<()> {
    let file: PathBuf = root.join(path);
    std::fs::create_dir_all(file.parent().expect("an article has a folder"))?;
    let body = "新闻正文，记录每一个版本。".repeat(50);
    let text = format!(
        "<!--{}-->\n### [第 {i} 篇](https://news.example.org/{i})\n\n<div>{body}</div>\n",
        1_700_000_000_000u64 + i as u64
    );
    std::fs::write(file, text)?;
    Ok(())
}

fn git(dir: &Path, args: &[&str]) -> Result<String> {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "bench")
        .env("GIT_AUTHOR_EMAIL", "bench@localhost")
        .env("GIT_COMMITTER_NAME", "bench")
        .env("GIT_COMMITTER_EMAIL", "bench@localhost")
        .output()
        .context("running git")?;
    if !out.status.success() {
        bail!("git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn secs(d: Duration) -> f64 {
    (d.as_secs_f64() * 10_000.0).round() / 10_000.0
}
