//! The parser against hostile and broken documents, one class of bad input per test,
//! each asserting what is recovered or how it fails.

use feedvault_feed::{FeedError, ParseOptions, parse};
use url::Url;

fn options(url: &str) -> ParseOptions {
    ParseOptions { url: Some(Url::parse(url).unwrap()), ..ParseOptions::default() }
}

fn rss(items: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>T</title><link>https://e.com/</link>{items}</channel></rss>"
    )
}

#[test]
fn bare_ampersands_and_undeclared_html_entities() {
    let doc =
        rss("<item><title>Q&A: AT&T &mdash; caf&eacute; &nbsp;x</title><link>https://e.com/a?x=1&y=2</link></item>");
    let feed = parse(doc.as_bytes(), &ParseOptions::default()).unwrap();
    assert_eq!(feed.items[0].title.as_deref(), Some("Q&A: AT&T \u{2014} café \u{a0}x"));
    assert_eq!(feed.items[0].link.as_deref(), Some("https://e.com/a?x=1&y=2"));
}

#[test]
fn control_characters_and_junk_before_the_declaration() {
    let doc = format!("\u{FEFF}\n\n  garbage {}", rss("<item><title>a\u{0}b\u{1b}c</title></item>"));
    let feed = parse(doc.as_bytes(), &ParseOptions::default()).unwrap();
    assert_eq!(feed.items[0].title.as_deref(), Some("abc"));
}

#[test]
fn a_truncated_document_keeps_its_complete_items() {
    let full = rss("<item><guid>1</guid></item><item><guid>2</guid></item><item><guid>3</guid><title>cut");
    let truncated = &full[..full.find("cut").unwrap() + 3];
    let feed = parse(truncated.as_bytes(), &ParseOptions::default()).unwrap();
    let ids: Vec<_> = feed.items.iter().map(|i| i.id.as_deref().unwrap()).collect();
    assert_eq!(ids, ["1", "2"]);
    assert!(feed.warnings.iter().any(|w| w.contains("truncated") || w.contains("cut off")), "{:?}", feed.warnings);
}

