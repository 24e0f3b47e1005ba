//! The binary's commands other than fetching: vault set-up, subscriptions, OPML,
//! parse, import, reindex, verify, exit codes and error messages.

mod support;

use std::fs;
use std::path::{Path, PathBuf};

use predicates::prelude::*;
use support::{feedvault, new_vault};

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

fn seed() -> Vec<u8> {
    fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("../feedvault-core/testdata/seed-article.md")).unwrap()
}

#[test]
fn init_refuses_an_existing_vault_and_bad_settings() {
    let dir = new_vault();
    let vault = dir.path().join("v");
    assert!(
        vault.join("feedvault.toml").is_file() && vault.join("state.db").is_file() && vault.join("archive").is_dir()
    );
    feedvault(&vault).arg("init").assert().code(2).stderr(predicate::str::contains("already a vault"));
    let other = dir.path().join("w");
    feedvault(&other)
        .args(["init", "--timezone", "Mars/Base"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("time zone"));
    feedvault(&other).args(["init", "--layout", "spiral"]).assert().code(2);
    assert!(!other.join("feedvault.toml").exists());
}

#[test]
fn usage_and_configuration_errors_exit_2_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nothing");
    let out = feedvault(&missing).arg("list").assert().code(2).get_output().stderr.clone();
    let err = String::from_utf8(out).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("feedvault: ") && err.contains("no vault here"), "{err}");
    feedvault(&missing).arg("no-such-command").assert().code(2);

    let vault = new_vault();
    let v = vault.path().join("v");
    fs::write(v.join("feedvault.toml"), "[vault]\nlayout = 3\n").unwrap();
    feedvault(&v).arg("list").assert().code(2).stderr(predicate::str::contains("feedvault.toml"));
}

