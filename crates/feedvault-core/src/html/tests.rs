//! Table tests for references and tokens, and work counts on hostile input.

use super::*;

#[test]
fn every_named_reference_decodes_to_its_code_points() {
    let cases = [
        ("&alpha;&beta;&gamma;&delta;&epsilon;", "αβγδε"),
        ("&chi;&psi;&omega;&Omega;", "χψωΩ"),
        ("&fnof;", "\u{192}"),
        ("&mdash;&hellip;&rsquo;&euro;", "—…’€"),
        ("&CounterClockwiseContourIntegral;", "\u{2233}"),
        ("&acE;", "\u{223E}\u{333}"),
        ("&NotEqualTilde;", "\u{2242}\u{338}"),
        ("&nbsp;&copy;&reg;", "\u{a0}©®"),
        ("&amp;lt;", "&lt;"),
        // Legacy forms without `;`, where HTML accepts them.
        ("&copy 2024 &amp AT&T", "© 2024 & AT&T"),
        ("&notin; &noti; &not", "∉ ¬i; ¬"),
        ("&alpha &unknown; & &; &#; &#x;", "&alpha &unknown; & &; &#; &#x;"),
    ];
    for (raw, want) in cases {
        assert_eq!(decode_entities(raw), want, "{raw:?}");
    }
}

#[test]
fn the_whole_table_decodes() {
    let mut names = 0;
    for (name, &(first, second)) in NAMED_ENTITIES.entries() {
        if first == 0 {
            continue; // a prefix of longer names, not a name
        }
        let want: String = [first, second].into_iter().filter(|&c| c != 0).filter_map(char::from_u32).collect();
        assert_eq!(decode_entities(&format!("&{name}")), want, "&{name}");
        assert_eq!(decode_entities(&format!("x&{name}y")).chars().count(), want.chars().count() + 2, "&{name}");
        if let Some(bare) = name.strip_suffix(';') {
            assert_eq!(named_reference(bare).map(|d| d.as_str().to_owned()), Some(want), "{bare}");
        }
        names += 1;
    }
    assert_eq!(names, 2231, "every name of the WHATWG table");
}

#[test]
fn numeric_references_follow_html() {
    let cases = [
        ("&#20013;&#x6587;&#X6587", "中文文"),
        ("&#38;&#x26", "&&"),
        ("&#0;&#xD800;&#x110000;&#99999999999999999999;", "\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}"),
        // 0x80-0x9F are read as windows-1252, as browsers do.
        ("don&#146;t &#147;q&#148; &#128;", "don’t “q” €"),
        ("&#x81;", "\u{81}"),
    ];
    for (raw, want) in cases {
        assert_eq!(decode_entities(raw), want, "{raw:?}");
    }
}

#[test]
fn attribute_values_keep_legacy_references_before_letters_and_equals() {
    assert_eq!(decode_in("?a=1&copy=2&amp;x", Context::Attribute), "?a=1&copy=2&x");
    assert_eq!(decode_in("&copyx", Context::Attribute), "&copyx");
    assert_eq!(decode_in("&copyx", Context::Text), "©x");
    assert_eq!(decode_in("&copy;x", Context::Attribute), "©x");
}

#[test]
fn named_references_for_xml_need_the_whole_name() {
    assert_eq!(named_reference("alpha").map(|d| d.as_str().to_owned()), Some("α".to_owned()));
    assert_eq!(named_reference("copy").map(|d| d.as_str().to_owned()), Some("©".to_owned()));
    assert_eq!(named_reference("#x41").map(|d| d.as_str().to_owned()), Some("A".to_owned()));
    assert!(named_reference("notit").is_none(), "a prefix match is not the name");
    assert!(named_reference("undefined").is_none());
    assert!(named_reference(&"a".repeat(100)).is_none());
}

