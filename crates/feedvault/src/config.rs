//! feedvault.toml: the vault's settings and subscriptions.
//!
//! Read and edited with toml_edit, so the commands that change it (`add`, `remove`,
//! `import-opml`) keep the user's comments, order and formatting. Writes are atomic.

use std::path::{Path, PathBuf};
use std::time::Duration;

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

[fetch]
# Feeds fetched at once, at most per host, and the least time between two
# requests to one host. Durations are written like "500ms", "30s", "10m", "24h", "2d".
concurrency = 16
per_host = 2
host_delay = "1s"
# Each feed is checked between these bounds, more often when it publishes more.
min_interval = "10m"
max_interval = "24h"
# Limits of one request: connecting, the whole fetch, and the longest silence.
connect_timeout = "15s"
timeout = "2m"
stall_timeout = "30s"
# A proxy for every feed: "http://…", "https://…", "socks5://…", "socks5h://…", or
# "none". Unset: HTTP_PROXY, HTTPS_PROXY, ALL_PROXY and NO_PROXY from the environment.
# proxy = "socks5h://127.0.0.1:1080"
# A feed answering 404/410 this many checks in a row, over at least this long,
# is marked gone and no longer fetched.
gone_after_checks = 5
gone_after = "2d"

# Subscriptions, one [[feeds]] table each. `feedvault add` appends here.
# Per feed: name (the folder under archive/), url, and optionally title,
# timezone (for feed dates written without a zone; default UTC), proxy,
# user_agent, headers = {{ "X-Key" = "…" }}, cookies = {{ session = "…" }},
# min_interval and max_interval.
"#
    )
}

/// One subscription.
#[derive(Debug, Clone, Default)]
pub struct FeedEntry {
    pub name: String,
    pub url: String,
    pub title: Option<String>,
    pub timezone: Option<Tz>,
    pub proxy: Option<String>,
    pub user_agent: Option<String>,
    pub headers: Vec<(String, String)>,
    pub cookies: Vec<(String, String)>,
    pub min_interval: Option<Duration>,
    pub max_interval: Option<Duration>,
}

/// The `[fetch]` settings.
#[derive(Debug, Clone)]
pub struct FetchSettings {
    pub concurrency: usize,
    pub per_host: usize,
    pub host_delay: Duration,
    pub min_interval: Duration,
    pub max_interval: Duration,
    pub connect_timeout: Duration,
    pub timeout: Duration,
    pub stall_timeout: Duration,
    pub proxy: Option<String>,
    pub user_agent: Option<String>,
    pub gone_after_checks: u32,
    pub gone_after: Duration,
}

impl Default for FetchSettings {
    fn default() -> Self {
        FetchSettings {
            concurrency: 16,
            per_host: 2,
            host_delay: Duration::from_secs(1),
            min_interval: Duration::from_secs(10 * 60),
            max_interval: Duration::from_secs(24 * 3600),
            connect_timeout: Duration::from_secs(15),
            timeout: Duration::from_secs(120),
            stall_timeout: Duration::from_secs(30),
            proxy: None,
            user_agent: None,
            gone_after_checks: 5,
            gone_after: Duration::from_secs(2 * 24 * 3600),
        }
    }
}

/// A duration as written in feedvault.toml: a number and a unit (ms, s, m, h, d).
pub fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let (number, unit) = text.split_at(split);
    let number: u64 = number.parse().ok()?;
    let millis = match unit.trim() {
        "ms" => 1,
        "s" => 1000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return None,
    };
    Some(Duration::from_millis(number.checked_mul(millis)?))
}

