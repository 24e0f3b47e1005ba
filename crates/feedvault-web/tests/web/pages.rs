//! The HTML pages: status, content type, key content, links between them, the
//! headers every response carries, languages, and bad input answered 400/404.

use crate::support::{Fixture, Item, article_paths, get, get_with, href, rss};

pub const ZH_TITLE: &str = "俄罗斯与中国承诺加强合作";
pub const EN_TITLE: &str = "Russia and China pledge closer cooperation";
const FOOTER: &str = "<br><hr><div>获取更多RSS：<br><a href=\"https://feedx.net\" style=\"color:orange\" target=\"_blank\">https://feedx.net</a> <br></div>";

/// Feed `nyt`: a Chinese article (revised once) and an English one a day later.
pub fn fixture() -> Fixture {
    let zh_v1 = format!("<p>普京承认习近平的关切后，俄罗斯与中国承诺加强合作。</p>{FOOTER}");
    let zh_v2 = format!("<p>普京承认习近平的关切后，俄罗斯和中国承诺进一步加强合作。</p>{FOOTER}");
    let en = Item {
        date: "Wed, 21 Sep 2022 09:00:00 +0000",
        ..Item::new(
            "en-1",
            EN_TITLE,
            "<p>The cat sat on the mat, <img src=\"https://img.example.org/cat.jpg\" alt=\"a cat\"> said the report.</p>",
        )
    };
    let fixture = Fixture::new("nyt", &[Item::new("zh-1", ZH_TITLE, &zh_v1), Item { ..en }]);
    let en = Item {
        date: "Wed, 21 Sep 2022 09:00:00 +0000",
        ..Item::new(
            "en-1",
            EN_TITLE,
            "<p>The cat sat on the mat, <img src=\"https://img.example.org/cat.jpg\" alt=\"a cat\"> said the report.</p>",
        )
    };
    fixture.update_feed("nyt", &[Item::new("zh-1", ZH_TITLE, &zh_v2), en]);
    fixture
}

/// The path of the article whose id contains `zh-1`'s slug (the Chinese one).
pub fn zh_path(fixture: &Fixture) -> String {
    let vault = feedvault_engine::Vault::open(&fixture.root()).unwrap();
    let paths = article_paths(&vault);
    assert_eq!(paths.len(), 2, "{paths:?}");
    paths.into_iter().find(|p| p.contains("/2022/09/20/")).unwrap()
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let fixture = fixture();
    let app = fixture.app();
    let article = href(&zh_path(&fixture));
    for uri in [
        "/",
        "/feeds",
        "/feeds/nyt",
        "/days/2022-09-20",
        "/feeds/nyt/days/2022-09-20",
        &article,
        "/search?q=中国",
        "/changes",
        "/removed",
        "/feed.atom",
        "/api/feeds",
        "/healthz",
        "/metrics",
        "/static/style.css",
        "/nowhere",
        "/articles/../../etc/passwd",
    ] {
        let answer = get(&app, uri).await;
        let h = |name: &str| answer.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        assert!(h("content-security-policy").contains("default-src 'self'"), "{uri}");
        assert!(!h("content-security-policy").contains("unsafe-inline"), "{uri}");
        assert_eq!(h("x-content-type-options"), "nosniff", "{uri}");
        assert_eq!(h("referrer-policy"), "no-referrer", "{uri}");
        assert_eq!(h("x-frame-options"), "DENY", "{uri}");
    }
}