#[test]
fn an_html_page_is_not_a_feed_and_names_the_feeds_it_advertises() {
    let page = r#"<!DOCTYPE html><html><head><title>Blog</title>
        <link rel="alternate" type="application/rss+xml" href="/rss.xml">
        <link rel="alternate" type="application/atom+xml" href="https://e.com/atom.xml">
        </head><body><p>Hello & welcome<br></body></html>"#;
    let err = parse(page.as_bytes(), &options("https://e.com/blog/")).unwrap_err();
    match &err {
        FeedError::NotAFeed { advertised, .. } => {
            assert_eq!(advertised, &["https://e.com/rss.xml", "https://e.com/atom.xml"]);
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("https://e.com/rss.xml"));
}

#[test]
fn other_documents_are_not_feeds() {
    for doc in ["", "plain text", "<opml version=\"2.0\"><body/></opml>", "[1, 2]", "{\"name\": \"x\"}"] {
        match parse(doc.as_bytes(), &ParseOptions::default()) {
            Err(FeedError::NotAFeed { .. }) => {}
            other => panic!("{doc:?}: {other:?}"),
        }
    }
    assert!(matches!(parse(b"{not json", &ParseOptions::default()), Err(FeedError::Json(_))));
}

#[test]
fn entity_bombs_fail_in_bounded_time_and_memory() {
    let mut doc = String::from("<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY a \"aaaaaaaaaa\">");
    let names: Vec<String> = (0..12).map(|i| format!("e{i}")).collect();
    doc.push_str(&format!("<!ENTITY {} \"{}\">", names[0], "&a;".repeat(10)));
    for pair in names.windows(2) {
        doc.push_str(&format!("<!ENTITY {} \"{}\">", pair[1], format!("&{};", pair[0]).repeat(10)));
    }
    doc.push_str("]>");
    doc.push_str(&rss(&format!("<item><title>&{};</title></item>", names[11]))[21..]);
    // Unbounded, this would expand to 10^13 characters; it must stop with an error.
    assert_eq!(parse(doc.as_bytes(), &ParseOptions::default()), Err(FeedError::EntityExpansion));
}

#[test]
fn external_entities_are_never_resolved() {
    let doc = r#"<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd"><!ENTITY % p SYSTEM "http://127.0.0.1:1/x.dtd">%p;]><rss><channel><item><title>x&xxe;y</title></item></channel></rss>"#;
    let feed = parse(doc.as_bytes(), &ParseOptions::default()).unwrap();
    assert_eq!(feed.items[0].title.as_deref(), Some("x&xxe;y"));
}

#[test]
fn the_size_limit_is_enforced_before_parsing() {
    let doc = rss(&"<item><title>x</title></item>".repeat(100));
    let small = ParseOptions { max_bytes: 1000, ..ParseOptions::default() };
    assert_eq!(parse(doc.as_bytes(), &small), Err(FeedError::TooLarge { size: doc.len(), limit: 1000 }));
    assert_eq!(parse(doc.as_bytes(), &ParseOptions::default()).unwrap().items.len(), 100);
}

#[test]
fn links_resolve_against_xml_base_and_the_feed_url() {
    let doc = r#"<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://blog.e.com/root/">
        <entry><id>1</id><link rel="related" href="/related"/><link rel="alternate" type="application/pdf" href="a.pdf"/><link rel="alternate" type="text/html" href="posts/1"/></entry>
        <entry xml:base="/other/"><id>2</id><link href="two"/></entry>
        <entry><id>3</id><link href="javascript:alert(1)"/></entry>
    </feed>"#;
    let feed = parse(doc.as_bytes(), &options("https://feeds.e.com/atom.xml")).unwrap();
    let links: Vec<_> = feed.items.iter().map(|i| i.link.as_deref()).collect();
    assert_eq!(links, [Some("https://blog.e.com/root/posts/1"), Some("https://blog.e.com/other/two"), None]);

    let doc = rss(
        "<item><link>/a</link></item><item><guid>https://e.com/g</guid></item><item><guid isPermaLink=\"false\">https://e.com/h</guid></item><item><link> JaVa\tScRiPt:alert(1)</link></item>",
    );
    let feed = parse(doc.as_bytes(), &options("https://e.com/feed/")).unwrap();
    let links: Vec<_> = feed.items.iter().map(|i| i.link.as_deref()).collect();
    assert_eq!(links, [Some("https://e.com/a"), Some("https://e.com/g"), None, None]);
}

#[test]
fn cst_means_china_time_in_chinese_feeds_only() {
    let item = "<item><pubDate>Tue, 20 Sep 2022 10:16:32 CST</pubDate></item>";
    let zh = format!("<rss><channel><language>zh-CN</language>{item}</channel></rss>");
    let en = format!("<rss><channel><language>en-US</language>{item}</channel></rss>");
    let time =
        |doc: &str, url: &str| parse(doc.as_bytes(), &options(url)).unwrap().items[0].published.unwrap().to_rfc3339();
    assert_eq!(time(&zh, "https://e.com/"), "2022-09-20T02:16:32+00:00");
    assert_eq!(time(&en, "https://e.com/"), "2022-09-20T16:16:32+00:00");
    assert_eq!(time(&en.replace("en-US", ""), "https://news.e.com.cn/rss"), "2022-09-20T02:16:32+00:00");
    let bad = "<rss><channel><item><pubDate>someday</pubDate><title>kept</title></item></channel></rss>";
    let feed = parse(bad.as_bytes(), &ParseOptions::default()).unwrap();
    assert_eq!((feed.items[0].published, feed.items[0].title.as_deref()), (None, Some("kept")));
}

#[test]
fn every_format_and_namespace() {
    let rss1 = r#"<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
        <channel rdf:about="https://e.com/"><title>R1</title><link>https://e.com/</link></channel>
        <item rdf:about="https://e.com/1"><title>One</title><link>https://e.com/1</link><dc:date>2022-09-20T10:16:32+08:00</dc:date><dc:creator>Ann</dc:creator></item>
    </rdf:RDF>"#;
    let feed = parse(rss1.as_bytes(), &ParseOptions::default()).unwrap();
    assert_eq!(serde_json::to_value(feed.format).unwrap(), "rss1");
    assert_eq!(feed.items[0].id.as_deref(), Some("https://e.com/1"));
    assert_eq!(feed.items[0].authors, ["Ann"]);
    assert!(feed.items[0].published.is_some());

    let rss091 = r#"<rss version="0.91"><channel><title>Old</title><item><title>a</title><link>https://e.com/a</link><description>&lt;b&gt;hi&lt;/b&gt;</description></item></channel></rss>"#;
    let feed = parse(rss091.as_bytes(), &ParseOptions::default()).unwrap();
    assert_eq!(serde_json::to_value(feed.format).unwrap(), "rss09");
    assert_eq!(feed.items[0].summary_html.as_deref(), Some("<b>hi</b>"));

    let atom03 = r#"<feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>A03</title>
        <entry><title>e</title><id>tag:x</id><link rel="alternate" type="text/html" href="https://e.com/e"/><issued>2004-01-01T00:00:00Z</issued><modified>2004-01-02T00:00:00Z</modified>
        <content type="application/xhtml+xml" mode="xml"><div xmlns="http://www.w3.org/1999/xhtml"><p>body</p></div></content></entry></feed>"#;
    let feed = parse(atom03.as_bytes(), &ParseOptions::default()).unwrap();
    let entry = &feed.items[0];
    assert_eq!(serde_json::to_value(feed.format).unwrap(), "atom");
    assert_eq!(entry.content_html.as_deref(), Some("<p>body</p>"));
    assert_eq!(entry.published.unwrap().to_rfc3339(), "2004-01-01T00:00:00+00:00");
    assert_eq!(entry.updated.unwrap().to_rfc3339(), "2004-01-02T00:00:00+00:00");

    let podcast = r#"<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:media="http://search.yahoo.com/mrss/" xmlns:content="http://purl.org/rss/1.0/modules/content/">
        <channel><item><title>Ep</title><itunes:author>Host</itunes:author><itunes:summary>Sum</itunes:summary>
        <enclosure url="/ep.mp3" type="audio/mpeg" length="123"/><media:content url="https://cdn.e.com/ep.mp4" type="video/mp4" fileSize="9"/>
        <content:encoded><![CDATA[<p>Full</p>]]></content:encoded></item></channel></rss>"#;
    let feed = parse(podcast.as_bytes(), &options("https://e.com/pod.xml")).unwrap();
    let item = &feed.items[0];
    assert_eq!(item.authors, ["Host"]);
    assert_eq!(item.content_html.as_deref(), Some("<p>Full</p>"));
    assert_eq!(item.summary_html.as_deref(), Some("Sum"));
    let enclosures: Vec<_> = item.enclosures.iter().map(|e| (e.url.as_str(), e.length)).collect();
    assert_eq!(enclosures, [("https://e.com/ep.mp3", Some(123)), ("https://cdn.e.com/ep.mp4", Some(9))]);
}

#[test]
fn unescaped_html_in_a_description_is_kept_as_markup() {
    let doc = rss("<item><description><p>Hello <b>there</b></p></description></item>");
    let feed = parse(doc.as_bytes(), &ParseOptions::default()).unwrap();
    assert_eq!(feed.items[0].summary_html.as_deref(), Some("<p>Hello <b>there</b></p>"));
}

#[test]
fn json_feed_tolerates_loose_types() {
    let doc = r#"{"version":"https://jsonfeed.org/version/1","title":"J","author":{"name":"Ann"},
        "items":[{"id":42,"url":"/a","content_text":"a < b\nc","date_published":"2022-09-20T10:16:32+08:00"}, "junk"]}"#;
    let feed = parse(doc.as_bytes(), &options("https://e.com/feed.json")).unwrap();
    let item = &feed.items[0];
    assert_eq!((item.id.as_deref(), item.link.as_deref()), (Some("42"), Some("https://e.com/a")));
    assert_eq!(item.content_html.as_deref(), Some("a &lt; b\nc"));
    assert_eq!(item.authors, ["Ann"]);
    assert_eq!(feed.items.len(), 1);
    assert!(!feed.warnings.is_empty());
}

