//! `feedvault list --removed`: articles marked removed or vanished, with their
//! evidence, from the vault's evidence file as `reindex` reads it back after state.db
//! is lost; `verify` and `reindex` take the evidence folder for what it is.

mod support;

use std::fs;

use predicates::prelude::*;
use support::{Response, Server, archive_files, feedvault, new_vault, rss, subscribe};

#[test]
fn removed_articles_are_listed_with_their_evidence() {
    let server = Server::start();
    server.route(
        "/feed.xml",
        Response::ok("application/rss+xml", rss("en", &[("a-1", "Officials deny the report", "<p>Text.</p>")])),
    );
    let dir = new_vault();
    let vault = dir.path().join("v");
    subscribe(&vault, "news", &server.url("/feed.xml"));
    feedvault(&vault).arg("fetch").assert().success();
    feedvault(&vault)
        .args(["list", "--removed"])
        .assert()
        .success()
        .stdout(predicate::str::contains("No article has been marked removed"));

    let article = archive_files(&vault).into_iter().next().unwrap();
    let url = "https://news.example.org/a/a-1";
    let lines = [
        format!(
            r#"{{"at":1790000000000,"kind":"gone","article":"{article}","url":"{url}","status":410,"detail":"HTTP 410 Gone"}}"#
        ),
        format!(
            r#"{{"at":1791300000000,"kind":"gone","article":"{article}","url":"{url}","status":200,"final_url":"https://news.example.org/","headers":"HTTP 301 Location: https://news.example.org/\n","body_hash":"{}","detail":"redirected to the home page"}}"#,
            "c".repeat(64)
        ),
        format!(
            r#"{{"at":1791300000000,"kind":"removed","article":"{article}","url":"{url}","detail":"2 gone answers in a row"}}"#
        ),
    ];
    fs::create_dir_all(vault.join("archive/.evidence")).unwrap();
    fs::write(vault.join("archive/.evidence/checks.jsonl"), lines.join("\n") + "\n").unwrap();
    for name in ["state.db", "state.db-wal", "state.db-shm"] {
        let _ = fs::remove_file(vault.join(name));
    }
    feedvault(&vault)
        .arg("reindex")
        .assert()
        .success()
        .stdout(predicate::str::contains("Restored 3 re-check evidence records"))
        .stderr(predicate::str::contains("checks.jsonl").not());
    feedvault(&vault).arg("verify").assert().success();
    feedvault(&vault)
        .args(["list", "--removed"])
        .assert()
        .success()
        .stdout(predicate::str::contains("removed 2026-10-06 15:20 UTC"))
        .stdout(predicate::str::contains("[news] Officials deny the report"))
        .stdout(predicate::str::contains(&article))
        .stdout(predicate::str::contains("gone HTTP 410: HTTP 410 Gone"))
        .stdout(predicate::str::contains("at https://news.example.org/ body sha256:cccccccccccccccc"))
        .stdout(predicate::str::contains("HTTP 301 Location: https://news.example.org/"))
        .stdout(predicate::str::contains("1 article."));
}
