//! Test proxies over std threads: a SOCKS5 proxy (no auth, CONNECT only) and an HTTP
//! forward proxy (absolute-form requests, one request per connection). Both really
//! connect to the target and relay bytes, and record what they were asked for.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, Ipv6Addr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use super::read_request;

/// A running proxy and the targets it was asked for, in order.
pub struct Proxy {
    pub url: String,
    targets: Arc<Mutex<Vec<String>>>,
}

impl Proxy {
    /// `host:port` targets as requested (a SOCKS5 domain target is `domain:port`,
    /// an address target `ip:port`; HTTP targets are the absolute URLs).
    pub fn targets(&self) -> Vec<String> {
        self.targets.lock().unwrap().clone()
    }

    pub fn connections(&self) -> usize {
        self.targets().len()
    }
}

fn start(scheme: &str, serve: fn(TcpStream, &Mutex<Vec<String>>) -> Option<()>) -> Proxy {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("{scheme}://{}", listener.local_addr().unwrap());
    let targets: Arc<Mutex<Vec<String>>> = Arc::default();
    let recorded = targets.clone();
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let recorded = recorded.clone();
            thread::spawn(move || serve(stream, &recorded));
        }
    });
    Proxy { url, targets }
}

/// Starts a SOCKS5 proxy; its URL uses `scheme` (`socks5` or `socks5h`).
pub fn socks5(scheme: &str) -> Proxy {
    start(scheme, serve_socks5)
}

/// Starts an HTTP forward proxy.
pub fn http_forward() -> Proxy {
    start("http", serve_http)
}

fn serve_socks5(mut client: TcpStream, targets: &Mutex<Vec<String>>) -> Option<()> {
    client.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    let mut greeting = [0u8; 2];
    client.read_exact(&mut greeting).ok()?;
    let mut methods = vec![0u8; greeting[1] as usize];
    client.read_exact(&mut methods).ok()?;
    if greeting[0] != 5 || !methods.contains(&0) {
        client.write_all(&[5, 0xff]).ok()?;
        return None;
    }
    client.write_all(&[5, 0]).ok()?;
    let mut request = [0u8; 4];
    client.read_exact(&mut request).ok()?;
    let host = match request[3] {
        1 => {
            let mut ip = [0u8; 4];
            client.read_exact(&mut ip).ok()?;
            Ipv4Addr::from(ip).to_string()
        }
        3 => {
            let mut len = [0u8; 1];
            client.read_exact(&mut len).ok()?;
            let mut name = vec![0u8; len[0] as usize];
            client.read_exact(&mut name).ok()?;
            String::from_utf8(name).ok()?
        }
        4 => {
            let mut ip = [0u8; 16];
            client.read_exact(&mut ip).ok()?;
            format!("[{}]", Ipv6Addr::from(ip))
        }
        _ => return None,
    };
    let mut port = [0u8; 2];
    client.read_exact(&mut port).ok()?;
    let target = format!("{host}:{}", u16::from_be_bytes(port));
    targets.lock().unwrap().push(target.clone());
    if request[1] != 1 {
        client.write_all(&[5, 7, 0, 1, 0, 0, 0, 0, 0, 0]).ok()?;
        return None;
    }
    let addresses: Vec<_> = target.to_socket_addrs().ok()?.collect();
    let Ok(upstream) = TcpStream::connect(&addresses[..]) else {
        client.write_all(&[5, 5, 0, 1, 0, 0, 0, 0, 0, 0]).ok()?;
        return None;
    };
    client.write_all(&[5, 0, 0, 1, 0, 0, 0, 0, 0, 0]).ok()?;
    relay(client, upstream)
}

fn serve_http(mut client: TcpStream, targets: &Mutex<Vec<String>>) -> Option<()> {
    let request = read_request(&mut client)?;
    targets.lock().unwrap().push(request.target.clone());
    let url = url::Url::parse(&request.target).ok()?;
    let mut upstream = TcpStream::connect((url.host_str()?, url.port_or_known_default()?)).ok()?;
    let mut head = format!("{} {} HTTP/1.1\r\n", request.method, request.path());
    for (name, value) in &request.headers {
        if !matches!(name.as_str(), "connection" | "proxy-connection" | "keep-alive") {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
    }
    head.push_str("connection: close\r\n\r\n");
    upstream.write_all(head.as_bytes()).ok()?;
    std::io::copy(&mut upstream, &mut client).ok()?;
    Some(())
}

/// Copies bytes both ways until either side closes.
fn relay(client: TcpStream, upstream: TcpStream) -> Option<()> {
    let (mut client_read, mut upstream_write) = (client.try_clone().ok()?, upstream.try_clone().ok()?);
    let up = thread::spawn(move || {
        let _ = std::io::copy(&mut client_read, &mut upstream_write);
        let _ = upstream_write.shutdown(std::net::Shutdown::Write);
    });
    let (mut upstream_read, mut client_write) = (upstream, client);
    let _ = std::io::copy(&mut upstream_read, &mut client_write);
    let _ = client_write.shutdown(std::net::Shutdown::Both);
    let _ = up.join();
    Some(())
}
