//! The mirror of a real vault, read back file by file.

use std::collections::BTreeMap;

use feedvault_feed::{ParseOptions, parse};
use feedvault_web::i18n::Lang;
use feedvault_web::site::{CSP, MARKER, SiteOptions, export_site};

use crate::{all_articles, article_file, fixture, links, read_tree, resolve, vault};

/// Checks every link of every page of `tree`; returns the external links counted.
fn check_links(tree: &BTreeMap<String, Vec<u8>>) -> usize {
    let mut external = 0;
    for (file, bytes) in tree.iter().filter(|(f, _)| f.ends_with(".html")) {
        let html = std::str::from_utf8(bytes).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(html.contains(&format!("<meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">")), "{file}");
        for forbidden in ["<form", "<input", "<button", "<script", " style=", "feedvault.invalid", "127.0.0.1"] {
            assert!(!html.contains(forbidden), "{file} holds {forbidden}");
        }
        for link in links(html) {
            assert!(!link.starts_with('/'), "{file}: root-absolute or scheme-relative link {link:?}");
            if link.starts_with("https://") || link.starts_with("http://") || link.starts_with("mailto:") {
                external += 1;
                continue;
            }
            assert!(!link.contains(':') && !link.contains('?'), "{file}: {link:?} is not a plain relative link");
            let target = resolve(file, &link).unwrap_or_else(|| panic!("{file}: {link:?} leaves the mirror"));
            assert!(tree.contains_key(&target), "{file}: {link:?} → {target}, which the mirror does not hold");
        }
    }
    external
}

#[test]
fn every_page_links_only_to_files_of_the_mirror() {
    let fixture = fixture();
    let vault = vault(&fixture);
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("site");
    let report = export_site(vault.clone(), &dir, &SiteOptions::default()).unwrap();
    let tree = read_tree(&dir);
    assert_eq!(report.missing, Vec::<String>::new(), "every followed link is a page");
    assert_eq!(report.assets, 2, "the stylesheet and the icon");
    assert_eq!(report.feeds, 0, "no feeds out without a base address");
    let html_files = tree.keys().filter(|f| f.ends_with(".html")).count();
    assert_eq!(report.pages, html_files, "{:?}", tree.keys().collect::<Vec<_>>());
    assert_eq!(
        report.bytes,
        tree.iter().filter(|(f, _)| !f.starts_with('.')).map(|(_, b)| b.len() as u64).sum::<u64>()
    );
    assert!(tree.contains_key(MARKER) && tree.contains_key(".nojekyll"));
    assert!(!tree.keys().any(|f| f.contains("search") || f.ends_with(".atom") || f.ends_with(".json")));
    assert!(!std::fs::read_dir(out.path()).unwrap().any(|e| e.unwrap().file_name() != "site"), "no temporary folder");

    let external = check_links(&tree);
    assert!(external >= 58 + 3 * 2, "every article's source, the bodies' links and images: {external}");
    assert_eq!(report.external_links, external);

    // Every article has its page, with its content; pages paginate.
    let articles = all_articles(&vault);
    assert_eq!(articles.len(), 58);
    for path in &articles {
        let file = article_file(path);
        let page = String::from_utf8(tree.get(&file).unwrap_or_else(|| panic!("no page for {path}")).clone()).unwrap();
        assert!(page.contains("<article lang="), "{file}");
    }
    let page = |f: &str| String::from_utf8(tree[f].clone()).unwrap();
    let home = page("index.html");
    assert!(home.contains("<a rel=\"next\" href=\"page-2.html\">"), "{home}");
    assert!(page("page-2.html").contains("rel=\"prev\" href=\"index.html\""));
    assert!(page("feeds/nyt/index.html").contains("href=\"page-2.html\""), "a feed's pages too");
    assert!(tree.contains_key("feeds/nyt/page-2.html") && tree.contains_key("feeds/bbc/index.html"));
    assert!(home.contains("href=\"static/style.css\"") && home.contains("href=\"feeds/index.html\""));
    assert!(!home.contains("type=\"search\""), "no search box");
    assert!(!home.contains("hreflang"), "no language switch: the mirror has one language");
    assert!(!page("feeds/index.html").contains("Add a feed"), "no forms for changes");

    // The revision: listed on the article page, its own page, the diff between.
    let revised = articles.iter().find(|p| vault.article(p).unwrap().unwrap().revisions.len() == 1).unwrap();
    let detail = vault.article(revised).unwrap().unwrap();
    let seen = detail.revisions[0].seen_at;
    let article = article_file(revised);
    let base = article.trim_end_matches("index.html");
    let body = page(&article);
    assert!(body.contains("进一步加强合作"), "the current version: {body}");
    assert!(body.contains(&format!("href=\"revisions/{seen}/index.html\"")), "{body}");
    assert!(body.contains(&format!("href=\"diff/from-{seen}_to-current.html\"")), "{body}");
    assert!(!body.contains("<select"), "no compare form");
    assert!(page(&format!("{base}revisions/{seen}/index.html")).contains("第1篇报道：俄罗斯与中国承诺加强合作。"));
    assert!(page(&format!("{base}diff/from-{seen}_to-current.html")).contains("<ins>进一步</ins>"));
    let changes = page("changes/index.html");
    assert!(changes.contains(&format!("revisions/{seen}/index.html")), "{changes}");

    // English bodies keep their sanitized links out; a body's link "home" is not the server.
    let english = articles.iter().find(|p| p.contains("/bbc/")).unwrap();
    let english = page(&article_file(english));
    assert!(english.contains("<article lang=\"en\">"));
    assert!(english.contains("href=\"https://www.bbc.co.uk/news/"), "{english}");
    assert!(english.contains("<a class=\"image\" href=\"https://img.example.org/"), "{english}");
    assert!(english.contains("href=\"https://news.example.org/search?q=x\""), "resolved against the source: {english}");

    // Day pages are linked and chained.
    assert!(tree.keys().any(|f| f.starts_with("days/2022-09-2") && f.ends_with("/index.html")));
    assert!(tree.keys().any(|f| f.starts_with("feeds/nyt/days/")));
}

#[test]
fn two_exports_are_identical_and_an_earlier_export_is_replaced() {
    let fixture = fixture();
    let out = tempfile::tempdir().unwrap();
    let (one, two) = (out.path().join("one"), out.path().join("two"));
    let options = SiteOptions::default();
    let first = export_site(vault(&fixture), &one, &options).unwrap();
    let second = export_site(vault(&fixture), &two, &options).unwrap();
    assert_eq!(first, second);
    let tree = read_tree(&one);
    assert!(tree == read_tree(&two), "byte for byte");

    // Into the earlier export: replaced whole (a stray file goes with it).
    std::fs::write(one.join("stray.txt"), "x").unwrap();
    let again = export_site(vault(&fixture), &one, &options).unwrap();
    assert_eq!(again, first);
    assert!(read_tree(&one) == tree, "the same tree, without the stray file");
    let names: Vec<String> =
        std::fs::read_dir(out.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(names.len(), 2, "nothing left beside: {names:?}");
}

#[test]
fn with_a_base_address_feeds_out_are_mirrored() {
    let fixture = fixture();
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("site");
    let options = SiteOptions { lang: Lang::Zh, base_url: Some("https://example.org/news/".into()) };
    let report = export_site(vault(&fixture), &dir, &options).unwrap();
    let tree = read_tree(&dir);
    check_links(&tree);
    for file in ["feed.atom", "feed.rss", "feed.json", "feeds/nyt.atom", "feeds/nyt.json", "feeds/bbc.rss"] {
        assert!(tree.contains_key(file), "{file}");
    }
    assert_eq!(report.feeds, 3 * 3, "every feed, and all articles, in three formats");
    assert!(!tree.contains_key("changes.atom"), "the changes feed links to diffs by query: left out");
    let home = String::from_utf8(tree["index.html"].clone()).unwrap();
    assert!(home.contains("<html lang=\"zh-Hans\">") && home.contains("最新文章"), "in the language asked");
    assert!(home.contains("type=\"application/atom+xml\" title=\"") && home.contains("href=\"feed.atom\""), "{home}");
    let atom = &tree["feeds/nyt.atom"];
    let feed = parse(atom, &ParseOptions::default()).unwrap();
    assert_eq!(feed.items.len(), 50);
    let id = feed.items[0].id.as_deref().unwrap();
    assert!(id.starts_with("https://example.org/news/articles/nyt/2022/09/"), "{id}");
    let page = format!("{}/index.html", id.trim_start_matches("https://example.org/news/"));
    let page = percent_encoding::percent_decode_str(&page).decode_utf8().unwrap().into_owned();
    assert!(tree.contains_key(&page), "an entry's address is its page in the mirror: {page}");
}
