//! Feeds out parse back with feedvault's own parser, in every format, with full
//! content, titles, links and dates; OPML lists the subscriptions.

use feedvault_feed::{ParseOptions, parse};

use crate::pages::{EN_TITLE, ZH_TITLE, fixture};
use crate::support::get;

#[tokio::test]
async fn every_feed_out_parses_back_with_full_content() {
    let fixture = fixture();
    let app = fixture.app();
    for (uri, content_type, format) in [
        ("/feed.atom", "application/atom+xml; charset=utf-8", "atom"),
        ("/feed.rss", "application/rss+xml; charset=utf-8", "rss2"),
        ("/feed.json", "application/feed+json; charset=utf-8", "json"),
        ("/feeds/nyt.atom", "application/atom+xml; charset=utf-8", "atom"),
        ("/feeds/nyt.rss", "application/rss+xml; charset=utf-8", "rss2"),
        ("/feeds/nyt.json", "application/feed+json; charset=utf-8", "json"),
    ] {
        let answer = get(&app, uri).await;
        assert_eq!(answer.status, 200, "{uri}");
        assert_eq!(answer.content_type(), content_type, "{uri}");
        let feed = parse(answer.body.as_bytes(), &ParseOptions::default()).unwrap_or_else(|e| panic!("{uri}: {e}"));
        let parsed = serde_json::to_value(&feed).unwrap();
        assert_eq!(parsed["format"], format, "{uri}");
        assert_eq!(feed.items.len(), 2, "{uri}");
        let titles: Vec<&str> = feed.items.iter().filter_map(|i| i.title.as_deref()).collect();
        assert_eq!(titles, [EN_TITLE, ZH_TITLE], "{uri}: newest first");
        let zh = &feed.items[1];
        assert_eq!(zh.link.as_deref(), Some("https://news.example.org/a/zh-1"), "{uri}");
        let content = zh.content_html.as_deref().or(zh.summary_html.as_deref()).unwrap_or("");
        assert!(content.contains("俄罗斯和中国承诺进一步加强合作"), "{uri}: full content: {content}");
        assert!(!content.contains("获取更多RSS"), "{uri}: boilerplate dropped");
        assert_eq!(zh.published.map(|t| t.timestamp()), Some(1_663_640_192), "{uri}");
        assert!(
            zh.id.as_deref().unwrap_or("").starts_with("http://127.0.0.1:8080/articles/nyt/2022/09/20/"),
            "{uri}: {:?}",
            zh.id
        );
    }
    assert_eq!(get(&app, "/feeds/nope.rss").await.status, 404);
}

#[tokio::test]
async fn search_and_changes_feeds() {
    let fixture = fixture();
    let app = fixture.app();
    let search = get(&app, "/search.atom?q=cat").await;
    let feed = parse(search.body.as_bytes(), &ParseOptions::default()).unwrap();
    assert_eq!(feed.items.len(), 1);
    assert_eq!(feed.items[0].title.as_deref(), Some(EN_TITLE));
    assert!(feed.title.contains("cat"));
    assert_eq!(get(&app, "/search.atom").await.status, 400, "a search feed needs a query");
    assert_eq!(get(&app, "/search.json?q=x&since=bad").await.status, 400);
    for uri in ["/changes.atom", "/changes.rss", "/changes.json"] {
        let answer = get(&app, uri).await;
        let feed = parse(answer.body.as_bytes(), &ParseOptions::default()).unwrap_or_else(|e| panic!("{uri}: {e}"));
        assert_eq!(feed.items.len(), 1, "{uri}");
        let content = feed.items[0].content_html.as_deref().or(feed.items[0].summary_html.as_deref()).unwrap();
        assert!(content.contains("<ins>进一步</ins>"), "{uri}: the diff: {content}");
        assert!(feed.items[0].link.as_deref().unwrap().contains("/diff?from="), "{uri}");
    }
}

#[tokio::test]
async fn opml_lists_the_subscriptions() {
    let fixture = fixture();
    let answer = get(&fixture.app(), "/opml").await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.content_type(), "text/x-opml; charset=utf-8");
    assert!(answer.body.contains("<opml") && answer.body.contains("nyt.xml"), "{}", answer.body);
}
