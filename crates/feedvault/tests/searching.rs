//! `feedvault search` over a vault filled by `fetch` and `import-archive`: the index
//! follows archiving (new articles, revisions), survives `reindex` unchanged, and is
//! checked by `verify`.

mod support;

use std::fs;
use std::path::Path;

use predicates::prelude::*;
use support::{feedvault, new_vault, rss, set_fetch};

fn search_json(vault: &Path, args: &[&str]) -> Vec<serde_json::Value> {
    let out = feedvault(vault).arg("search").args(args).arg("--json").assert().success().get_output().stdout.clone();
    serde_json::from_slice::<serde_json::Value>(&out).unwrap().as_array().unwrap().clone()
}

fn paths(hits: &[serde_json::Value]) -> Vec<String> {
    let mut paths: Vec<String> = hits.iter().map(|h| h["path"].as_str().unwrap().to_owned()).collect();
    paths.sort();
    paths
}

#[test]
fn search_follows_fetch_revisions_and_reindex() {
    let dir = new_vault();
    let vault = dir.path().join("v");
    set_fetch(&vault, "min_interval", "\"0s\"");
    set_fetch(&vault, "max_interval", "\"0s\"");
    let feed = dir.path().join("feed.xml");
    fs::write(
        &feed,
        rss(
            "zh-CN",
            &[
                ("1", "中俄同意深化军事合作", "<p>俄罗斯总统普京会见中国领导人习近平。</p>"),
                ("2", "北京空气质量改善", "<p>京津冀地区重污染天数减少。</p>"),
                ("3", "Joint exercises announced", "<p>Russia and China announced joint military exercises.</p>"),
            ],
        ),
    )
    .unwrap();
    feedvault(&vault).args(["add", feed.to_str().unwrap(), "--name", "news"]).assert().success();
    feedvault(&vault).arg("fetch").assert().success();

    let hits = search_json(&vault, &["習近平 軍事合作"]);
    assert_eq!(hits.len(), 1, "traditional query, simplified text");
    let hit = &hits[0];
    assert_eq!(hit["title"], "中俄同意深化军事合作");
    assert_eq!(hit["link"], "https://news.example.org/a/1");
    assert_eq!(hit["published"], "2022-09-20T02:16:32+00:00");
    assert!(hit["path"].as_str().unwrap().starts_with("archive/news/2022/09/20/"));
    assert!(hit["snippet"].as_str().unwrap().contains("<b>"), "{}", hit["snippet"]);
    assert_eq!(search_json(&vault, &["京"]).len(), 2, "one character");
    assert_eq!(search_json(&vault, &["\"joint military exercises\""]).len(), 1);
    assert_eq!(search_json(&vault, &["普京 OR 空气", "--feed", "news"]).len(), 2);
    assert_eq!(search_json(&vault, &["普京", "--until", "2022-09-19"]).len(), 0);
    assert_eq!(search_json(&vault, &["普京", "--since", "2022-09-20"]).len(), 1);

    // The publisher rewrites article 2: found by its new text, not its old, once.
    fs::write(
        &feed,
        rss(
            "zh-CN",
            &[
                ("1", "中俄同意深化军事合作", "<p>俄罗斯总统普京会见中国领导人习近平。</p>"),
                ("2", "北京空气质量恶化", "<p>今年冬季雾霾天数增加。</p>"),
                ("3", "Joint exercises announced", "<p>Russia and China announced joint military exercises.</p>"),
            ],
        ),
    )
    .unwrap();
    feedvault(&vault).arg("fetch").assert().success().stdout(predicate::str::contains("1 revised"));
    assert_eq!(search_json(&vault, &["雾霾"]).len(), 1);
    assert!(search_json(&vault, &["重污染"]).is_empty());
    assert_eq!(search_json(&vault, &["北京"]).len(), 1, "a revised article is found once");

    let queries: [&[&str]; 4] = [&["京"], &["普京 -雾霾"], &["joint"], &["title:北京", "--sort", "date"]];
    let before: Vec<Vec<String>> = queries.iter().map(|q| paths(&search_json(&vault, q))).collect();
    feedvault(&vault).arg("verify").assert().success();
    fs::remove_dir_all(vault.join("index")).unwrap();
    feedvault(&vault).arg("verify").assert().code(1).stdout(predicate::str::contains("missing from the search index"));
    feedvault(&vault)
        .arg("reindex")
        .assert()
        .success()
        .stdout(predicate::str::contains("3 articles in the search index"));
    let after: Vec<Vec<String>> = queries.iter().map(|q| paths(&search_json(&vault, q))).collect();
    assert_eq!(before, after, "identical results after reindex");
    feedvault(&vault).arg("verify").assert().success();
}

#[test]
fn plain_output_paging_and_query_errors() {
    let dir = new_vault();
    let vault = dir.path().join("v");
    let feed = dir.path().join("feed.xml");
    let items: Vec<(String, String, String)> = (0..5)
        .map(|i| (format!("g{i}"), format!("Story {i} about archives"), format!("<p>archives {i}</p>")))
        .collect();
    let borrowed: Vec<(&str, &str, &str)> =
        items.iter().map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str())).collect();
    fs::write(&feed, rss("en", &borrowed)).unwrap();
    feedvault(&vault).args(["add", feed.to_str().unwrap()]).assert().success();
    feedvault(&vault).arg("fetch").assert().success();
    feedvault(&vault)
        .args(["search", "archive", "--limit", "2", "--page", "3"])
        .assert()
        .success()
        .stdout(predicate::str::contains("5. Story").and(predicate::str::contains("5 results (page 3 of 3)")));
    feedvault(&vault).args(["search", "x after:soon"]).assert().code(2).stderr(predicate::str::contains("not a date"));
    feedvault(&vault).args(["search", "x", "--since", "2022-13-01"]).assert().code(2);
    feedvault(&vault).args(["search", "x", "--sort", "random"]).assert().code(2);
    feedvault(&vault).args(["search", "  "]).assert().code(2).stderr(predicate::str::contains("nothing to search"));
}

#[test]
fn imported_articles_are_searchable() {
    let source = tempfile::tempdir().unwrap();
    let seed =
        fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("../feedvault-core/testdata/seed-article.md")).unwrap();
    fs::create_dir_all(source.path().join("articles/nytimes")).unwrap();
    fs::write(source.path().join("articles/nytimes/1048575.md"), seed).unwrap();
    let dir = new_vault();
    let vault = dir.path().join("v");
    feedvault(&vault).arg("import-archive").arg(source.path()).assert().success();
    let hits = search_json(&vault, &["帕特鲁舍夫 feed:nytimes"]);
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0]["title"], "避谈分歧，中俄两国同意深化军事合作");
    feedvault(&vault).arg("verify").assert().success();
}

#[test]
fn a_damaged_index_is_reported_and_reindex_rebuilds_it() {
    let dir = new_vault();
    let vault = dir.path().join("v");
    let feed = dir.path().join("feed.xml");
    fs::write(&feed, rss("en", &[("1", "Archives matter", "<p>keep everything</p>")])).unwrap();
    feedvault(&vault).args(["add", feed.to_str().unwrap()]).assert().success();
    feedvault(&vault).arg("fetch").assert().success();
    fs::write(vault.join("index/meta.json"), "{ damaged").unwrap();
    feedvault(&vault)
        .args(["search", "archives"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("feedvault reindex"));
    feedvault(&vault)
        .arg("reindex")
        .assert()
        .success()
        .stdout(predicate::str::contains("1 articles in the search index"));
    assert_eq!(search_json(&vault, &["archives"]).len(), 1);
    feedvault(&vault).arg("verify").assert().success();
}
