//! `/removed` and its feeds out: the articles re-checks marked removed or that
//! vanished from their feed, with their evidence, in English and Chinese; the
//! evidence comes from the vault's evidence file, read back by reindex.

use std::time::Duration;

use feedvault_feed::{ParseOptions, parse};

use crate::pages::{EN_TITLE, ZH_TITLE, fixture, zh_path};
use crate::support::{Fixture, article_paths, get, href};

/// Marks the Chinese article removed (two gone answers, a 410 and a redirect to the
/// home page) and the English one vanished, through the evidence file and reindex.
fn flag(fixture: &Fixture) -> (String, String) {
    let zh = zh_path(fixture);
    let en = article_paths(&fixture.vault).into_iter().find(|p| *p != zh).unwrap();
    let lines = [
        format!(
            r#"{{"at":1700000000000,"kind":"gone","article":"{zh}","url":"https://news.example.org/a/zh-1","status":410,"body_hash":null,"detail":"HTTP 410 Gone"}}"#
        ),
        format!(
            r#"{{"at":1701300000000,"kind":"gone","article":"{zh}","url":"https://news.example.org/a/zh-1","status":200,"final_url":"https://news.example.org/","headers":"HTTP 301 Location: https://news.example.org/\n","body_hash":"{}","detail":"redirected to the home page"}}"#,
            "ab".repeat(32)
        ),
        format!(
            r#"{{"at":1701300000000,"kind":"removed","article":"{zh}","url":"https://news.example.org/a/zh-1","detail":"2 gone answers"}}"#
        ),
        format!(
            r#"{{"at":1701400000000,"kind":"vanished","article":"{en}","url":"https://news.example.org/a/en-1","detail":"not in the feed's document any more"}}"#
        ),
        format!(
            r#"{{"at":1701500000000,"kind":"changed","article":"{en}","url":"https://news.example.org/a/en-1","status":200,"content_hash":"{}","detail":"the article's text on the page differs"}}"#,
            "d".repeat(64)
        ),
    ];
    let dir = fixture.root().join("archive/.evidence");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("checks.jsonl"), lines.join("\n") + "\n").unwrap();
    std::thread::scope(|scope| {
        scope
            .spawn(|| {
                let mut writer = fixture.vault.writer(Duration::ZERO).unwrap();
                let report = writer.reindex().unwrap();
                assert_eq!(report.evidence, 5);
                assert!(
                    report.skipped.is_empty(),
                    "the evidence folder is not an article folder: {:?}",
                    report.skipped
                );
            })
            .join()
            .unwrap()
    });
    (zh, en)
}

#[tokio::test]
async fn the_removed_page_shows_evidence_in_both_languages() {
    let fixture = fixture();
    let app = fixture.app();
    let empty = get(&app, "/removed").await;
    assert_eq!(empty.status, 200);
    assert!(empty.body.contains("No article has been removed"), "{}", empty.body);
    flag(&fixture);
    let page = get(&app, "/removed").await;
    assert_eq!(page.status, 200);
    let body = &page.body;
    assert!(body.contains(ZH_TITLE) && body.contains(EN_TITLE), "{body}");
    assert!(body.contains("HTTP 410") && body.contains("HTTP 301 Location: https://news.example.org/"), "{body}");
    assert!(body.contains(&"ab".repeat(32)), "the body hash is shown");
    assert!(body.contains("Vanished from the feed"), "{body}");
    assert!(body.contains(r#"rel="alternate" type="application/atom+xml""#) && body.contains("/removed.atom"));
    let zh = get(&app, "/removed?lang=zh").await;
    assert!(zh.body.contains("已删除") && zh.body.contains("撤出订阅源于"), "{}", zh.body);
    let home = get(&app, "/").await;
    assert!(home.body.contains(r#"href="/removed""#), "linked from the navigation");
    // An article's own page shows its checks; an edit is marked as seen on the page.
    let zh_path = zh_path(&fixture);
    let en_path = article_paths(&fixture.vault).into_iter().find(|p| *p != zh_path).unwrap();
    let en = get(&app, &href(&en_path)).await;
    assert!(
        en.body.contains("seen on the article&#39;s page") || en.body.contains("seen on the article's page"),
        "{}",
        en.body
    );
    assert!(en.body.contains("vanished"), "{}", en.body);
    let zh_page = get(&app, &format!("{}?lang=zh", href(&zh_path))).await;
    assert!(zh_page.body.contains("证据") && zh_page.body.contains("HTTP 410"), "{}", zh_page.body);
}

#[tokio::test]
async fn the_removed_feeds_out_parse_back() {
    let fixture = fixture();
    flag(&fixture);
    let app = fixture.app();
    for uri in ["/removed.atom", "/removed.rss", "/removed.json"] {
        let answer = get(&app, uri).await;
        assert_eq!(answer.status, 200, "{uri}");
        let feed = parse(answer.body.as_bytes(), &ParseOptions::default()).unwrap_or_else(|e| panic!("{uri}: {e}"));
        let titles: Vec<&str> = feed.items.iter().filter_map(|i| i.title.as_deref()).collect();
        assert_eq!(titles, [EN_TITLE, ZH_TITLE], "{uri}: most recently flagged first");
        let content = feed.items[1].content_html.as_deref().or(feed.items[1].summary_html.as_deref()).unwrap_or("");
        assert!(content.contains("HTTP 410"), "{uri}: {content}");
    }
}
