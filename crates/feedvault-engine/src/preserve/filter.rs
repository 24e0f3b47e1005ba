//! Per-feed item filters: `include` and `exclude` rules on an item's categories,
//! title and link.
//!
//! A rule is `[FIELD:]PATTERN`. FIELD is `category`, `title` or `link`; without it
//! the rule matches any of the three. PATTERN is a plain word, matched as a
//! case-insensitive substring, or `/REGEX/`, a regular expression of the `regex`
//! crate (linear time by construction; `(?i)` makes it case-insensitive,
//! `\p{Extended_Pictographic}` matches any emoji). An item is kept when it matches
//! any include rule (or there are none) and no exclude rule. Rules are compiled once,
//! when the settings load, so an invalid one is a configuration error there.

use feedvault_core::Item;
use regex::{Regex, RegexBuilder};

/// Largest compiled regex accepted (bytes of the automaton), so a rule cannot make
/// loading the settings slow or large.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// The part of an item a rule looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Category,
    Title,
    Link,
}

#[derive(Debug, Clone)]
enum Pattern {
    /// Lower-cased.
    Word(String),
    Regex(Regex),
}

/// One compiled rule.
#[derive(Debug, Clone)]
pub struct Rule {
    field: Option<Field>,
    pattern: Pattern,
}

impl Rule {
    /// Reads a rule; the error says why it is not one.
    pub fn parse(text: &str) -> Result<Rule, String> {
        let (field, rest) = match text.split_once(':') {
            Some(("category", rest)) => (Some(Field::Category), rest),
            Some(("title", rest)) => (Some(Field::Title), rest),
            Some(("link", rest)) => (Some(Field::Link), rest),
            _ => (None, text),
        };
        let pattern = match rest.strip_prefix('/').and_then(|r| r.strip_suffix('/')) {
            Some(source) if rest.len() >= 2 => Pattern::Regex(
                RegexBuilder::new(source)
                    .size_limit(REGEX_SIZE_LIMIT)
                    .build()
                    .map_err(|e| format!("invalid regex: {}", one_line(&e.to_string())))?,
            ),
            _ => {
                let word = rest.trim().to_lowercase();
                if word.is_empty() {
                    return Err("an empty rule matches everything (write a word or /regex/)".to_owned());
                }
                Pattern::Word(word)
            }
        };
        Ok(Rule { field, pattern })
    }

    /// Whether the rule matches the item.
    pub fn matches(&self, item: &Item) -> bool {
        let wanted = |field: Field| self.field.is_none_or(|f| f == field);
        (wanted(Field::Category) && item.categories.iter().any(|c| self.matches_text(c)))
            || (wanted(Field::Title) && item.title.as_deref().is_some_and(|t| self.matches_text(t)))
            || (wanted(Field::Link) && item.link.as_deref().is_some_and(|l| self.matches_text(l)))
    }

    fn matches_text(&self, text: &str) -> bool {
        match &self.pattern {
            Pattern::Word(word) => text.to_lowercase().contains(word.as_str()),
            Pattern::Regex(regex) => regex.is_match(text),
        }
    }
}

/// A feed's include and exclude rules.
#[derive(Debug, Clone, Default)]
pub struct ItemFilter {
    include: Vec<Rule>,
    exclude: Vec<Rule>,
}

impl ItemFilter {
    /// Compiles the rules; the error names the list and the rule.
    pub fn new(include: &[String], exclude: &[String]) -> Result<ItemFilter, String> {
        let compile = |list: &str, rules: &[String]| {
            rules
                .iter()
                .map(|rule| Rule::parse(rule).map_err(|why| format!("{list} rule {rule:?}: {why}")))
                .collect::<Result<Vec<_>, _>>()
        };
        Ok(ItemFilter { include: compile("include", include)?, exclude: compile("exclude", exclude)? })
    }

    /// No rules: every item is kept.
    pub fn is_empty(&self) -> bool {
        self.include.is_empty() && self.exclude.is_empty()
    }

    /// Whether the item is kept.
    pub fn keeps(&self, item: &Item) -> bool {
        (self.include.is_empty() || self.include.iter().any(|r| r.matches(item)))
            && !self.exclude.iter().any(|r| r.matches(item))
    }
}

