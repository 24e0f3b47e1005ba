//! Filters and full text end to end: `feedvault fetch` and `refetch-text` against a
//! loopback HTTP server serving a summary-only feed and real-looking article pages
//! (Chinese and English, with navigation, sidebars, comments and ads around the
//! article), pages that fail, a page on another host, and request counting.

mod support;

use std::fs;
use std::path::Path;

use predicates::prelude::*;
use support::{Response, Server, archive_files, feedvault, new_vault};

/// One feed item: (guid, title, link, categories, summary).
type Entry<'a> = (&'a str, &'a str, String, &'a [&'a str], &'a str);

fn feed(items: &[Entry<'_>]) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>中国数字时代</title><link>https://chinadigitaltimes.net/chinese/</link><language>zh-CN</language>\n",
    );
    for (guid, title, link, categories, summary) in items {
        out.push_str(&format!(
            "<item><guid isPermaLink=\"false\">{guid}</guid><title>{title}</title><link>{link}</link><pubDate>Tue, 20 Sep 2022 10:16:32 +0800</pubDate>"
        ));
        for category in *categories {
            out.push_str(&format!("<category><![CDATA[{category}]]></category>"));
        }
        out.push_str(&format!("<description><![CDATA[{summary}]]></description></item>\n"));
    }
    out.push_str("</channel></rss>\n");
    out
}

const ZH_ARTICLE: [&str; 4] = [
    "中国数字时代本周精选的言论中，有网友在微博上写道：“我们不是韭菜，我们是普通人，只想过安稳的日子。”这条微博在发布数小时后被删除，但截图仍在网络上广泛流传。",
    "另一位用户评论说，近年来，越来越多的年轻人选择“躺平”，这并不是因为懒惰，而是因为看不到希望。房价、教育和医疗的压力让许多家庭喘不过气来。",
    "有评论人士指出，审查机构对相关话题的删帖速度明显加快，许多关键词在搜索中被屏蔽，讨论空间进一步收窄，但民间的表达并没有因此消失。",
    "本文内容整理自网络，中国数字时代将持续关注相关讨论，并存档被删除的内容，以供读者和研究者参考。",
];

const EN_ARTICLE: [&str; 4] = [
    "Censors moved quickly this week to remove posts discussing the collapse of a residential tower in the provincial capital, where at least a dozen residents are still missing.",
    "Many of the deleted posts, archived by readers before they disappeared, questioned why inspections had not found the cracks that neighbors had reported for months.",
    "Searches for the name of the development returned no results on Weibo by Thursday evening, and several accounts that had shared video from the scene were suspended.",
    "China Digital Times will continue to archive what is taken down, so that readers and researchers can see what was said, and what was removed.",
];

