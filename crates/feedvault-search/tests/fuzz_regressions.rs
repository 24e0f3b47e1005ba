//! Inputs the `search_query` fuzz target found (fuzz/README.md), kept as regression
//! tests: each file under `tests/data/fuzz/search_query/` is a query that once broke a
//! property of `query::parse`. Checked here: it parses the same way twice, and no
//! needle is blank.

use std::path::Path;

use feedvault_search::query;

#[test]
fn fuzz_found_queries() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/fuzz/search_query");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
        let parsed = query::parse(&text);
        assert_eq!(parsed, query::parse(&text), "{}", path.display());
        if let Ok(parsed) = parsed {
            for needle in parsed.required.iter().flatten().chain(&parsed.excluded) {
                assert!(!needle.text.trim().is_empty(), "{}: blank needle {needle:?}", path.display());
            }
        }
        seen += 1;
    }
    assert!(seen > 0, "no regression inputs in {}", dir.display());
}