fn one_line(text: &str) -> String {
    feedvault_core::text::collapse_whitespace(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(title: &str, link: &str, categories: &[&str]) -> Item {
        Item {
            title: Some(title.into()),
            link: Some(link.into()),
            categories: categories.iter().map(|c| (*c).to_owned()).collect(),
            ..Item::default()
        }
    }

    fn filter(include: &[&str], exclude: &[&str]) -> ItemFilter {
        let owned = |rules: &[&str]| rules.iter().map(|r| (*r).to_owned()).collect::<Vec<_>>();
        ItemFilter::new(&owned(include), &owned(exclude)).unwrap()
    }

    /// Real-looking China Digital Times items: the archive kept those whose
    /// category holds an emoji.
    fn cdt() -> Vec<Item> {
        vec![
            item("【一周言论】我们不是韭菜", "https://chinadigitaltimes.net/chinese/700001.html", &["💬一周言论"]),
            item(
                "【网络民议】高考作文题",
                "https://chinadigitaltimes.net/chinese/700002.html",
                &["网络民议", "敏感词库"],
            ),
            item("【图说】烟花", "https://chinadigitaltimes.net/chinese/700003.html", &["📸图说 中国", "❤️"]),
            item("【立此存照】一则通知", "https://chinadigitaltimes.net/chinese/700004.html", &["立此存照"]),
            item("Weibo Word of the Week", "https://chinadigitaltimes.net/2026/11/word/", &["Level 3 ⚠️"]),
        ]
    }

    fn kept(filter: &ItemFilter, items: &[Item]) -> Vec<usize> {
        items.iter().enumerate().filter(|(_, i)| filter.keeps(i)).map(|(n, _)| n).collect()
    }

    #[test]
    fn emoji_in_a_category() {
        let items = cdt();
        // ⚠️ is U+26A0 U+FE0F and ❤️ U+2764 U+FE0F: text-default symbols that
        // Extended_Pictographic covers and Emoji_Presentation does not.
        let any_emoji = filter(&[r"category:/\p{Extended_Pictographic}/"], &[]);
        assert_eq!(kept(&any_emoji, &items), [0, 2, 4]);
        let presentation = filter(&[r"category:/\p{Emoji_Presentation}/"], &[]);
        assert_eq!(kept(&presentation, &items), [0, 2]);
        // The title holds no emoji, so without the prefix the result is the same.
        assert_eq!(kept(&filter(&[r"/\p{Extended_Pictographic}/"], &[]), &items), [0, 2, 4]);
    }

    #[test]
    fn words_are_case_insensitive_substrings() {
        let items = cdt();
        assert_eq!(kept(&filter(&["WEIBO"], &[]), &items), [4]);
        assert_eq!(kept(&filter(&["title:一周"], &[]), &items), [0]);
        assert_eq!(kept(&filter(&["category:敏感词"], &[]), &items), [1]);
        assert_eq!(kept(&filter(&["link:/2026/"], &[]), &items), [4], "a word may hold slashes inside");
        // The word 一周 appears only in the title and the category of item 0.
        assert_eq!(kept(&filter(&["link:一周"], &[]), &items), Vec::<usize>::new());
    }

    #[test]
    fn include_then_exclude() {
        let items = cdt();
        let f = filter(&[r"category:/\p{Extended_Pictographic}/", "立此存照"], &["title:图说", r"link:/\d{4}/\d\d/"]);
        assert_eq!(kept(&f, &items), [0, 3]);
        assert_eq!(kept(&filter(&[], &["category:网络民议"]), &items), [0, 2, 3, 4]);
        assert!(filter(&[], &[]).is_empty());
        assert_eq!(kept(&filter(&[], &[]), &items), [0, 1, 2, 3, 4]);
        // Regexes are case-sensitive unless they say otherwise.
        assert_eq!(kept(&filter(&["/weibo/"], &[]), &items), Vec::<usize>::new());
        assert_eq!(kept(&filter(&["/(?i)weibo/"], &[]), &items), [4]);
    }

    #[test]
    fn an_item_without_the_field_does_not_match() {
        let bare = Item::default();
        assert!(!Rule::parse("title:x").unwrap().matches(&bare));
        assert!(!Rule::parse("/.*/").unwrap().matches(&bare), "nothing to match against");
        assert!(filter(&[], &["x"]).keeps(&bare));
    }

    #[test]
    fn bad_rules_say_which_and_why() {
        let err = ItemFilter::new(&["ok".into()], &["title:/(unclosed/".into()]).unwrap_err();
        assert!(err.starts_with("exclude rule \"title:/(unclosed/\": invalid regex:"), "{err}");
        assert!(!err.contains('\n'));
        let err = ItemFilter::new(&["category:".into()], &[]).unwrap_err();
        assert!(err.contains("empty rule"), "{err}");
        let err = ItemFilter::new(&[r"/\p{NoSuchProperty}/".into()], &[]).unwrap_err();
        assert!(err.contains("invalid regex"), "{err}");
        // A regex whose automaton would be huge is refused, not built.
        let err = ItemFilter::new(&[r"/(\w{100}){100}/".into()], &[]).unwrap_err();
        assert!(err.contains("invalid regex"), "{err}");
        // An unknown prefix is part of the word.
        assert!(Rule::parse("author:x").unwrap().matches(&item("see author:x", "", &[])));
    }
}
