//! Preservation: what of a feed is kept, and how completely.
//!
//! Per feed in feedvault.toml: item filters ([`filter`]: `include` and `exclude`
//! rules on categories, title and link) and full text for summary-only feeds
//! (`full_text`: a CSS selector or readability, [`extract`]), fetched from each new or
//! changed item's page with the feed's own options ([`pages`]). The fetch cycle calls
//! [`prepare`] between parsing a feed and archiving its items; `refetch-text`
//! ([`refetch`]) extracts again for the articles already archived. A page that cannot
//! be fetched or read never fails the feed: the item's own content is archived (or,
//! for an article already archived, the archived version kept) and the failure is
//! reported for that item. Every response archived from is kept as a raw capture
//! ([`captures`]).

pub mod captures;
pub mod extract;
pub mod filter;
pub mod images;
pub(crate) mod pages;
pub mod recheck;
pub mod refetch;

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use feedvault_archive::writer::ItemAction;
use feedvault_core::Item;

pub use extract::FullText;
pub use filter::ItemFilter;

use crate::settings::{FeedSettings, Settings};
use crate::{Result, VaultWriter};
use captures::PageCapture;

/// What preserving did for one feed's items.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PreserveNotes {
    /// Items the filters left out (not archived).
    pub filtered: usize,
    /// Items whose body is their page's extracted text.
    pub full_text: usize,
    /// Items whose page gave no text, with why.
    pub failures: Vec<TextFailure>,
    /// What keeping the articles' images did ([`images`]).
    pub images: images::ImageNotes,
}

/// One item whose full text could not be had.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextFailure {
    /// The item's link (empty when it has none).
    pub link: String,
    pub why: String,
    /// What was archived instead.
    pub instead: Instead,
}

/// What is archived for an item whose page gave no text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Instead {
    /// A new item: the feed's own content.
    FeedContent,
    /// An article already archived: nothing new (its archived version stays).
    ArchivedVersion,
}

impl TextFailure {
    /// One line for a report: the link, why, and what was kept.
    pub fn describe(&self) -> String {
        let instead = match self.instead {
            Instead::FeedContent => "the feed's own content was archived",
            Instead::ArchivedVersion => "the archived version was kept",
        };
        let link = if self.link.is_empty() { "an item without a link" } else { &self.link };
        format!("full text of {link}: {}; {instead}", self.why)
    }
}

/// Checks a feed's preservation settings (called when the settings load).
pub fn check_feed(feed: &FeedSettings) -> std::result::Result<(), String> {
    ItemFilter::new(&feed.include, &feed.exclude).map_err(|why| format!("feed {}: {why}", feed.name))?;
    if let Some(full_text) = &feed.full_text {
        FullText::parse(full_text).map_err(|why| format!("feed {}: {why}", feed.name))?;
    }
    Ok(())
}

