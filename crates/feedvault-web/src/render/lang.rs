//! The language of an article for its `lang` attribute: the one its feed declares
//! (state.db records it from each parsed document), unless the text is plainly in
//! another script; without a declaration, detected from the text: mostly Han
//! characters is Chinese, kana Japanese, hangul Korean, anything else English
//! (DECISIONS.md).

/// A feed's declared language as a BCP 47 tag, when it has the shape of one
/// (`zh-CN`, `en-us`, `zh-Hant-TW`; `zh_CN` is read as `zh-CN`).
pub fn declared(language: &str) -> Option<String> {
    let tag = language.trim().replace('_', "-");
    let mut subtags = tag.split('-');
    let primary = subtags.next()?;
    let primary_ok = (2..=3).contains(&primary.len()) && primary.chars().all(|c| c.is_ascii_alphabetic());
    let rest_ok = subtags.all(|s| (1..=8).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric()));
    (primary_ok && rest_ok && tag.len() <= 35).then_some(tag)
}

/// The `lang` of an article: the feed's `declared` language when the `detected`
/// one agrees on the script family (both CJK, or both not, and the same CJK
/// language), else the detected one (a feed that says `en-us` by default while
/// publishing Chinese).
pub fn choose(declared: Option<&str>, detected: &'static str) -> String {
    let Some(tag) = declared.and_then(self::declared) else { return detected.to_owned() };
    let primary = tag.split('-').next().unwrap_or("").to_ascii_lowercase();
    let cjk = |l: &str| matches!(l, "zh" | "ja" | "ko");
    let agrees = if cjk(detected) { primary == detected } else { !cjk(&primary) };
    if agrees { tag } else { detected.to_owned() }
}

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
    use super::{choose, declared, detect};

    #[test]
    fn a_declared_language_counts_when_the_script_agrees() {
        assert_eq!(declared(" zh_TW "), Some("zh-TW".into()));
        assert_eq!(declared("zh-Hant-TW"), Some("zh-Hant-TW".into()));
        for bad in ["", "chinese language", "z", "zh-\"x", "<b>", "zh--", "e1", &"a-".repeat(20)] {
            assert_eq!(declared(bad), None, "{bad:?}");
        }
        assert_eq!(choose(Some("zh-TW"), "zh"), "zh-TW");
        assert_eq!(choose(Some("fr"), "en"), "fr", "a Latin-script language over Latin text");
        assert_eq!(choose(Some("en-us"), "zh"), "zh", "Chinese text in a feed that says English");
        assert_eq!(choose(Some("zh-CN"), "en"), "en", "English text in a Chinese feed");
        assert_eq!(choose(Some("ja"), "zh"), "zh");
        assert_eq!(choose(Some("<script>"), "en"), "en");
        assert_eq!(choose(None, "ko"), "ko");
    }

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
