//! Rows archived before raw hashes were recorded: whether an archived version and
//! today's reading of the same item differ only as the parser fixes explain (so the
//! item is unchanged), and which identity the earlier rules gave an item.
//!
//! The fixes measured against a vault of the release before them
//! (crates/feedvault-engine/tests/fixtures/legacy-vault): named references that
//! decoded to other characters (`&alpha;` to `;`, `&Delta;` to `9`), Atom 0.3 base64
//! content kept as base64, titles that kept the text of `<script>`/`<style>`, titles
//! and bodies the earlier rules did not read (`media:title`, `<fullitem>`), relative
//! Atom ids resolved, and links found where there was none. Anything else, above all
//! letters or digits that changed, is an edit.

use std::collections::HashSet;
use std::sync::OnceLock;

use base64::Engine as _;
use feedvault_core::html::{self, Token, Tokens};
use feedvault_core::{Article, Item, text};

/// Letters and digits the earlier decoder gave for named references it read wrongly
/// (quick-xml 0.38's table: 444 names gave other text; these are the letters and
/// digits among what they gave, the rest is punctuation or controls).
const EARLIER_DECODER_LETTERS: &str = "139ABCDEᵉᵊᵋᵌᵐᵑᵒᵓᵔᵕᵖΩÅ";

/// At most this many letters the earlier decoder gave for one reference.
const MOST_LETTERS_PER_REFERENCE: usize = 2;

/// Every character some named reference stands for (or a windows-1252 byte).
fn reference_chars() -> &'static HashSet<char> {
    static CHARS: OnceLock<HashSet<char>> = OnceLock::new();
    CHARS.get_or_init(|| {
        let mut chars: HashSet<char> = web_atoms::NAMED_ENTITIES
            .entries()
            .flat_map(|(_, &(first, second))| [first, second])
            .filter(|&c| c != 0)
            .filter_map(char::from_u32)
            .collect();
        chars.extend((0x80..0xA0).filter_map(char::from_u32).filter_map(html::c1_replacement));
        chars
    })
}

/// Whether today's reading (`now`, from `item`) of an item archived as `archived`
/// before raw hashes were recorded differs from it only as the parser fixes explain.
pub fn reads_alike(archived: &Article, now: &Article, item: &Item) -> bool {
    title_alike(&archived.title, &now.title, item.title.as_deref()) && body_alike(&archived.body, &now.body, item)
}

/// The identities earlier rules may have given an item whose identity today is
/// `key`: its id as written before it was resolved, and, when today's key is an id or
/// a link, the hash of its text (the key of an item in which they found neither).
pub fn earlier_keys(item: &Item, key: &str, content_hash: &str) -> Vec<String> {
    let mut keys: Vec<String> = item.earlier_id.iter().map(|id| format!("id:{}", id.trim())).collect();
    if !key.starts_with("hash:") {
        keys.push(format!("hash:{content_hash}"));
    }
    keys.retain(|k| k != key);
    keys
}

fn title_alike(archived: &str, now: &str, raw: Option<&str>) -> bool {
    same_letters(archived, now)
        // A title the earlier rules did not read (media:title).
        || (archived.is_empty() && !now.is_empty())
        // The earlier rules kept the text of <script> and <style>.
        || raw.is_some_and(|raw| same_letters(archived, &text_with_hidden(raw)))
}

fn body_alike(archived: &str, now: &str, item: &Item) -> bool {
    let visible = |html: &str| text::strip_tags(html);
    if same_letters(&visible(archived), &visible(now)) {
        return true;
    }
    // Atom 0.3 base64 content, kept as it was written.
    if let Some(decoded) = base64_text(archived)
        && same_letters(&visible(&text::body_line(&decoded)), &visible(now))
    {
        return true;
    }
    // A content element the earlier rules did not read (<fullitem>, atom:content):
    // they archived the summary.
    let content = item.content_html.as_deref().filter(|c| !c.trim().is_empty());
    let summary = item.summary_html.as_deref().filter(|s| !s.trim().is_empty());
    matches!((content, summary), (Some(_), Some(summary))
        if same_letters(&visible(archived), &visible(&text::body_line(summary))))
}

/// The text of a title with the content of `<script>` and `<style>` kept, as the
/// earlier rules read it.
fn text_with_hidden(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for token in Tokens::new(raw) {
        match token {
            Token::Text(t) | Token::RawText { text: t, .. } => out.push_str(&html::decode_entities(t)),
            _ => {}
        }
    }
    text::collapse_whitespace(&out)
}

fn base64_text(body: &str) -> Option<String> {
    let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.is_empty() {
        return None;
    }
    let bytes = base64::engine::general_purpose::STANDARD.decode(compact).ok()?;
    String::from_utf8(bytes).ok()
}