/// A real-looking article page: navigation, a sidebar, ads and comments around the
/// article, which sits in `div.post-content` when `with_container` is set.
fn page(lang: &str, title: &str, paragraphs: &[&str], with_container: bool) -> String {
    let body: String = paragraphs.iter().map(|p| format!("<p>{p}</p>\n")).collect();
    let (open, close) =
        if with_container { ("<div class=\"post-content\">", "</div>") } else { ("<div class=\"entry\">", "</div>") };
    format!(
        r#"<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{title} | 中国数字时代</title>
<script>var ads = ["AD-SCRIPT-TEXT"];</script></head>
<body>
<header class="site-header"><nav class="main-nav"><ul><li><a href="/">NAV-HOME 首页</a></li><li><a href="/chinese/category/netizen-voices">NAV-VOICES 网络民议</a></li><li><a href="/chinese/about">NAV-ABOUT 关于我们</a></li></ul></nav></header>
<div class="ad ad-banner" id="top-ad"><a href="https://ads.example/buy">AD-BANNER 点击购买翻墙工具，限时优惠</a></div>
<div id="main" class="container">
<article class="post">
<h1 class="entry-title">{title}</h1>
<div class="entry-meta">2022-09-20 · 作者：CDT</div>
{open}
{body}<p><img src="/wp-content/uploads/2022/09/photo.jpg" alt="图片"> <a href="../tag/censorship">审查</a></p>
{close}
<div class="share-buttons"><a href="/share?to=twitter">SHARE-TWITTER 分享</a></div>
</article>
<aside class="sidebar widget-area" id="sidebar"><section class="widget"><h3>SIDEBAR-POPULAR 热门文章</h3><ul>
<li><a href="/chinese/1.html">SIDEBAR-ONE 侧栏热门一：某地官员落马</a></li><li><a href="/chinese/2.html">SIDEBAR-TWO 侧栏热门二：高考作文</a></li></ul></section>
<section class="widget ad"><p>AD-SIDEBAR 赞助商广告位</p></section></aside>
<section id="comments" class="comments-area"><h3>COMMENTS-TITLE 评论</h3>
<div class="comment"><p>COMMENT-ONE 楼主说得对，支持存档！</p></div><div class="comment"><p>COMMENT-TWO 已转发。</p></div>
<form action="/wp-comments-post.php"><textarea name="comment"></textarea></form></section>
</div>
<footer class="site-footer"><p>FOOTER-COPYRIGHT 版权所有 © 中国数字时代</p></footer>
</body></html>
"#
    )
}

const BOILERPLATE: [&str; 11] = [
    "NAV-HOME",
    "NAV-VOICES",
    "AD-BANNER",
    "AD-SCRIPT-TEXT",
    "SHARE-TWITTER",
    "SIDEBAR-POPULAR",
    "SIDEBAR-ONE",
    "AD-SIDEBAR",
    "COMMENT-ONE",
    "COMMENTS-TITLE",
    "FOOTER-COPYRIGHT",
];

fn html(body: String) -> Response {
    Response::ok("text/html; charset=utf-8", body)
}

/// The body (line 5 on) of the one article file whose title line contains `title`.
fn body_of(vault: &Path, title: &str) -> String {
    let files: Vec<String> = archive_files(vault)
        .into_iter()
        .filter(|f| f.ends_with(".md") && !f.contains(".revisions/") && !f.ends_with("README.md"))
        .filter(|f| fs::read_to_string(vault.join(f)).unwrap().lines().nth(1).unwrap().contains(title))
        .collect();
    assert_eq!(files.len(), 1, "one article titled {title}: {files:?}");
    let text = fs::read_to_string(vault.join(&files[0])).unwrap();
    text.lines().skip(4).collect::<Vec<_>>().join("\n")
}

fn assert_article(body: &str, paragraphs: &[&str]) {
    for paragraph in paragraphs {
        assert!(body.contains(paragraph), "the article text is kept: {paragraph}\n{body}");
    }
    for junk in BOILERPLATE {
        assert!(!body.contains(junk), "{junk} must not be in the body:\n{body}");
    }
}

/// Appends lines to the last `[[feeds]]` table of a vault's config.
fn feed_settings(vault: &Path, lines: &str) {
    let path = vault.join("feedvault.toml");
    let mut text = fs::read_to_string(&path).unwrap();
    text.push_str(lines);
    text.push('\n');
    fs::write(&path, text).unwrap();
}

