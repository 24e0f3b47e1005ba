//! An archived article whose title and body carry script, event handlers,
//! `javascript:` and `data:` links, `<svg onload>`, broken markup and CSS
//! expressions: no page and no feed out may contain anything executable.

use feedvault_feed::{ParseOptions, parse};

use crate::support::{Fixture, Item, article_paths, get, href};

const TITLE: &str =
    "&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt; &amp;lt;img src=x onerror=alert(2)&amp;gt; \"q\" 's' 中国";
const BODY: &str = concat!(
    "<p>中国 hostile</p><script>alert(1)</script><SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<p onclick=\"alert(2)\" onmouseover=alert(3)>click</p>",
    "<a href=\"javascript:alert(4)\">js</a><a href=\" JaVaScRiPt:alert(5)\">js2</a>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCg2KTwvc2NyaXB0Pg==\">data</a>",
    "<img src=\"data:image/svg+xml,<svg onload=alert(7)>\"><img src=x onerror=alert(8)>",
    "<svg onload=alert(9)><script>alert(10)</script></svg><math><mtext><script>alert(11)</script></mtext></math>",
    "<iframe src=\"https://evil.example/\"></iframe><object data=x></object><embed src=x>",
    "<form action=\"https://evil.example/\"><input name=q><button formaction=javascript:alert(12)>b</button></form>",
    "<div style=\"width: expression(alert(13)); background: url(javascript:alert(14))\">css</div>",
    "<style>body{background:url(javascript:alert(15))}</style><link rel=stylesheet href=//evil.example/s.css>",
    "<base href=\"https://evil.example/\"><meta http-equiv=refresh content=\"0;url=javascript:alert(16)\">",
    "<p><b>broken <i>markup</p></b><a href=\"https://ok.example/\" onfocus=alert(17) autofocus>ok</a>",
    "<!-- <script>alert(18)</script> --><![CDATA[<script>alert(19)</script>]]><noscript><p title=\"</noscript><img src=x onerror=alert(20)>\"></noscript>",
    "<a href=\"&#106;avascript:alert(21)\">entity</a><table background=\"javascript:alert(22)\"><tr><td>t</td></tr></table>",
    "<details open ontoggle=alert(23)><summary>s</summary></details><video poster=javascript:alert(24)><source src=x></video>"
);

/// Tags that can run or load something.
const DANGEROUS_TAGS: &[&str] = &[
    "script", "iframe", "object", "embed", "svg", "math", "form", "base", "meta", "style", "frame", "video", "audio",
    "source", "img",
];

/// What in `html` could execute or load: dangerous tags, event handlers, style
/// attributes, script or data URLs. Only real markup counts (escaped text is text).
pub fn executable(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    let lower = html.to_ascii_lowercase();
    let mut rest = lower.as_str();
    while let Some(lt) = rest.find('<') {
        rest = &rest[lt + 1..];
        let end = rest.find('>').unwrap_or(rest.len());
        let tag = &rest[..end];
        let name: String = tag.chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
        // The page's own chrome: its meta tags and its forms, which post here.
        let allowed_meta = name == "meta" && (tag.starts_with("meta charset") || tag.starts_with("meta name="));
        let own_form = name == "form" && tag.contains(" action=\"/");
        if DANGEROUS_TAGS.contains(&name.as_str()) && !allowed_meta && !own_form {
            found.push(format!("<{tag}>"));
        }
        let own_link = [
            "rel=\"stylesheet\" href=\"/static/",
            "rel=\"icon\" type=\"image/svg+xml\" href=\"/static/",
            "rel=\"alternate\"",
        ];
        if name == "link" && !own_link.iter().any(|l| tag.contains(l)) {
            found.push(format!("<{tag}>"));
        }
        for attribute in attributes(tag) {
            let (key, value) = attribute;
            let value = value.trim();
            if key.starts_with("on") || key == "style" || key == "formaction" || key == "srcdoc" {
                found.push(format!("{key}= in <{tag}>"));
            }
            if value.starts_with("javascript:")
                || value.starts_with("data:")
                || value.starts_with("vbscript:")
                || value.starts_with("&#")
            {
                found.push(format!("{key}={value} in <{tag}>"));
            }
        }
        rest = &rest[end..];
    }
    found
}