fn names(html: &str) -> Vec<String> {
    Tokens::new(html)
        .map(|t| match t {
            Token::Text(t) => format!("text:{t}"),
            Token::RawText { element, text } => format!("raw:{element}:{text}"),
            Token::Start { name, .. } => format!("<{name}>"),
            Token::End { name } => format!("</{name}>"),
            Token::Comment => "comment".to_owned(),
        })
        .collect()
}

#[test]
fn tokens_follow_the_html_tokenizer() {
    assert_eq!(names("a<B x='>'>b</b >c"), ["text:a", "<b>", "text:b", "</b>", "text:c"]);
    assert_eq!(names("1 < 2 <3"), ["text:1 ", "text:< 2 ", "text:<3"]);
    assert_eq!(
        names("<script>if (a<b) x('</p>')</script>z"),
        ["<script>", "raw:script:if (a<b) x('</p>')", "</script>", "text:z"]
    );
    assert_eq!(names("<style/>x"), ["<style>", "text:x"], "self-closed (XHTML) raw-text element");
    assert_eq!(names("<!-- a -- b -->c<!--->d<!-->e"), ["comment", "text:c", "comment", "text:d", "comment", "text:e"]);
    assert_eq!(names("<!-- a --!>b"), ["comment", "text:b"]);
    assert_eq!(names("</>a</ b>c<?x?>"), ["text:a", "comment", "text:c", "comment"]);
    assert_eq!(names("a<b title=\"x"), ["text:a", "text:<b title=\"x"], "a tag the input ends in is text");
    assert_eq!(names("a<!-- -- x >b"), ["text:a", "comment", "text:b"], "an unclosed comment ends at its first >");
    assert_eq!(names("a<!-- x"), ["text:a", "comment"]);
    assert_eq!(
        names("<iframe src=x>fallback <b>text</b></iframe>"),
        ["<iframe>", "text:fallback ", "<b>", "text:text", "</b>", "</iframe>"]
    );
    assert_eq!(names("a<!DOCTYPE"), ["text:a", "text:<!DOCTYPE"]);
    assert_eq!(names("a</"), ["text:a", "text:</"]);
}

#[test]
fn attributes_are_found_by_name() {
    let attrs = r#" src="a.jpg" ALT='普京 &amp; 习近平' data-x=1 checked"#;
    assert_eq!(attribute(attrs, "alt").as_deref(), Some("普京 & 习近平"));
    assert_eq!(attribute(attrs, "data-x").as_deref(), Some("1"));
    assert_eq!(attribute(attrs, "checked").as_deref(), Some(""));
    assert_eq!(attribute(attrs, "title"), None);
    assert_eq!(attribute(" alt=bare/", "alt").as_deref(), Some("bare/"));
    assert_eq!(attribute(" alt=\"open", "alt").as_deref(), Some("open"));
}

/// The work of tokenizing: bytes examined, per input byte.
fn work_per_byte(html: &str) -> f64 {
    let mut tokens = Tokens::new(html);
    for _ in tokens.by_ref() {}
    tokens.examined() as f64 / html.len() as f64
}

#[test]
fn hostile_inputs_take_linear_work() {
    const SIZE: usize = 200 * 1024;
    let patterns = ["&", "<", "<script>", "<!--", "<a ", "<a x=1 ", "</", "<a '", "<!", "&amp", "<style>&#"];
    for pattern in patterns {
        let html = pattern.repeat(SIZE / pattern.len());
        let work = work_per_byte(&html);
        assert!(work <= 3.0, "{pattern:?}: {work} bytes examined per byte");
        // Decoding looks at most the longest reference name ahead of each `&`.
        let decoded = decode_entities(&html);
        assert!(decoded.len() <= html.len() * 2, "{pattern:?}");
        if let Some(attrs) = html.strip_prefix("<a") {
            assert_eq!(attribute(attrs, "missing"), None);
        }
    }
    // The outputs are right, not only quick.
    assert_eq!(decode_entities(&"&".repeat(1000)), "&".repeat(1000));
    let scripts = "<script>".repeat(1000);
    assert_eq!(names(&scripts).len(), 2, "one script start, the rest is its text: {:?}", &names(&scripts)[..2]);
}
