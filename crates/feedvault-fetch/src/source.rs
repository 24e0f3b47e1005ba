//! Where a feed comes from: a URL to request or a file to read.

use std::path::{Path, PathBuf};

use url::Url;

/// A subscription's location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Http(Url),
    File(PathBuf),
}

impl Source {
    /// Reads what a user typed: an http(s) or file URL, or a path (made absolute
    /// against `base_dir`).
    pub fn parse(input: &str, base_dir: &Path) -> Result<Source, String> {
        let input = input.trim();
        if let Ok(url) = Url::parse(input) {
            match url.scheme() {
                "http" | "https" => return Ok(Source::Http(url)),
                "file" => {
                    return url.to_file_path().map(Source::File).map_err(|()| format!("{input}: not a local file URL"));
                }
                // One-letter schemes are Windows drive letters, i.e. paths.
                scheme if scheme.len() > 1 => {
                    return Err(format!("{input}: unsupported scheme {scheme}: (use http, https, file or a path)"));
                }
                _ => {}
            }
        }
        if input.is_empty() {
            return Err("an empty feed address".to_owned());
        }
        Ok(Source::File(base_dir.join(input)))
    }

    /// The canonical string form stored in feedvault.toml.
    pub fn to_url_string(&self) -> String {
        match self {
            Source::Http(url) => url.to_string(),
            Source::File(path) => {
                Url::from_file_path(path).map(String::from).unwrap_or_else(|()| path.display().to_string())
            }
        }
    }

    /// The URL that relative links in the document resolve against.
    pub fn base_url(&self) -> Option<Url> {
        match self {
            Source::Http(url) => Some(url.clone()),
            Source::File(path) => Url::from_file_path(path).ok(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources() {
        let base = Path::new("/srv");
        assert_eq!(
            Source::parse("https://e.com/f.xml", base).unwrap(),
            Source::Http(Url::parse("https://e.com/f.xml").unwrap())
        );
        assert_eq!(Source::parse("file:///tmp/f.xml", base).unwrap(), Source::File("/tmp/f.xml".into()));
        assert_eq!(Source::parse("feeds/f.xml", base).unwrap(), Source::File("/srv/feeds/f.xml".into()));
        assert_eq!(Source::parse("/abs/f.xml", base).unwrap(), Source::File("/abs/f.xml".into()));
        assert!(Source::parse("ftp://e.com/f", base).unwrap_err().contains("unsupported scheme"));
        assert!(Source::parse("  ", base).is_err());
        assert_eq!(Source::File("/tmp/a b.xml".into()).to_url_string(), "file:///tmp/a%20b.xml");
    }
}