#[test]
fn add_list_remove_keep_the_users_config() {
    let dir = new_vault();
    let vault = dir.path().join("v");
    let config = vault.join("feedvault.toml");
    let mut text = fs::read_to_string(&config)
        .unwrap()
        .replace("timezone = \"UTC\"", "timezone = \"UTC\"   # Hand-written, keep me.");
    text.push_str("\n[[feeds]]\nname = \"mine\"   # aligned\nurl = \"https://mine.example/feed\"\n");
    fs::write(&config, &text).unwrap();

    let feed = examples().join("feeds/tech.atom.xml");
    feedvault(&vault).arg("add").arg(&feed).assert().success().stdout(predicate::str::contains("Subscribed tech"));
    feedvault(&vault).arg("add").arg(&feed).assert().code(2).stderr(predicate::str::contains("already subscribed"));
    feedvault(&vault).args(["add", "https://news.example.org/rss", "--name", "My News"]).assert().success();
    feedvault(&vault)
        .args(["add", "/no/such/feed.xml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no such file"));
    feedvault(&vault)
        .args(["add", "ftp://x.example/feed"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unsupported scheme"));

    let saved = fs::read_to_string(&config).unwrap();
    assert!(saved.starts_with(&text), "the user's text is kept as written:\n{saved}");
    assert!(saved.contains("name = \"my-news\""));
    feedvault(&vault).arg("list").assert().success().stdout(
        predicate::str::contains("mine")
            .and(predicate::str::contains("my-news"))
            .and(predicate::str::contains("not fetched yet")),
    );

    feedvault(&vault).args(["remove", "my-news"]).assert().success();
    feedvault(&vault).args(["remove", "my-news"]).assert().code(2);
    feedvault(&vault).args(["remove", "https://mine.example/feed"]).assert().success();
    let saved = fs::read_to_string(&config).unwrap();
    assert!(saved.contains("# Hand-written, keep me.") && !saved.contains("mine.example") && saved.contains("tech"));
}

#[test]
fn opml_import_and_export_round_trip() {
    let dir = new_vault();
    let vault = dir.path().join("v");
    feedvault(&vault)
        .arg("import-opml")
        .arg(examples().join("feeds.opml"))
        .assert()
        .success()
        .stdout(predicate::str::contains("Imported 4 feeds"));
    feedvault(&vault)
        .arg("import-opml")
        .arg(examples().join("feeds.opml"))
        .assert()
        .success()
        .stdout(predicate::str::contains("Imported 0 feeds"));
    let exported = feedvault(&vault).arg("export-opml").assert().success().get_output().stdout.clone();
    let exported_path = dir.path().join("out.opml");
    fs::write(&exported_path, &exported).unwrap();

    let other = dir.path().join("w");
    feedvault(&other).arg("init").assert().success();
    feedvault(&other)
        .arg("import-opml")
        .arg(&exported_path)
        .assert()
        .success()
        .stdout(predicate::str::contains("Imported 4 feeds"));
    let names = |v: &Path| {
        let text = fs::read_to_string(v.join("feedvault.toml")).unwrap();
        text.lines().filter(|l| l.starts_with("url = ")).map(str::to_owned).collect::<Vec<_>>()
    };
    assert_eq!(names(&vault), names(&other));
    let not_opml = dir.path().join("x.opml");
    fs::write(&not_opml, "<rss/>").unwrap();
    feedvault(&other)
        .arg("import-opml")
        .arg(&not_opml)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not an OPML"));
}

/// What `feedvault parse FILE` prints, as JSON.
fn parse_json(file: &Path) -> serde_json::Value {
    let out = feedvault(Path::new("unused")).arg("parse").arg(file).assert().success().get_output().stdout.clone();
    serde_json::from_slice(&out).unwrap()
}

#[test]
fn parse_prints_the_design_json() {
    let json = parse_json(&examples().join("feeds/zh-news-gbk.rss.xml"));
    assert_eq!(json["format"], "rss2");
    assert_eq!(json["title"], "示例新闻中文网（GBK）");
    let items = json["items"].as_array().unwrap();
    assert_eq!(items.len(), 6);
    assert_eq!(items[0]["title"], "中俄宣布深化军事合作，双方避谈乌克兰问题分歧");
    assert_eq!(items[0]["published"], "2026-11-20T10:16:32Z", "CST in a zh-CN feed is +08:00");
    for key in ["id", "link", "updated", "authors", "content_html", "summary_html"] {
        assert!(items[0].get(key).is_some(), "{key}");
    }
    let json = parse_json(&examples().join("feeds/notes.json"));
    assert_eq!((json["format"].as_str(), json["items"].as_array().unwrap().len()), (Some("json"), 4));

    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("page.html");
    fs::write(&html, r#"<!DOCTYPE html><html><head><link rel="alternate" type="application/rss+xml" href="https://e.example/rss"></head></html>"#).unwrap();
    feedvault(Path::new("unused")).arg("parse").arg(&html).assert().code(1).stderr(
        predicate::str::contains("not a feed: an HTML page").and(predicate::str::contains("https://e.example/rss")),
    );
    feedvault(Path::new("unused")).arg("parse").arg(dir.path().join("missing.xml")).assert().code(1);
}

#[test]
fn import_archive_reindex_and_verify() {
    let source = tempfile::tempdir().unwrap();
    let site = source.path().join("articles/纽约时报中文网");
    fs::create_dir_all(&site).unwrap();
    fs::write(site.join("1048575_避谈分歧.md"), seed()).unwrap();
    fs::write(source.path().join("notes.md"), "just notes\n").unwrap();

    let dir = new_vault();
    let vault = dir.path().join("v");
    feedvault(&vault)
        .arg("import-archive")
        .arg(source.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("cn-nytimes-com: 1 articles imported"))
        .stderr(predicate::str::contains("notes.md"));
    let files = support::archive_files(&vault);
    assert_eq!(files.len(), 1);
    assert!(files[0].starts_with("archive/cn-nytimes-com/2022/09/20/after-putin-acknowledges"), "{files:?}");
    assert_eq!(fs::read(vault.join(&files[0])).unwrap(), seed(), "imported byte for byte");

    feedvault(&vault).arg("verify").assert().success().stdout(predicate::str::contains("OK: 1 articles"));
    fs::remove_file(vault.join("state.db")).unwrap();
    feedvault(&vault).arg("verify").assert().code(1).stdout(predicate::str::contains("not recorded"));
    feedvault(&vault).arg("reindex").assert().success().stdout(predicate::str::contains("Reindexed 1 articles"));
    feedvault(&vault).arg("verify").assert().success();

    fs::write(vault.join(&files[0]), "damaged").unwrap();
    fs::write(vault.join("archive/cn-nytimes-com/.x.md.9.fvtmp"), "partial").unwrap();
    feedvault(&vault)
        .arg("verify")
        .assert()
        .code(1)
        .stdout(predicate::str::contains("not an article file").and(predicate::str::contains("temporary file")));
    feedvault(&vault).arg("import-archive").arg(dir.path().join("nope")).assert().code(2);
}
