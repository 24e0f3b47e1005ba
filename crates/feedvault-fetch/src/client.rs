//! reqwest clients, one per proxy route, built lazily and kept in a small cache so
//! connections are reused across feeds that share a route.
//!
//! TLS is rustls with the *ring* crypto provider (no OpenSSL, no aws-lc build), and
//! certificates are checked by reqwest's platform verifier (the system's roots).

use std::collections::HashMap;
use std::sync::Mutex;

use crate::{FailureKind, FetchError, FetchOptions, ProxyChoice};

/// Routes kept at once; past this the cache is emptied (routes are few in practice).
const MAX_CLIENTS: usize = 32;

/// A route: the proxy, and whether NO_PROXY-style bypasses apply (global routes only).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Route {
    proxy: ProxyChoice,
    bypass: Option<String>,
}

#[derive(Debug)]
pub(crate) struct Clients {
    options: FetchOptions,
    cache: Mutex<HashMap<Route, reqwest::Client>>,
}

impl Clients {
    /// Checks the global route by building its client.
    pub(crate) fn new(options: &FetchOptions) -> Result<Clients, FetchError> {
        let clients = Clients { options: options.clone(), cache: Mutex::new(HashMap::new()) };
        clients.get(None)?;
        Ok(clients)
    }

    /// The client for a feed's proxy (`None`: the global one).
    pub(crate) fn get(&self, per_feed: Option<&ProxyChoice>) -> Result<reqwest::Client, FetchError> {
        let route = match per_feed {
            Some(proxy) => Route { proxy: proxy.clone(), bypass: None },
            None => Route { proxy: self.options.proxy.clone(), bypass: self.options.no_proxy.clone() },
        };
        let mut cache = self.cache.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(client) = cache.get(&route) {
            return Ok(client.clone());
        }
        let client = self.build(&route, per_feed.is_none())?;
        if cache.len() >= MAX_CLIENTS {
            cache.clear();
        }
        cache.insert(route, client.clone());
        Ok(client)
    }

    fn build(&self, route: &Route, global: bool) -> Result<reqwest::Client, FetchError> {
        let options = &self.options;
        install_crypto_provider();
        let mut builder = reqwest::Client::builder()
            .tls_backend_rustls()
            .user_agent(&options.user_agent)
            .connect_timeout(options.connect_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .gzip(true)
            .brotli(true)
            .zstd(true)
            .deflate(true);
        builder = match &route.proxy {
            ProxyChoice::FromEnv => builder,
            ProxyChoice::Direct => builder.no_proxy(),
            ProxyChoice::Url(url) => {
                route.proxy.check()?;
                let proxy = reqwest::Proxy::all(url.as_str())
                    .map_err(|e| FetchError::new(FailureKind::Config, format!("proxy {url}: {e}")))?;
                let bypass = match (&route.bypass, global) {
                    (_, false) => None,
                    (Some(list), true) => reqwest::NoProxy::from_string(list),
                    (None, true) => reqwest::NoProxy::from_env(),
                };
                builder.proxy(proxy.no_proxy(bypass))
            }
        };
        builder.build().map_err(|e| FetchError::new(FailureKind::Config, format!("cannot set up HTTP: {e}")))
    }
}

/// Makes *ring* the process's rustls crypto provider unless one is installed already
/// (reqwest is built without a provider of its own, and panics without one).
fn install_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Losing a race with another installer is fine: either provider works.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}
