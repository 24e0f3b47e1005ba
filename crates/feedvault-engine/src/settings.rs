//! feedvault.toml read into one [`Settings`] type, whose defaults are written once.
//!
//! Every default lives in the `Default` impls below; the file `init` writes is
//! generated from them ([`template`]), the fetcher's options are derived from them,
//! and a test checks the README's copy of the template. Reading goes through serde
//! with [`serde_ignored`], so a key feedvault does not know (a typo) is reported with
//! its table instead of being silently ignored. Edits that keep the user's comments
//! are `config_file`'s business.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use chrono_tz::Tz;
use feedvault_archive::{Layout, VaultSettings};
use feedvault_fetch::{FetchOptions, PolitenessOptions, ProxyChoice, RequestSpec};
use serde::Deserialize;
use serde::de::{self, Deserializer};

use crate::EngineError;

mod preserve;
mod publish;
pub use preserve::{ImagesSection, PreserveSection, RecheckSection};
pub use publish::{GitSection, Include, PublishSection};

/// The name of the settings file in a vault.
pub const FILE_NAME: &str = "feedvault.toml";

/// Everything feedvault.toml says.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(default)]
pub struct Settings {
    pub vault: VaultSection,
    pub fetch: FetchSection,
    pub import: ImportSection,
    pub web: WebSection,
    pub publish: PublishSection,
    pub preserve: PreserveSection,
    pub feeds: Vec<FeedSettings>,
}

/// `[vault]`: how the archive is laid out.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default)]
pub struct VaultSection {
    #[serde(deserialize_with = "layout")]
    pub layout: Layout,
    /// Time zone of the day folders.
    #[serde(deserialize_with = "zone")]
    pub timezone: Tz,
    /// Largest feed document accepted, in bytes.
    #[serde(deserialize_with = "positive")]
    pub max_feed_bytes: u64,
}

impl Default for VaultSection {
    fn default() -> Self {
        VaultSection { layout: Layout::Dated, timezone: chrono_tz::UTC, max_feed_bytes: 32 * 1024 * 1024 }
    }
}

/// `[fetch]`: politeness, schedule bounds, limits and routing of every fetch.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default)]
pub struct FetchSection {
    #[serde(deserialize_with = "positive_usize")]
    pub concurrency: usize,
    #[serde(deserialize_with = "positive_usize")]
    pub per_host: usize,
    #[serde(deserialize_with = "duration")]
    pub host_delay: Duration,
    #[serde(deserialize_with = "duration")]
    pub min_interval: Duration,
    #[serde(deserialize_with = "duration")]
    pub max_interval: Duration,
    #[serde(deserialize_with = "duration")]
    pub connect_timeout: Duration,
    #[serde(deserialize_with = "duration")]
    pub timeout: Duration,
    #[serde(deserialize_with = "duration")]
    pub stall_timeout: Duration,
    /// A proxy for every feed; `None`: the proxy environment variables.
    pub proxy: Option<String>,
    pub user_agent: Option<String>,
    #[serde(deserialize_with = "positive_u32")]
    pub gone_after_checks: u32,
    #[serde(deserialize_with = "duration")]
    pub gone_after: Duration,
}

