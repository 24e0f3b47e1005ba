//! Character encodings: any feed's bytes to UTF-8 text.
//!
//! Order of evidence: a byte order mark; then the HTTP charset; then the XML
//! declaration; then detection (chardetng) when they are missing or provably wrong.
//! A label is wrong when the bytes do not decode under it, or when the bytes are
//! valid non-ASCII UTF-8 but the label says otherwise (legacy text is practically
//! never valid UTF-8 by accident). GB2312 and GBK decode as GB18030, as browsers do.

use std::borrow::Cow;

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE};

/// How many leading bytes detection looks at.
const DETECT_WINDOW: usize = 64 * 1024;

/// Text decoded from a document, with the encoding that was used.
#[derive(Debug)]
pub struct Decoded<'a> {
    pub text: Cow<'a, str>,
    /// Name of the encoding used (WHATWG name, or UTF-32LE / UTF-32BE).
    pub encoding: &'static str,
    /// Set when the labels were missing or wrong and the encoding was guessed.
    pub note: Option<String>,
}

/// Decodes `bytes` to UTF-8 text.
pub fn decode<'a>(bytes: &'a [u8], http_charset: Option<&str>, tld_hint: Option<&[u8]>) -> Decoded<'a> {
    if let Some(decoded) = decode_utf32(bytes) {
        return decoded;
    }
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
        return Decoded { text, encoding: encoding.name(), note: None };
    }
    if let Some(encoding) = sniff_utf16_without_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(bytes);
        return Decoded { text, encoding: encoding.name(), note: None };
    }

    let is_utf8 = simdutf8::basic::from_utf8(bytes).ok();
    let labels = [http_charset.map(Cow::Borrowed), declared_encoding(bytes).map(Cow::Owned)];
    let mut note = None;
    for label in labels.iter().flatten() {
        if let Some(table) = oem_code_page(label) {
            let text = bytes.iter().map(|&b| if b < 0x80 { b as char } else { table[(b - 0x80) as usize] }).collect();
            return Decoded { text: Cow::Owned(text), encoding: "IBM855", note };
        }
        let Some(encoding) = encoding_for_label(label) else {
            note = Some(format!("unknown charset label {label:?}"));
            continue;
        };
        if let Some(text) = is_utf8 {
            // Valid UTF-8 wins over any ASCII-compatible label but an ASCII-only one.
            if encoding != UTF_8 && !text.is_ascii() {
                return Decoded {
                    text: Cow::Borrowed(text),
                    encoding: UTF_8.name(),
                    note: Some(format!("labelled {label} but the bytes are UTF-8")),
                };
            }
        }
        if encoding == UTF_8 {
            match is_utf8 {
                Some(text) => return Decoded { text: Cow::Borrowed(text), encoding: UTF_8.name(), note },
                None => {
                    note = Some(format!("labelled {label} but the bytes are not UTF-8"));
                    continue;
                }
            }
        }
        if let Some(text) = encoding.decode_without_bom_handling_and_without_replacement(bytes) {
            return Decoded { text, encoding: encoding.name(), note };
        }
        note = Some(format!("labelled {label} but the bytes do not decode as {}", encoding.name()));
    }
    if let Some(text) = is_utf8 {
        return Decoded { text: Cow::Borrowed(text), encoding: UTF_8.name(), note };
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Allow);
    detector.feed(&bytes[..bytes.len().min(DETECT_WINDOW)], bytes.len() <= DETECT_WINDOW);
    let encoding = detector.guess(tld_hint, chardetng::Utf8Detection::Deny);
    let (text, _, had_errors) = encoding.decode(bytes);
    let mut note = note.unwrap_or_else(|| "no charset label".to_owned());
    note.push_str(&format!("; detected {}", encoding.name()));
    if had_errors {
        note.push_str(" (some bytes did not decode and were replaced)");
    }
    Decoded { text, encoding: encoding.name(), note: Some(note) }
}

/// The encoding for a label, GB2312 and GBK meaning GB18030, and the Mac Cyrillic
/// labels that predate WHATWG's.
fn encoding_for_label(label: &str) -> Option<&'static Encoding> {
    let label = label.trim();
    let encoding = if label.eq_ignore_ascii_case("maccyrillic") || label.eq_ignore_ascii_case("mac-cyrillic") {
        encoding_rs::X_MAC_CYRILLIC
    } else {
        Encoding::for_label(label.as_bytes())?
    };
    Some(if encoding == encoding_rs::GBK { encoding_rs::GB18030 } else { encoding })
}

/// The DOS Cyrillic code page IBM855, which WHATWG leaves out but Russian feeds of
/// the 2000s declare.
fn oem_code_page(label: &str) -> Option<&'static [char; 128]> {
    let label = label.trim().to_ascii_lowercase();
    matches!(label.as_str(), "ibm855" | "cp855" | "855" | "csibm855")
        .then_some(&oem_cp::code_table::DECODING_TABLE_CP855)
}