#[test]
fn css_full_text_for_new_items_with_failures_reported_and_credentials_kept_home() {
    let server = Server::start();
    let port = server.base.rsplit(':').next().unwrap().to_owned();
    server.route("/chinese/700001.html", html(page("zh", "我们不是韭菜", &ZH_ARTICLE, true)));
    server.route("/2022/09/tower.html", html(page("en", "Tower collapse posts deleted", &EN_ARTICLE, true)));
    server.route("/chinese/nomatch.html", html(page("zh", "没有容器", &ZH_ARTICLE, false)));
    // /chinese/missing.html is not routed: 404.
    let elsewhere = format!("http://localhost:{port}/elsewhere.html");
    server.route("/elsewhere.html", html(page("en", "Elsewhere", &EN_ARTICLE, true)));
    let items = [
        ("1", "我们不是韭菜", server.url("/chinese/700001.html"), &[][..], "<p>摘要一</p>"),
        ("2", "Tower collapse posts deleted", server.url("/2022/09/tower.html"), &[][..], "<p>Summary two</p>"),
        ("3", "页面不存在", server.url("/chinese/missing.html"), &[][..], "<p>摘要三：页面不存在</p>"),
        ("4", "没有容器", server.url("/chinese/nomatch.html"), &[][..], "<p>摘要四：没有容器</p>"),
        ("5", "Elsewhere", elsewhere.clone(), &[][..], "<p>Summary five</p>"),
    ];
    server.route("/feed.xml", Response::ok("application/rss+xml", feed(&items)));
    let dir = new_vault();
    let vault = dir.path().join("v");
    support::subscribe(&vault, "cdt", &server.url("/feed.xml"));
    feed_settings(
        &vault,
        "full_text = \"css:div.post-content\"\nheaders = { \"X-Key\" = \"secret\" }\ncookies = { session = \"abc\" }",
    );

    let missing = server.url("/chinese/missing.html");
    let nomatch = server.url("/chinese/nomatch.html");
    feedvault(&vault)
        .arg("fetch")
        .assert()
        .success()
        .stdout(predicate::str::contains("cdt: 5 new, 0 revised, 0 unchanged, full text of 3, 2 without full text"))
        .stderr(predicate::str::contains(format!(
            "feedvault: feed cdt: full text of {missing}: HTTP 404 Not Found from {missing}; the feed's own content was archived"
        )))
        .stderr(predicate::str::contains(format!(
            "feedvault: feed cdt: full text of {nomatch}: the selector div.post-content matches nothing on the page; the feed's own content was archived"
        )));

    let zh = body_of(&vault, "我们不是韭菜");
    assert_article(&zh, &ZH_ARTICLE);
    assert!(!zh.contains("摘要一"), "the page's text replaces the summary");
    // Relative URLs are absolute against the page's URL.
    assert!(zh.contains(&format!("src=\"{}\"", server.url("/wp-content/uploads/2022/09/photo.jpg"))), "{zh}");
    assert!(zh.contains(&format!("href=\"{}\"", server.url("/tag/censorship"))), "{zh}");
    assert_article(&body_of(&vault, "Tower collapse posts deleted"), &EN_ARTICLE);
    assert_eq!(body_of(&vault, "页面不存在"), "<p>摘要三：页面不存在</p>");
    assert_eq!(body_of(&vault, "没有容器"), "<p>摘要四：没有容器</p>");
    assert_article(&body_of(&vault, "Elsewhere"), &EN_ARTICLE);

    // The feed's headers and cookies went to its own host's pages only.
    let home = &server.requests_to("/chinese/700001.html")[0];
    assert_eq!(home.headers.get("x-key").map(String::as_str), Some("secret"));
    assert_eq!(home.headers.get("cookie").map(String::as_str), Some("session=abc"));
    let away = server.requests_to("/elsewhere.html");
    assert_eq!(away.len(), 1);
    assert!(away[0].headers.get("host").unwrap().starts_with("localhost:"), "{:?}", away[0].headers);
    assert!(!away[0].headers.contains_key("x-key") && !away[0].headers.contains_key("cookie"), "{:?}", away[0].headers);
    assert!(away[0].headers.get("user-agent").unwrap().starts_with("feedvault/"));

    // Fetched again (forced past the unchanged-body shortcut): no page again, not
    // even those that failed.
    feedvault(&vault)
        .args(["fetch", "--force"])
        .assert()
        .success()
        .stdout(predicate::str::contains("cdt: 0 new, 0 revised, 5 unchanged -> "));
    for path in ["/chinese/700001.html", "/2022/09/tower.html", "/chinese/missing.html", "/chinese/nomatch.html"] {
        assert_eq!(server.requests_to(path).len(), 1, "{path} fetched once");
    }
    // A new item: only its page is fetched.
    server.route("/chinese/700006.html", html(page("zh", "新文章", &ZH_ARTICLE[..2], true)));
    let mut more = items.to_vec();
    more.insert(0, ("6", "新文章", server.url("/chinese/700006.html"), &[][..], "<p>摘要六</p>"));
    server.route("/feed.xml", Response::ok("application/rss+xml", feed(&more)));
    feedvault(&vault)
        .args(["fetch", "--force"])
        .assert()
        .success()
        .stdout(predicate::str::contains("cdt: 1 new, 0 revised, 5 unchanged, full text of 1 -> "));
    assert_eq!(server.requests_to("/chinese/700006.html").len(), 1);
    assert_eq!(server.requests_to("/chinese/700001.html").len(), 1);
    assert_article(&body_of(&vault, "新文章"), &ZH_ARTICLE[..2]);

    // refetch-text: the text of one page changed, another page is back: revisions
    // for those two only, and the failures reported.
    let edited = [ZH_ARTICLE[0], "（更新）此前的报道有误，现已更正。", ZH_ARTICLE[2], ZH_ARTICLE[3]];
    server.route("/chinese/700001.html", html(page("zh", "我们不是韭菜", &edited, true)));
    server.route("/chinese/missing.html", html(page("zh", "页面不存在", &ZH_ARTICLE[1..], true)));
    feedvault(&vault)
        .args(["refetch-text", "cdt"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "cdt: 6 articles: 2 revised (text differed), 3 unchanged, 1 without full text.",
        ))
        .stderr(predicate::str::contains(format!(
            "full text of {nomatch}: the selector div.post-content matches nothing"
        )));
    assert_article(&body_of(&vault, "我们不是韭菜"), &edited);
    assert_article(&body_of(&vault, "页面不存在"), &ZH_ARTICLE[1..]);
    let revisions: Vec<String> = archive_files(&vault).into_iter().filter(|f| f.contains(".revisions/")).collect();
    assert_eq!(revisions.len(), 2, "{revisions:?}");
    let earlier = fs::read_to_string(
        vault.join(
            revisions
                .iter()
                .find(|r| r.contains("700001") || fs::read_to_string(vault.join(r)).unwrap().contains("韭菜"))
                .unwrap(),
        ),
    )
    .unwrap();
    assert!(earlier.contains(ZH_ARTICLE[1]), "the previous text is the revision");
    // Again: nothing differs, nothing written.
    feedvault(&vault).args(["refetch-text", "cdt"]).assert().success().stdout(predicate::str::contains(
        "cdt: 6 articles: 0 revised (text differed), 5 unchanged, 1 without full text.",
    ));
    assert_eq!(archive_files(&vault).into_iter().filter(|f| f.contains(".revisions/")).count(), 2);
    feedvault(&vault).arg("verify").assert().success();
    // A later fetch of the feed does not undo the full text.
    feedvault(&vault)
        .args(["fetch", "--force"])
        .assert()
        .success()
        .stdout(predicate::str::contains("cdt: 0 new, 0 revised, 6 unchanged"));
    assert_article(&body_of(&vault, "我们不是韭菜"), &edited);

    // The feed's entries change (their summaries), the pages do not: the pages are
    // fetched again and, their text being the same, nothing is written. A page that
    // fails then keeps the archived full text rather than the new summary.
    let requests_before = server.requests_to("/chinese/700001.html").len();
    server.route("/2022/09/tower.html", Response::status(500));
    let mut changed = more.clone();
    changed[1].4 = "<p>摘要一（修改）</p>";
    changed[2].4 = "<p>Summary two, edited</p>";
    server.route("/feed.xml", Response::ok("application/rss+xml", feed(&changed)));
    let tower = server.url("/2022/09/tower.html");
    feedvault(&vault)
        .args(["fetch", "--force"])
        .assert()
        .success()
        .stdout(predicate::str::contains("cdt: 0 new, 0 revised, 5 unchanged, full text of 1, 1 without full text"))
        .stderr(predicate::str::contains(format!("full text of {tower}: HTTP 500")))
        .stderr(predicate::str::contains("the archived version was kept"));
    assert_eq!(server.requests_to("/chinese/700001.html").len(), requests_before + 1);
    assert_article(&body_of(&vault, "我们不是韭菜"), &edited);
    assert_article(&body_of(&vault, "Tower collapse posts deleted"), &EN_ARTICLE);
    assert_eq!(archive_files(&vault).into_iter().filter(|f| f.contains(".revisions/")).count(), 2);
}

