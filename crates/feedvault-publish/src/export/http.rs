//! The HTTP messages of a raw capture as WARC `request` and `response` blocks
//! (`application/http`), for replay tools.
//!
//! The body is kept as received, already decoded from any Content-Encoding and
//! Transfer-Encoding, so the response head is written to match it: Content-Encoding,
//! Transfer-Encoding and Content-Length are dropped and a Content-Length of the body
//! as kept is written instead. The status line is HTTP/1.1 (or HTTP/1.0 when that is
//! what answered): HTTP/2 responses have no status line of their own, and replay
//! tools read HTTP/1.x.

use feedvault_engine::CaptureRow;
use feedvault_engine::preserve::captures::parse_header_lines;

/// Response headers that describe a transfer the kept body no longer has.
const TRANSFER_HEADERS: [&str; 3] = ["content-encoding", "transfer-encoding", "content-length"];

/// The `request` record's block: the request line, Host and the headers sent
/// (secrets already redacted when the capture was made).
pub fn request_block(capture: &CaptureRow) -> Vec<u8> {
    let url = url::Url::parse(&capture.final_url).ok();
    let target = url.as_ref().map_or_else(
        || "/".to_owned(),
        |u| {
            let mut target = u.path().to_owned();
            if let Some(query) = u.query() {
                target.push('?');
                target.push_str(query);
            }
            target
        },
    );
    let host = url.as_ref().and_then(|u| {
        let host = u.host_str()?;
        Some(match u.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        })
    });
    let mut head = format!("GET {} {}\r\n", one_line(&target), version(capture));
    if let Some(host) = host {
        head.push_str(&format!("Host: {}\r\n", one_line(&host)));
    }
    for (name, value) in parse_header_lines(&capture.request_headers) {
        if !name.eq_ignore_ascii_case("host") {
            head.push_str(&format!("{}: {}\r\n", one_line(&name), one_line(&value)));
        }
    }
    head.push_str("\r\n");
    head.into_bytes()
}

/// The `response` record's block and where its payload (the body) starts.
pub fn response_block(capture: &CaptureRow, body: &[u8]) -> (Vec<u8>, usize) {
    let reason = if capture.reason.is_empty() { "" } else { capture.reason.as_str() };
    let mut head = format!("{} {} {}\r\n", version(capture), capture.status, one_line(reason));
    for (name, value) in parse_header_lines(&capture.response_headers) {
        if TRANSFER_HEADERS.iter().any(|t| name.eq_ignore_ascii_case(t)) {
            continue;
        }
        head.push_str(&format!("{}: {}\r\n", one_line(&name), one_line(&value)));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    let from = head.len();
    let mut block = head.into_bytes();
    block.extend_from_slice(body);
    (block, from)
}

fn version(capture: &CaptureRow) -> &'static str {
    if capture.http_version == "HTTP/1.0" { "HTTP/1.0" } else { "HTTP/1.1" }
}

/// No line break (or other control character) inside a head line.
fn one_line(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn capture() -> CaptureRow {
        CaptureRow {
            id: "c".into(),
            kind: "feed".into(),
            request_url: "http://e.org/old".into(),
            final_url: "http://e.org:8080/feed?x=1".into(),
            fetched_at: 0,
            http_version: "HTTP/2.0".into(),
            status: 200,
            reason: "OK".into(),
            request_headers: "user-agent: feedvault/0.1\ncookie: [redacted]".into(),
            response_headers:
                "content-type: text/xml\ntransfer-encoding: chunked\nContent-Encoding: gzip\ncontent-length: 3".into(),
            body_hash: String::new(),
            body_length: 5,
            media_type: Some("text/xml".into()),
        }
    }

    #[test]
    fn a_request_block_is_a_request_line_host_and_headers() {
        let block = String::from_utf8(request_block(&capture())).unwrap();
        assert_eq!(
            block,
            "GET /feed?x=1 HTTP/1.1\r\nHost: e.org:8080\r\nuser-agent: feedvault/0.1\r\ncookie: [redacted]\r\n\r\n"
        );
    }

    #[test]
    fn a_response_block_matches_the_decoded_body() {
        let (block, from) = response_block(&capture(), b"hello");
        let text = String::from_utf8(block.clone()).unwrap();
        assert_eq!(text, "HTTP/1.1 200 OK\r\ncontent-type: text/xml\r\nContent-Length: 5\r\n\r\nhello");
        assert_eq!(&block[from..], b"hello");
        let old = CaptureRow { http_version: "HTTP/1.0".into(), reason: String::new(), status: 203, ..capture() };
        assert!(String::from_utf8(response_block(&old, b"").0).unwrap().starts_with("HTTP/1.0 203 \r\n"));
    }
}
