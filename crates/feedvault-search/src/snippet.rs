//! Snippets: a short window of an article's text around the first match, with every
//! matched term in `<b>` and everything else HTML-escaped.
//!
//! Built on the same analyzer as the index, so a highlight is exactly a matched term
//! (a Chinese bigram, a stemmed English word) and its offsets are in the original
//! text. Tokenizing stops at the end of the window, so a long article costs little.

use tantivy::tokenizer::TokenStream;

use crate::analysis;

/// What to highlight: the query's terms, and single characters (a one-character
/// query matches any term containing it).
pub struct Highlighter {
    terms: Vec<String>,
    characters: Vec<char>,
}

impl Highlighter {
    pub fn new(terms: impl IntoIterator<Item = String>) -> Self {
        let (mut words, mut characters) = (Vec::new(), Vec::new());
        for term in terms {
            let mut chars = term.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) if analysis::tokenizer::is_cjk_letter(c) => characters.push(c),
                _ => words.push(term),
            }
        }
        Highlighter { terms: words, characters }
    }

    /// The ranges of `text[from..to]` (a token) to highlight: the whole token when it
    /// is a query term, or just the characters a one-character query names.
    fn marks(&self, term: &str, text: &str, from: usize, to: usize, out: &mut Vec<(usize, usize)>) {
        if self.terms.iter().any(|t| t == term) {
            out.push((from, to));
        } else if self.characters.iter().any(|c| term.contains(*c)) {
            for (i, c) in text[from..to].char_indices() {
                if self.characters.contains(&analysis::fold::fold(c)) {
                    out.push((from + i, from + i + c.len_utf8()));
                }
            }
        }
    }

    /// The snippet of `text`: at most `max_chars` characters, starting a little before
    /// the first match (or at the start when nothing matches).
    pub fn snippet(&self, text: &str, max_chars: usize) -> String {
        let mut analyzer = analysis::analyzer();
        let mut stream = analyzer.token_stream(text);
        let mut window: Option<(usize, usize)> = None;
        let mut marks: Vec<(usize, usize)> = Vec::new();
        let mut found = Vec::new();
        while stream.advance() {
            let token = stream.token();
            if window.is_some_and(|(_, end)| token.offset_from >= end) {
                break;
            }
            found.clear();
            self.marks(&token.text, text, token.offset_from, token.offset_to, &mut found);
            let Some(&(first, _)) = found.first() else { continue };
            let (_, end) = *window.get_or_insert_with(|| {
                let start = back_up(text, first, max_chars / 8);
                (start, advance(text, start, max_chars))
            });
            for &(from, to) in &found {
                let to = to.min(end);
                match marks.last_mut() {
                    // Overlapping bigrams highlight as one run.
                    Some(last) if from <= last.1 => last.1 = last.1.max(to),
                    _ if from < to => marks.push((from, to)),
                    _ => {}
                }
            }
        }
        let (start, end) = window.unwrap_or((0, advance(text, 0, max_chars)));
        let mut html = String::with_capacity(end - start + marks.len() * 7 + 8);
        if start > 0 {
            html.push('…');
        }
        let mut at = start;
        for (from, to) in marks {
            escape_into(&text[at..from], &mut html);
            html.push_str("<b>");
            escape_into(&text[from..to], &mut html);
            html.push_str("</b>");
            at = to;
        }
        escape_into(&text[at..end], &mut html);
        if end < text.len() {
            html.push('…');
        }
        html
    }
}

/// A start up to `chars` characters before `offset` (or 0), moved forward to the
/// start of a word when the text there has spaces, so no word is cut in half.
fn back_up(text: &str, offset: usize, chars: usize) -> usize {
    let start = text[..offset].char_indices().rev().take(chars).last().map_or(offset, |(i, _)| i);
    if start == 0 {
        return 0;
    }
    match text[start..offset].char_indices().find(|(_, c)| c.is_whitespace()) {
        Some((space, c)) => start + space + c.len_utf8(),
        None => start,
    }
}

/// The byte offset `chars` characters after `offset` (or the end).
fn advance(text: &str, offset: usize, chars: usize) -> usize {
    text[offset..].char_indices().nth(chars).map_or(text.len(), |(i, _)| offset + i)
}

/// Escapes a piece of the text; line breaks (block boundaries) become spaces.
fn escape_into(text: &str, out: &mut String) {
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        feedvault_core::text::escape_html_into(line, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(query: &str) -> Highlighter {
        Highlighter::new(analysis::terms(query))
    }

    #[test]
    fn highlights_chinese_words_as_one_run_and_escapes() {
        let text = "前言。俄罗斯和中国同意进行更多联合军事演习，并加强<防务>合作 & more";
        let html = terms("军事演习").snippet(text, 40);
        assert!(html.contains("<b>军事演习</b>"), "{html}");
        assert!(html.contains("&lt;防务&gt;") && html.contains("&amp;"), "{html}");
        assert_eq!(terms("京").snippet("北京和東京", 10), "北<b>京</b>和東<b>京</b>", "one character, traditional too");
    }

    #[test]
    fn windows_start_near_the_first_match() {
        let text = format!("{} needle {}", "word ".repeat(100), "tail ".repeat(100));
        let html = terms("needle").snippet(&text, 60);
        assert!(html.starts_with('…') && html.ends_with('…'), "{html}");
        assert!(html.contains("<b>needle</b>"));
        assert!(html.chars().count() < 80);
        assert_eq!(terms("absent").snippet("short text", 60), "short text");
        assert_eq!(terms("traditional").snippet("", 60), "");
        let chinese = format!("{}\u{3000}\u{3000}正文{}军事合作", "前言".repeat(20), "内容".repeat(30));
        assert!(terms("军事合作").snippet(&chinese, 40).contains("<b>军事合作</b>"), "multi-byte spaces");
        let nbsp = format!("{}\u{a0}word {} needle", "x".repeat(50), "y ".repeat(20));
        assert!(terms("needle").snippet(&nbsp, 30).contains("<b>needle</b>"));
    }

    #[test]
    fn long_hostile_text_gives_a_short_snippet() {
        // The window is found in one pass and only it is escaped: the result is
        // short and right whatever precedes the match.
        for filler in ["&", "<", "<script>", "中", "a "] {
            let text = format!("{} needle {}", filler.repeat(100_000), filler.repeat(1000));
            let html = terms("needle").snippet(&text, 60);
            assert!(html.contains("<b>needle</b>"), "{filler:?}: {html}");
            assert!(html.chars().count() < 60 * 6, "{filler:?}: {} characters", html.chars().count());
        }
    }
}