#[test]
fn readability_finds_the_article_in_chinese_and_english_pages() {
    let server = Server::start();
    server.route("/chinese/700001.html", html(page("zh", "我们不是韭菜", &ZH_ARTICLE, true)));
    server.route("/2022/09/tower.html", html(page("en", "Tower collapse posts deleted", &EN_ARTICLE, false)));
    server.route("/short.html", html("<html><body><nav>Home</nav><p>Nothing here.</p></body></html>".to_owned()));
    let items = [
        ("1", "我们不是韭菜", server.url("/chinese/700001.html"), &[][..], "<p>摘要一</p>"),
        ("2", "Tower collapse posts deleted", server.url("/2022/09/tower.html"), &[][..], "<p>Summary two</p>"),
        ("3", "Short", server.url("/short.html"), &[][..], "<p>Summary three</p>"),
    ];
    server.route("/feed.xml", Response::ok("application/rss+xml", feed(&items)));
    let dir = new_vault();
    let vault = dir.path().join("v");
    support::subscribe(&vault, "cdt", &server.url("/feed.xml"));
    feed_settings(&vault, "full_text = \"readability\"");
    let short = server.url("/short.html");
    feedvault(&vault)
        .arg("fetch")
        .assert()
        .success()
        .stdout(predicate::str::contains("cdt: 3 new, 0 revised, 0 unchanged, full text of 2, 1 without full text"))
        .stderr(predicate::str::contains(format!("full text of {short}: readability found no")));
    let zh = body_of(&vault, "我们不是韭菜");
    assert_article(&zh, &ZH_ARTICLE);
    assert!(zh.contains(&format!("src=\"{}\"", server.url("/wp-content/uploads/2022/09/photo.jpg"))), "{zh}");
    assert_article(&body_of(&vault, "Tower collapse posts deleted"), &EN_ARTICLE);
    assert_eq!(body_of(&vault, "Short"), "<p>Summary three</p>");
}

