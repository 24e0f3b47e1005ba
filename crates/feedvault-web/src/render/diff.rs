//! A readable diff of two versions' text (UI.md, Diffs): by characters when either
//! text is Chinese (or another CJK script), by words otherwise, with insertions in
//! `<ins>` and deletions in `<del>`. The diff has a deadline, so two huge hostile
//! versions cannot keep a request busy.

use std::time::Duration;

use maud::{Markup, html};
use similar::{ChangeTag, TextDiff};

use crate::render::lang;

/// How long the diff algorithm may search for a minimal diff before settling.
const DEADLINE: Duration = Duration::from_millis(300);

/// One run of text that is equal, inserted or deleted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Run {
    Same(String),
    Inserted(String),
    Deleted(String),
}

/// The runs that turn `old` into `new`.
pub fn runs(old: &str, new: &str) -> Vec<Run> {
    let mut config = TextDiff::configure();
    config.timeout(DEADLINE);
    let diff = if lang::by_characters(old) || lang::by_characters(new) {
        config.diff_chars(old, new)
    } else {
        config.diff_words(old, new)
    };
    let mut out: Vec<Run> = Vec::new();
    for change in diff.iter_all_changes() {
        let text = change.value();
        match (change.tag(), out.last_mut()) {
            (ChangeTag::Equal, Some(Run::Same(s)))
            | (ChangeTag::Insert, Some(Run::Inserted(s)))
            | (ChangeTag::Delete, Some(Run::Deleted(s))) => s.push_str(text),
            (ChangeTag::Equal, _) => out.push(Run::Same(text.to_owned())),
            (ChangeTag::Insert, _) => out.push(Run::Inserted(text.to_owned())),
            (ChangeTag::Delete, _) => out.push(Run::Deleted(text.to_owned())),
        }
    }
    out
}

/// The diff as markup (text escaped; `<ins>` and `<del>` readable without colour).
pub fn render(old: &str, new: &str) -> Markup {
    html! {
        @for run in runs(old, new) {
            @match run {
                Run::Same(text) => (text),
                Run::Inserted(text) => ins { (text) },
                Run::Deleted(text) => del { (text) },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_by_characters_latin_by_words() {
        assert_eq!(
            runs("俄罗斯与中国承诺合作", "俄罗斯和中国承诺加强合作"),
            vec![
                Run::Same("俄罗斯".into()),
                Run::Deleted("与".into()),
                Run::Inserted("和".into()),
                Run::Same("中国承诺".into()),
                Run::Inserted("加强".into()),
                Run::Same("合作".into()),
            ]
        );
        assert_eq!(
            runs("the cat sat", "the dog sat"),
            vec![
                Run::Same("the ".into()),
                Run::Deleted("cat".into()),
                Run::Inserted("dog".into()),
                Run::Same(" sat".into())
            ]
        );
    }

    #[test]
    fn markup_is_escaped() {
        let out = render("<b>a</b>", "<script>b</script>").into_string();
        assert!(!out.contains("<script>") && !out.contains("<b>"), "{out}");
        assert!(out.contains("<ins>") && out.contains("<del>"), "{out}");
    }
}
