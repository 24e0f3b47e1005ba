//! Archived HTML as plain text, for diffs and language detection: the index's own
//! reduction (blocks become lines, scripts and styles go, alt text and captions
//! stay, entities are decoded), so a diff shows what a search sees.

pub use feedvault_search::analysis::html::html_to_text;

#[cfg(test)]
mod tests {
    use super::html_to_text;

    #[test]
    fn blocks_become_lines() {
        assert_eq!(html_to_text("<p>一 &amp; 二</p><p>three <b>four</b></p>"), "一 & 二\nthree four");
        assert_eq!(html_to_text("<p>a</p><script>alert(1)</script><p>b</p>"), "a\nb", "no script text");
    }
}
