//! `feedvault serve`: the web UI and API (feedvault-web) on one address until
//! SIGINT or SIGTERM. It only reads the vault (another process may be fetching into
//! it: new articles show within seconds); changes asked for from the web follow
//! feedvault-web's rules (a token off loopback): made here while no other process
//! holds the vault, else queued for the process that does (a daemon carries them
//! out). Requests queued here and left waiting (publish now; changes queued while
//! a `fetch` held the vault) are carried out by this server's runner once nobody
//! holds the vault ([`super::requests::runner`]).

use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use feedvault_engine::Settings;
use feedvault_engine::Vault;
use feedvault_web::{Boilerplate, ServeOptions};
use tracing::{info, warn};

use crate::usage;

/// What `serve` and `daemon` take from the command line for the web server.
pub struct WebArgs {
    pub addr: String,
    pub token: Option<String>,
    pub allow_private_feeds: bool,
    pub allowed_hosts: Vec<String>,
}

impl WebArgs {
    pub fn addr(&self) -> Result<SocketAddr> {
        self.addr.parse().map_err(|_| usage!("--addr {:?} is not an address such as 127.0.0.1:8080", self.addr))
    }

    /// The server's options: these arguments, and the boilerplate rules of
    /// feedvault.toml's `[web]`.
    pub fn options(&self, settings: &Settings) -> ServeOptions {
        ServeOptions {
            token: self.token.clone().filter(|t| !t.is_empty()),
            allow_private_feeds: self.allow_private_feeds,
            allowed_hosts: self.allowed_hosts.clone(),
            boilerplate: Boilerplate::from_settings(&settings.web),
            ..ServeOptions::default()
        }
    }
}

/// Binds `addr` and says where the server is (and whether it accepts changes).
pub async fn listen(addr: SocketAddr, options: &ServeOptions) -> Result<tokio::net::TcpListener> {
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("cannot listen on {addr}"))?;
    let bound = listener.local_addr()?;
    info!(addr = %bound, "serving the web UI at http://{bound}/");
    if !bound.ip().is_loopback() && options.token.is_none() {
        warn!("bound to {bound}, not loopback, without FEEDVAULT_TOKEN: changes from the web are refused");
    }
    Ok(listener)
}

/// Completes on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = async { match terminate.as_mut() { Some(s) => { s.recv().await; } None => std::future::pending().await } } => {}
    }
}

pub fn run(vault: &Path, args: &WebArgs) -> Result<ExitCode> {
    super::daemon::init_logging("human")?;
    let addr = args.addr()?;
    let opened = Arc::new(Vault::open(vault)?);
    let requests = Arc::new(feedvault_web::Requests::runner());
    let options = ServeOptions { requests: Some(requests.clone()), ..args.options(&opened.settings()?) };
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    super::requests::runner(opened.clone(), requests.clone(), stop.clone());
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the runtime")?;
    runtime.block_on(async move {
        let listener = listen(addr, &options).await?;
        let served = feedvault_web::serve(opened, listener, options, shutdown_signal()).await.context("serving");
        stop.store(true, std::sync::atomic::Ordering::SeqCst);
        requests.notify();
        served?;
        info!("stopped");
        Ok(ExitCode::SUCCESS)
    })
}
