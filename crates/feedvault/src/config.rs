//! feedvault.toml: the vault's settings and subscriptions.
//!
//! Read and edited with toml_edit, so the commands that change it (`add`, `remove`,
//! `import-opml`) keep the user's comments, order and formatting. Writes are atomic.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use chrono_tz::Tz;
use feedvault_archive::{Layout, VaultSettings};
use toml_edit::{ArrayOfTables, DocumentMut, Item, Table, value};

use crate::usage;

pub const FILE_NAME: &str = "feedvault.toml";

/// The file `init` writes.
pub fn template(layout: &str, timezone: &str) -> String {
    format!(
        r#"# feedvault vault settings. Edit freely: feedvault keeps your comments and layout.

[vault]
# "dated": archive/<feed>/YYYY/MM/DD/<article>.md (the default), or
# "countdown": articles/<feed>/<id>.md, ids counting down from 1048575.
layout = "{layout}"
# Time zone of the day folders (an IANA name such as "Asia/Shanghai").
timezone = "{timezone}"
# Largest feed document accepted, in bytes (32 MiB).
max_feed_bytes = 33554432

# Subscriptions, one [[feeds]] table each. `feedvault add` appends here.
# Per feed: name (the folder under archive/), url, and optionally title and
# timezone (for feed dates written without a zone; default UTC).
"#
    )
}

/// One subscription.
#[derive(Debug, Clone)]
pub struct FeedEntry {
    pub name: String,
    pub url: String,
    pub title: Option<String>,
    pub timezone: Option<Tz>,
}

/// The parsed, editable configuration of a vault.
pub struct Config {
    path: PathBuf,
    doc: DocumentMut,
    pub settings: VaultSettings,
    pub max_feed_bytes: usize,
    pub feeds: Vec<FeedEntry>,
}

fn parse_zone(name: &str, what: &str) -> Result<Tz> {
    name.parse::<Tz>()
        .map_err(|_| usage!("{what}: unknown time zone {name:?} (use an IANA name such as Asia/Shanghai)"))
}

pub fn parse_layout(name: &str) -> Result<Layout> {
    match name {
        "dated" => Ok(Layout::Dated),
        "countdown" => Ok(Layout::Countdown),
        other => Err(usage!("unknown layout {other:?} (use \"dated\" or \"countdown\")")),
    }
}

