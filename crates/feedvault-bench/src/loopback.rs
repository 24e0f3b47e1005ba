//! A small HTTP/1.1 server on loopback for the benchmarks' feeds, pages and images:
//! keep-alive, a thread per connection, every request answered by a [`Handler`]
//! from its path (and If-None-Match) in one write, since a head and a body written
//! apart wait out the client's delayed ACK.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;

/// What the handler is told of a request.
pub struct Request {
    pub path: String,
    pub if_none_match: Option<String>,
}

/// An answer: the head and the body.
pub struct Reply {
    status: &'static str,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

impl Reply {
    pub fn ok(content_type: &str, body: impl Into<Vec<u8>>) -> Reply {
        Reply { status: "200 OK", headers: vec![("Content-Type", content_type.to_owned())], body: body.into() }
    }

    pub fn not_found() -> Reply {
        Reply { status: "404 Not Found", headers: Vec::new(), body: Vec::new() }
    }

    pub fn not_modified(etag: &str) -> Reply {
        Reply { status: "304 Not Modified", headers: vec![("ETag", etag.to_owned())], body: Vec::new() }
    }

    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Reply {
        self.headers.push((name, value.into()));
        self
    }

    fn bytes(&self) -> Vec<u8> {
        let mut head = format!("HTTP/1.1 {}\r\n", self.status);
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str(&format!("Content-Length: {}\r\n\r\n", self.body.len()));
        let mut out = head.into_bytes();
        out.extend_from_slice(&self.body);
        out
    }
}

/// Answers requests.
pub trait Handler: Send + Sync + 'static {
    /// Called as soon as a request's line and headers are read.
    fn answer(&self, request: &Request) -> Reply;
    /// Called once the answer is written (or could not be).
    fn written(&self) {}
}

impl<F: Fn(&Request) -> Reply + Send + Sync + 'static> Handler for F {
    fn answer(&self, request: &Request) -> Reply {
        self(request)
    }
}

/// Serves every connection to `listener`, on threads of its own, until the process ends.
pub fn spawn(listener: TcpListener, handler: Arc<impl Handler>) {
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let handler = handler.clone();
            std::thread::spawn(move || serve(stream, &*handler));
        }
    });
}

fn serve(stream: TcpStream, handler: &impl Handler) {
    let Ok(clone) = stream.try_clone() else { return };
    let mut reader = BufReader::new(clone);
    let mut writer = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let path = line.split_whitespace().nth(1).unwrap_or("/").to_owned();
        let (mut if_none_match, mut length) = (None, 0usize);
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 || header.trim().is_empty() {
                break;
            }
            let Some((name, value)) = header.split_once(':') else { continue };
            if name.eq_ignore_ascii_case("if-none-match") {
                if_none_match = Some(value.trim().to_owned());
            } else if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        let mut sink = vec![0; length.min(1 << 16)];
        let _ = reader.read_exact(&mut sink);
        let reply = handler.answer(&Request { path, if_none_match });
        let written = writer.write_all(&reply.bytes());
        handler.written();
        if written.is_err() {
            return;
        }
    }
}
