//! WARC/1.1 records: named fields and a block, written plain or as one gzip member
//! per record (the spec's recommendation for `.warc.gz`, so a reader can seek to any
//! record). Generic over the record type: `warcinfo` and `resource` today; a
//! `request` or `response` record for a raw HTTP capture is the same [`Record`] with
//! its payload starting after the HTTP head.
//!
//! The writer adds what every record needs and what is computed from the block:
//! `WARC-Type`, `WARC-Record-ID`, `WARC-Date`, `Content-Type`, `WARC-Block-Digest`,
//! `WARC-Payload-Digest` and `Content-Length`. Digests are `sha256:` and the RFC 4648
//! base32 of the hash, padded (the form warcio computes and compares with).

use std::io::{self, Write};

use chrono::{DateTime, SecondsFormat, Utc};
use data_encoding::BASE32;
use flate2::Compression;
use flate2::write::GzEncoder;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// One record to write.
#[derive(Debug, Clone)]
pub struct Record<'a> {
    /// `warcinfo`, `resource`, `request`, `response`, ...
    pub kind: &'a str,
    pub id: Uuid,
    pub date: DateTime<Utc>,
    /// Further named fields, in order (`WARC-Target-URI`, `WARC-Warcinfo-ID`, ...).
    pub fields: Vec<(&'a str, String)>,
    pub content_type: &'a str,
    pub block: &'a [u8],
    /// Where the payload starts in the block (0 for a `resource`, after the HTTP head
    /// for a `response`); `None`: no payload digest (`warcinfo`).
    pub payload_from: Option<usize>,
}

/// `sha256:BASE32` of the bytes.
pub fn digest(bytes: &[u8]) -> String {
    format!("sha256:{}", BASE32.encode(&Sha256::digest(bytes)))
}

/// A record id that depends on `name` alone: a UUID (version 8) from its SHA-256, so
/// the same thing exported twice gets the same id.
pub fn record_id(name: &str) -> Uuid {
    let hash = Sha256::digest(name.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&hash[..16]);
    Uuid::new_v8(bytes)
}

/// `<urn:uuid:...>`, as `WARC-Record-ID` and the fields that cite a record write it.
pub fn id_field(id: Uuid) -> String {
    format!("<{}>", id.urn())
}