#[tokio::test]
async fn home_lists_the_latest_articles_with_search_box_and_feed_link() {
    let fixture = fixture();
    let app = fixture.app();
    let home = get(&app, "/").await;
    assert_eq!(home.status, 200);
    assert_eq!(home.content_type(), "text/html; charset=utf-8");
    let (en, zh) = (home.body.find(EN_TITLE).unwrap(), home.body.find(ZH_TITLE).unwrap());
    assert!(en < zh, "newest first");
    assert!(home.body.contains("<form class=\"search\" role=\"search\" method=\"get\" action=\"/search\">"));
    assert!(home.body.contains("<link rel=\"alternate\" type=\"application/atom+xml\""));
    assert!(home.body.contains("href=\"/feed.atom\""));
    assert!(home.body.contains(&format!("lang=\"zh\">{ZH_TITLE}</a>")), "titles carry their language");
    assert!(home.body.contains("<link rel=\"stylesheet\" href=\"/static/style.css\">"));
    assert!(!home.body.contains("<script"), "no script at all");
    assert!(!home.body.contains(" style="), "no inline style (the CSP forbids it)");
    // Paging: page 2 of a two-article vault is empty but valid; bad pages are 400.
    assert!(get(&app, "/?page=2").await.body.contains("No articles."));
    for bad in ["/?page=0", "/?page=abc", "/?page=99999999999999999999", "/?page=-1"] {
        assert_eq!(get(&app, bad).await.status, 400, "{bad}");
    }
}

#[tokio::test]
async fn feeds_and_days() {
    let fixture = fixture();
    let app = fixture.app();
    let feeds = get(&app, "/feeds").await;
    assert_eq!(feeds.status, 200);
    assert!(feeds.body.contains("href=\"/feeds/nyt\""), "{}", feeds.body);
    assert!(feeds.body.contains("测试源"), "the feed's own title");
    assert!(feeds.body.contains("<td>2</td>"), "article count: {}", feeds.body);
    let one = get(&app, "/feeds/nyt").await;
    assert_eq!(one.status, 200);
    assert!(one.body.contains(ZH_TITLE) && one.body.contains(EN_TITLE));
    assert!(one.body.contains("href=\"/feeds/nyt.atom\""), "the feed's own feed out");
    assert!(one.body.contains("href=\"/feeds/nyt/days/2022-09-21\""), "link to its latest day");
    assert_eq!(get(&app, "/feeds/nope").await.status, 404);
    assert_eq!(get(&app, "/feeds/nope.atom").await.status, 404);

    let day = get(&app, "/days/2022-09-20").await;
    assert_eq!(day.status, 200);
    assert!(day.body.contains(ZH_TITLE) && !day.body.contains(EN_TITLE), "only that day (Asia/Shanghai)");
    assert!(day.body.contains("rel=\"next\" href=\"/days/2022-09-21\""), "{}", day.body);
    assert!(!day.body.contains("rel=\"prev\""));
    let next = get(&app, "/feeds/nyt/days/2022-09-21").await;
    assert!(next.body.contains(EN_TITLE) && next.body.contains("rel=\"prev\" href=\"/feeds/nyt/days/2022-09-20\""));
    assert!(get(&app, "/days/2021-01-01").await.body.contains("No articles."));
    for bad in ["/days/2022-13-45", "/days/yesterday", "/feeds/nope/days/2022-09-20", "/days/%00"] {
        assert_eq!(get(&app, bad).await.status, 404, "{bad}");
    }
}

