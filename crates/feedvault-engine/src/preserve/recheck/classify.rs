//! What one answer of an archived article's page says: unchanged, changed, gone or
//! unreachable. Pure: the answer and what was archived in, the verdict and its
//! evidence out.
//!
//! Conservative on purpose: only the article's own text counts (the feed's
//! `full_text` selector, else readability), compared as its letters and digits
//! alone, lowercased, so page chrome, markup, whitespace and punctuation never fake
//! an edit; a page whose article cannot be extracted is "still there", never
//! "changed". Gone is 404, 410 or 451, a redirect to the site's home or to a section
//! above the article, or a 200 page that no longer contains the article's title
//! (a "soft 404"; only for titles of four letters or more, and never when the
//! article's text is still the same). Everything else (network failures, timeouts,
//! 429, 5xx, other statuses) is unreachable: it says nothing.

use feedvault_core::FailureKind;
use feedvault_core::identity::{file_hash, sha256_hex};
use feedvault_core::text::strip_tags;
use feedvault_fetch::{ErrorAnswer, Exchange, Redirect};
use url::Url;

use crate::preserve::extract::{self, FullText};

/// What a check concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Still there: the article's text is the same (or cannot be compared).
    Unchanged,
    /// Still there, with a different article text: a new revision.
    Changed,
    /// Taken down, as far as this answer says.
    Gone,
    /// Says nothing (never counts towards removal).
    Unreachable,
}

impl Verdict {
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Unchanged => "unchanged",
            Verdict::Changed => "changed",
            Verdict::Gone => "gone",
            Verdict::Unreachable => "unreachable",
        }
    }
}

/// A page that answered with a body.
#[derive(Debug, Clone)]
pub struct PageAnswer {
    /// The URL asked for.
    pub url: Url,
    pub status: u16,
    /// The URL that finally answered.
    pub final_url: Url,
    pub redirects: Vec<Redirect>,
    /// The response headers (Set-Cookie values redacted by the fetcher).
    pub headers: Vec<(String, String)>,
    /// The exchange, for a raw capture of the page (`None` for a file).
    pub exchange: Option<Exchange>,
    pub charset: Option<String>,
    pub body: Vec<u8>,
}

/// One answer to a check.
#[derive(Debug, Clone)]
// One value per check, moved once: boxing the page would buy nothing.
#[allow(clippy::large_enum_variant)]
pub enum Answer {
    Page(PageAnswer),
    /// No body: an HTTP error status or a failure to get one.
    Failed {
        kind: FailureKind,
        message: String,
        redirects: Vec<Redirect>,
        /// What answered an HTTP error status (headers, body hash), when anything did.
        response: Option<Box<ErrorAnswer>>,
    },
}

/// What was archived, to compare with.
#[derive(Debug, Clone, Copy)]
pub struct Archived<'a> {
    /// The article's title (plain text).
    pub title: &'a str,
    /// How the article's text is found on its page.
    pub how: &'a FullText,
    /// The hash of the article text to compare with ([`text_hash`]); `None`: nothing
    /// to compare with yet (this answer's text becomes the reference).
    pub text_hash: Option<&'a str>,
}

/// A classified answer, with its evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classified {
    pub verdict: Verdict,
    /// Why, in a few words.
    pub reason: String,
    pub status: Option<u16>,
    pub final_url: Option<String>,
    /// `Name: value` lines: each redirect's Location, then the kept headers.
    pub headers: String,
    pub body_hash: Option<String>,
    /// The hash of the page's article text, when it could be extracted.
    pub text_hash: Option<String>,
    /// The page's article HTML when the verdict is [`Verdict::Changed`].
    pub article_html: Option<String>,
}

/// Titles shorter than this (in letters and digits) are not looked for on the page.
const MIN_TITLE_CHARS: usize = 4;

/// Classifies one answer.
pub fn classify(archived: &Archived<'_>, answer: &Answer) -> Classified {
    match answer {
        Answer::Failed { kind, message, redirects, response } => {
            let verdict = match kind {
                FailureKind::HttpStatus(404 | 410 | 451) => Verdict::Gone,
                _ => Verdict::Unreachable,
            };
            let status = match kind {
                FailureKind::HttpStatus(code) => Some(*code),
                _ => None,
            };
            Classified {
                verdict,
                reason: message.clone(),
                status,
                final_url: match response {
                    Some(answer) => Some(answer.final_url.to_string()),
                    None => redirects.last().map(|r| r.to.to_string()),
                },
                headers: match response {
                    Some(answer) => header_lines(&answer.redirects, &answer.exchange.response_headers),
                    None => header_lines(redirects, &[]),
                },
                body_hash: response.as_ref().and_then(|answer| answer.body_sha256.clone()),
                text_hash: None,
                article_html: None,
            }
        }
        Answer::Page(page) => classify_page(archived, page),
    }
}

