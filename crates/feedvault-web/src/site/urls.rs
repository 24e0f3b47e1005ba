//! Which of the server's URLs the static mirror has, and the file each one is
//! written to (a pure mapping, tested by table below).
//!
//! HTML pages become `<path>/index.html` (so a static host serves `/feeds/nyt/` as
//! the server serves `/feeds/nyt`), or `<path>/<k>-<v>_<k>-<v>.html` for a query
//! such as `?page=2` or `?from=1&to=current` (`?page=1` is the page itself); the stylesheet, the icon, the kept
//! images (`/assets/<sha256>.<ext>`) and (with a base address) the feeds out keep their own path. Percent-encoded segments are
//! decoded into real file names (`articles/纽约时报/…`). The mapping is injective:
//! two URLs never share a file, since a page's file name is `index.html` or holds
//! a `-`, inside the folder its own segments name, and no asset lives in such a
//! folder under such a name.
//!
//! Not mirrored: search, the API, changes (POST), the language switch, metrics,
//! OPML, any other query; a link to one of them is dropped from the page.

use percent_encoding::{AsciiSet, percent_decode_str, utf8_percent_encode};
use url::Url;

/// The origin the crawler's requests and the pages' links are resolved against.
pub const ORIGIN: &str = "http://feedvault.invalid";

/// What kind of response a mirrored URL is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An HTML page: its links are rewritten.
    Page,
    /// The stylesheet or the icon: written as served.
    Asset,
    /// A feed out (only with a base address): written as served.
    Feed,
}

/// A URL the mirror has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Path and query to ask the app for (as the link wrote them).
    pub request: String,
    /// The file, as path components under the mirror's folder.
    pub file: Vec<String>,
    pub kind: Kind,
}

/// The feeds out's extensions, each of them mirrored when one is linked.
pub const FEED_FORMATS: [&str; 3] = ["atom", "rss", "json"];

/// The mirror's file for `link` (as found in a page at `page`, both server paths),
/// with the link's fragment, or `None` when the mirror does not have it.
/// `feeds` says whether feeds out are mirrored.
pub fn target(page: &str, link: &str, feeds: bool) -> Option<(Target, Option<String>)> {
    let base = Url::parse(ORIGIN).ok()?.join(page).ok()?;
    let url = base.join(link).ok()?;
    if url.origin() != base.origin() || !url.username().is_empty() || url.password().is_some() {
        return None;
    }
    let raw: Vec<&str> = url.path_segments()?.collect();
    let raw: &[&str] = if raw == [""] { &[] } else { &raw };
    let kind = kind(raw, feeds)?;
    let mut file = raw.iter().map(|s| file_name(s)).collect::<Option<Vec<String>>>()?;
    // `?page=1` is the page without a query (the pager links to it by number).
    let query = url.query().filter(|q| *q != "page=1");
    match (kind, query) {
        (Kind::Page, None) => file.push("index.html".into()),
        (Kind::Page, Some(query)) => file.push(query_file(query)?),
        (_, None) => {}
        (_, Some(_)) => return None,
    }
    let request = match query {
        Some(query) => format!("{}?{query}", url.path()),
        None => url.path().to_owned(),
    };
    Some((Target { request, file, kind }, url.fragment().map(str::to_owned)))
}

/// The kind of the URL with these (still encoded) segments, when mirrored.
fn kind(raw: &[&str], feeds: bool) -> Option<Kind> {
    // Feed names are slugs (no dot): the server routes `/feeds/x.atom` to x's feed out.
    let feed_out =
        |name: &str| name.rsplit_once('.').is_some_and(|(stem, ext)| !stem.is_empty() && FEED_FORMATS.contains(&ext));
    match raw {
        [] | ["feeds"] | ["changes"] | ["days", _] | ["feeds", _, "days", _] => Some(Kind::Page),
        ["feeds", name] if feed_out(name) => feeds.then_some(Kind::Feed),
        ["feeds", _] => Some(Kind::Page),
        ["articles", _, ..] => Some(Kind::Page),
        ["static", "style.css" | "icon.svg"] => Some(Kind::Asset),
        ["assets", name] if crate::render::sanitize::is_kept_copy(&format!("/assets/{name}")) => Some(Kind::Asset),
        ["feed.atom" | "feed.rss" | "feed.json"] if feeds => Some(Kind::Feed),
        _ => None,
    }
}

/// A decoded path segment that is safe as a file name in the mirror: not empty,
/// not `.` or `..`, no `/`, `\` or NUL, no leading dot, at most 255 bytes.
fn file_name(raw: &str) -> Option<String> {
    let name = percent_decode_str(raw).decode_utf8().ok()?;
    let safe = !name.is_empty() && name.len() <= 255 && !name.starts_with('.') && !name.contains(['/', '\\', '\0']);
    safe.then(|| name.into_owned())
}

/// `page=2` → `page-2.html`; `from=1&to=current` → `from-1_to-current.html`. Keys
/// and values are letters and digits only (else the URL is not mirrored), `lang`
/// is never mirrored (the mirror has one language).
fn query_file(query: &str) -> Option<String> {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes()).into_owned().collect();
    let plain = |s: &str| (1..=32).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric());
    if pairs.is_empty() || pairs.len() > 4 || pairs.iter().any(|(k, v)| k == "lang" || !plain(k) || !plain(v)) {
        return None;
    }
    let parts: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}-{v}")).collect();
    Some(format!("{}.html", parts.join("_")))
}

/// Characters escaped in a relative link's segment (besides controls and
/// non-ASCII); `:` too, so a first segment never reads as a scheme.
const SEGMENT: &AsciiSet = &crate::ids::SEGMENT.add(b':').add(b';').add(b'=');

