//! One table test per class of difference from feedparser that issue 8 found: named
//! entities, Atom 0.3 modes, legacy charset labels, RSS fallbacks, base URLs, titles
//! that carry markup, and the RSS 0.9x format names.

use feedvault_core::text::plain_title;
use feedvault_feed::{ParseOptions, parse};
use url::Url;

fn options(url: &str) -> ParseOptions {
    ParseOptions { url: Some(Url::parse(url).unwrap()), ..ParseOptions::default() }
}

fn rss_item(inner: &str) -> String {
    format!(
        r#"<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:media="http://search.yahoo.com/mrss/" xmlns:atom="http://www.w3.org/2005/Atom"><channel><item>{inner}</item></channel></rss>"#
    )
}

fn first_item(doc: &str) -> feedvault_core::Item {
    parse(doc.as_bytes(), &ParseOptions::default()).unwrap().items.remove(0)
}

#[test]
fn named_entities_decode_to_their_code_points() {
    let cases = [
        ("&alpha;&beta;&gamma;&delta;", "αβγδ"),
        ("&chi;&psi;&omega;", "χψω"),
        ("&fnof;", "ƒ"),
        ("&hellip;&mdash;&lsquo;&rsquo;", "…—‘’"),
        ("&Uuml;ber &eacute;t&eacute;", "Über été"),
        ("&NotNestedGreaterGreater;", "\u{2AA2}\u{338}"),
        ("&#8217;&#x2019;&#146;", "’’’"),
        ("&amp;alpha;", "&alpha;"),
        ("&nosuchname;", "&nosuchname;"),
    ];
    for (raw, want) in cases {
        let item = first_item(&rss_item(&format!("<title>{raw}</title><description>x {raw} y</description>")));
        assert_eq!(item.title.as_deref(), Some(want), "title {raw}");
        assert_eq!(item.summary_html.as_deref(), Some(format!("x {want} y").as_str()), "description {raw}");
    }
    // Escaped once more, the reference reaches the title rule and decodes there.
    let item = first_item(&rss_item("<title>&amp;alpha; &amp;amp; &amp;chi;</title>"));
    assert_eq!(plain_title(item.title.as_deref().unwrap()), "α & χ");
}

