//! Git publishing through the binary, with real repositories: bare repositories in
//! temporary folders are the remotes, and `git` itself checks what arrived.

mod support;

use std::fs;
use std::path::Path;
use std::process::Command;

use predicates::prelude::*;
use support::{feedvault, new_vault, rss, subscribe};

/// Runs git in `dir`; its stdout, or a failed test with its stderr.
fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "someone")
        .env("GIT_AUTHOR_EMAIL", "someone@example.org")
        .env("GIT_COMMITTER_NAME", "someone")
        .env("GIT_COMMITTER_EMAIL", "someone@example.org")
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?} in {}: {}", dir.display(), String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn bare(path: &Path) -> String {
    fs::create_dir_all(path).unwrap();
    git(path, &["init", "--quiet", "--bare"]);
    path.to_string_lossy().into_owned()
}

fn publish_git(vault: &Path, remotes: &[&str], interval: &str) {
    let path = vault.join("feedvault.toml");
    let mut text = fs::read_to_string(&path).unwrap();
    let remotes: Vec<String> = remotes.iter().map(|r| format!("{r:?}")).collect();
    text.push_str(&format!("\n[publish.git]\nremotes = [{}]\ninterval = \"{interval}\"\n", remotes.join(", ")));
    fs::write(&path, text).unwrap();
}

fn write_feed(path: &Path, items: &[(&str, &str, &str)]) {
    fs::write(path, rss("zh-CN", items)).unwrap();
}

/// Commit subjects of `branch` in `repo`, newest first.
fn subjects(repo: &Path) -> Vec<String> {
    git(repo, &["log", "--format=%s", "main"]).lines().map(str::to_owned).collect()
}

fn files_in(repo: &Path) -> Vec<String> {
    git(repo, &["ls-tree", "-r", "--name-only", "main"]).lines().map(str::to_owned).collect()
}

fn tip(repo: &Path) -> String {
    git(repo, &["rev-parse", "main"]).trim().to_owned()
}