impl Default for FetchSection {
    fn default() -> Self {
        FetchSection {
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

/// `[import]`: how `import-archive` names the feeds of another archive.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(default)]
pub struct ImportSection {
    /// Folder names of the source archive to feed names: `{ "纽约时报" = "nyt" }`.
    pub folders: BTreeMap<String, String>,
}

/// `[web]`: how the web UI shows archived articles (the files never change).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default)]
pub struct WebSection {
    /// Known feed boilerplate dropped from the end of a body when it is shown.
    pub boilerplate: Vec<BoilerplateRule>,
}

impl Default for WebSection {
    fn default() -> Self {
        WebSection {
            boilerplate: vec![BoilerplateRule {
                name: "feedx.net footer".into(),
                marker: "<br><hr><div>获取更多RSS：".into(),
                end: "</div>".into(),
            }],
        }
    }
}

/// A trailing block of boilerplate: from the last `marker` to the end of the body,
/// when the body then ends with `end`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoilerplateRule {
    pub name: String,
    pub marker: String,
    #[serde(default)]
    pub end: String,
}

/// One `[[feeds]]` table: a subscription.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
pub struct FeedSettings {
    /// The feed's folder under archive/ (a slug).
    pub name: String,
    pub url: String,
    #[serde(default)]
    pub title: Option<String>,
    /// The zone of dates the feed writes without one.
    #[serde(default, deserialize_with = "optional_zone")]
    pub timezone: Option<Tz>,
    #[serde(default)]
    pub proxy: Option<String>,
    #[serde(default)]
    pub user_agent: Option<String>,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    #[serde(default)]
    pub cookies: BTreeMap<String, String>,
    #[serde(default, deserialize_with = "optional_duration")]
    pub min_interval: Option<Duration>,
    #[serde(default, deserialize_with = "optional_duration")]
    pub max_interval: Option<Duration>,
    /// Follow a redirect from https to plain http (refused by default).
    #[serde(default)]
    pub allow_insecure_redirects: bool,
    /// The site name of the countdown layout's `lists/<site name>.md` (default: the
    /// feed's title).
    #[serde(default)]
    pub list_name: Option<String>,
    /// Refuse every hop of every fetch whose address is loopback, private or
    /// link-local (set on feeds added from the web).
    #[serde(default)]
    pub public_only: bool,
    /// Item filters ([`crate::preserve::filter`]): an item is kept when it matches
    /// any `include` rule (or there are none) and no `exclude` rule.
    #[serde(default)]
    pub include: Vec<String>,
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Where new items' full text comes from: `"css:SELECTOR"` or `"readability"`
    /// ([`crate::preserve::FullText`]); unset: the feed's own content.
    #[serde(default)]
    pub full_text: Option<String>,
    /// Keep the images this feed's articles reference (overrides `[preserve.images]
    /// enabled`; [`crate::preserve::images`]).
    #[serde(default)]
    pub images: Option<bool>,
    /// Re-check this feed's archived articles' pages (unset: `[preserve.recheck]
    /// enabled`).
    #[serde(default)]
    pub recheck: Option<bool>,
}

impl Settings {
    /// Reads feedvault.toml's text; `shown` names the file in errors.
    pub fn parse(text: &str, shown: &str) -> Result<Settings, EngineError> {
        let deserializer = toml::Deserializer::parse(text).map_err(|e| toml_error(shown, text, &e))?;
        let mut unknown = Vec::new();
        let settings: Settings = serde_ignored::deserialize(deserializer, |path| unknown.push(path.to_string()))
            .map_err(|e| toml_error(shown, text, &e))?;
        if let Some(path) = unknown.first() {
            return Err(EngineError::Usage(format!("{shown}: {}", unknown_key(path))));
        }
        settings.check(shown)?;
        Ok(settings)
    }

    fn check(&self, shown: &str) -> Result<(), EngineError> {
        for (i, feed) in self.feeds.iter().enumerate() {
            if feed.name.is_empty() {
                return Err(EngineError::Usage(format!("{shown}: feed #{} has no name", i + 1)));
            }
            if !feedvault_core::slug::is_slug(&feed.name) {
                return Err(EngineError::Usage(format!(
                    "{shown}: feed name {:?} must be lowercase a-z, 0-9 and -",
                    feed.name
                )));
            }
            if feed.url.trim().is_empty() {
                return Err(EngineError::Usage(format!("{shown}: feed {} has no url", feed.name)));
            }
            if let Some(list) = feed.list_name.as_deref().filter(|l| !feedvault_archive::lists::is_safe_site_name(l)) {
                return Err(EngineError::Usage(format!(
                    "{shown}: feed {}: list_name {list:?} must not contain / or \\ or start with a dot",
                    feed.name
                )));
            }
            crate::preserve::check_feed(feed).map_err(|why| EngineError::Usage(format!("{shown}: {why}")))?;
            if self.feeds[..i].iter().any(|f| f.name == feed.name) {
                return Err(EngineError::Usage(format!("{shown}: two feeds are named {}", feed.name)));
            }
        }
        Ok(())
    }

    /// The archive's layout and zone.
    pub fn vault_settings(&self) -> VaultSettings {
        VaultSettings { layout: self.vault.layout, zone: self.vault.timezone }
    }

    /// The subscription named, or at the URL, `name_or_url`.
    pub fn feed(&self, name_or_url: &str) -> Option<&FeedSettings> {
        self.feeds.iter().find(|f| f.name == name_or_url || f.url == name_or_url)
    }

    /// A free feed name from a wanted one (`name`, `name-2`, …).
    pub fn free_name(&self, wanted: &str) -> String {
        (1..)
            .map(|n| if n == 1 { wanted.to_owned() } else { format!("{wanted}-{n}") })
            .find(|candidate| self.feeds.iter().all(|f| &f.name != candidate))
            .expect("an unbounded range always yields a free name")
    }
}

impl Settings {
    /// The fetcher's options: limits from `[vault]`, everything else from `[fetch]`.
    pub fn fetch_options(&self) -> Result<FetchOptions, EngineError> {
        let fetch = &self.fetch;
        let proxy = match &fetch.proxy {
            Some(proxy) => {
                ProxyChoice::parse(proxy).map_err(|e| EngineError::Usage(format!("{FILE_NAME}: fetch.proxy: {e}")))?
            }
            None => ProxyChoice::FromEnv,
        };
        let mut options = FetchOptions {
            max_bytes: self.vault.max_feed_bytes as usize,
            connect_timeout: fetch.connect_timeout,
            total_timeout: fetch.timeout,
            stall_timeout: fetch.stall_timeout,
            proxy,
            politeness: Some(PolitenessOptions {
                max_concurrent: fetch.concurrency,
                per_host: fetch.per_host,
                host_delay: fetch.host_delay,
            }),
            ..FetchOptions::default()
        };
        if let Some(agent) = &fetch.user_agent {
            options.user_agent = agent.clone();
        }
        Ok(options)
    }

    /// A feed's own request options.
    pub fn request_spec(&self, feed: &FeedSettings) -> Result<RequestSpec, EngineError> {
        let proxy = feed
            .proxy
            .as_deref()
            .map(ProxyChoice::parse)
            .transpose()
            .map_err(|e| EngineError::Usage(format!("{FILE_NAME}: feed {}: proxy: {e}", feed.name)))?;
        let pairs = |map: &BTreeMap<String, String>| map.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        Ok(RequestSpec {
            user_agent: feed.user_agent.clone(),
            headers: pairs(&feed.headers),
            cookies: pairs(&feed.cookies),
            proxy,
            allow_insecure_redirects: feed.allow_insecure_redirects,
            public_only: feed.public_only,
            ..RequestSpec::default()
        })
    }
}

/// "unknown key `x` in [fetch]" from serde_ignored's path (`fetch.x`, `feeds.0.x`,
/// `publish.git.?.x` where `?` marks an optional table).
fn unknown_key(path: &str) -> String {
    let parts: Vec<&str> = path.split('.').filter(|part| *part != "?").collect();
    match parts.as_slice() {
        [key] => format!("unknown key `{key}` at the top level"),
        ["feeds", index, key, ..] => match index.parse::<usize>() {
            Ok(i) => format!("unknown key `{key}` in [[feeds]] #{}", i + 1),
            Err(_) => format!("unknown key `{}`", parts[1..].join(".")),
        },
        [table @ .., key] => format!("unknown key `{key}` in [{}]", table.join(".")),
        [] => "unknown key".to_owned(),
    }
}

/// A TOML error in one line, with its line number.
fn toml_error(shown: &str, text: &str, error: &toml::de::Error) -> EngineError {
    let line = error.span().map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
    let message = error.message().replace('\n', " ");
    match line {
        Some(line) => EngineError::Usage(format!("{shown} line {line}: {message}")),
        None => EngineError::Usage(format!("{shown}: {message}")),
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

/// A duration in the largest unit that writes it exactly (`"10m"`, `"2d"`), days
/// only from two days on (`"24h"` reads better than `"1d"`).
pub fn format_duration(duration: Duration) -> String {
    let ms = duration.as_millis();
    for (unit, size) in [("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000)] {
        if ms >= size && ms.is_multiple_of(size) && (unit != "d" || ms >= 2 * size) {
            return format!("{}{unit}", ms / size);
        }
    }
    format!("{ms}ms")
}

/// Reads a layout name.
pub fn parse_layout(name: &str) -> Result<Layout, EngineError> {
    match name {
        "dated" => Ok(Layout::Dated),
        "countdown" => Ok(Layout::Countdown),
        other => Err(EngineError::Usage(format!("unknown layout {other:?} (use \"dated\" or \"countdown\")"))),
    }
}

/// Reads an IANA time zone name.
pub fn parse_zone(name: &str) -> Result<Tz, EngineError> {
    name.parse::<Tz>()
        .map_err(|_| EngineError::Usage(format!("unknown time zone {name:?} (use an IANA name such as Asia/Shanghai)")))
}

fn layout<'de, D: Deserializer<'de>>(d: D) -> Result<Layout, D::Error> {
    let name = String::deserialize(d)?;
    parse_layout(&name).map_err(de::Error::custom)
}

fn zone<'de, D: Deserializer<'de>>(d: D) -> Result<Tz, D::Error> {
    parse_zone(&String::deserialize(d)?).map_err(de::Error::custom)
}

fn optional_zone<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Tz>, D::Error> {
    zone(d).map(Some)
}

fn duration<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    let text = String::deserialize(d)?;
    parse_duration(&text)
        .ok_or_else(|| de::Error::custom(format!("{text:?} is not a duration such as \"30s\", \"10m\" or \"2d\"")))
}

fn optional_duration<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
    duration(d).map(Some)
}

fn positive<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    let n = i64::deserialize(d)?;
    u64::try_from(n).ok().filter(|n| *n > 0).ok_or_else(|| de::Error::custom("must be a positive whole number"))
}

fn positive_usize<'de, D: Deserializer<'de>>(d: D) -> Result<usize, D::Error> {
    positive(d).map(|n| n as usize)
}

fn positive_u32<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    positive(d).and_then(|n| u32::try_from(n).map_err(|_| de::Error::custom("is too large")))
}

/// The layout's name as feedvault.toml writes it.
pub fn layout_name(layout: Layout) -> &'static str {
    match layout {
        Layout::Dated => "dated",
        Layout::Countdown => "countdown",
    }
}