fn classify_page(archived: &Archived<'_>, page: &PageAnswer) -> Classified {
    let mut out = Classified {
        verdict: Verdict::Unchanged,
        reason: String::new(),
        status: Some(page.status),
        final_url: Some(page.final_url.to_string()),
        headers: header_lines(&page.redirects, &page.headers),
        body_hash: Some(file_hash(&page.body)),
        text_hash: None,
        article_html: None,
    };
    if !page.redirects.is_empty() && is_home_or_section(&page.url, &page.final_url) {
        out.verdict = Verdict::Gone;
        out.reason = format!("redirected to {}, above the article", page.final_url);
        return out;
    }
    let html = extract::decode_page(&page.body, page.charset.as_deref());
    let article = match archived.how {
        FullText::Readability => extract::extract(&without_chrome(&html), &page.final_url, archived.how).ok(),
        FullText::Css { .. } => extract::extract(&html, &page.final_url, archived.how).ok(),
    };
    out.text_hash = article.as_deref().map(text_hash);
    if out.text_hash.is_some() && out.text_hash.as_deref() == archived.text_hash {
        out.reason = "the article's text is the same".into();
        return out;
    }
    let title = normalize(archived.title);
    if title.chars().count() >= MIN_TITLE_CHARS && !normalize(&strip_tags(&html)).contains(&title) {
        out.verdict = Verdict::Gone;
        out.reason = "the page no longer contains the article's title (a soft 404)".into();
        out.text_hash = None;
        return out;
    }
    match (&article, archived.text_hash) {
        (None, _) => out.reason = "still there; the article's text could not be extracted to compare".into(),
        (Some(_), None) => out.reason = "still there; its text is the reference from now on".into(),
        (Some(html), Some(_)) => {
            out.verdict = Verdict::Changed;
            out.reason = "the article's text on the page differs from the archived one".into();
            out.article_html = Some(html.clone());
        }
    }
    out
}

/// Elements that are page chrome, never the article: readability keeps them when
/// the article is short, and an ad that changes must not read as an edit.
const CHROME: &str = "nav, aside, header, footer, form, script, style, noscript, iframe, [role=navigation], \
     [role=banner], [role=complementary], [role=contentinfo], [role=search]";

/// The page without its chrome ([`CHROME`]), for readability.
fn without_chrome(html: &str) -> String {
    std::panic::catch_unwind(|| {
        let document = dom_query::Document::from(html);
        for node in document.select(CHROME).nodes() {
            node.remove_from_parent();
        }
        document.html().to_string()
    })
    .unwrap_or_else(|_| html.to_owned())
}

/// The hash the article texts are compared by: SHA-256 of [`normalize`]d text.
pub fn text_hash(article_html: &str) -> String {
    sha256_hex(&[normalize(&strip_tags(article_html)).as_bytes()])
}

