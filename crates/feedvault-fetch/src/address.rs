//! Addresses a feed added from the web may not reach: loopback, private,
//! link-local, shared (CGNAT), unspecified, multicast, documentation and reserved
//! ones. A feed marked `public_only` has every hop of every fetch checked after DNS
//! resolution, so a redirect (or a DNS answer that changed since the feed was
//! added) cannot lead feedvault into its owner's network.

use std::net::{IpAddr, Ipv4Addr};

use url::Url;

use crate::{FailureKind, FetchError};

/// Whether `ip` is one a web-added feed must not reach.
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => internal_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return internal_v4(v4);
            }
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00 // unique local
                || (first & 0xffc0) == 0xfe80 // link-local
                || (first & 0xffc0) == 0xfec0 // site-local (deprecated)
                || v6.segments()[..2] == [0x2001, 0x0db8] // documentation
                || v6.segments()[..6] == [0, 0, 0, 0, 0, 0] // IPv4-compatible
                || first == 0x0064 && v6.segments()[1] == 0xff9b // NAT64 of anything
        }
    }
}

fn internal_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240
}

/// Refuses `url` when its host is, or resolves to, an internal address (any one of
/// them: DNS may answer differently on the connection's own lookup).
pub async fn check_public(url: &Url) -> Result<(), FetchError> {
    let refuse = |why: String| FetchError::new(FailureKind::Config, why);
    let host = url.host_str().ok_or_else(|| refuse(format!("{url} has no host")))?;
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let port = url.port_or_known_default().unwrap_or(80);
    let addresses: Vec<IpAddr> = match bare.parse::<IpAddr>() {
        Ok(ip) => vec![ip],
        Err(_) => tokio::net::lookup_host((bare, port))
            .await
            .map_err(|e| FetchError::new(FailureKind::Dns, format!("DNS lookup failed for {url}: {e}")))?
            .map(|a| a.ip())
            .collect(),
    };
    if addresses.is_empty() {
        return Err(FetchError::new(FailureKind::Dns, format!("DNS lookup found no address for {url}")));
    }
    match addresses.iter().find(|ip| is_internal(**ip)) {
        Some(ip) => Err(refuse(format!(
            "refusing {url}: {host} is a loopback, private or link-local address ({ip}); feeds added from the web may not reach those"
        ))),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses() {
        for internal in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
        ] {
            assert!(is_internal(internal.parse().unwrap()), "{internal}");
        }
        for public in ["93.184.216.34", "8.8.8.8", "2606:4700::1111", "::ffff:8.8.8.8", "100.128.0.1"] {
            assert!(!is_internal(public.parse().unwrap()), "{public}");
        }
    }

    #[tokio::test]
    async fn hops_to_internal_hosts_are_refused() {
        for url in ["http://127.0.0.1:8080/feed", "https://[::1]/", "http://10.0.0.7/x", "http://localhost:1/"] {
            let err = check_public(&Url::parse(url).unwrap()).await.unwrap_err();
            assert_eq!(err.kind, FailureKind::Config, "{url}");
            assert!(err.message.contains("added from the web"), "{url}: {}", err.message);
        }
        assert!(check_public(&Url::parse("http://93.184.216.34/feed").unwrap()).await.is_ok());
    }
}
