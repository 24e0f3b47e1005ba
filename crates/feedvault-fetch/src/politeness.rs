//! Politeness: a global limit on requests in flight, a per-host limit, and a minimum
//! delay between requests to one host, fair across hosts.
//!
//! A request first takes its host's permit (a FIFO semaphore per host name), then waits
//! out the host's delay, and only then takes a global permit (a FIFO semaphore). So a
//! slow or busy host holds at most `per_host` of the global permits, and requests queued
//! behind it never block requests to other hosts. Hosts are keyed by host name (ports
//! ignored), so two services on one machine share its limits.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// Host entries kept before idle ones are pruned.
const PRUNE_AT: usize = 1024;

/// Limits of a [`Politeness`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PolitenessOptions {
    /// Requests in flight at once, all hosts together (16).
    pub max_concurrent: usize,
    /// Requests in flight at once to one host (2).
    pub per_host: usize,
    /// Minimum time between the start of a request to a host and the start of the next
    /// one, and between the end of one and the start of the next (1 s; zero allowed).
    pub host_delay: Duration,
}

impl Default for PolitenessOptions {
    fn default() -> Self {
        PolitenessOptions { max_concurrent: 16, per_host: 2, host_delay: Duration::from_secs(1) }
    }
}

/// Shared limiter; cheap to share behind an `Arc`, used by [`crate::Fetcher`] for every
/// request (each redirect hop takes its own permit).
#[derive(Debug)]
pub struct Politeness {
    options: PolitenessOptions,
    global: Arc<Semaphore>,
    hosts: Mutex<HashMap<String, Arc<Host>>>,
}

#[derive(Debug)]
struct Host {
    permits: Arc<Semaphore>,
    /// The earliest time the next request to this host may start.
    next_start: Mutex<Option<Instant>>,
}

/// The right to make one request; release it (drop) when the response is read.
#[derive(Debug)]
pub struct Permit {
    host: Arc<Host>,
    delay: Duration,
    _host_permit: OwnedSemaphorePermit,
    _global_permit: OwnedSemaphorePermit,
}

impl Drop for Permit {
    fn drop(&mut self) {
        let mut next = lock(&self.host.next_start);
        let after_end = Instant::now() + self.delay;
        *next = Some(next.map_or(after_end, |at| at.max(after_end)));
    }
}

impl Politeness {
    /// A limiter; limits of zero are taken as one.
    pub fn new(options: PolitenessOptions) -> Politeness {
        let options = PolitenessOptions {
            max_concurrent: options.max_concurrent.max(1),
            per_host: options.per_host.max(1),
            ..options
        };
        Politeness { options, global: Arc::new(Semaphore::new(options.max_concurrent)), hosts: Mutex::default() }
    }

    pub fn options(&self) -> PolitenessOptions {
        self.options
    }

    /// Waits until a request to `host` may start.
    pub async fn acquire(&self, host: &str) -> Permit {
        let host = self.host(host);
        let host_permit = host.permits.clone().acquire_owned().await.expect("host semaphores are never closed");
        loop {
            let wait_until = *lock(&host.next_start);
            match wait_until {
                Some(at) if at > Instant::now() => tokio::time::sleep_until(at).await,
                _ => break,
            }
        }
        let global_permit = self.global.clone().acquire_owned().await.expect("the global semaphore is never closed");
        {
            let mut next = lock(&host.next_start);
            let after_start = Instant::now() + self.options.host_delay;
            *next = Some(next.map_or(after_start, |at| at.max(after_start)));
        }
        Permit { host, delay: self.options.host_delay, _host_permit: host_permit, _global_permit: global_permit }
    }

    fn host(&self, name: &str) -> Arc<Host> {
        let mut hosts = lock(&self.hosts);
        if hosts.len() >= PRUNE_AT {
            let now = Instant::now();
            let per_host = self.options.per_host;
            hosts.retain(|_, host| {
                let busy = Arc::strong_count(host) > 1 || host.permits.available_permits() < per_host;
                busy || lock(&host.next_start).is_some_and(|at| at > now)
            });
        }
        let key = name.to_ascii_lowercase();
        hosts
            .entry(key)
            .or_insert_with(|| {
                Arc::new(Host {
                    permits: Arc::new(Semaphore::new(self.options.per_host)),
                    next_start: Mutex::new(None),
                })
            })
            .clone()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(max_concurrent: usize, per_host: usize, delay_ms: u64) -> Arc<Politeness> {
        Arc::new(Politeness::new(PolitenessOptions {
            max_concurrent,
            per_host,
            host_delay: Duration::from_millis(delay_ms),
        }))
    }

    #[tokio::test(start_paused = true)]
    async fn one_host_is_spaced_by_the_delay() {
        let limits = limiter(16, 1, 1000);
        let start = Instant::now();
        let mut starts = Vec::new();
        for _ in 0..3 {
            let permit = limits.acquire("a.example").await;
            starts.push(start.elapsed());
            drop(permit);
        }
        assert_eq!(starts, [Duration::ZERO, Duration::from_secs(1), Duration::from_secs(2)]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_busy_host_does_not_block_others() {
        let limits = limiter(2, 1, 0);
        let held = limits.acquire("slow.example").await;
        // A second request to the slow host queues on the host, not on the global limit.
        let queued = tokio::spawn({
            let limits = limits.clone();
            async move { limits.acquire("slow.example").await }
        });
        tokio::task::yield_now().await;
        let other = tokio::time::timeout(Duration::from_secs(1), limits.acquire("fast.example")).await;
        assert!(other.is_ok(), "another host must get the free global permit");
        drop(other);
        drop(held);
        tokio::time::timeout(Duration::from_secs(1), queued).await.unwrap().unwrap();
    }

    #[tokio::test(start_paused = true)]
    async fn global_limit_holds() {
        let limits = limiter(2, 2, 0);
        let a = limits.acquire("a").await;
        let _b = limits.acquire("b").await;
        assert!(tokio::time::timeout(Duration::from_secs(5), limits.acquire("c")).await.is_err());
        drop(a);
        assert!(tokio::time::timeout(Duration::from_secs(5), limits.acquire("c")).await.is_ok());
    }

    #[tokio::test(start_paused = true)]
    async fn zero_delay_and_zero_limits() {
        let limits = limiter(0, 0, 0);
        assert_eq!(limits.options().per_host, 1);
        let start = Instant::now();
        for _ in 0..5 {
            drop(limits.acquire("A.example").await);
        }
        assert_eq!(start.elapsed(), Duration::ZERO);
    }
}
