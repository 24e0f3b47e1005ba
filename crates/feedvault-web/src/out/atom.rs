//! Atom 1.0 (RFC 4287): content as escaped HTML.

use std::fmt::Write as _;

use quick_xml::escape::escape;

use super::Channel;
use crate::timefmt::rfc3339;

pub fn write(channel: &Channel) -> String {
    let mut out =
        String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    let _ = writeln!(out, "<id>{}</id>", escape(&channel.self_url));
    let _ = writeln!(out, "<title>{}</title>", escape(&channel.title));
    let _ = writeln!(out, "<updated>{}</updated>", rfc3339(channel.updated_ms).unwrap_or_default());
    let _ = writeln!(out, "<link rel=\"self\" href=\"{}\"/>", escape(&channel.self_url));
    let _ = writeln!(out, "<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>", escape(&channel.home));
    out.push_str("<generator>feedvault</generator>\n");
    for entry in &channel.entries {
        let _ = writeln!(out, "<entry xml:lang=\"{}\">", entry.lang);
        let _ = writeln!(out, "<id>{}</id>", escape(&entry.id));
        let _ = writeln!(out, "<title>{}</title>", escape(&entry.title));
        let _ = writeln!(out, "<link rel=\"alternate\" href=\"{}\"/>", escape(&entry.link));
        let _ = writeln!(out, "<link rel=\"related\" type=\"text/html\" href=\"{}\"/>", escape(&entry.id));
        if let Some(published) = entry.published_ms.and_then(rfc3339) {
            let _ = writeln!(out, "<published>{published}</published>");
        }
        let _ = writeln!(out, "<updated>{}</updated>", rfc3339(entry.updated_ms).unwrap_or_default());
        let _ = writeln!(out, "<content type=\"html\">{}</content>", escape(&entry.content_html));
        out.push_str("</entry>\n");
    }
    out.push_str("</feed>\n");
    out
}