/// The parsed, editable configuration of a vault.
pub struct Config {
    path: PathBuf,
    doc: DocumentMut,
    pub settings: VaultSettings,
    pub max_feed_bytes: usize,
    pub fetch: FetchSettings,
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
                let pairs = |key: &str| -> Result<Vec<(String, String)>> {
                    match table.get(key) {
                        None => Ok(Vec::new()),
                        Some(item) => item
                            .as_table_like()
                            .map(|t| {
                                t.iter().filter_map(|(k, v)| Some((k.to_owned(), v.as_str()?.to_owned()))).collect()
                            })
                            .ok_or_else(|| usage!("{shown}: feed {name}: {key} must be a table of strings")),
                    }
                };
                let duration = |key: &str| -> Result<Option<Duration>> {
                    field(key)
                        .map(|d| {
                            parse_duration(&d)
                                .ok_or_else(|| usage!("{shown}: feed {name}: {key} {d:?} is not a duration"))
                        })
                        .transpose()
                };
                let (min_interval, max_interval) = (duration("min_interval")?, duration("max_interval")?);
                feeds.push(FeedEntry {
                    headers: pairs("headers")?,
                    cookies: pairs("cookies")?,
                    name,
                    url,
                    title: field("title"),
                    timezone,
                    proxy: field("proxy"),
                    user_agent: field("user_agent"),
                    min_interval,
                    max_interval,
                });
            }
        }
        let fetch = fetch_settings(doc.get("fetch").and_then(Item::as_table), &shown)?;
        Ok(Config { path, doc, settings, max_feed_bytes, fetch, feeds })
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

    /// Changes a feed's URL (a permanent redirect), keeping everything else as written.
    pub fn set_feed_url(&mut self, name: &str, url: &str) {
        let Some(index) = self.feeds.iter().position(|f| f.name == name) else { return };
        self.feeds[index].url = url.to_owned();
        if let Some(table) =
            self.doc.get_mut("feeds").and_then(Item::as_array_of_tables_mut).and_then(|t| t.get_mut(index))
        {
            table["url"] = value(url);
        }
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

/// Reads the `[fetch]` table (every key optional).
fn fetch_settings(table: Option<&Table>, shown: &str) -> Result<FetchSettings> {
    let mut settings = FetchSettings::default();
    let Some(table) = table else { return Ok(settings) };
    let count = |key: &str, value: &mut usize| -> Result<()> {
        if let Some(item) = table.get(key) {
            *value = item
                .as_integer()
                .filter(|n| *n >= 1)
                .ok_or_else(|| usage!("{shown}: fetch.{key} must be a whole number of at least 1"))?
                as usize;
        }
        Ok(())
    };
    let duration = |key: &str, value: &mut Duration| -> Result<()> {
        if let Some(item) = table.get(key) {
            *value = item
                .as_str()
                .and_then(parse_duration)
                .ok_or_else(|| usage!("{shown}: fetch.{key} must be a duration such as \"30s\" or \"10m\""))?;
        }
        Ok(())
    };
    count("concurrency", &mut settings.concurrency)?;
    count("per_host", &mut settings.per_host)?;
    let mut checks = settings.gone_after_checks as usize;
    count("gone_after_checks", &mut checks)?;
    settings.gone_after_checks = checks as u32;
    duration("host_delay", &mut settings.host_delay)?;
    duration("min_interval", &mut settings.min_interval)?;
    duration("max_interval", &mut settings.max_interval)?;
    duration("connect_timeout", &mut settings.connect_timeout)?;
    duration("timeout", &mut settings.timeout)?;
    duration("stall_timeout", &mut settings.stall_timeout)?;
    duration("gone_after", &mut settings.gone_after)?;
    settings.proxy = table.get("proxy").and_then(Item::as_str).map(str::to_owned);
    settings.user_agent = table.get("user_agent").and_then(Item::as_str).map(str::to_owned);
    Ok(settings)
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
        config.add_feed(FeedEntry { name: "b".into(), url: "https://b.example/".into(), ..FeedEntry::default() });
        config.save().unwrap();
        let saved = std::fs::read_to_string(dir.path().join(FILE_NAME)).unwrap();
        assert!(saved.starts_with(&text), "everything before is kept byte for byte:\n{saved}");
        let mut config = Config::load(dir.path()).unwrap();
        assert!(config.remove_feed("b"));
        config.save().unwrap();
        assert_eq!(std::fs::read_to_string(dir.path().join(FILE_NAME)).unwrap(), text);
    }

    #[test]
    fn durations() {
        let cases = [("500ms", Some(500)), ("30s", Some(30_000)), ("10m", Some(600_000)), ("2d", Some(172_800_000))];
        for (text, millis) in cases {
            assert_eq!(parse_duration(text), millis.map(Duration::from_millis), "{text}");
        }
        for bad in ["", "10", "m", "1.5h", "-1s", "10 years"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn bad_configurations_are_usage_errors() {
        let dir = tempfile::tempdir().unwrap();
        let cases = [
            "[vault]\nlayout = \"spiral\"\n",
            "[vault]\nlayout = 3\n",
            "[vault]\ntimezone = \"Mars/Olympus\"\n",
            "[vault]\nmax_feed_bytes = -1\n",
            "[fetch]\nconcurrency = \"many\"\n",
            "[fetch]\ntimeout = \"soon\"\n",
            "[fetch]\nmin_interval = 10\n",
            "[[feeds]]\nname = \"a\"\nurl = \"x\"\nheaders = \"X-A: 1\"\n",
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
