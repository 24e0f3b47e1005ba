//! `[publish.git]`: where and how often the archive is committed and pushed.

use std::time::Duration;

use serde::Deserialize;
use serde::de::{self, Deserializer};

/// `[publish]`: the archive's copies.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(default)]
pub struct PublishSection {
    /// Git publishing: on when the table is present.
    pub git: Option<GitSection>,
}

/// `[publish.git]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct GitSection {
    /// Where every commit is pushed: any URL or path `git push` takes.
    pub remotes: Vec<String>,
    /// The branch committed to (and pushed).
    pub branch: String,
    /// What is committed.
    #[serde(deserialize_with = "include")]
    pub include: Include,
    /// Preserved images and media too (git hosts limit file and repository sizes).
    pub include_assets: bool,
    /// The least time between two commits after fetches (`publish` commits at once).
    #[serde(deserialize_with = "super::duration")]
    pub interval: Duration,
    /// Author and committer of the commits: `Name <email>`.
    #[serde(deserialize_with = "author")]
    pub author: String,
    /// The longest one push may take before it is stopped and counted as failed.
    #[serde(deserialize_with = "super::duration")]
    pub push_timeout: Duration,
}

impl Default for GitSection {
    fn default() -> Self {
        GitSection {
            remotes: Vec::new(),
            branch: "main".into(),
            include: Include::Archive,
            include_assets: false,
            interval: Duration::from_secs(3600),
            author: "feedvault <feedvault@localhost>".into(),
            push_timeout: Duration::from_secs(10 * 60),
        }
    }
}

impl GitSection {
    /// The author's name and email.
    pub fn author_parts(&self) -> (&str, &str) {
        split_author(&self.author).expect("checked when read")
    }
}

/// What `[publish.git] include` commits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Include {
    /// The archive (archive/ or articles/), lists/ and the README indexes.
    Archive,
    /// The whole vault except derived files (state.db, index/) and secrets.
    Vault,
}

fn include<'de, D: Deserializer<'de>>(d: D) -> Result<Include, D::Error> {
    match String::deserialize(d)?.as_str() {
        "archive" => Ok(Include::Archive),
        "vault" => Ok(Include::Vault),
        other => Err(de::Error::custom(format!("include {other:?}: use \"archive\" or \"vault\""))),
    }
}

fn author<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let text = String::deserialize(d)?;
    split_author(&text)
        .map(|_| text.clone())
        .ok_or_else(|| de::Error::custom(format!("author {text:?}: write it as \"Name <email>\"")))
}

fn split_author(text: &str) -> Option<(&str, &str)> {
    let (name, rest) = text.split_once('<')?;
    let email = rest.strip_suffix('>')?;
    let name = name.trim();
    (!name.is_empty() && !email.is_empty() && !email.contains(['<', '>'])).then_some((name, email.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authors_are_name_and_email() {
        assert_eq!(split_author("feedvault <fv@localhost>"), Some(("feedvault", "fv@localhost")));
        assert_eq!(split_author("新闻 存档 <a@b.c>"), Some(("新闻 存档", "a@b.c")));
        for bad in ["", "name", "<a@b>", "name <>", "name <a@b", "name <a<b>"] {
            assert_eq!(split_author(bad), None, "{bad}");
        }
    }
}
