//! The parser against real-world documents: 216 feeds collected by the feedjira
//! project and feeds in legacy encodings from the chardet corpus
//! (`../shared/fixtures/`). `tests/data/fixture-truth.tsv` records, for every file,
//! whether it is a feed, how many complete items it holds, and its first title as
//! decoded with the file's true encoding; counts were checked by hand where the
//! manifests' regex counts were wrong (see the note column).

use std::path::{Path, PathBuf};

use feedvault_core::text::collapse_whitespace;
use feedvault_feed::{FeedError, ParseOptions, parse};

struct Truth {
    path: PathBuf,
    is_feed: bool,
    items: usize,
    encoding: String,
    first_title: String,
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures")
}

fn truths(corpus: &str) -> Vec<Truth> {
    let table = include_str!("data/fixture-truth.tsv");
    let folder = match corpus {
        "real" => fixtures().join("real-feeds"),
        _ => fixtures().join("legacy-encodings"),
    };
    table
        .lines()
        .skip(1)
        .map(|line| line.split('\t').collect::<Vec<_>>())
        .filter(|cols| cols[0] == corpus)
        .map(|cols| Truth {
            path: folder.join(cols[1]),
            is_feed: cols[2] == "yes",
            items: cols[4].parse().unwrap(),
            encoding: cols[5].to_owned(),
            first_title: cols[6].to_owned(),
        })
        .collect()
}

fn short_title(title: &str) -> String {
    collapse_whitespace(title).chars().take(60).collect::<String>().trim_end().to_owned()
}

/// Parses every file of a corpus and collects every disagreement with the truth.
fn check(corpus: &str, check_titles: bool) {
    let truths = truths(corpus);
    assert!(truths.len() > 200, "the {corpus} corpus is there");
    let mut problems = Vec::new();
    for truth in &truths {
        let bytes = std::fs::read(&truth.path).unwrap();
        let name = truth.path.strip_prefix(fixtures()).unwrap().display();
        match (parse(&bytes, &ParseOptions::default()), truth.is_feed) {
            (Ok(feed), true) => {
                if feed.items.len() != truth.items {
                    problems.push(format!("{name}: {} items, expected {}", feed.items.len(), truth.items));
                }
                let supported = !truth.encoding.starts_with("unsupported:");
                if check_titles && supported && !truth.first_title.is_empty() {
                    let got = feed.items.first().and_then(|i| i.title.as_deref()).map(short_title).unwrap_or_default();
                    if got != short_title(&truth.first_title) {
                        problems.push(format!("{name}: first title {got:?}, expected {:?}", truth.first_title));
                    }
                }
            }
            (Ok(feed), false) => problems.push(format!("{name}: not a feed, but parsed {} items", feed.items.len())),
            (Err(FeedError::Panic(p)), _) => problems.push(format!("{name}: panicked: {p}")),
            (Err(err), true) => problems.push(format!("{name}: {err}")),
            (Err(_), false) => {}
        }
    }
    assert!(problems.is_empty(), "{} of {} files disagree:\n{}", problems.len(), truths.len(), problems.join("\n"));
}

#[test]
fn every_real_feed_parses_with_its_items() {
    check("real", false);
}

#[test]
fn every_legacy_encoded_feed_decodes_to_the_right_text() {
    check("legacy", true);
}

#[test]
fn html_pages_in_the_corpus_are_refused_clearly() {
    let page = fixtures().join("real-feeds/feedjira/SFRubyorgHome.xml");
    let err = parse(&std::fs::read(page).unwrap(), &ParseOptions::default()).unwrap_err();
    assert!(matches!(err, FeedError::NotAFeed { .. }), "{err}");
    assert!(err.to_string().contains("HTML"), "{err}");
}