/// Whether two texts have the same letters and digits, in order, where `now` may
/// hold a character a named reference stands for that `archived` lacks or holds as
/// up to two letters the earlier decoder gave instead. Punctuation, spaces and
/// symbols do not count. Linear in the lengths.
pub fn same_letters(archived: &str, now: &str) -> bool {
    let refs = reference_chars();
    let old: Vec<char> = archived.chars().filter(|c| c.is_alphanumeric()).collect();
    let new: Vec<char> = now.chars().filter(|c| c.is_alphanumeric() || refs.contains(c)).collect();
    let (mut i, mut j) = (0, 0);
    loop {
        match (old.get(i), new.get(j)) {
            (None, None) => return true,
            (Some(o), Some(n)) if o == n => (i, j) = (i + 1, j + 1),
            (_, Some(n)) if refs.contains(n) => {
                j += 1;
                let mut skipped = 0;
                while skipped < MOST_LETTERS_PER_REFERENCE
                    && old.get(i).is_some_and(|o| EARLIER_DECODER_LETTERS.contains(*o) && Some(o) != new.get(j))
                {
                    (i, skipped) = (i + 1, skipped + 1);
                }
            }
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_the_fixes_change_drops_out() {
        let cases = [
            // Measured: what the release before the fixes archived, what is read now.
            (";, ; and < squared", "α, β and χ squared"),
            ("The letters 9;<; and :;;;; stand", "The letters Αλφα and Ωμεγα stand"),
            ("For every ; > 0, ∀ n", "For every ε > 0, ∀ n"),
            ("9 report: the first draft", "Δ report: the first draft"),
            ("It\u{92}s caf\u{e9}", "It’s café"),
            ("避谈分歧，中俄两国同意“深化”军事合作", "避谈分歧，中俄两国同意“深化”军事合作"),
            ("A1 then", "αA1 then"),
            ("Same text", "Same   text!"),
            ("", ""),
        ];
        for (archived, now) in cases {
            assert!(same_letters(archived, now), "{archived:?} vs {now:?}");
        }
    }

    #[test]
    fn changed_letters_are_an_edit() {
        let cases = [
            ("says the draft.", "says the final report."),
            ("Prices rose by 3 %", "Prices rose by 4 %"),
            // A digit the earlier decoder could give, where no reference is now.
            ("Prices rose by 9 %", "Prices rose by 3 %"),
            ("避谈分歧，中俄两国同意深化军事合作", "避谈分歧，中俄两国同意加强军事合作"),
            ("café", "cafe"),
            ("αβγ", "δεζ"),
            ("word", ""),
            ("", "word"),
            ("9 report", "report"),
        ];
        for (archived, now) in cases {
            assert!(!same_letters(archived, now), "{archived:?} vs {now:?}");
        }
    }

    fn article(title: &str, body: &str) -> Article {
        Article {
            time: feedvault_core::ArticleTime::Millis(0),
            title: title.into(),
            url: String::new(),
            body: body.into(),
        }
    }

    #[test]
    fn titles_and_bodies_the_fixes_explain() {
        let raw_title = "Hello <script>alert(1)</script>world<style>b{color:red}</style> <!-- a note -->again";
        let item = Item { title: Some(raw_title.into()), ..Item::default() };
        let archived = article("Hello alert(1)worldb{color:red} again", "<p>x</p>");
        assert!(reads_alike(&archived, &article("Hello world again", "<p>x</p>"), &item));
        assert!(!reads_alike(&archived, &article("Hello world again", "<p>y</p>"), &item), "the body changed");
        let base64 = article("B", "PHA+RGVjb2RlZCByw6lzdW3DqTwvcD4=");
        assert!(reads_alike(&base64, &article("B", "<p>Decoded résumé</p>"), &Item::default()));
        assert!(!reads_alike(&base64, &article("B", "<p>Decoded resume</p>"), &Item::default()));
        let untitled = article("", "<p>x</p>");
        assert!(reads_alike(&untitled, &article("A media title", "<p>x</p>"), &Item::default()));
        assert!(!reads_alike(&article("Old", "<p>x</p>"), &article("New", "<p>x</p>"), &Item::default()));
        let full = Item {
            summary_html: Some("<p>The summary</p>".into()),
            content_html: Some("<p>The summary and the whole text</p>".into()),
            ..Item::default()
        };
        let summary_only = article("T", "<p>The summary</p>");
        assert!(reads_alike(&summary_only, &article("T", "<p>The summary and the whole text</p>"), &full));
        let edited_summary = article("T", "<p>An older summary</p>");
        assert!(!reads_alike(&edited_summary, &article("T", "<p>The summary and the whole text</p>"), &full));
    }
}