#[test]
fn fetches_commit_once_per_interval_and_every_remote_gets_every_commit() {
    let dir = new_vault();
    let vault = dir.path().join("v");
    let feed = dir.path().join("feed.xml");
    write_feed(&feed, &[("a", "第一篇", "<p>正文一</p>"), ("b", "Second", "<p>two</p>")]);
    subscribe(&vault, "news", feed.to_str().unwrap());
    let (one, two) = (bare(&dir.path().join("one.git")), bare(&dir.path().join("two.git")));
    publish_git(&vault, &[&one, &two], "1h");

    feedvault(&vault)
        .arg("fetch")
        .assert()
        .success()
        .stdout(predicate::str::contains("Committed").and(predicate::str::contains(format!("Pushed to {one}"))));
    for remote in [&one, &two] {
        let remote = Path::new(remote);
        assert_eq!(subjects(remote), ["feedvault: the archive"]);
        let files = files_in(remote);
        let articles = files.iter().filter(|f| f.starts_with("archive/news/") && !f.ends_with("README.md"));
        assert_eq!(articles.count(), 2, "{files:?}");
        assert!(files.iter().all(|f| f.starts_with("archive/")), "only the archive is committed: {files:?}");
        for index in ["archive/README.md", "archive/news/README.md"] {
            assert!(files.iter().any(|f| f == index), "the README indexes go with it: {files:?}");
        }
        git(remote, &["fsck", "--strict"]);
    }
    assert_eq!(git(&vault, &["status", "--porcelain", "--untracked-files=no"]), "", "the index follows the commits");
    let unreachable = git(&vault, &["fsck", "--unreachable", "--no-reflogs"]);
    assert_eq!(unreachable, "", "a commit writes only the objects it reaches");

    // Every commit is one pack; past gc.autoPackLimit they are packed together.
    git(&vault, &["config", "gc.autoPackLimit", "1"]);
    // Nothing changed: no commit.
    feedvault(&vault).args(["fetch", "--force"]).assert().success().stdout(predicate::str::contains("Committed").not());
    assert_eq!(subjects(&vault).len(), 1);

    // One new, one revised: within the interval, they wait; `publish` commits them now.
    write_feed(
        &feed,
        &[("a", "第一篇（更新）", "<p>正文一，改过</p>"), ("b", "Second", "<p>two</p>"), ("c", "三", "<p>三</p>")],
    );
    feedvault(&vault)
        .args(["fetch", "--force"])
        .assert()
        .success()
        .stdout(predicate::str::contains("6 changed files wait for the next commit (at most one per 1h)"));
    assert_eq!(subjects(Path::new(&one)).len(), 1);
    feedvault(&vault)
        .arg("publish")
        .assert()
        .success()
        .stdout(predicate::str::contains("feedvault: 1 new, 1 revised in 1 feed (6 files)"));
    let message = git(&vault, &["log", "-1", "--format=%B", "main"]);
    assert_eq!(message.trim_end(), "feedvault: 1 new, 1 revised in 1 feed\n\nnews: 1 new, 1 revised");
    let changed = git(&vault, &["show", "--name-status", "--format=", "main"]);
    assert_eq!(
        changed.lines().filter(|l| l.starts_with('A')).count(),
        2,
        "the new article and the revision (the READMEs are modified): {changed}"
    );
    assert!(changed.contains(".revisions/"), "{changed}");
    for remote in [&one, &two] {
        assert_eq!(tip(Path::new(remote)), tip(&vault));
        git(Path::new(remote), &["fsck", "--strict"]);
    }
    assert_eq!(git(&vault, &["status", "--porcelain", "--untracked-files=no"]), "");
    // (A cruft pack, marked by its .mtimes, may hold unreachable objects beside it.)
    let packs = fs::read_dir(vault.join(".git/objects/pack")).unwrap().flatten().map(|e| e.path());
    let packs = packs.filter(|p| p.extension().is_some_and(|x| x == "pack") && !p.with_extension("mtimes").exists());
    assert_eq!(packs.count(), 1, "two commits' packs packed together");
    git(&vault, &["fsck", "--strict"]);
    feedvault(&vault).arg("publish").assert().success().stdout(predicate::str::contains("Nothing to commit."));
    assert_eq!(subjects(&vault).len(), 2);
}

#[test]
fn an_unreachable_remote_never_blocks_the_others_and_gets_everything_later() {
    let dir = new_vault();
    let vault = dir.path().join("v");
    let feed = dir.path().join("feed.xml");
    write_feed(&feed, &[("a", "A", "<p>a</p>")]);
    subscribe(&vault, "news", feed.to_str().unwrap());
    let late_path = dir.path().join("late.git");
    let late = late_path.to_string_lossy().into_owned();
    let good = bare(&dir.path().join("good.git"));
    publish_git(&vault, &[&late, &good], "0s");

    feedvault(&vault)
        .arg("fetch")
        .assert()
        .success()
        .stdout(predicate::str::contains(format!("Pushed to {good}")))
        .stderr(predicate::str::contains(format!("push to {late} failed")).and(predicate::str::contains("next try")));
    assert_eq!(subjects(Path::new(&good)).len(), 1);
    feedvault(&vault).args(["publish", "--status"]).assert().success().stdout(
        predicate::str::contains(format!("{late}: never pushed, 1 commit behind"))
            .and(predicate::str::contains("last error (1 failures in a row)"))
            .and(predicate::str::contains(format!("{good}: pushed")))
            .and(predicate::str::contains("up to date")),
    );

    // The next fetch commits (interval 0s) and pushes to the good remote; the failed
    // one waits out its back-off instead of being hammered.
    write_feed(&feed, &[("a", "A", "<p>a</p>"), ("b", "B", "<p>b</p>")]);
    feedvault(&vault)
        .args(["fetch", "--force"])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!("{late}: not tried after earlier failures")));
    assert_eq!(subjects(Path::new(&good)).len(), 2);

    // The remote comes back: `publish` retries at once, and it gets both commits.
    bare(&late_path);
    feedvault(&vault)
        .arg("publish")
        .assert()
        .success()
        .stdout(predicate::str::contains(format!("Pushed to {late} (2 commits)")));
    assert_eq!(tip(&late_path), tip(&vault));
    git(&late_path, &["fsck", "--strict"]);
    feedvault(&vault)
        .args(["publish", "--status"])
        .assert()
        .success()
        .stdout(predicate::str::contains("commits behind").not().and(predicate::str::contains("last error").not()));
}