#[test]
fn filters_keep_emoji_categories_and_drop_excluded_items() {
    let server = Server::start();
    let link = |n: u32| format!("https://chinadigitaltimes.net/chinese/70000{n}.html");
    let items = [
        ("1", "【一周言论】我们不是韭菜", link(1), &["💬一周言论"][..], "<p>一</p>"),
        ("2", "【网络民议】高考作文题", link(2), &["网络民议", "敏感词库"][..], "<p>二</p>"),
        ("3", "【图说】烟花", link(3), &["📸图说", "❤️"][..], "<p>三</p>"),
        ("4", "【广告】赞助内容", link(4), &["🔥推广"][..], "<p>四</p>"),
        ("5", "【立此存照】一则通知", link(5), &["立此存照"][..], "<p>五</p>"),
        (
            "6",
            "Word of the Week",
            "https://chinadigitaltimes.net/2026/11/word/".to_owned(),
            &["Level 3 ⚠️"][..],
            "<p>six</p>",
        ),
    ];
    server.route("/feed.xml", Response::ok("application/rss+xml", feed(&items)));
    let dir = new_vault();
    let vault = dir.path().join("v");
    support::subscribe(&vault, "cdt", &server.url("/feed.xml"));
    feed_settings(
        &vault,
        r#"include = ['category:/\p{Extended_Pictographic}/', "title:立此存照"]
exclude = ["title:广告", 'link:/\d{4}/\d\d//']"#,
    );
    feedvault(&vault)
        .arg("fetch")
        .assert()
        .success()
        .stdout(predicate::str::contains("cdt: 3 new, 0 revised, 0 unchanged, 3 filtered -> "));
    let titles: Vec<String> = archive_files(&vault)
        .iter()
        .filter(|f| !f.ends_with("README.md"))
        .map(|f| fs::read_to_string(vault.join(f)).unwrap().lines().nth(1).unwrap().to_owned())
        .collect();
    let mut kept: Vec<&str> =
        ["一周言论", "图说", "立此存照"].into_iter().filter(|t| titles.iter().any(|l| l.contains(t))).collect();
    kept.sort();
    assert_eq!(titles.len(), 3, "{titles:?}");
    assert_eq!(kept.len(), 3, "{titles:?}");
    // Filtered items are never archived later either.
    feedvault(&vault)
        .args(["fetch", "--force"])
        .assert()
        .success()
        .stdout(predicate::str::contains("0 new, 0 revised, 3 unchanged, 3 filtered"));
    assert_eq!(archive_files(&vault).iter().filter(|f| !f.ends_with("README.md")).count(), 3);
}

