//! Fuzz target `search_query`: any text through the search query parser
//! (`feedvault_search::query::parse`).
//!
//! The module is compiled here from its source file rather than through the
//! `feedvault-search` crate: it needs only chrono and thiserror, and this keeps tantivy
//! out of every sanitizer-instrumented fuzz build (minutes on a small machine). If
//! query.rs ever uses other parts of its crate, depend on the crate instead.
//!
//! Properties, beyond "no panic":
//! - parsing is deterministic;
//! - no needle is blank (a blank one would search for nothing, yet count as a term);
//! - printing the parsed query back in the query language (every needle quoted, groups
//!   joined with OR) and parsing that gives the same parsed query.

#![no_main]

#[allow(dead_code)]
#[path = "../../crates/feedvault-search/src/query.rs"]
mod query;

use libfuzzer_sys::fuzz_target;
use query::{Needle, ParsedQuery, Scope};

fn needle(n: &Needle) -> String {
    match n.scope {
        Scope::Title => format!("title:\"{}\"", n.text),
        Scope::TitleOrBody => format!("\"{}\"", n.text),
    }
}

/// The query language form of a parsed query.
fn print(q: &ParsedQuery) -> String {
    let mut parts: Vec<String> = Vec::new();
    for group in &q.required {
        parts.push(group.iter().map(needle).collect::<Vec<_>>().join(" OR "));
    }
    parts.extend(q.excluded.iter().map(|n| format!("-{}", needle(n))));
    parts.extend(q.feeds.iter().map(|f| format!("\"feed:{f}\"")));
    parts.extend(q.after.map(|t| format!("after:{}", t.format("%Y-%m-%d"))));
    parts.extend(q.before.map(|t| format!("before:{}", t.format("%Y-%m-%d"))));
    parts.join(" ")
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let parsed = query::parse(&text);
    assert_eq!(parsed, query::parse(&text), "not deterministic");
    let Ok(parsed) = parsed else { return };
    for n in parsed.required.iter().flatten().chain(&parsed.excluded) {
        assert!(!n.text.trim().is_empty(), "a blank needle {n:?} from {text:?}");
    }
    let printed = print(&parsed);
    let again = query::parse(&printed).unwrap_or_else(|e| panic!("{printed:?} (from {text:?}) does not parse: {e}"));
    assert_eq!(again, parsed, "{text:?} printed as {printed:?} reads differently");
});
