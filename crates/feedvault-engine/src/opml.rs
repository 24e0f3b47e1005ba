//! OPML in and out: the subscription lists every feed reader exchanges.

use quick_xml::Reader;
use quick_xml::escape::escape;
use quick_xml::events::Event;

use crate::settings::FeedSettings;
use crate::{EngineError, Result};

/// A subscription found in an OPML file.
#[derive(Debug, PartialEq, Eq)]
pub struct Outline {
    pub url: String,
    pub title: Option<String>,
}

/// Every `<outline xmlUrl=…>` of an OPML document, categories flattened.
pub fn read(text: &str) -> Result<Vec<Outline>> {
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_end_names = false;
    let mut outlines = Vec::new();
    let mut saw_opml = false;
    loop {
        match reader.read_event() {
            Ok(Event::Start(tag) | Event::Empty(tag)) => {
                let name = tag.local_name();
                if name.as_ref().eq_ignore_ascii_case("opml") {
                    saw_opml = true;
                }
                if !name.as_ref().eq_ignore_ascii_case("outline") {
                    continue;
                }
                let mut url = None;
                let mut title = None;
                let mut text_attr = None;
                for attr in tag.html_attributes().with_checks(false).flatten() {
                    let value = attr
                        .normalized_value(quick_xml::XmlVersion::default())
                        .map(|v| v.into_owned())
                        .unwrap_or_default();
                    match attr.key.local_name().as_ref().to_ascii_lowercase().as_str() {
                        "xmlurl" => url = Some(value),
                        "title" => title = Some(value),
                        "text" => text_attr = Some(value),
                        _ => {}
                    }
                }
                if let Some(url) = url.filter(|u| !u.trim().is_empty()) {
                    let title = title.or(text_attr).filter(|t| !t.trim().is_empty());
                    outlines.push(Outline { url: url.trim().to_owned(), title });
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(err) => {
                return Err(EngineError::Usage(format!("not valid OPML at byte {}: {err}", reader.error_position())));
            }
        }
    }
    if !saw_opml {
        return Err(EngineError::Usage("not an OPML document (no <opml> element)".to_owned()));
    }
    Ok(outlines)
}

/// An OPML 2.0 document of the subscriptions.
pub fn write(feeds: &[FeedSettings]) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">\n  <head><title>feedvault subscriptions</title></head>\n  <body>\n",
    );
    for feed in feeds {
        let title = escape(feed.title.as_deref().unwrap_or(&feed.name)).into_owned();
        out.push_str(&format!(
            "    <outline type=\"rss\" text=\"{title}\" title=\"{title}\" xmlUrl=\"{}\"/>\n",
            escape(feed.url.as_str())
        ));
    }
    out.push_str("  </body>\n</opml>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_nested_categories() {
        let feeds = vec![FeedSettings {
            name: "a".into(),
            url: "https://e.com/?a=1&b=2".into(),
            title: Some("A & \"B\"".into()),
            ..FeedSettings::default()
        }];
        let parsed = read(&write(&feeds)).unwrap();
        assert_eq!(parsed, [Outline { url: "https://e.com/?a=1&b=2".into(), title: Some("A & \"B\"".into()) }]);
        let nested = r#"<opml version="1.0"><body><outline text="News"><outline text="X" xmlUrl="https://x/feed"/></outline><outline text="no url"/></body></opml>"#;
        assert_eq!(read(nested).unwrap(), [Outline { url: "https://x/feed".into(), title: Some("X".into()) }]);
    }

    #[test]
    fn non_opml_is_refused() {
        assert!(read("<rss><channel/></rss>").is_err());
        assert_eq!(read("<opml><body><outline xmlUrl='x'></opml>").unwrap().len(), 1, "tolerates a missing end tag");
    }
}