/// The feedvault.toml that `init` writes: every default from [`Settings::default`],
/// each with a comment saying what it does.
pub fn template(layout: Layout, timezone: &str) -> String {
    let vault = VaultSection::default();
    let fetch = FetchSection::default();
    let git = GitSection::default();
    let preserve = PreserveSection::default();
    let d = format_duration;
    let mut out = String::new();
    let _ = write!(
        out,
        r#"# feedvault vault settings. Edit freely: feedvault keeps your comments and layout.

[vault]
# "dated": archive/<feed>/YYYY/MM/DD/<article>.md (the default), or
# "countdown": articles/<feed>/<id>.md, ids counting down from 1048575.
layout = "{layout}"
# Time zone of the day folders (an IANA name such as "Asia/Shanghai").
timezone = "{timezone}"
# Largest feed document accepted, in bytes ({mib} MiB).
max_feed_bytes = {max_feed_bytes}

[fetch]
# Feeds fetched at once, at most per host, and the least time between two
# requests to one host. Durations are written like "500ms", "30s", "10m", "24h", "2d".
concurrency = {concurrency}
per_host = {per_host}
host_delay = "{host_delay}"
# Each feed is checked between these bounds, more often when it publishes more.
min_interval = "{min_interval}"
max_interval = "{max_interval}"
# Limits of one request: connecting, the whole fetch, and the longest silence.
connect_timeout = "{connect_timeout}"
timeout = "{timeout}"
stall_timeout = "{stall_timeout}"
# A proxy for every feed: "http://…", "https://…", "socks5://…", "socks5h://…", or
# "none". Unset: HTTP_PROXY, HTTPS_PROXY, ALL_PROXY and NO_PROXY from the environment.
# proxy = "socks5h://127.0.0.1:1080"
# A feed answering 404/410 this many checks in a row, over at least this long,
# is marked gone and no longer fetched.
gone_after_checks = {gone_after_checks}
gone_after = "{gone_after}"

[web]
# Known feed boilerplate the web UI drops from the end of a body when it shows it
# (the article file is never changed): from the last `marker` to the end, when the
# body then ends with `end`.
boilerplate = [
{boilerplate}]

# Git publishing: with a [publish.git] table, a fetch that changed the archive
# ends with a commit (at most one per `interval`) pushed to every remote, and
# `feedvault publish` commits and pushes at once. include = "archive" commits the
# archive, lists and indexes; "vault" everything but state.db, index/ and secrets.
# [publish.git]
# remotes = ["git@github.com:someone/news.git", "/srv/mirrors/news.git"]
# branch = "{git_branch}"
# include = "archive"
# include_assets = {git_assets}
# interval = "{git_interval}"
# author = "{git_author}"
# push_timeout = "{git_push_timeout}"

[preserve]
# Keep every response archived from (feeds and pages) under captures/: request,
# status, headers and body, zstd-compressed and stored once by content hash.
captures = {captures}

# Images articles reference (src, srcset, <picture>, image proxies resolved to the
# original) downloaded once, stored under assets/ by content hash and shown by the
# web UI instead of a link. Off by default; a feed's `images = true|false` overrides
# `enabled`. Types are checked on the bytes; SVG is never kept (it can carry script).
[preserve.images]
enabled = {images_enabled}
max_bytes = {images_max_bytes}
types = [{images_types}]
per_article = {images_per_article}

[preserve.recheck]
# Check each archived article's page again this long after it was archived (a
# feed may say recheck = false): unchanged, changed (a new revision, marked as
# seen on the page), gone (404, 410, 451, a redirect to the home or a section
# page, a page without the article's title) or unreachable (says nothing). An
# article is marked removed after removed_after_checks gone answers in a row
# spanning removed_after; the evidence goes to archive/.evidence/checks.jsonl.
enabled = {recheck_enabled}
after = [{recheck_after}]
gone_every = "{recheck_gone_every}"
removed_after_checks = {recheck_removed_checks}
removed_after = "{recheck_removed_after}"
max_per_cycle = {recheck_max}
max_time = "{recheck_max_time}"

# Subscriptions, one [[feeds]] table each. `feedvault add` appends here.
# Per feed: name (the folder under archive/), url, and optionally title,
# timezone (for feed dates written without a zone; default UTC), proxy,
# user_agent, headers = {{ "X-Key" = "…" }}, cookies = {{ session = "…" }},
# min_interval, max_interval, allow_insecure_redirects, public_only (set on
# feeds added from the web: no fetch of them may reach a private address) and
# list_name (the countdown layout's lists/<list_name>.md; default: the title).
#
# Item filters, per feed: an item is archived when it matches any `include` rule
# (or there is none) and no `exclude` rule. A rule is a word (a case-insensitive
# substring) or /regex/, optionally after category:, title: or link: (without
# one it matches any of the three). Full text for summary-only feeds: the page of
# each new item, read with a CSS selector (its first match) or readability.
# include = ['category:/\p{{Extended_Pictographic}}/']   # a category with an emoji
# exclude = ["title:广告", 'link:/\.pdf$/']
# full_text = "css:div.post-content"                  # or "readability"
# images = true                                       # keep this feed's images
"#,
        layout = layout_name(layout),
        mib = vault.max_feed_bytes / (1024 * 1024),
        max_feed_bytes = vault.max_feed_bytes,
        concurrency = fetch.concurrency,
        per_host = fetch.per_host,
        host_delay = d(fetch.host_delay),
        min_interval = d(fetch.min_interval),
        max_interval = d(fetch.max_interval),
        connect_timeout = d(fetch.connect_timeout),
        timeout = d(fetch.timeout),
        stall_timeout = d(fetch.stall_timeout),
        gone_after_checks = fetch.gone_after_checks,
        gone_after = d(fetch.gone_after),
        git_branch = git.branch,
        git_assets = git.include_assets,
        git_interval = d(git.interval),
        git_author = git.author,
        git_push_timeout = d(git.push_timeout),
        captures = preserve.captures,
        images_enabled = preserve.images.enabled,
        images_max_bytes = preserve.images.max_bytes,
        images_types = preserve.images.types.iter().map(|t| toml_string(t)).collect::<Vec<_>>().join(", "),
        images_per_article = preserve.images.per_article,
        recheck_enabled = preserve.recheck.enabled,
        recheck_after = preserve.recheck.after.iter().map(|a| format!("\"{}\"", d(*a))).collect::<Vec<_>>().join(", "),
        recheck_gone_every = d(preserve.recheck.gone_every),
        recheck_removed_checks = preserve.recheck.removed_after_checks,
        recheck_removed_after = d(preserve.recheck.removed_after),
        recheck_max = preserve.recheck.max_per_cycle,
        recheck_max_time = d(preserve.recheck.max_time),
        boilerplate = WebSection::default()
            .boilerplate
            .iter()
            .map(|r| {
                format!(
                    "  {{ name = {}, marker = {}, end = {} }},\n",
                    toml_string(&r.name),
                    toml_string(&r.marker),
                    toml_string(&r.end)
                )
            })
            .collect::<String>(),
    );
    out
}

