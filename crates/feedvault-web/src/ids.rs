//! Permanent article ids (UI.md): an article's path in the vault without its first
//! folder (`archive/` or `articles/`) and without `.md`, so
//! `archive/nyt/2022/09/20/slug.md` is `/articles/nyt/2022/09/20/slug`. A path never
//! moves, so neither does its URL. Ids from a request are checked before use: a
//! hostile id is simply not found.

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

/// Characters escaped in a URL path segment (besides controls and non-ASCII).
pub(crate) const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'/')
    .add(b'\\')
    .add(b'^')
    .add(b'|')
    .add(b'[')
    .add(b']')
    .add(b'\'')
    .add(b'&')
    .add(b'+');

/// The id of the article at `path` (an article path as the engine gives it).
pub fn id_of(path: &str) -> String {
    let rest = path.split_once('/').map_or(path, |(_, rest)| rest);
    rest.strip_suffix(".md").unwrap_or(rest).to_owned()
}

/// The path of the article with `id` under `root`, when `id` could name one.
pub fn path_of(id: &str, root: &str) -> Option<String> {
    let well_formed = !id.is_empty()
        && id.len() <= 1024
        && !id.contains(['\\', '\0'])
        && id.split('/').all(|part| !part.is_empty() && part != "." && part != ".." && !part.starts_with('.'));
    well_formed.then(|| format!("{root}/{id}.md"))
}

/// Percent-encodes one path segment.
pub fn segment(text: &str) -> String {
    utf8_percent_encode(text, SEGMENT).to_string()
}

/// The URL of the article at `path`.
pub fn article_href(path: &str) -> String {
    let id = id_of(path);
    let encoded: Vec<String> = id.split('/').map(segment).collect();
    format!("/articles/{}", encoded.join("/"))
}

/// The URL of a feed's page.
pub fn feed_href(feed: &str) -> String {
    format!("/feeds/{}", segment(feed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_paths() {
        assert_eq!(id_of("archive/nyt/2022/09/20/a-b.md"), "nyt/2022/09/20/a-b");
        assert_eq!(path_of("nyt/2022/09/20/a-b", "archive").as_deref(), Some("archive/nyt/2022/09/20/a-b.md"));
        assert_eq!(id_of("articles/纽约时报/1048575.md"), "纽约时报/1048575");
        assert_eq!(
            article_href("articles/纽约时报/1048575.md"),
            "/articles/%E7%BA%BD%E7%BA%A6%E6%97%B6%E6%8A%A5/1048575"
        );
        for bad in ["", "../x", "a/../b", "a//b", "/a", "a/", "a\\b", "a/.hidden", "a\0b"] {
            assert_eq!(path_of(bad, "archive"), None, "{bad:?}");
        }
    }
}