#[tokio::test]
async fn article_page_with_revisions_and_diffs() {
    let fixture = fixture();
    let app = fixture.app();
    let path = zh_path(&fixture);
    let page = get(&app, &href(&path)).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let body = &page.body;
    assert!(body.contains(&format!("<h1>{ZH_TITLE}</h1>")));
    assert!(body.contains("<link rel=\"alternate\" type=\"application/atom+xml\" title=\"Feed of this page\" href=\"/feeds/nyt.atom\">"), "the feed's feed out");
    assert!(body.contains("<article lang=\"zh\">"), "lang from the text");
    assert!(body.contains("href=\"https://news.example.org/a/zh-1\" rel=\"noopener noreferrer external\""), "{body}");
    assert!(body.contains("2022-09-20 10:16"), "published, in the vault's zone");
    assert!(body.contains("进一步加强合作"), "the current version");
    assert!(!body.contains("获取更多RSS"), "the feedx footer is dropped");
    assert!(body.contains("/revisions/"), "the revision is listed");
    assert!(body.contains(&format!("action=\"{}/diff\"", href(&path))), "compare form");

    let detail = feedvault_engine::Vault::open(&fixture.root()).unwrap().article(&path).unwrap().unwrap();
    assert_eq!(detail.revisions.len(), 1);
    let seen = detail.revisions[0].seen_at;
    let diff = get(&app, &format!("{}/diff?from={seen}&to=current", href(&path))).await;
    assert_eq!(diff.status, 200);
    assert!(diff.body.contains("<del>与</del><ins>和</ins>"), "by characters: {}", diff.body);
    assert!(diff.body.contains("<ins>进一步</ins>"), "{}", diff.body);
    let default = get(&app, &format!("{}/diff", href(&path))).await;
    assert!(default.body.contains("<ins>进一步</ins>"), "last revision → current by default");
    let revision = get(&app, &format!("{}/revisions/{seen}", href(&path))).await;
    assert_eq!(revision.status, 200);
    assert!(revision.body.contains("俄罗斯与中国承诺加强合作。"), "the old text");

    let english =
        get(&app, &href(&article_paths(&fixture.vault).into_iter().find(|p| p.contains("/21/")).unwrap())).await;
    assert!(english.body.contains("<article lang=\"en\">"));
    assert!(english.body.contains("<a class=\"image\" href=\"https://img.example.org/cat.jpg\""), "{}", english.body);
    assert!(!english.body.contains("<img"), "images not kept are not loaded");
    assert!(english.body.contains("This article was never edited."));

    let base = href(&path);
    for (uri, status) in [
        (format!("{base}/revisions/1"), 404),
        (format!("{base}/revisions/abc"), 404),
        (format!("{base}/diff?from=abc"), 400),
        (format!("{base}/diff?from=1"), 404),
        (format!("{base}/nope"), 404),
        ("/articles/../../etc/passwd".into(), 404),
        ("/articles/%2e%2e/%2e%2e/feedvault.toml".into(), 404),
        ("/articles/nyt/..%2F..%2Ffeedvault".into(), 404),
        ("/articles/.hidden".into(), 404),
        ("/articles/%00".into(), 404),
        (format!("/articles/{}", "a/".repeat(2000)), 404),
    ] {
        assert_eq!(get(&app, &uri).await.status, status, "{uri}");
    }
}

#[tokio::test]
async fn search_page() {
    let fixture = fixture();
    let app = fixture.app();
    let found = get(&app, "/search?q=%E4%B8%AD%E5%9B%BD").await;
    assert_eq!(found.status, 200);
    assert!(found.body.contains("<b>中国</b>"), "highlighted: {}", found.body);
    assert!(found.body.contains("2 results") || found.body.contains("1 results"), "the total: {}", found.body);
    assert!(found.body.contains("value=\"中国\""), "the query stays in the boxes");
    assert!(found.body.contains("href=\"/search.atom?q=%E4%B8%AD%E5%9B%BD\""), "its feed out");
    let filtered = get(&app, "/search?q=%E4%B8%AD%E5%9B%BD&since=2022-09-21").await;
    assert!(!filtered.body.contains(ZH_TITLE), "date filter: {}", filtered.body);
    let feed = get(&app, "/search?q=cat&feed=other").await;
    assert!(feed.body.contains("0 results") && feed.body.contains("Nothing matches."));
    let empty = get(&app, "/search").await;
    assert_eq!(empty.status, 200);
    assert!(!empty.body.contains("results"));
    for bad in ["/search?q=x&since=2022-99-99", "/search?q=x&page=0", "/search?q=x&sort=random"] {
        assert_eq!(get(&app, bad).await.status, 400, "{bad}");
    }
    for odd in ["/search?q=%22unbalanced", "/search?q=-", "/search?q=title:", "/search?q=((((", "/search?q=%FF%FE"] {
        let status = get(&app, odd).await.status;
        assert!(status == 200 || status == 400, "{odd}: {status}");
    }
}

#[tokio::test]
async fn changes_page_shows_the_diff() {
    let fixture = fixture();
    let app = fixture.app();
    let changes = get(&app, "/changes").await;
    assert_eq!(changes.status, 200);
    assert!(changes.body.contains(ZH_TITLE));
    assert!(changes.body.contains("<ins>进一步</ins>"), "{}", changes.body);
    assert!(changes.body.contains("href=\"/changes.atom\""));
}