#[test]
fn a_remote_that_never_answers_is_stopped_at_the_push_timeout() {
    let dir = new_vault();
    let vault = dir.path().join("v");
    let feed = dir.path().join("feed.xml");
    write_feed(&feed, &[("a", "A", "<p>a</p>")]);
    subscribe(&vault, "news", feed.to_str().unwrap());
    // Accepts connections and never says a word.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let hung = format!("http://{}/news.git", silent.local_addr().unwrap());
    let held = std::thread::spawn(move || silent.incoming().take(4).flatten().collect::<Vec<_>>());
    let good = bare(&dir.path().join("good.git"));
    let path = vault.join("feedvault.toml");
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, format!("{text}\n[publish.git]\nremotes = [{hung:?}, {good:?}]\npush_timeout = \"1s\"\n"))
        .unwrap();
    feedvault(&vault)
        .arg("fetch")
        .assert()
        .success()
        .stdout(predicate::str::contains(format!("Pushed to {good}")))
        .stderr(predicate::str::contains(format!("push to {hung} failed: no answer within 1s; stopped")));
    assert_eq!(tip(Path::new(&good)), tip(&vault), "the silent remote held up nobody");
    drop(held);
}

#[test]
fn a_rejected_push_is_reported_and_retried_with_the_next_one() {
    let dir = new_vault();
    let vault = dir.path().join("v");
    let feed = dir.path().join("feed.xml");
    write_feed(&feed, &[("a", "A", "<p>a</p>")]);
    subscribe(&vault, "news", feed.to_str().unwrap());
    let remote_path = dir.path().join("remote.git");
    let remote = bare(&remote_path);
    publish_git(&vault, &[&remote], "0s");
    // Someone else's commit on the remote's main: feedvault's push is not a fast-forward.
    let other = dir.path().join("other");
    git(dir.path(), &["clone", "--quiet", &remote, other.to_str().unwrap()]);
    fs::write(other.join("NOTE"), "x").unwrap();
    git(&other, &["add", "NOTE"]);
    git(&other, &["commit", "--quiet", "-m", "elsewhere"]);
    git(&other, &["push", "--quiet", "origin", "HEAD:main"]);

    feedvault(&vault).arg("fetch").assert().success().stderr(predicate::str::contains("rejected"));
    assert_eq!(subjects(&remote_path), ["elsewhere"], "nothing overwritten");
    // The remote is fixed (the other commit dropped); the next publish delivers.
    git(&remote_path, &["update-ref", "-d", "refs/heads/main"]);
    feedvault(&vault).arg("publish").assert().success().stdout(predicate::str::contains("Pushed to"));
    assert_eq!(tip(&remote_path), tip(&vault));
}

