//! The language of an article for its `lang` attribute. state.db records no feed
//! language yet, so it is detected from the text: mostly Han characters is
//! Chinese, kana Japanese, hangul Korean, anything else English (DECISIONS.md).

/// A BCP 47 tag for `text`.
pub fn detect(text: &str) -> &'static str {
    let (mut han, mut kana, mut hangul, mut other) = (0usize, 0usize, 0usize, 0usize);
    for c in text.chars().take(4000) {
        match c as u32 {
            0x3040..=0x30FF | 0x31F0..=0x31FF => kana += 1,
            0x1100..=0x11FF | 0xAC00..=0xD7AF => hangul += 1,
            0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3FFFF => han += 1,
            _ if c.is_alphabetic() => other += 1,
            _ => {}
        }
    }
    let cjk = han + kana + hangul;
    if cjk == 0 || cjk * 3 < other {
        return "en";
    }
    if kana * 10 >= cjk {
        "ja"
    } else if hangul * 2 >= cjk {
        "ko"
    } else {
        "zh"
    }
}

/// Whether `text` is best compared character by character (CJK scripts do not put
/// spaces between words).
pub fn by_characters(text: &str) -> bool {
    detect(text) != "en"
}

#[cfg(test)]
mod tests {
    use super::detect;

    #[test]
    fn detects_the_script() {
        assert_eq!(detect("俄罗斯与中国承诺加强合作"), "zh");
        assert_eq!(detect("Russia and China pledge closer cooperation"), "en");
        assert_eq!(detect("習近平 and Putin meet in Samarkand"), "en");
        assert_eq!(detect("普京承认习近平的关切 (Putin) 后"), "zh");
        assert_eq!(detect("ロシアと中国"), "ja");
        assert_eq!(detect("러시아와 중국"), "ko");
        assert_eq!(detect(""), "en");
    }
}
