//! The CJK bigram tokenizer: runs of Han, kana and hangul become overlapping
//! bigrams (a run of one character a unigram); runs of other letters and digits
//! become lower-cased words, English ones stemmed (Snowball). Every character is
//! folded first ([`super::fold`]).

use std::sync::OnceLock;

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

use super::fold::fold;

#[derive(Clone, Copy, Debug, Default)]
pub struct CjkBigramTokenizer;

/// True for the scripts indexed as character bigrams.
pub fn is_cjk_letter(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF | 0x31F0..=0x31FF   // kana
        | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3FFFF // Han
        | 0x1100..=0x11FF | 0x3130..=0x318F | 0xAC00..=0xD7AF) // hangul
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Cjk,
    Word,
    Separator,
}

fn class(c: char) -> Class {
    if is_cjk_letter(c) {
        Class::Cjk
    } else if c.is_alphanumeric() {
        Class::Word
    } else {
        Class::Separator
    }
}

/// Tokens are produced lazily into one reused [`Token`], so a long article costs no
/// allocation per token.
pub struct CjkTokenStream<'a> {
    text: &'a str,
    chars: std::iter::Peekable<std::str::CharIndices<'a>>,
    /// The previous character of the current CJK run: (offset, folded char).
    previous_cjk: Option<(usize, char)>,
    /// Characters in the current CJK run so far.
    run_len: usize,
    /// The current token, rewritten in place for each new one.
    token: Token,
    position: usize,
}

impl Tokenizer for CjkBigramTokenizer {
    type TokenStream<'a> = CjkTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> CjkTokenStream<'a> {
        CjkTokenStream {
            text,
            chars: text.char_indices().peekable(),
            previous_cjk: None,
            run_len: 0,
            token: Token::default(),
            position: 0,
        }
    }
}

impl CjkTokenStream<'_> {
    fn emit(&mut self, from: usize, to: usize) -> bool {
        self.token.offset_from = from;
        self.token.offset_to = to;
        self.token.position = self.position;
        self.token.position_length = 1;
        self.position += 1;
        true
    }

    /// Ends the current CJK run; a run of one character becomes a unigram.
    fn end_cjk_run(&mut self) -> bool {
        let single = self.run_len == 1;
        self.run_len = 0;
        match self.previous_cjk.take() {
            Some((offset, c)) if single => {
                self.token.text.clear();
                self.token.text.push(c);
                self.emit(offset, offset + self.text[offset..].chars().next().map_or(0, char::len_utf8))
            }
            _ => false,
        }
    }
}

impl TokenStream for CjkTokenStream<'_> {
    fn advance(&mut self) -> bool {
        while let Some(&(offset, original)) = self.chars.peek() {
            let folded = fold(original);
            match class(folded) {
                Class::Cjk => {
                    self.chars.next();
                    let end = offset + original.len_utf8();
                    self.run_len += 1;
                    if let Some((previous_offset, previous)) = self.previous_cjk.replace((offset, folded)) {
                        self.token.text.clear();
                        self.token.text.push(previous);
                        self.token.text.push(folded);
                        return self.emit(previous_offset, end);
                    }
                }
                other => {
                    if self.previous_cjk.is_some() {
                        // The run ended just before this character, which is read again.
                        if self.end_cjk_run() {
                            return true;
                        }
                        continue;
                    }
                    self.chars.next();
                    if other == Class::Separator {
                        continue;
                    }
                    // A word: this character and every following letter or digit.
                    self.token.text.clear();
                    self.token.text.extend(folded.to_lowercase());
                    let mut end = offset + original.len_utf8();
                    while let Some(&(next_offset, next)) = self.chars.peek() {
                        let next_folded = fold(next);
                        if class(next_folded) != Class::Word {
                            break;
                        }
                        self.token.text.extend(next_folded.to_lowercase());
                        end = next_offset + next.len_utf8();
                        self.chars.next();
                    }
                    stem_in_place(&mut self.token.text);
                    return self.emit(offset, end);
                }
            }
        }
        self.previous_cjk.is_some() && self.end_cjk_run()
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

/// English words are stemmed; other words (digits, other scripts) stay as they are.
fn stem_in_place(word: &mut String) {
    static ENGLISH: OnceLock<frostem::Stemmer> = OnceLock::new();
    if !word.bytes().all(|b| b.is_ascii_lowercase()) {
        return;
    }
    let stemmer = ENGLISH.get_or_init(|| frostem::Stemmer::new(frostem::Algorithm::English));
    if let std::borrow::Cow::Owned(stemmed) = stemmer.stem(word) {
        *word = stemmed;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_point_into_the_original_text() {
        let text = "習近平說 hello";
        let mut tokenizer = CjkBigramTokenizer;
        let mut stream = tokenizer.token_stream(text);
        let mut tokens = Vec::new();
        while stream.advance() {
            tokens.push(stream.token().clone());
        }
        let spans: Vec<(&str, &str, usize)> =
            tokens.iter().map(|t| (t.text.as_str(), &text[t.offset_from..t.offset_to], t.position)).collect();
        assert_eq!(spans, [("习近", "習近", 0), ("近平", "近平", 1), ("平说", "平說", 2), ("hello", "hello", 3)]);
    }
}