#[test]
fn a_clone_of_an_original_layout_archive_keeps_its_history() {
    let dir = tempfile::tempdir().unwrap();
    // The original archive: one hourly-script commit with an article and its list.
    let original = dir.path().join("original");
    fs::create_dir_all(original.join("articles/nyt")).unwrap();
    fs::create_dir_all(original.join("lists")).unwrap();
    let seed =
        fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("../feedvault-core/testdata/seed-article.md")).unwrap();
    fs::write(original.join("articles/nyt/1048575.md"), &seed).unwrap();
    fs::write(original.join("lists/纽约时报.md"), "纽约时报\n------\n\n").unwrap();
    git(&original, &["init", "--quiet", "--initial-branch", "main"]);
    git(&original, &["add", "-A"]);
    git(&original, &["commit", "--quiet", "-m", "hourly update"]);
    let origin = dir.path().join("origin.git");
    git(dir.path(), &["clone", "--quiet", "--bare", original.to_str().unwrap(), origin.to_str().unwrap()]);
    let vault = dir.path().join("vault");
    git(dir.path(), &["clone", "--quiet", origin.to_str().unwrap(), vault.to_str().unwrap()]);
    let first = tip(&vault);

    feedvault(&vault).args(["init", "--layout", "countdown", "--timezone", "Asia/Shanghai"]).assert().success();
    let feed = dir.path().join("feed.xml");
    write_feed(&feed, &[("x", "新文章", "<p>新</p>")]);
    subscribe(&vault, "nyt2", feed.to_str().unwrap());
    publish_git(&vault, &[origin.to_str().unwrap()], "1h");
    // The original's last commit is minutes old: the fetch's changes wait for the
    // interval, and `publish` commits them now.
    feedvault(&vault).arg("fetch").assert().success().stdout(predicate::str::contains("changed files wait"));
    feedvault(&vault).arg("publish").assert().success().stdout(predicate::str::contains("Pushed to"));

    let history = git(&origin, &["log", "--format=%H %s", "main"]);
    let lines: Vec<&str> = history.lines().collect();
    assert_eq!(lines.len(), 2, "{history}");
    assert!(lines[1].starts_with(&first) && lines[1].ends_with("hourly update"), "{history}");
    assert!(lines[0].ends_with("feedvault: 1 new, 0 revised in 1 feed"), "{history}");
    let files = files_in(&origin);
    assert!(files.contains(&"articles/nyt/1048575.md".to_owned()), "the original files stay: {files:?}");
    assert!(files.iter().any(|f| f.starts_with("articles/nyt2/")), "{files:?}");
    assert!(!files.iter().any(|f| f == "feedvault.toml" || f.starts_with("state.db")), "{files:?}");
    assert_eq!(git(&origin, &["show", "main:articles/nyt/1048575.md"]).into_bytes(), seed);
    git(&origin, &["fsck", "--strict"]);
    assert_eq!(git(&vault, &["status", "--porcelain", "--untracked-files=no"]), "");
}

#[test]
fn the_whole_vault_never_carries_secrets_or_derived_files() {
    let dir = new_vault();
    let vault = dir.path().join("v");
    let feed = dir.path().join("feed.xml");
    write_feed(&feed, &[("a", "A", "<p>a</p>")]);
    subscribe(&vault, "news", feed.to_str().unwrap());
    fs::write(vault.join("secrets.toml"), "token = \"s3cret\"\n").unwrap();
    let remote = bare(&dir.path().join("r.git"));
    let path = vault.join("feedvault.toml");
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, format!("{text}\n[publish.git]\nremotes = [{remote:?}]\ninclude = \"vault\"\n")).unwrap();
    feedvault(&vault).arg("fetch").assert().success();
    let files = files_in(Path::new(&remote));
    assert!(files.contains(&"feedvault.toml".to_owned()), "{files:?}");
    for never in ["secrets.toml", "state.db", ".lock"] {
        assert!(!files.iter().any(|f| f == never), "{never} in {files:?}");
    }
    assert!(!files.iter().any(|f| f.starts_with("index/")), "{files:?}");
}

#[test]
fn publishing_needs_its_table_and_the_branch_checked_out() {
    let dir = new_vault();
    let vault = dir.path().join("v");
    feedvault(&vault).arg("publish").assert().code(2).stderr(predicate::str::contains("no [publish.git] table"));
    let remote = bare(&dir.path().join("r.git"));
    publish_git(&vault, &[&remote], "1h");
    git(&vault, &["init", "--quiet", "--initial-branch", "other"]);
    fs::write(vault.join("x"), "x").unwrap();
    git(&vault, &["add", "x"]);
    git(&vault, &["commit", "--quiet", "-m", "x"]);
    feedvault(&vault)
        .arg("publish")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("checkout is on other, but [publish.git] branch is \"main\""));
}