/// Runs of the characters that made text passes quadratic, at 200 KB: the parse must
/// give the right text (timing belongs to `feedvault-bench adversarial`).
#[test]
fn runs_of_markup_characters_are_read_once() {
    const N: usize = 200 * 1024;
    let amps = "&".repeat(N);
    let doc = rss(&format!(
        "<item><title>{amps}</title><description><![CDATA[{}{}]]></description><link>https://e.com/?{}</link><category domain=\"{amps}\">c</category></item>",
        "<".repeat(N),
        "<script>".repeat(N / 8),
        "a=1&amp;".repeat(N / 8),
    ));
    let feed = parse(doc.as_bytes(), &ParseOptions::default()).unwrap();
    let item = &feed.items[0];
    assert_eq!(item.title.as_deref(), Some(amps.as_str()), "bare ampersands are text");
    let body = item.summary_html.as_deref().unwrap();
    assert_eq!(body.len(), N + N, "CDATA kept as written");
    assert!(item.link.as_deref().unwrap().ends_with("a=1&a=1&"));

    // Escaped runs reach the title rule intact, and come out as text.
    for run in ["&amp;", "&lt;", "&lt;script&gt;", "&lt;!--", "&lt;a ", "&amp;alpha;", "&amp;alpha"] {
        let doc = rss(&format!("<item><title>x{}</title></item>", run.repeat(N / run.len())));
        let feed = parse(doc.as_bytes(), &ParseOptions::default()).unwrap();
        let title = feedvault_core::text::plain_title(feed.items[0].title.as_deref().unwrap());
        let expected = match run {
            "&amp;" => format!("x{}", "&".repeat(N / 5)),
            "&lt;" => format!("x{}", "<".repeat(N / 4)),
            "&amp;alpha;" => format!("x{}", "α".repeat(N / 11)),
            // Not a legacy reference: without its `;` it stays text.
            "&amp;alpha" => format!("x{}", "&alpha".repeat(N / 10)),
            // A tag the title ends in is text.
            "&lt;a " => feedvault_core::text::collapse_whitespace(&format!("x{}", "<a ".repeat(N / 6))),
            // A script or a comment runs to the end of the title.
            _ => "x".to_owned(),
        };
        assert_eq!(title.len(), expected.len(), "{run}");
        assert_eq!(title, expected, "{run}");
    }
}

#[test]
fn discovery_reads_each_link_tag_once() {
    let page = format!(
        "<html><head>{}<link rel=alternate type=application/rss+xml href=/f.xml></head></html>",
        "<link ".repeat(40_000)
    );
    let err = parse(page.as_bytes(), &options("https://e.com/")).unwrap_err();
    assert!(matches!(err, FeedError::NotAFeed { .. }), "{err}");
    let unclosed = format!("<html><head>{}", "<link rel=alternate ".repeat(40_000));
    assert!(matches!(parse(unclosed.as_bytes(), &options("https://e.com/")), Err(FeedError::NotAFeed { .. })));
}