#[test]
fn an_invalid_rule_is_a_configuration_error_naming_the_feed_and_rule() {
    let dir = new_vault();
    let vault = dir.path().join("v");
    support::subscribe(&vault, "cdt", "https://chinadigitaltimes.net/chinese/feed");
    feed_settings(&vault, "include = ['title:/(unclosed/']");
    feedvault(&vault)
        .arg("fetch")
        .assert()
        .failure()
        .stderr(predicate::str::contains("feed cdt: include rule \"title:/(unclosed/\": invalid regex"));
    feedvault(&vault)
        .args(["refetch-text", "cdt"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("invalid regex"));
}

#[test]
fn refetch_text_needs_a_full_text_setting() {
    let dir = new_vault();
    let vault = dir.path().join("v");
    support::subscribe(&vault, "cdt", "https://chinadigitaltimes.net/chinese/feed");
    feedvault(&vault)
        .args(["refetch-text", "cdt"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("no full_text setting"));
    feedvault(&vault)
        .args(["refetch-text", "nope"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("no feed named"));
}

#[test]
fn pages_in_legacy_encodings_are_decoded() {
    let server = Server::start();
    let gbk = |text: &str| encoding_rs::GBK.encode(text).0.into_owned();
    // Labelled only by <meta charset>; and not labelled at all (detected).
    let labelled = page("zh", "有标注页", &ZH_ARTICLE, true).replace("charset=\"utf-8\"", "charset=\"gbk\"");
    let unlabelled = page("zh", "检测编码页", &ZH_ARTICLE, true).replace("<meta charset=\"utf-8\">", "");
    server.route("/labelled.html", Response::ok("text/html", gbk(&labelled)));
    server.route("/unlabelled.html", Response::ok("text/html", gbk(&unlabelled)));
    let items = [
        ("1", "有标注页", server.url("/labelled.html"), &[][..], "<p>摘要</p>"),
        ("2", "检测编码页", server.url("/unlabelled.html"), &[][..], "<p>摘要</p>"),
    ];
    server.route("/feed.xml", Response::ok("application/rss+xml", feed(&items)));
    let dir = new_vault();
    let vault = dir.path().join("v");
    support::subscribe(&vault, "cdt", &server.url("/feed.xml"));
    feed_settings(&vault, "full_text = \"css:div.post-content\"");
    feedvault(&vault).arg("fetch").assert().success().stdout(predicate::str::contains("full text of 2 -> "));
    assert_article(&body_of(&vault, "有标注页"), &ZH_ARTICLE);
    assert_article(&body_of(&vault, "检测编码页"), &ZH_ARTICLE);
}