/// The items of one fetch of `feed` to archive: those the filters keep, with the
/// full text of their pages for the new and changed ones when the feed asks for it,
/// and the pages whose text was used (for their raw captures).
pub(crate) fn prepare<'a>(
    writer: &VaultWriter,
    settings: &Settings,
    feed: &FeedSettings,
    items: &'a [Item],
    now: DateTime<Utc>,
) -> Result<(Cow<'a, [Item]>, PreserveNotes, Vec<PageCapture>)> {
    let mut notes = PreserveNotes::default();
    // Checked when the settings loaded; a failure here is the same message.
    let filter = ItemFilter::new(&feed.include, &feed.exclude).map_err(|why| usage(feed, why))?;
    if filter.is_empty() && feed.full_text.is_none() {
        return Ok((Cow::Borrowed(items), notes, Vec::new()));
    }
    let mut kept: Vec<Item> = Vec::with_capacity(items.len());
    for item in items {
        if filter.keeps(item) {
            kept.push(item.clone());
        } else {
            notes.filtered += 1;
        }
    }
    let Some(full_text) = &feed.full_text else { return Ok((Cow::Owned(kept), notes, Vec::new())) };
    let how = FullText::parse(full_text).map_err(|why| usage(feed, why))?;
    // Only items that would be written get their page: an unchanged one never does,
    // so a feed fetched hourly does not fetch its pages again.
    let mut wanted = Vec::new();
    for (at, item) in kept.iter().enumerate() {
        match writer.archiver.action_for(&feed.name, item, now)? {
            ItemAction::Unchanged { .. } => {}
            ItemAction::New => wanted.push((at, Instead::FeedContent)),
            ItemAction::Revised { .. } => wanted.push((at, Instead::ArchivedVersion)),
        }
    }
    if wanted.is_empty() {
        return Ok((Cow::Owned(kept), notes, Vec::new()));
    }
    let spec = settings.request_spec(feed)?;
    let links: Vec<Option<String>> = wanted.iter().map(|&(at, _)| kept[at].link.clone()).collect();
    let texts = pages::full_texts(writer, &feed.url, &spec, &links, &how);
    let mut held_back = vec![false; kept.len()];
    let mut captured = Vec::new();
    for ((at, instead), (text, raw)) in wanted.into_iter().zip(texts) {
        match text {
            Ok(body) => {
                kept[at].content_html = Some(body);
                notes.full_text += 1;
                if let Some(raw) = raw.filter(|_| settings.preserve.captures) {
                    captured.push(PageCapture { content_hash: captures::content_hash_of(&kept[at], now), raw });
                }
            }
            Err(why) => {
                if instead == Instead::ArchivedVersion {
                    held_back[at] = true;
                }
                notes.failures.push(TextFailure { link: kept[at].link.clone().unwrap_or_default(), why, instead });
            }
        }
    }
    let kept = kept.into_iter().zip(held_back).filter(|(_, held)| !held).map(|(item, _)| item).collect();
    Ok((Cow::Owned(kept), notes, captured))
}

fn usage(feed: &FeedSettings, why: String) -> crate::EngineError {
    crate::EngineError::Usage(format!("{}: feed {}: {why}", crate::FILE_NAME, feed.name))
}

#[cfg(test)]
mod tests {
    use crate::settings::Settings;

    #[test]
    fn preservation_settings_load_and_bad_ones_say_which_feed_and_rule() {
        let good = r#"
[[feeds]]
name = "cdt"
url = "https://chinadigitaltimes.net/chinese/feed"
include = ['category:/\p{Extended_Pictographic}/', "立此存照"]
exclude = ["title:广告"]
full_text = "css:div.post-content"
"#;
        let settings = Settings::parse(good, "feedvault.toml").unwrap();
        assert_eq!(settings.feeds[0].include.len(), 2);
        assert_eq!(settings.feeds[0].full_text.as_deref(), Some("css:div.post-content"));
        let cases = [
            (
                "include = ['title:/[unclosed/']",
                "feedvault.toml: feed cdt: include rule \"title:/[unclosed/\": invalid regex:",
            ),
            ("exclude = ['/a{99999}/']", "feedvault.toml: feed cdt: exclude rule \"/a{99999}/\": invalid regex"),
            ("include = ['link:']", "feedvault.toml: feed cdt: include rule \"link:\": an empty rule"),
            ("full_text = 'css:div[class='", "feedvault.toml: feed cdt: full_text \"css:div[class=\": "),
            ("full_text = 'xpath://div'", "use \"css:SELECTOR\" or \"readability\""),
            ("include = 'one'", "line 4"),
        ];
        for (line, want) in cases {
            let text = format!("[[feeds]]\nname = \"cdt\"\nurl = \"https://x.example/feed\"\n{line}\n");
            let err = Settings::parse(&text, "feedvault.toml").unwrap_err();
            assert!(err.is_usage(), "{line}: {err}");
            assert!(err.to_string().contains(want), "{line}: {err}");
        }
    }
}