/// (name, value) of a tag's attributes, quotes respected.
fn attributes(tag: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let chars: Vec<char> = tag.chars().collect();
    let mut i = chars.iter().take_while(|c| c.is_ascii_alphanumeric()).count();
    while i < chars.len() {
        while i < chars.len() && (chars[i].is_whitespace() || chars[i] == '/') {
            i += 1;
        }
        let start = i;
        while i < chars.len() && !chars[i].is_whitespace() && chars[i] != '=' {
            i += 1;
        }
        let name: String = chars[start..i].iter().collect();
        let mut value = String::new();
        if i < chars.len() && chars[i] == '=' {
            i += 1;
            if i < chars.len() && (chars[i] == '"' || chars[i] == '\'') {
                let quote = chars[i];
                i += 1;
                while i < chars.len() && chars[i] != quote {
                    value.push(chars[i]);
                    i += 1;
                }
                i += 1;
            } else {
                while i < chars.len() && !chars[i].is_whitespace() {
                    value.push(chars[i]);
                    i += 1;
                }
            }
        }
        if !name.is_empty() {
            out.push((name, value));
        }
    }
    out
}

fn hostile() -> Fixture {
    let item = Item { link: "javascript:alert(0)", ..Item::new("evil-1", TITLE, BODY) };
    let fixture = Fixture::new("evil", &[item]);
    let v2 = format!("{BODY}<p>edited <svg/onload=alert(30)></p>");
    let item = Item { link: "javascript:alert(0)", ..Item::new("evil-1", TITLE, &v2) };
    fixture.update_feed("evil", &[item]);
    fixture
}

#[test]
fn the_detector_finds_what_it_must() {
    assert!(!executable("<p onclick=\"x\">").is_empty());
    assert!(!executable("<a href=' javascript:x'>").is_empty());
    assert!(!executable("<SCRIPT>").is_empty());
    assert!(!executable("<div style=\"x\">").is_empty());
    assert!(executable("<p>&lt;script&gt; onclick=x</p><a href=\"https://x\" rel=\"noopener noreferrer\">").is_empty());
}

#[tokio::test]
async fn no_page_contains_anything_executable() {
    let fixture = hostile();
    let app = fixture.app();
    let path = article_paths(&fixture.vault).pop().unwrap();
    let article = href(&path);
    let detail = feedvault_engine::Vault::open(&fixture.root()).unwrap().article(&path).unwrap().unwrap();
    assert!(
        detail.article.title.contains("<script>"),
        "the vault really holds the hostile title: {}",
        detail.article.title
    );
    assert!(detail.article.body.contains("<script>"), "and the hostile body");
    let seen = detail.revisions[0].seen_at;
    let pages = [
        "/".to_owned(),
        "/feeds".into(),
        "/feeds/evil".into(),
        "/days/2022-09-20".into(),
        "/feeds/evil/days/2022-09-20".into(),
        article.clone(),
        format!("{article}/revisions/{seen}"),
        format!("{article}/diff?from={seen}&to=current"),
        "/search?q=%E4%B8%AD%E5%9B%BD".into(),
        "/search?q=hostile".into(),
        "/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E".into(),
        "/changes".into(),
        "/removed".into(),
        "/nope?q=<script>alert(1)</script>".into(),
        "/?lang=\"><script>alert(1)</script>".into(),
    ];
    for uri in &pages {
        let answer = get(&app, &uri.replace('<', "%3C").replace('>', "%3E").replace('"', "%22")).await;
        assert!(answer.status == 200 || answer.status == 404, "{uri}: {}", answer.status);
        let found = executable(&answer.body);
        assert!(found.is_empty(), "{uri}: {found:?}");
    }
    let page = get(&app, &article).await;
    assert!(page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "the title is shown as text");
    assert!(page.body.contains("href=\"https://ok.example/\""), "harmless links stay");
    assert!(!page.body.contains("javascript:alert(0)\""), "the source link is not a javascript: link");
}

#[tokio::test]
async fn no_feed_out_contains_anything_executable() {
    let fixture = hostile();
    let app = fixture.app();
    for uri in [
        "/feed.atom",
        "/feed.rss",
        "/feed.json",
        "/feeds/evil.atom",
        "/feeds/evil.rss",
        "/feeds/evil.json",
        "/search.atom?q=hostile",
        "/search.rss?q=hostile",
        "/search.json?q=hostile",
        "/changes.atom",
        "/changes.rss",
        "/changes.json",
    ] {
        let answer = get(&app, uri).await;
        assert_eq!(answer.status, 200, "{uri}: {}", answer.body);
        let feed = parse(answer.body.as_bytes(), &ParseOptions::default()).unwrap_or_else(|e| panic!("{uri}: {e}"));
        assert_eq!(feed.items.len(), 1, "{uri}");
        for item in &feed.items {
            for html in [&item.content_html, &item.summary_html].into_iter().flatten() {
                let found = executable(html);
                assert!(found.is_empty(), "{uri}: {found:?}");
            }
            assert!(!item.link.as_deref().unwrap_or("").starts_with("javascript:"), "{uri}: {:?}", item.link);
        }
    }
}