impl Config {
    /// Loads the configuration of the vault at `vault`.
    pub fn load(vault: &Path) -> Result<Config> {
        let path = vault.join(FILE_NAME);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                return Err(usage!(
                    "{}: no vault here (run `feedvault --vault {} init`)",
                    vault.display(),
                    vault.display()
                ));
            }
            Err(err) => return Err(err).with_context(|| format!("reading {}", path.display())),
        };
        let doc: DocumentMut = text.parse().map_err(|e| usage!("{}: {e}", path.display()))?;
        let shown = path.display().to_string();
        let vault_table = doc.get("vault").and_then(Item::as_table);
        let get_str = |key: &str, default: &'static str| match vault_table.and_then(|t| t.get(key)) {
            None => Ok(default),
            Some(item) => item.as_str().ok_or_else(|| usage!("{shown}: vault.{key} must be a string")),
        };
        let settings = VaultSettings {
            layout: parse_layout(get_str("layout", "dated")?).map_err(|e| usage!("{shown}: {e}"))?,
            zone: parse_zone(get_str("timezone", "UTC")?, &shown)?,
        };
        let max_feed_bytes = match vault_table.and_then(|t| t.get("max_feed_bytes")) {
            None => feedvault_feed::DEFAULT_MAX_BYTES,
            Some(item) => item
                .as_integer()
                .filter(|n| *n > 0)
                .map(|n| n as usize)
                .ok_or_else(|| usage!("{shown}: vault.max_feed_bytes must be a positive integer"))?,
        };
        let mut feeds = Vec::new();
        if let Some(item) = doc.get("feeds") {
            let tables =
                item.as_array_of_tables().ok_or_else(|| usage!("{shown}: `feeds` must be [[feeds]] tables"))?;
            for (i, table) in tables.iter().enumerate() {
                let field = |key: &str| table.get(key).and_then(Item::as_str).map(str::to_owned);
                let name = field("name").ok_or_else(|| usage!("{shown}: feed #{} has no name", i + 1))?;
                if !feedvault_core::slug::is_slug(&name) {
                    return Err(usage!("{shown}: feed name {name:?} must be lowercase a-z, 0-9 and -"));
                }
                let url = field("url").ok_or_else(|| usage!("{shown}: feed {name} has no url"))?;
                let timezone =
                    field("timezone").map(|z| parse_zone(&z, &format!("{shown}: feed {name}"))).transpose()?;
                if feeds.iter().any(|f: &FeedEntry| f.name == name) {
                    return Err(usage!("{shown}: two feeds are named {name}"));
                }
                feeds.push(FeedEntry { name, url, title: field("title"), timezone });
            }
        }
        Ok(Config { path, doc, settings, max_feed_bytes, feeds })
    }

    pub fn feed(&self, name_or_url: &str) -> Option<&FeedEntry> {
        self.feeds.iter().find(|f| f.name == name_or_url || f.url == name_or_url)
    }

    /// A free feed name from a wanted one (`name`, `name-2`, …).
    pub fn free_name(&self, wanted: &str) -> String {
        (1..)
            .map(|n| if n == 1 { wanted.to_owned() } else { format!("{wanted}-{n}") })
            .find(|candidate| self.feeds.iter().all(|f| &f.name != candidate))
            .expect("an unbounded range always yields a free name")
    }

    /// Appends a subscription (saved by [`Config::save`]).
    pub fn add_feed(&mut self, entry: FeedEntry) {
        let mut table = Table::new();
        table["name"] = value(&entry.name);
        table["url"] = value(&entry.url);
        if let Some(title) = &entry.title {
            table["title"] = value(title);
        }
        let feeds = self.doc.entry("feeds").or_insert(Item::ArrayOfTables(ArrayOfTables::new()));
        if let Some(tables) = feeds.as_array_of_tables_mut() {
            tables.push(table);
        }
        self.feeds.push(entry);
    }

    /// Removes a subscription by name; false when there is none.
    pub fn remove_feed(&mut self, name: &str) -> bool {
        let Some(index) = self.feeds.iter().position(|f| f.name == name) else { return false };
        self.feeds.remove(index);
        if let Some(tables) = self.doc.get_mut("feeds").and_then(Item::as_array_of_tables_mut) {
            tables.remove(index);
        }
        true
    }

    /// Writes the file atomically, keeping everything the user wrote.
    pub fn save(&self) -> Result<()> {
        feedvault_archive::durable::write_file(&self.path, self.doc.to_string().as_bytes())
            .with_context(|| format!("writing {}", self.path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_keep_comments_and_formatting() {
        let dir = tempfile::tempdir().unwrap();
        let mut text = template("dated", "Asia/Shanghai");
        text.push_str("\n# my favourite\n[[feeds]]\nname   = \"a\"   # spaced\nurl = \"https://a.example/feed\"\n");
        std::fs::write(dir.path().join(FILE_NAME), &text).unwrap();
        let mut config = Config::load(dir.path()).unwrap();
        assert_eq!(config.settings.zone, chrono_tz::Asia::Shanghai);
        config.add_feed(FeedEntry { name: "b".into(), url: "https://b.example/".into(), title: None, timezone: None });
        config.save().unwrap();
        let saved = std::fs::read_to_string(dir.path().join(FILE_NAME)).unwrap();
        assert!(saved.starts_with(&text), "everything before is kept byte for byte:\n{saved}");
        let mut config = Config::load(dir.path()).unwrap();
        assert!(config.remove_feed("b"));
        config.save().unwrap();
        assert_eq!(std::fs::read_to_string(dir.path().join(FILE_NAME)).unwrap(), text);
    }

    #[test]
    fn bad_configurations_are_usage_errors() {
        let dir = tempfile::tempdir().unwrap();
        let cases = [
            "[vault]\nlayout = \"spiral\"\n",
            "[vault]\nlayout = 3\n",
            "[vault]\ntimezone = \"Mars/Olympus\"\n",
            "[vault]\nmax_feed_bytes = -1\n",
            "[[feeds]]\nurl = \"x\"\n",
            "[[feeds]]\nname = \"Bad Name\"\nurl = \"x\"\n",
            "[[feeds]]\nname = \"a\"\nurl = \"x\"\n[[feeds]]\nname = \"a\"\nurl = \"y\"\n",
            "this is = = not toml",
        ];
        for text in cases {
            std::fs::write(dir.path().join(FILE_NAME), text).unwrap();
            let err = Config::load(dir.path()).err().unwrap_or_else(|| panic!("{text:?} loaded"));
            assert!(err.downcast_ref::<crate::UsageError>().is_some(), "{text:?}: {err}");
        }
        let missing = tempfile::tempdir().unwrap();
        assert!(Config::load(missing.path()).err().unwrap().to_string().contains("no vault here"));
    }
}