/// Letters and digits only, lowercased (one linear pass).
pub fn normalize(text: &str) -> String {
    text.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// A redirect that ends at the site's home page, or at a section the article's path
/// is under (`/news/2024/a.html` → `/news/`).
pub fn is_home_or_section(from: &Url, to: &Url) -> bool {
    // Another site's front page (a login, a consent wall) says nothing of this one's.
    let site = |url: &Url| url.host_str().map(|host| host.trim_start_matches("www.").to_ascii_lowercase());
    if from == to || site(from) != site(to) {
        return false;
    }
    let from_path = from.path().trim_matches('/');
    let to_path = to.path().trim_matches('/');
    if to_path.is_empty() {
        return !from_path.is_empty() || (from.query().is_some() && from.query() != to.query());
    }
    let from_segments: Vec<&str> = from_path.split('/').collect();
    let to_segments: Vec<&str> = to_path.split('/').collect();
    to_segments.len() < from_segments.len() && from_segments.starts_with(&to_segments)
}

fn header_lines(redirects: &[Redirect], headers: &[(String, String)]) -> String {
    let mut out = String::new();
    for redirect in redirects {
        out.push_str(&format!("HTTP {} Location: {}\n", redirect.status, redirect.to));
    }
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const TITLE: &str = "Censors remove posts about the tower collapse";
    const TEXT: &str = "Censors moved quickly this week to remove posts discussing the collapse of a residential \
        tower in the provincial capital, where at least a dozen residents are still missing. Many of the deleted \
        posts questioned why inspections had not found the cracks that neighbors had reported for months.";

    fn page_html(title: &str, text: &str, chrome: &str) -> String {
        format!(
            "<html><head><title>{title} | Site</title></head><body><nav>{chrome} Home News</nav>\
             <h1>{title}</h1><div class=\"post-content\"><p>{text}</p></div><aside>{chrome}</aside></body></html>"
        )
    }

    fn answer(url: &str, final_url: &str, redirects: Vec<Redirect>, body: String) -> Answer {
        Answer::Page(PageAnswer {
            exchange: None,
            url: Url::parse(url).unwrap(),
            status: 200,
            final_url: Url::parse(final_url).unwrap(),
            redirects,
            headers: vec![("ETag".into(), "\"e1\"".into())],
            charset: Some("utf-8".into()),
            body: body.into_bytes(),
        })
    }

    fn page(body: String) -> Answer {
        let url = "https://news.example/world/2026/tower.html";
        answer(url, url, Vec::new(), body)
    }

    fn failed(kind: FailureKind) -> Answer {
        Answer::Failed { kind, message: kind.label().into_owned(), redirects: Vec::new(), response: None }
    }

    #[test]
    fn statuses() {
        let how = FullText::parse("css:div.post-content").unwrap();
        let archived = Archived { title: TITLE, how: &how, text_hash: None };
        for code in [404, 410, 451] {
            let c = classify(&archived, &failed(FailureKind::HttpStatus(code)));
            assert_eq!((c.verdict, c.status), (Verdict::Gone, Some(code)), "{code}");
        }
        for kind in [
            FailureKind::HttpStatus(429),
            FailureKind::HttpStatus(500),
            FailureKind::HttpStatus(503),
            FailureKind::HttpStatus(403),
            FailureKind::Timeout,
            FailureKind::Connect,
            FailureKind::Dns,
            FailureKind::TooLarge,
        ] {
            assert_eq!(classify(&archived, &failed(kind)).verdict, Verdict::Unreachable, "{kind:?}");
        }
    }

    #[test]
    fn text_comparison_ignores_chrome_and_markup() {
        let how = FullText::parse("css:div.post-content").unwrap();
        let reference = text_hash(&format!("<p>{TEXT}</p>"));
        let archived = Archived { title: TITLE, how: &how, text_hash: Some(&reference) };
        let same = classify(&archived, &page(page_html(TITLE, TEXT, "AD 1")));
        assert_eq!(same.verdict, Verdict::Unchanged, "{same:?}");
        // Other chrome, other whitespace and markup, other punctuation: the same text.
        let restyled = TEXT.replace(". ", ".\n\n  ").replace("week", "<em>week</em>").replace(',', "，");
        let c = classify(&archived, &page(page_html(TITLE, &restyled, "AD 2 other ads")));
        assert_eq!(c.verdict, Verdict::Unchanged, "{c:?}");
        assert_eq!(c.body_hash.as_deref().map(str::len), Some(64));
        assert!(c.headers.contains("ETag: \"e1\""), "{}", c.headers);
        // An edit to the article's words is a change, with the new text.
        let edited = TEXT.replace("a dozen", "twenty");
        let c = classify(&archived, &page(page_html(TITLE, &edited, "AD 1")));
        assert_eq!(c.verdict, Verdict::Changed);
        assert!(c.article_html.as_deref().unwrap().contains("twenty"));
        assert_ne!(c.text_hash.as_deref(), Some(reference.as_str()));
        // Nothing to compare with yet: the page's text is the reference.
        let first = classify(&Archived { text_hash: None, ..archived }, &page(page_html(TITLE, &edited, "")));
        assert_eq!(first.verdict, Verdict::Unchanged);
        assert_eq!(first.text_hash, Some(text_hash(&format!("<p>{edited}</p>"))));
    }

    #[test]
    fn chrome_around_a_short_article_is_not_an_edit() {
        let how = FullText::Readability;
        let first =
            classify(&Archived { title: TITLE, how: &how, text_hash: None }, &page(page_html(TITLE, TEXT, "AD-ONE")));
        let reference = first.text_hash.expect("readability read the article");
        let archived = Archived { title: TITLE, how: &how, text_hash: Some(&reference) };
        let other_ads = classify(&archived, &page(page_html(TITLE, TEXT, "AD-TWO AD-THREE")));
        assert_eq!(other_ads.verdict, Verdict::Unchanged, "{other_ads:?}");
        let edited = classify(&archived, &page(page_html(TITLE, &TEXT.replace("dozen", "hundred"), "AD-ONE")));
        assert_eq!(edited.verdict, Verdict::Changed);
    }

    #[test]
    fn a_page_without_the_article_is_never_an_edit() {
        let how = FullText::parse("css:div.post-content").unwrap();
        let reference = text_hash(TEXT);
        let archived = Archived { title: TITLE, how: &how, text_hash: Some(&reference) };
        // Redesigned: the selector matches nothing, the title is still there.
        let body =
            format!("<html><body><h1>{TITLE}</h1><div class=\"new-layout\"><p>{TEXT} more</p></div></body></html>");
        let c = classify(&archived, &page(body));
        assert_eq!((c.verdict, c.text_hash.as_deref()), (Verdict::Unchanged, None), "{c:?}");
    }

    #[test]
    fn soft_404s() {
        let how = FullText::Readability;
        let reference = text_hash(TEXT);
        let archived = Archived { title: TITLE, how: &how, text_hash: Some(&reference) };
        let not_found = "<html><head><title>Page not found</title></head><body><h1>Sorry</h1>\
            <p>The page you were looking for does not exist. Try the search.</p></body></html>";
        let c = classify(&archived, &page(not_found.into()));
        assert_eq!(c.verdict, Verdict::Gone);
        assert!(c.reason.contains("soft 404"), "{}", c.reason);
        // The title split by markup and written with other spacing is still the title.
        let spaced = "<html><body><h1>Censors remove <em>posts</em>\n about the tower collapse</h1></body></html>";
        assert_eq!(classify(&archived, &page(spaced.into())).verdict, Verdict::Unchanged);
        // A title too short to look for is not looked for.
        let short = Archived { title: "早报", ..archived };
        assert_eq!(classify(&short, &page(not_found.into())).verdict, Verdict::Unchanged);
        // Chinese titles: letters without spaces, full-width punctuation ignored.
        let zh = Archived { title: "中俄宣布深化军事合作，双方避谈分歧", ..archived };
        let zh_page = "<html><body><h1>中俄宣布深化军事合作, 双方避谈分歧</h1></body></html>";
        assert_eq!(classify(&zh, &page(zh_page.into())).verdict, Verdict::Unchanged);
    }

    #[test]
    fn redirects_above_the_article() {
        let how = FullText::Readability;
        let archived = Archived { title: TITLE, how: &how, text_hash: None };
        let from = "https://news.example/world/2026/tower.html";
        let hop = |to: &str| vec![Redirect { status: 301, to: Url::parse(to).unwrap() }];
        let home = page_html("News front page", "Today's news", "");
        let c = classify(&archived, &answer(from, "https://news.example/", hop("https://news.example/"), home.clone()));
        assert_eq!(c.verdict, Verdict::Gone);
        assert!(c.headers.contains("HTTP 301 Location: https://news.example/"), "{}", c.headers);
        let section = "https://news.example/world/";
        assert_eq!(classify(&archived, &answer(from, section, hop(section), home)).verdict, Verdict::Gone);
        // A moved article (another path, same title) is still there.
        let moved = "https://news.example/world/2026/tower-collapse.html";
        let c = classify(&archived, &answer(from, moved, hop(moved), page_html(TITLE, TEXT, "")));
        assert_eq!(c.verdict, Verdict::Unchanged);
    }

    #[test]
    fn home_and_section_paths() {
        let u = |s: &str| Url::parse(s).unwrap();
        assert!(is_home_or_section(&u("https://a.example/x/y.html"), &u("https://a.example/")));
        assert!(is_home_or_section(&u("https://a.example/x/y.html"), &u("https://www.a.example")));
        assert!(is_home_or_section(&u("https://a.example/?p=12"), &u("https://a.example/")));
        assert!(is_home_or_section(&u("https://a.example/news/2024/05/a"), &u("https://a.example/news/2024")));
        assert!(!is_home_or_section(&u("http://a.example/x/y.html"), &u("https://a.example/x/y.html")));
        assert!(!is_home_or_section(&u("https://a.example/x/y.html"), &u("https://a.example/x/z.html")));
        assert!(!is_home_or_section(&u("https://a.example/news/a"), &u("https://a.example/newsroom")));
        assert!(!is_home_or_section(&u("https://a.example/"), &u("https://a.example/")));
        // A login or consent page on another host is not the site's home.
        assert!(!is_home_or_section(&u("https://a.example/x/y.html"), &u("https://accounts.b.example/?return=x")));
        assert!(!is_home_or_section(&u("https://a.example/x/y.html"), &u("https://b.example/")));
    }

    #[test]
    fn normalizing() {
        assert_eq!(normalize(" A, b!\n 中文，Ünï "), "ab中文ünï");
        assert_eq!(text_hash("<p>A  b</p>"), text_hash("a\nB."));
    }
}
