//! Test support: a real HTTP/1.1 server on a loopback address that the tests start.
//! Each connection is handled on its own thread by a handler that gets the parsed
//! request and the raw stream, so tests can answer normally, drip, stall or never end.
//! Every request is recorded with the instant it arrived. Servers stop with the process.

#![allow(dead_code)]

pub mod proxies;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// The longest any test helper thread keeps writing, so nothing outlives its test for long.
pub const THREAD_LIMIT: Duration = Duration::from_secs(30);

/// A request as the server saw it.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    /// The request target as sent (origin form, or absolute form through a proxy).
    pub target: String,
    /// Header names lower-cased.
    pub headers: HashMap<String, String>,
    pub at: Instant,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }

    pub fn path(&self) -> &str {
        match self.target.find("://") {
            Some(i) => self.target[i + 3..].find('/').map_or("/", |j| &self.target[i + 3 + j..]),
            None => &self.target,
        }
    }
}

pub type Handler = dyn Fn(&Request, &mut TcpStream) + Send + Sync;

/// A loopback server.
pub struct Server {
    /// `http://IP:PORT`
    pub base: String,
    pub port: u16,
    requests: Arc<Mutex<Vec<Request>>>,
}

impl Server {
    /// Starts a server on 127.0.0.1.
    pub fn start(handler: impl Fn(&Request, &mut TcpStream) + Send + Sync + 'static) -> Server {
        Server::start_on("127.0.0.1", handler)
    }

    /// Starts a server on a loopback IP (any of 127.0.0.0/8).
    pub fn start_on(ip: &str, handler: impl Fn(&Request, &mut TcpStream) + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind((ip, 0)).unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests: Arc<Mutex<Vec<Request>>> = Arc::default();
        let handler: Arc<Handler> = Arc::new(handler);
        let recorded = requests.clone();
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let (handler, recorded) = (handler.clone(), recorded.clone());
                thread::spawn(move || {
                    let Some(request) = read_request(&mut stream) else { return };
                    recorded.lock().unwrap().push(request.clone());
                    handler(&request, &mut stream);
                });
            }
        });
        Server { base: format!("http://{ip}:{port}"), port, requests }
    }

    pub fn url(&self, path: &str) -> url::Url {
        url::Url::parse(&format!("{}{path}", self.base)).unwrap()
    }

    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }

    pub fn hits(&self, path: &str) -> usize {
        self.requests().iter().filter(|r| r.path() == path).count()
    }
}

/// Reads a request head (bodies are not expected).
pub fn read_request(stream: &mut TcpStream) -> Option<Request> {
    stream.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    let at = Instant::now();
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let (method, target) = (parts.next()?.to_owned(), parts.next()?.to_owned());
    let mut headers = HashMap::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let trimmed = line.trim_end();
        if trimmed.is_empty() {
            break;
        }
        if let Some((name, value)) = trimmed.split_once(':') {
            headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_owned());
        }
    }
    Some(Request { method, target, headers, at })
}

/// Writes a complete response and closes the connection.
pub fn respond(stream: &mut TcpStream, status: u16, headers: &[(&str, &str)], body: &[u8]) {
    let mut head = format!("HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n", body.len());
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
    let _ = stream.flush();
}

/// A small RSS document.
pub fn feed(title: &str) -> Vec<u8> {
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>{title}</title>\
         <item><title>One</title><link>https://example.com/1</link></item></channel></rss>"
    )
    .into_bytes()
}

/// Runs an async test body on a fresh runtime, failing it past `limit`.
pub fn within<F: std::future::Future>(limit: Duration, future: F) -> F::Output {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(async { tokio::time::timeout(limit, future).await.expect("the test ran out of time") })
}
