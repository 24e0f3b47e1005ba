//! Text analysis: how article text and queries become index terms.
//!
//! One analyzer serves Chinese and English: [`fold`] first maps every character to
//! a canonical form (traditional to simplified, full-width to half-width), then the
//! [`tokenizer`] cuts runs of Han, kana and hangul into overlapping character
//! bigrams (a lone character stays a unigram) and everything else into words,
//! lower-cased; English words are then stemmed. Bigrams need no dictionary and miss
//! nothing: any two-character Chinese query is exactly one indexed term. Offsets
//! always point into the original text, so snippets highlight what was written.
//! [`html`] reduces article HTML to the text that is indexed.

pub mod fold;
pub mod html;
pub mod tokenizer;

use tantivy::tokenizer::TextAnalyzer;

/// The name the analyzer is registered under in the index.
pub const ANALYZER: &str = "feedvault";

/// The analyzer for titles, bodies and queries.
pub fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(tokenizer::CjkBigramTokenizer).build()
}

/// The terms `text` becomes, in order (for queries and tests).
pub fn terms(text: &str) -> Vec<String> {
    let mut analyzer = analyzer();
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_and_english_terms() {
        let cases: [(&str, &[&str]); 8] = [
            ("中俄军事合作", &["中俄", "俄军", "军事", "事合", "合作"]),
            ("習近平 軍事合作", &["习近", "近平", "军事", "事合", "合作"]),
            ("京", &["京"]),
            ("Running quickly, the CATS", &["run", "quick", "the", "cat"]),
            ("ＧＤＰ增长２０２２", &["gdp", "增长", "2022"]),
            ("普京：“不”", &["普京", "不"]),
            ("G20峰会", &["g20", "峰会"]),
            ("東京タワー 서울", &["东京", "京タ", "タワ", "ワー", "서울"]),
        ];
        for (text, want) in cases {
            assert_eq!(terms(text), want, "{text}");
        }
    }
}
