//! The CJK bigram tokenizer: runs of Han, kana and hangul become overlapping
//! bigrams (a run of one character a unigram); runs of other letters and digits
//! become lower-cased words. Every character is folded first ([`super::fold`]).

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

pub struct CjkTokenStream {
    tokens: Vec<Token>,
    index: usize,
}

impl Tokenizer for CjkBigramTokenizer {
    type TokenStream<'a> = CjkTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> CjkTokenStream {
        CjkTokenStream { tokens: tokenize(text), index: usize::MAX }
    }
}

impl TokenStream for CjkTokenStream {
    fn advance(&mut self) -> bool {
        self.index = self.index.wrapping_add(1);
        self.index < self.tokens.len()
    }

    fn token(&self) -> &Token {
        &self.tokens[self.index]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.index]
    }
}

/// All tokens of `text`, positions counted across the whole text.
fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    // The current run: its class and its (byte offset, folded char) pairs.
    let mut run: Vec<(usize, char)> = Vec::new();
    let mut run_class = Class::Separator;
    for (offset, original) in text.char_indices().chain(std::iter::once((text.len(), ' '))) {
        let folded = fold(original);
        let c = class(folded);
        if c != run_class || c == Class::Separator {
            emit(&run, run_class, offset, &mut tokens);
            run.clear();
            run_class = c;
        }
        if c != Class::Separator {
            run.push((offset, folded));
        }
    }
    tokens
}

fn emit(run: &[(usize, char)], class: Class, end: usize, tokens: &mut Vec<Token>) {
    let Some(&(start, _)) = run.first() else { return };
    let mut push = |from: usize, to: usize, text: String| {
        let position = tokens.len();
        tokens.push(Token { offset_from: from, offset_to: to, position, text, position_length: 1 });
    };
    let char_end = |i: usize| run.get(i + 1).map_or(end, |&(o, _)| o);
    match class {
        Class::Word => push(start, end, run.iter().flat_map(|&(_, c)| c.to_lowercase()).collect()),
        Class::Cjk if run.len() == 1 => push(start, char_end(0), run[0].1.to_string()),
        Class::Cjk => {
            for i in 0..run.len() - 1 {
                push(run[i].0, char_end(i + 1), [run[i].1, run[i + 1].1].iter().collect());
            }
        }
        Class::Separator => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_point_into_the_original_text() {
        let text = "習近平說 hello";
        let tokens = tokenize(text);
        let spans: Vec<(&str, &str, usize)> =
            tokens.iter().map(|t| (t.text.as_str(), &text[t.offset_from..t.offset_to], t.position)).collect();
        assert_eq!(spans, [("习近", "習近", 0), ("近平", "近平", 1), ("平说", "平說", 2), ("hello", "hello", 3)]);
    }
}