/// A TOML basic string.
fn toml_string(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_is_the_defaults() {
        let settings = Settings::parse(&template(Layout::Dated, "UTC"), "t").unwrap();
        assert_eq!(settings, Settings::default());
        let settings = Settings::parse(&template(Layout::Countdown, "Asia/Shanghai"), "t").unwrap();
        assert_eq!((settings.vault.layout, settings.vault.timezone), (Layout::Countdown, chrono_tz::Asia::Shanghai));
    }

    #[test]
    fn the_readme_shows_the_template() {
        let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap();
        let template = template(Layout::Dated, "UTC");
        assert!(readme.contains(&format!("```toml\n{template}```")), "README.md's feedvault.toml differs from init's");
    }

    #[test]
    fn durations_read_and_write() {
        let cases = [("500ms", 500), ("30s", 30_000), ("10m", 600_000), ("2d", 172_800_000), ("24h", 86_400_000)];
        for (text, millis) in cases {
            assert_eq!(parse_duration(text), Some(Duration::from_millis(millis)), "{text}");
        }
        assert_eq!(format_duration(Duration::from_secs(86_400)), "24h");
        assert_eq!(format_duration(Duration::from_secs(3 * 86_400)), "3d");
        assert_eq!(format_duration(Duration::from_secs(90)), "90s");
        assert_eq!(format_duration(Duration::from_millis(1500)), "1500ms");
        for bad in ["", "10", "m", "1.5h", "-1s", "10 years"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn unknown_keys_are_reported_with_their_table() {
        let cases = [
            ("[fetch]\nconcurency = 3\n", "unknown key `concurency` in [fetch]"),
            ("[vault]\ntimezone = \"UTC\"\nlayuot = \"dated\"\n", "unknown key `layuot` in [vault]"),
            ("[[feeds]]\nname = \"a\"\nurl = \"x\"\nheader = {}\n", "unknown key `header` in [[feeds]] #1"),
            ("colour = 1\n", "unknown key `colour` at the top level"),
            ("[publish]\nremotes = []\n", "unknown key `remotes` in [publish]"),
            ("[publish.git]\nremote = \"x\"\n", "unknown key `remote` in [publish.git]"),
            ("[web]\nboilerplat = []\n", "unknown key `boilerplat` in [web]"),
        ];
        for (text, want) in cases {
            let err = Settings::parse(text, "feedvault.toml").unwrap_err().to_string();
            assert!(err.contains(want), "{text:?}: {err}");
        }
    }

    #[test]
    fn bad_settings_are_usage_errors_that_say_where() {
        let cases = [
            ("[vault]\nlayout = \"spiral\"\n", "unknown layout"),
            ("[vault]\nlayout = 3\n", "line 2"),
            ("[vault]\ntimezone = \"Mars/Olympus\"\n", "unknown time zone"),
            ("[vault]\nmax_feed_bytes = -1\n", "positive"),
            ("[fetch]\nconcurrency = \"many\"\n", "line 2"),
            ("[fetch]\nconcurrency = 0\n", "positive"),
            ("[fetch]\ntimeout = \"soon\"\n", "not a duration"),
            ("[fetch]\nmin_interval = 10\n", "line 2"),
            ("[[feeds]]\nname = \"a\"\nurl = \"x\"\nheaders = \"X-A: 1\"\n", "line 4"),
            ("[[feeds]]\nurl = \"x\"\n", "name"),
            ("[[feeds]]\nname = \"Bad Name\"\nurl = \"x\"\n", "lowercase"),
            ("[[feeds]]\nname = \"a\"\nurl = \"x\"\n[[feeds]]\nname = \"a\"\nurl = \"y\"\n", "two feeds"),
            ("this is = = not toml", "line 1"),
            ("[publish.git]\ninclude = \"everything\"\n", "use \"archive\" or \"vault\""),
            ("[publish.git]\ninterval = \"hourly\"\n", "not a duration"),
            ("[publish.git]\nauthor = \"me\"\n", "Name <email>"),
        ];
        for (text, want) in cases {
            let err = Settings::parse(text, "feedvault.toml").unwrap_err();
            assert!(err.is_usage(), "{text:?}: {err}");
            assert!(err.to_string().contains(want), "{text:?}: {err}");
        }
    }
}