/// A field value on one line: control characters (CR, LF, ...) become spaces, so no
/// value can end the header early.
fn field_value(value: &str) -> String {
    value.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

/// Percent-encodes every byte of `uri` that is not visible ASCII (a URL read from an
/// article file may hold spaces or non-ASCII text; a WARC URI field may not).
pub fn uri_value(uri: &str) -> String {
    let mut out = String::with_capacity(uri.len());
    for byte in uri.bytes() {
        if (0x21..=0x7e).contains(&byte) && !matches!(byte, b'<' | b'>' | b'"') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Writes records to a stream.
pub struct RecordWriter<W: Write> {
    out: W,
    gzip: bool,
}

impl<W: Write> RecordWriter<W> {
    /// A writer of plain records, or of one gzip member per record.
    pub fn new(out: W, gzip: bool) -> Self {
        RecordWriter { out, gzip }
    }

    /// Writes one record.
    pub fn write(&mut self, record: &Record<'_>) -> io::Result<()> {
        let head = head(record);
        if self.gzip {
            let mut member = GzEncoder::new(&mut self.out, Compression::default());
            member.write_all(head.as_bytes())?;
            member.write_all(record.block)?;
            member.write_all(b"\r\n\r\n")?;
            member.finish()?;
        } else {
            self.out.write_all(head.as_bytes())?;
            self.out.write_all(record.block)?;
            self.out.write_all(b"\r\n\r\n")?;
        }
        Ok(())
    }

    /// The stream, for the caller to finish.
    pub fn into_inner(self) -> W {
        self.out
    }
}

/// The version line and named fields, up to and with the blank line.
fn head(record: &Record<'_>) -> String {
    let mut head = String::with_capacity(512);
    let mut field = |name: &str, value: &str| {
        head.push_str(name);
        head.push_str(": ");
        head.push_str(&field_value(value));
        head.push_str("\r\n");
    };
    let date = record.date.to_rfc3339_opts(SecondsFormat::Secs, true);
    let id = id_field(record.id);
    let mut fields: Vec<(&str, &str)> =
        vec![("WARC-Type", record.kind), ("WARC-Record-ID", id.as_str()), ("WARC-Date", date.as_str())];
    fields.extend(record.fields.iter().map(|(name, value)| (*name, value.as_str())));
    let block_digest = digest(record.block);
    let payload_digest = record.payload_from.map(|from| digest(record.block.get(from..).unwrap_or_default()));
    let length = record.block.len().to_string();
    fields.push(("Content-Type", record.content_type));
    fields.push(("WARC-Block-Digest", block_digest.as_str()));
    if let Some(payload) = &payload_digest {
        fields.push(("WARC-Payload-Digest", payload.as_str()));
    }
    fields.push(("Content-Length", length.as_str()));
    for (name, value) in fields {
        field(name, value);
    }
    format!("WARC/1.1\r\n{head}\r\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample<'a>(block: &'a [u8]) -> Record<'a> {
        Record {
            kind: "resource",
            id: record_id("a"),
            date: DateTime::from_timestamp(1_663_640_192, 0).unwrap(),
            fields: vec![("WARC-Target-URI", uri_value("https://e.org/a b\r\nX: y"))],
            content_type: "text/plain",
            block,
            payload_from: Some(0),
        }
    }

    #[test]
    fn a_record_is_head_block_and_two_line_ends() {
        let mut writer = RecordWriter::new(Vec::new(), false);
        writer.write(&sample(b"hello")).unwrap();
        let text = String::from_utf8(writer.into_inner()).unwrap();
        let (head, rest) = text.split_once("\r\n\r\n").unwrap();
        assert_eq!(rest, "hello\r\n\r\n");
        let lines: Vec<&str> = head.split("\r\n").collect();
        assert_eq!(lines[0], "WARC/1.1");
        assert_eq!(lines[1], "WARC-Type: resource");
        assert!(lines[2].starts_with("WARC-Record-ID: <urn:uuid:") && lines[2].ends_with('>'));
        assert_eq!(lines[3], "WARC-Date: 2022-09-20T02:16:32Z");
        assert_eq!(lines[4], "WARC-Target-URI: https://e.org/a%20b%0D%0AX:%20y", "no header injection");
        assert_eq!(lines.last(), Some(&"Content-Length: 5"));
        // sha256("hello") in base32, as Python's base64.b32encode(hashlib.sha256(b"hello").digest()) prints it.
        let expected = "sha256:FTZE3OS7WCRQ4JXIHMVMLOPCTYNRMHS4D6TUEXTTAQZWFE4LTASA====";
        assert!(lines.contains(&&*format!("WARC-Block-Digest: {expected}")), "{lines:?}");
        assert!(lines.contains(&&*format!("WARC-Payload-Digest: {expected}")), "{lines:?}");
    }

    #[test]
    fn a_payload_after_a_head_has_its_own_digest() {
        let block = b"HTTP/1.1 200 OK\r\n\r\nbody";
        let record = Record { kind: "response", payload_from: Some(19), ..sample(block) };
        let head = head(&record);
        assert!(head.contains(&format!("WARC-Payload-Digest: {}\r\n", digest(b"body"))), "{head}");
        assert!(head.contains(&format!("WARC-Block-Digest: {}\r\n", digest(block))));
        let info = head_of_info();
        assert!(!info.contains("WARC-Payload-Digest"), "no payload digest without a payload");
    }

    fn head_of_info() -> String {
        head(&Record { kind: "warcinfo", payload_from: None, ..sample(b"software: x\r\n") })
    }

    #[test]
    fn gzip_members_decompress_to_the_plain_records() {
        use std::io::Read;
        let mut plain = RecordWriter::new(Vec::new(), false);
        let mut gzip = RecordWriter::new(Vec::new(), true);
        for block in [&b"one"[..], "二".as_bytes()] {
            plain.write(&sample(block)).unwrap();
            gzip.write(&sample(block)).unwrap();
        }
        let (plain, gzip) = (plain.into_inner(), gzip.into_inner());
        let mut members = 0;
        let mut rest = &gzip[..];
        let mut out = Vec::new();
        while !rest.is_empty() {
            let mut decoder = flate2::bufread::GzDecoder::new(rest);
            decoder.read_to_end(&mut out).unwrap();
            rest = decoder.into_inner();
            members += 1;
        }
        assert_eq!(members, 2, "one member per record");
        assert_eq!(out, plain);
    }

    #[test]
    fn record_ids_depend_on_the_name_only() {
        assert_eq!(record_id("archive/a.md@1"), record_id("archive/a.md@1"));
        assert_ne!(record_id("archive/a.md@1"), record_id("archive/a.md@2"));
        assert_eq!(record_id("x").get_version_num(), 8);
    }
}