/// The relative link from the file `from` to the file `to` (components under the
/// mirror's folder), percent-encoded: `../../feeds/nyt/index.html`.
pub fn relative(from: &[String], to: &[String]) -> String {
    let from_dirs = &from[..from.len().saturating_sub(1)];
    let (to_dirs, to_name) = match to.split_last() {
        Some((name, dirs)) => (dirs, name),
        None => return "index.html".into(),
    };
    let common = from_dirs.iter().zip(to_dirs).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".into(); from_dirs.len() - common];
    parts.extend(to_dirs[common..].iter().map(|s| utf8_percent_encode(s, SEGMENT).to_string()));
    parts.push(utf8_percent_encode(to_name, SEGMENT).to_string());
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(page: &str, link: &str) -> Option<String> {
        target(page, link, true).map(|(t, _)| t.file.join("/"))
    }

    #[test]
    fn mirrored_urls_and_their_files() {
        for (link, expected) in [
            ("/", "index.html"),
            ("/?page=2", "page-2.html"),
            ("/?page=1", "index.html"),
            ("/feeds", "feeds/index.html"),
            ("/feeds/nyt", "feeds/nyt/index.html"),
            ("/feeds/nyt?page=3", "feeds/nyt/page-3.html"),
            ("/feeds/nyt.atom", "feeds/nyt.atom"),
            ("/feeds/nyt/days/2022-09-20", "feeds/nyt/days/2022-09-20/index.html"),
            ("/days/2022-09-20?page=2", "days/2022-09-20/page-2.html"),
            ("/changes", "changes/index.html"),
            ("/articles/nyt/2022/09/20/a-b", "articles/nyt/2022/09/20/a-b/index.html"),
            ("/articles/%E7%BA%BD%E7%BA%A6%E6%97%B6%E6%8A%A5/1048575", "articles/纽约时报/1048575/index.html"),
            ("/articles/nyt/a/revisions/1663640192000", "articles/nyt/a/revisions/1663640192000/index.html"),
            ("/articles/nyt/a/diff?from=1&to=current", "articles/nyt/a/diff/from-1_to-current.html"),
            ("/static/style.css", "static/style.css"),
            ("/feed.json", "feed.json"),
        ] {
            assert_eq!(file("/", link).as_deref(), Some(expected), "{link}");
        }
        let copy = format!("/assets/{}.webp", "0a".repeat(32));
        assert_eq!(file("/articles/nyt/a", &copy).as_deref(), Some(&copy[1..]));
        assert_eq!(target("/", &copy, false).unwrap().0.kind, Kind::Asset);
        for not in [format!("/assets/{}.svg", "0a".repeat(32)), "/assets/records.jsonl".into(), "/assets/x.png".into()]
        {
            assert_eq!(file("/", &not), None, "{not}");
        }
        let (target, fragment) = target("/feeds/nyt", "../articles/x#revisions", false).unwrap();
        assert_eq!((target.request.as_str(), fragment.as_deref()), ("/articles/x", Some("revisions")));
        assert_eq!(target.kind, Kind::Page);
    }

    #[test]
    fn what_the_mirror_leaves_out() {
        for link in [
            "/search?q=x",
            "/search",
            "/?lang=zh",
            "/feeds?lang=en&page=2",
            "/api/feeds",
            "/fetch",
            "/feeds/nyt/remove",
            "/opml",
            "/metrics",
            "/healthz",
            "/favicon.ico",
            "/changes.atom",
            "/static/other.js",
            "/feeds/",
            "/articles/.hidden",
            "/articles/a%2Fb",
            "/articles/a%5Cb",
            "/articles/a%00",
            "/articles/%FF",
            "/?page=2%263",
            "/?q=a+b",
            "/static/style.css?v=1",
            "https://news.example.org/",
            "http://feedvault.invalid:8080/",
            "http://user@feedvault.invalid/",
            "//elsewhere.example/",
            "mailto:a@example.org",
        ] {
            assert_eq!(file("/", link), None, "{link}");
        }
        assert_eq!(target("/", "/feed.atom", false), None, "feeds out only with a base address");
        assert_eq!(target("/", "/feeds/nyt.rss", false), None);
        assert_eq!(file("/", "/articles/a/../../search"), None, "dot segments resolve first");
        assert_eq!(file("/", "/articles/a/%2E%2E/b").as_deref(), Some("articles/b/index.html"));
        assert_eq!(file("/", &format!("/articles/{}", "a".repeat(256))), None, "longer than a file name");
    }

    #[test]
    fn relative_links() {
        let v = |s: &str| s.split('/').map(str::to_owned).collect::<Vec<_>>();
        assert_eq!(relative(&v("index.html"), &v("feeds/nyt/index.html")), "feeds/nyt/index.html");
        assert_eq!(relative(&v("feeds/nyt/index.html"), &v("index.html")), "../../index.html");
        assert_eq!(relative(&v("feeds/nyt/page-2.html"), &v("feeds/nyt/index.html")), "index.html");
        assert_eq!(relative(&v("feeds/nyt/index.html"), &v("feeds/bbc/index.html")), "../bbc/index.html");
        assert_eq!(relative(&v("articles/纽约时报/1/index.html"), &v("static/style.css")), "../../../static/style.css");
        assert_eq!(
            relative(&v("index.html"), &v("articles/纽约时报/a:b c/index.html")),
            "articles/%E7%BA%BD%E7%BA%A6%E6%97%B6%E6%8A%A5/a%3Ab%20c/index.html"
        );
    }
}