/// The `encoding` of an `<?xml ...?>` declaration, read as ASCII.
fn declared_encoding(bytes: &[u8]) -> Option<String> {
    let head = &bytes[..bytes.len().min(1024)];
    let start = find(head, b"<?xml")?;
    let end = start + find(&head[start..], b"?>")?;
    let decl = &head[start..end];
    let at = find(decl, b"encoding")? + 8;
    let rest = &decl[at..];
    let rest = &rest[rest.iter().position(|b| !b.is_ascii_whitespace())?..];
    let rest = rest.strip_prefix(b"=")?;
    let rest = &rest[rest.iter().position(|b| !b.is_ascii_whitespace())?..];
    let quote = *rest.first().filter(|q| **q == b'"' || **q == b'\'')?;
    let value = &rest[1..];
    let value = &value[..value.iter().position(|b| *b == quote)?];
    Some(String::from_utf8_lossy(value).into_owned())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// UTF-16 without a BOM, recognized by `<` next to a zero byte (XML 1.0, Appendix F).
fn sniff_utf16_without_bom(bytes: &[u8]) -> Option<&'static Encoding> {
    match bytes {
        [b'<', 0, b'?' | b'r' | b'f' | b'R', 0, ..] => Some(UTF_16LE),
        [0, b'<', 0, b'?' | b'r' | b'f' | b'R', ..] => Some(UTF_16BE),
        _ => None,
    }
}

/// UTF-32, which WHATWG (and encoding_rs) leave out, by BOM or by zero-byte pattern.
fn decode_utf32(bytes: &[u8]) -> Option<Decoded<'static>> {
    let (big_endian, skip) = match bytes {
        [0, 0, 0xFE, 0xFF, ..] => (true, 4),
        [0xFF, 0xFE, 0, 0, ..] => (false, 4),
        [0, 0, 0, b'<', ..] => (true, 0),
        [b'<', 0, 0, 0, ..] => (false, 0),
        _ => return None,
    };
    let text = bytes[skip..]
        .chunks(4)
        .map(|c| {
            let word: [u8; 4] = c.try_into().unwrap_or([0, 0, 0xFF, 0xFD]);
            let code = if big_endian { u32::from_be_bytes(word) } else { u32::from_le_bytes(word) };
            char::from_u32(code).unwrap_or('\u{FFFD}')
        })
        .collect::<String>();
    let encoding = if big_endian { "UTF-32BE" } else { "UTF-32LE" };
    Some(Decoded { text: Cow::Owned(text), encoding, note: None })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ZH: &str = "<?xml version=\"1.0\"?><rss><title>中俄军事合作 習近平 镕</title></rss>";

    fn with_decl(encoding: &str, body: &str) -> String {
        format!("<?xml version=\"1.0\" encoding=\"{encoding}\"?><rss><title>{body}</title></rss>")
    }

    #[test]
    fn bom_wins() {
        let mut bytes = vec![0xEF, 0xBB, 0xBF];
        bytes.extend_from_slice(ZH.as_bytes());
        let d = decode(&bytes, Some("iso-8859-1"), None);
        assert_eq!((d.text.as_ref(), d.encoding), (ZH, "UTF-8"));
        let mut utf16: Vec<u8> = vec![0xFF, 0xFE];
        utf16.extend(ZH.encode_utf16().flat_map(|u| u.to_le_bytes()));
        assert_eq!(decode(&utf16, None, None).text, ZH);
    }

    #[test]
    fn utf16_and_utf32_without_bom() {
        let be: Vec<u8> = ZH.encode_utf16().flat_map(|u| u.to_be_bytes()).collect();
        assert_eq!(decode(&be, None, None).text, ZH);
        let le32: Vec<u8> = ZH.chars().flat_map(|c| (c as u32).to_le_bytes()).collect();
        let d = decode(&le32, None, None);
        assert_eq!((d.text.as_ref(), d.encoding), (ZH, "UTF-32LE"));
        let mut be32: Vec<u8> = vec![0, 0, 0xFE, 0xFF];
        be32.extend(ZH.chars().flat_map(|c| (c as u32).to_be_bytes()));
        assert_eq!(decode(&be32, None, None).text, ZH);
    }

    #[test]
    fn http_charset_then_declaration() {
        let text = with_decl("utf-8", "Привет");
        let (koi8, _, _) = encoding_rs::KOI8_R.encode(&text);
        let d = decode(&koi8, Some("koi8-r"), None);
        assert_eq!((d.text.as_ref(), d.encoding), (text.as_str(), "KOI8-R"));
        let text = with_decl("windows-1251", "Привет");
        let (cp1251, _, _) = encoding_rs::WINDOWS_1251.encode(&text);
        assert_eq!(decode(&cp1251, None, None).text, text);
    }

    #[test]
    fn gb2312_label_decodes_gbk_only_characters() {
        // 镕 is in GBK but not in GB2312.
        let text = with_decl("gb2312", "朱镕基");
        let (gbk, _, _) = encoding_rs::GBK.encode(&text);
        let d = decode(&gbk, None, None);
        assert_eq!((d.text.as_ref(), d.encoding), (text.as_str(), "gb18030"));
    }

    #[test]
    fn utf8_declared_as_gbk_is_read_as_utf8() {
        let text = with_decl("GBK", "中俄两国同意深化军事合作");
        let d = decode(text.as_bytes(), None, None);
        assert_eq!(d.text, text);
        assert!(d.note.unwrap().contains("UTF-8"));
    }

    #[test]
    fn undeclared_gbk_is_detected() {
        let text = "<?xml version=\"1.0\"?><rss><channel><title>纽约时报中文网</title><item><description>俄罗斯和中国的高级官员已经同意进行更多联合军事演习并加强防务合作，这表明两国的战略伙伴关系只会越来越紧密。</description></item></channel></rss>";
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        let d = decode(&gbk, None, None);
        assert_eq!(d.text, text);
        let d = decode(&gbk, Some("utf-8"), None);
        assert_eq!(d.text, text, "a wrong HTTP charset is overruled");
    }
}
