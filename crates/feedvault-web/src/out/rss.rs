//! RSS 2.0: the full content in `content:encoded`, escaped.

use std::fmt::Write as _;

use quick_xml::escape::escape;

use super::Channel;
use crate::timefmt::rfc2822;

pub fn write(channel: &Channel) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" xmlns:atom=\"http://www.w3.org/2005/Atom\">\n<channel>\n",
    );
    let _ = writeln!(out, "<title>{}</title>", escape(&channel.title));
    let _ = writeln!(out, "<link>{}</link>", escape(&channel.home));
    let _ = writeln!(out, "<description>{}</description>", escape(&channel.title));
    let _ =
        writeln!(out, "<atom:link rel=\"self\" type=\"application/rss+xml\" href=\"{}\"/>", escape(&channel.self_url));
    if let Some(date) = rfc2822(channel.updated_ms) {
        let _ = writeln!(out, "<lastBuildDate>{date}</lastBuildDate>");
    }
    out.push_str("<generator>feedvault</generator>\n");
    for entry in &channel.entries {
        out.push_str("<item>\n");
        let _ = writeln!(out, "<title>{}</title>", escape(&entry.title));
        let _ = writeln!(out, "<link>{}</link>", escape(&entry.link));
        let _ = writeln!(out, "<guid isPermaLink=\"true\">{}</guid>", escape(&entry.id));
        if let Some(date) = rfc2822(entry.published_ms.unwrap_or(entry.updated_ms)) {
            let _ = writeln!(out, "<pubDate>{date}</pubDate>");
        }
        let _ = writeln!(out, "<description>{}</description>", escape(&entry.content_html));
        let _ = writeln!(out, "<content:encoded>{}</content:encoded>", escape(&entry.content_html));
        out.push_str("</item>\n");
    }
    out.push_str("</channel>\n</rss>\n");
    out
}
