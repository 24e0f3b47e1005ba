//! Inputs the `article_file` fuzz target found (fuzz/README.md), kept as regression
//! tests. Each file under `tests/data/fuzz/article_file/` is an article file that once
//! broke the format's round trip; checked here: when it reads, what is written for it
//! reads back as the same article, and writing that again gives the same bytes.

use std::path::Path;

use feedvault_core::Article;

#[test]
fn fuzz_found_article_files() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/fuzz/article_file");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        seen += 1;
        let Ok(article) = Article::from_file(&bytes) else { continue };
        let written = article.to_file();
        let again = Article::from_file(written.as_bytes()).unwrap();
        assert_eq!(again, article, "{}: read(write(read(f))) != read(f)", path.display());
        assert_eq!(again.to_file(), written, "{}: write is not a fixed point", path.display());
    }
    assert!(seen > 0, "no regression inputs in {}", dir.display());
}

#[test]
fn a_body_ending_in_cr_keeps_it_in_an_lf_file() {
    let article = Article::from_file(b"<!--1-->\n[t](u)\n------\n\nx\r\n").unwrap();
    assert_eq!(article.body, "x\r", "an LF file's final newline is LF alone");
    let crlf = Article::from_file(b"<!--1-->\r\n[t](u)\r\n------\r\n\r\nx\r\r\n").unwrap();
    assert_eq!(crlf.body, "x\r", "a CRLF file's final newline is CR LF");
    assert_eq!(Article::from_file(crlf.to_file().as_bytes()).unwrap(), crlf);
}