#[tokio::test]
async fn languages_from_accept_language_and_the_switch() {
    let fixture = fixture();
    let app = fixture.app();
    let zh = get_with(&app, "/", &[("accept-language", "zh-CN,zh;q=0.9,en;q=0.8")]).await;
    assert!(zh.body.contains("<html lang=\"zh-Hans\">"));
    assert!(zh.body.contains("最新文章"));
    assert!(zh.body.contains("href=\"/?lang=en\""), "the switch is a plain link");
    let switched = get_with(&app, "/feeds?lang=en", &[("accept-language", "zh-CN")]).await;
    assert!(switched.body.contains("<html lang=\"en\">"));
    let cookie = switched.headers.get("set-cookie").unwrap().to_str().unwrap();
    assert!(cookie.starts_with("lang=en;"), "{cookie}");
    let remembered = get_with(&app, "/", &[("accept-language", "zh-CN"), ("cookie", "lang=en")]).await;
    assert!(remembered.body.contains("Latest articles"));
    assert!(get(&app, "/").await.body.contains("<html lang=\"en\">"), "English by default");
}

#[tokio::test]
async fn stylesheet_health_and_metrics() {
    let fixture = fixture();
    let app = fixture.app();
    let css = get(&app, "/static/style.css").await;
    assert_eq!(css.content_type(), "text/css; charset=utf-8");
    assert!(css.body.contains("prefers-color-scheme: dark") && css.body.contains("Noto Sans CJK SC"));
    let health = get(&app, "/healthz").await;
    assert_eq!((health.status.as_u16(), health.body.as_str()), (200, "ok\n"));
    get(&app, "/").await;
    let metrics = get(&app, "/metrics").await;
    assert!(metrics.content_type().starts_with("text/plain"));
    assert!(metrics.body.contains("feedvault_articles 2"), "{}", metrics.body);
    assert!(metrics.body.contains("feedvault_revisions 1"));
    assert!(metrics.body.contains("feedvault_http_request_duration_seconds_bucket{route=\"/\""), "{}", metrics.body);
    assert!(metrics.body.contains("feedvault_fetches_total"));
    let missing = get(&app, "/no/such/page").await;
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("There is nothing at this address."));
}