#[test]
fn atom_0_3_modes() {
    let entry = |content: &str| {
        let doc = format!(r#"<feed version="0.3" xmlns="http://purl.org/atom/ns#"><entry>{content}</entry></feed>"#);
        first_item(&doc)
    };
    let cases = [
        (
            r#"<content type="text/html" mode="base64">PGI+Ym9sZDwvYj4gJmFtcDsgdGV4dA==</content>"#,
            "<b>bold</b> &amp; text",
        ),
        (
            r#"<content mode="base64">
            PGI+Ym9s
            ZDwvYj4=
        </content>"#,
            "<b>bold</b>",
        ),
        (r#"<content type="text/html" mode="escaped">&lt;b&gt;bold&lt;/b&gt;</content>"#, "<b>bold</b>"),
        (r#"<content mode="escaped">&lt;i&gt;x&lt;/i&gt;</content>"#, "<i>x</i>"),
        (
            r#"<content type="application/xhtml+xml" mode="xml"><div xmlns="http://www.w3.org/1999/xhtml"><p>x</p></div></content>"#,
            "<p>x</p>",
        ),
        (r#"<content type="text/plain">a &lt; b</content>"#, "a &lt; b"),
        // Not base64 after all: kept as written.
        (r#"<content mode="base64">not base64!</content>"#, "not base64!"),
    ];
    for (content, want) in cases {
        assert_eq!(entry(content).content_html.as_deref(), Some(want), "{content}");
    }
    let item = entry(
        r#"<title mode="base64">RXhhbXBsZSA8Yj5BdG9tPC9iPg==</title><summary type="text/html" mode="escaped">&lt;p&gt;s&lt;/p&gt;</summary>"#,
    );
    assert_eq!(item.title.as_deref(), Some("Example <b>Atom</b>"));
    assert_eq!(item.summary_html.as_deref(), Some("<p>s</p>"));
    // Atom 1.0: a media type that is neither text nor XML is base64 too.
    let doc = r#"<feed xmlns="http://www.w3.org/2005/Atom"><entry><content type="application/octet-stream">aGk=</content></entry></feed>"#;
    assert_eq!(first_item(doc).content_html.as_deref(), Some("hi"));
}

#[test]
fn legacy_labels_decode_as_windows_1252() {
    let body = b"<rss version=\"2.0\"><channel><item><description>don\x92t \x93quote\x94 caf\xe9</description></item></channel></rss>";
    let want = "don’t “quote” café";
    for label in ["iso-8859-1", "ISO-8859-1", "latin1", "us-ascii", "ascii", "windows-1252"] {
        let declared = [format!("<?xml version=\"1.0\" encoding=\"{label}\"?>").as_bytes(), &body[..]].concat();
        let feed = parse(&declared, &ParseOptions::default()).unwrap();
        assert_eq!(feed.items[0].summary_html.as_deref(), Some(want), "declared {label}");
        let http = ParseOptions { http_charset: Some(label.to_owned()), ..ParseOptions::default() };
        let feed = parse(body, &http).unwrap();
        assert_eq!(feed.items[0].summary_html.as_deref(), Some(want), "HTTP charset {label}");
    }
    // UTF-8 that carries windows-1252 bytes as C1 controls reads the same.
    let doc = rss_item("<description>don\u{92}t</description>");
    assert_eq!(first_item(&doc).summary_html.as_deref(), Some("don’t"));
}

#[test]
fn rss_fallbacks() {
    let doc = r#"<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><dc:title>DC title</dc:title></channel></rss>"#;
    assert_eq!(parse(doc.as_bytes(), &ParseOptions::default()).unwrap().title, "DC title");

    let authors = [
        ("<author>me@e.com (Me)</author>", "me@e.com (Me)"),
        ("<dc:creator>Creator</dc:creator>", "Creator"),
        ("<dc:author>DC author</dc:author>", "DC author"),
        ("<itunes:author>Host</itunes:author>", "Host"),
        ("<atom:author><atom:name>Ann</atom:name></atom:author>", "Ann"),
        ("<atom:author><atom:name>Ann</atom:name><atom:email>a@e.com</atom:email></atom:author>", "Ann (a@e.com)"),
    ];
    for (inner, want) in authors {
        assert_eq!(first_item(&rss_item(inner)).authors, [want], "{inner}");
    }
    let item = first_item(&rss_item("<dc:creator>A</dc:creator><itunes:author>A</itunes:author><author>B</author>"));
    assert_eq!(item.authors, ["A", "B"], "in document order, once each");

    let item = first_item(&rss_item(
        "<atom:published>2003-12-31T10:14:55Z</atom:published><atom:updated>2004-01-01T00:00:00Z</atom:updated>",
    ));
    assert_eq!(item.published.unwrap().to_rfc3339(), "2003-12-31T10:14:55+00:00");
    assert_eq!(item.updated.unwrap().to_rfc3339(), "2004-01-01T00:00:00+00:00");
    let item = first_item(&rss_item("<dc:date>2003-12-31T10:14:55Z</dc:date>"));
    assert_eq!((item.published, item.updated), (item.updated, item.published), "dc:date is both");
    assert!(item.published.is_some());

    assert_eq!(first_item(&rss_item("<itunes:summary>Sum</itunes:summary>")).summary_html.as_deref(), Some("Sum"));
    let item = first_item(&rss_item("<description>D</description><itunes:summary>S</itunes:summary>"));
    assert_eq!(item.summary_html.as_deref(), Some("D"), "the description comes first");
    assert_eq!(first_item(&rss_item("<media:title>M</media:title>")).title.as_deref(), Some("M"));
    assert_eq!(first_item(&rss_item("<title>T</title><media:title>M</media:title>")).title.as_deref(), Some("T"));
    assert_eq!(
        first_item(&rss_item("<fullitem>&lt;p&gt;F&lt;/p&gt;</fullitem>")).content_html.as_deref(),
        Some("<p>F</p>")
    );
    assert_eq!(first_item(&rss_item("<body><p>B</p></body>")).content_html.as_deref(), Some("<p>B</p>"));
    let item = first_item(&rss_item("<description>D</description><summary>S</summary>"));
    assert_eq!((item.summary_html.as_deref(), item.content_html.as_deref()), (Some("D"), Some("S")));

    // Atom: a repeated date (the last one counts, as in feedparser), and a link
    // without an href skipped for the next alternate.
    let doc = r#"<feed xmlns="http://www.w3.org/2005/Atom"><entry>
        <updated>2010-12-01T10:14:55Z</updated><updated>2003-12-31T10:14:55Z</updated>
        <link rel="alternate"/><link rel="alternate" href="https://e.com/next"/></entry></feed>"#;
    let item = first_item(doc);
    assert_eq!(item.updated.unwrap().to_rfc3339(), "2003-12-31T10:14:55+00:00");
    assert_eq!(item.link.as_deref(), Some("https://e.com/next"));
    let doc = r#"<feed xmlns="http://www.w3.org/2005/Atom"><entry><link rel="alternate">https://e.com/text</link></entry></feed>"#;
    assert_eq!(first_item(doc).link.as_deref(), Some("https://e.com/text"));
}

#[test]
fn base_urls_for_links_and_ids() {
    let doc = r#"<feed xmlns="http://www.w3.org/2005/Atom" xml:base="http://base.example.com/root/">
        <link href="feed-link"/>
        <entry><id>/relative/id</id><link href="entry"/></entry>
        <entry xml:base="/other/"><id>tag:example.com,2004:1</id><link href="two"/></entry>
        <entry><id>urn:uuid:1225c695</id><link href="../up"/></entry>
    </feed>"#;
    let feed = parse(doc.as_bytes(), &options("http://doc.example.com/feed.xml")).unwrap();
    assert_eq!(feed.link.as_deref(), Some("http://base.example.com/root/feed-link"));
    let got: Vec<_> = feed.items.iter().map(|i| (i.id.as_deref().unwrap(), i.link.as_deref().unwrap())).collect();
    assert_eq!(
        got,
        [
            ("http://base.example.com/relative/id", "http://base.example.com/root/entry"),
            ("tag:example.com,2004:1", "http://base.example.com/other/two"),
            ("urn:uuid:1225c695", "http://base.example.com/up"),
        ]
    );

    // Without xml:base: the Content-Location, else the document's URL. A
    // Content-Location that is not http(s) is ignored.
    let doc = r#"<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>/id</id><link href="/a"/></entry></feed>"#;
    let url = "http://doc.example.com/feeds/feed.xml";
    let cases = [
        (None, "http://doc.example.com/a"),
        (Some("http://cl.example.com/x/feed"), "http://cl.example.com/a"),
        (Some("javascript:alert(1)"), "http://doc.example.com/a"),
    ];
    for (location, want) in cases {
        let options = ParseOptions { content_location: location.map(|l| Url::parse(l).unwrap()), ..options(url) };
        let item = parse(doc.as_bytes(), &options).unwrap().items.remove(0);
        assert_eq!(item.link.as_deref(), Some(want), "{location:?}");
        assert_eq!(item.id.as_deref(), Some(want.replace("/a", "/id").as_str()), "{location:?}");
    }
    // An RSS guid is an opaque string: never resolved.
    let feed = parse(rss_item("<guid isPermaLink=\"false\">/g/1</guid>").as_bytes(), &options(url)).unwrap();
    assert_eq!(feed.items[0].id.as_deref(), Some("/g/1"));
}

#[test]
fn titles_made_plain_are_never_markup() {
    let cases = [
        ("safe<script>alert('x')</script> title", "safe title"),
        ("<style>b { color: red }</style>styled", "styled"),
        ("a<!-- comment -->b", "ab"),
        ("sa<!-- -- nonwhitespace >fe", "safe"),
        ("safe<!--", "safe"),
        ("<b>bold</b> &amp; <i>it</i>", "bold & it"),
        ("x <img src=y onerror=alert(1)> y", "x y"),
        ("&lt;script&gt;", "<script>"),
    ];
    for (html, want) in cases {
        let escaped = html.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
        let doc = format!(
            r#"<feed xmlns="http://www.w3.org/2005/Atom"><title type="html">{escaped}</title><entry><title type="html">{escaped}</title></entry></feed>"#
        );
        let feed = parse(doc.as_bytes(), &ParseOptions::default()).unwrap();
        assert_eq!(plain_title(&feed.title), want, "feed title {html:?}");
        assert_eq!(plain_title(feed.items[0].title.as_deref().unwrap()), want, "entry title {html:?}");
    }
}

#[test]
fn rss_0_9x_formats() {
    let format =
        |doc: &str| serde_json::to_value(parse(doc.as_bytes(), &ParseOptions::default()).unwrap().format).unwrap();
    for version in ["0.91", "0.92", "0.90"] {
        assert_eq!(format(&format!(r#"<rss version="{version}"><channel/></rss>"#)), "rss09", "{version}");
    }
    for version in ["2.0", "0.93", "0.94"] {
        assert_eq!(format(&format!(r#"<rss version="{version}"><channel/></rss>"#)), "rss2", "{version}");
    }
    let rss090 = r#"<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://my.netscape.com/rdf/simple/0.9/"></rdf:RDF>"#;
    assert_eq!(format(rss090), "rss09");
    let rss10 = r#"<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"></rdf:RDF>"#;
    assert_eq!(format(rss10), "rss1");
    let cdf = r#"<CHANNEL HREF="http://e.com/"><TITLE>C</TITLE><ITEM HREF="http://e.com/1" LASTMOD="2004-04-06T23:05:43-05:00"><TITLE>I</TITLE><ABSTRACT>A</ABSTRACT></ITEM></CHANNEL>"#;
    let feed = parse(cdf.as_bytes(), &ParseOptions::default()).unwrap();
    assert_eq!(serde_json::to_value(feed.format).unwrap(), "cdf");
    assert_eq!((feed.title.as_str(), feed.link.as_deref()), ("C", Some("http://e.com/")));
    let item = &feed.items[0];
    assert_eq!(
        (item.title.as_deref(), item.link.as_deref(), item.summary_html.as_deref()),
        (Some("I"), Some("http://e.com/1"), Some("A"))
    );
    assert_eq!(item.updated.unwrap().to_rfc3339(), "2004-04-07T04:05:43+00:00");
}
