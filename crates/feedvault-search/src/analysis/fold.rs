//! Character folding: the canonical form of a character for search.
//!
//! Traditional characters fold to simplified (OpenCC's TSCharacters table, Apache-2.0,
//! shipped in `data/`; the first simplified form of each entry), full-width forms to
//! their ASCII counterparts and the ideographic space to a space. Folding is one
//! character to one character, so offsets stay simple; it applies to the text and to
//! queries alike, which is all matching needs (it is not a translation).

use std::collections::HashMap;
use std::sync::OnceLock;

const TS_CHARACTERS: &str = include_str!("../../data/TSCharacters.txt");

/// The dense part of the table covers the CJK blocks where nearly every entry lies.
const DENSE_START: u32 = 0x3400;
const DENSE_END: u32 = 0x9FFF;

struct Table {
    dense: Vec<char>,
    sparse: HashMap<char, char>,
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut dense: Vec<char> = (DENSE_START..=DENSE_END).map(|c| char::from_u32(c).unwrap_or('\0')).collect();
        let mut sparse = HashMap::new();
        for line in TS_CHARACTERS.lines().filter(|l| !l.starts_with('#')) {
            let mut fields = line.split('\t');
            let (Some(from), Some(to)) = (fields.next(), fields.next()) else { continue };
            let (mut from_chars, mut to_chars) = (from.chars(), to.split(' ').next().unwrap_or("").chars());
            let (Some(from), None, Some(to), None) =
                (from_chars.next(), from_chars.next(), to_chars.next(), to_chars.next())
            else {
                continue;
            };
            match from as u32 {
                code @ DENSE_START..=DENSE_END => dense[(code - DENSE_START) as usize] = to,
                _ => {
                    sparse.insert(from, to);
                }
            }
        }
        Table { dense, sparse }
    })
}

/// The search form of one character.
pub fn fold(c: char) -> char {
    match c as u32 {
        code @ DENSE_START..=DENSE_END => table().dense[(code - DENSE_START) as usize],
        // Full-width ASCII variants.
        code @ 0xFF01..=0xFF5E => char::from_u32(code - 0xFEE0).unwrap_or(c),
        0x3000 => ' ',
        code if code < DENSE_START => c,
        _ => table().sparse.get(&c).copied().unwrap_or(c),
    }
}

/// The search form of a string.
pub fn fold_str(s: &str) -> String {
    s.chars().map(fold).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traditional_folds_to_simplified() {
        assert_eq!(fold_str("習近平 軍事合作 烏克蘭 臺灣 東京"), "习近平 军事合作 乌克兰 台湾 东京");
        assert_eq!(fold_str("习近平 军事合作"), "习近平 军事合作", "simplified stays");
    }

    #[test]
    fn full_width_folds_to_ascii() {
        assert_eq!(fold_str("ＧＤＰ　２０２２！"), "GDP 2022!");
        assert_eq!(fold_str("plain ascii"), "plain ascii");
    }
}