/// A server started before a fetch shows what the fetch archived (another process
/// may be the writer: every read goes to state.db and the files again).
#[tokio::test]
async fn a_running_server_sees_new_articles() {
    let fixture = fixture();
    let app = fixture.app();
    assert!(!get(&app, "/").await.body.contains("第三篇"));
    let en = Item {
        date: "Wed, 21 Sep 2022 09:00:00 +0000",
        ..Item::new("en-1", EN_TITLE, "<p>The cat sat on the mat.</p>")
    };
    let new = Item { date: "Thu, 22 Sep 2022 09:00:00 +0000", ..Item::new("zh-3", "第三篇", "<p>新的文章</p>") };
    fixture.update_feed("nyt", &[en, new]);
    assert!(get(&app, "/").await.body.contains("第三篇"), "listed at once");
    // The search index reloads by itself shortly after the writer's commit.
    let mut found = false;
    for _ in 0..100 {
        if get(&app, "/api/search?q=%E6%96%B0%E7%9A%84").await.body.contains("第三篇") {
            found = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(found, "searchable within seconds");
}

/// Showing every page and feed out leaves every file of the vault as it was.
#[tokio::test]
async fn rendering_changes_no_file() {
    let fixture = fixture();
    let app = fixture.app();
    let snapshot = || {
        let mut files = Vec::new();
        let mut stack = vec![fixture.root().join("archive"), fixture.root().join("feedvault.toml")];
        while let Some(path) = stack.pop() {
            if path.is_dir() {
                stack.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            } else {
                files.push((path.clone(), std::fs::read(&path).unwrap()));
            }
        }
        files.sort();
        files
    };
    let before = snapshot();
    let article = href(&zh_path(&fixture));
    for uri in [
        "/",
        "/feeds",
        "/feeds/nyt",
        "/days/2022-09-20",
        &article,
        &format!("{article}/diff"),
        "/changes",
        "/search?q=cat",
        "/feed.atom",
        "/changes.rss",
        "/api/articles",
        "/opml",
    ] {
        assert_eq!(get(&app, uri).await.status, 200, "{uri}");
    }
    assert!(before == snapshot(), "no file changed");
}

/// Pages are kept between requests, but never past a change of the vault: a
/// revision committed by the writer, or an edit of feedvault.toml, shows on the
/// very next request of the same server.
#[tokio::test]
async fn a_kept_page_gives_way_to_the_next_commit_and_config_edit() {
    let fixture = Fixture::new("kept", &[Item::new("k-1", "First title", "<p>The first text.</p>")]);
    let app = fixture.app();
    let path = article_paths(&fixture.vault).remove(0);
    let first = get(&app, &href(&path)).await;
    assert!(first.body.contains("The first text."));
    assert_eq!(get(&app, &href(&path)).await.body, first.body, "the same page again");
    let home = get(&app, "/").await;
    assert!(home.body.contains("First title"));

    fixture.update_feed("kept", &[Item::new("k-1", "Second title", "<p>The second text.</p>")]);
    let second = get(&app, &href(&path)).await;
    assert!(second.body.contains("The second text."), "the revision shows at once: {}", second.body);
    assert!(second.body.contains("/revisions/"));
    assert!(get(&app, "/").await.body.contains("Second title"), "every kept page was dropped");

    // The zone is feedvault.toml's: the published time moves with it.
    assert!(second.body.contains("2022-09-20 10:16"), "Asia/Shanghai");
    let config = fixture.root().join("feedvault.toml");
    let text = std::fs::read_to_string(&config).unwrap().replace("Asia/Shanghai", "UTC");
    std::fs::write(&config, text).unwrap();
    let later = get(&app, &href(&path)).await;
    assert!(later.body.contains("2022-09-20 02:16"), "in UTC after the edit: {}", later.body);

    // Another language, another page (the key is the whole request).
    let chinese = get_with(&app, &href(&path), &[("accept-language", "zh-CN")]).await;
    assert!(chinese.body.contains("lang=\"zh-Hans\""));
    assert!(get(&app, &href(&path)).await.body.contains("<html lang=\"en\">"));
}

/// `lang` comes from the feed's declared language (Traditional Chinese keeps its
/// tag, so a browser picks Traditional glyphs), unless the text is plainly in
/// another script; a feed without a declaration gets the detected language.
#[tokio::test]
async fn an_article_is_marked_with_its_feeds_language() {
    let item = Item::new("t-1", "台灣新聞標題", "<p>這是一篇繁體中文的新聞報導，內容很長。</p>");
    let traditional = rss(&[item]).replace("<channel><title>", "<channel><language>zh-TW</language><title>");
    let fixture = Fixture::new("plain", &[Item::new("p-1", "Plain English", "<p>Nothing declared here.</p>")]);
    fixture.add_feed_document("tw", &traditional);
    let wrong = rss(&[Item::new("w-1", "中文标题", "<p>这是一篇简体中文的报道，频道却说是英文。</p>")])
        .replace("<channel><title>", "<channel><language>en-us</language><title>");
    fixture.add_feed_document("wrong", &wrong);
    let app = fixture.app();
    let paths = article_paths(&fixture.vault);
    let mut seen = Vec::new();
    for path in &paths {
        let page = get(&app, &href(path)).await;
        let lang = page.body.split("<article lang=\"").nth(1).and_then(|r| r.split('"').next()).unwrap().to_owned();
        seen.push((page.body.contains("台灣新聞標題"), page.body.contains("中文标题"), lang));
    }
    assert!(seen.contains(&(true, false, "zh-TW".to_owned())), "declared: {seen:?}");
    assert!(seen.contains(&(false, true, "zh".to_owned())), "en-us over Chinese text: detected: {seen:?}");
    assert!(seen.contains(&(false, false, "en".to_owned())), "undeclared: detected: {seen:?}");
    let atom = get(&app, "/feeds/tw.atom").await;
    assert!(atom.body.contains("xml:lang=\"zh-TW\""), "{}", atom.body);
}
