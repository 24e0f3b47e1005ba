//! Politeness through the fetcher: with a per-host limit of one and a delay, requests to
//! one host arrive serialized and spaced (measured by the server), while another host
//! proceeds in parallel.

mod support;

use std::thread;
use std::time::Duration;

use feedvault_fetch::{FetchOptions, Fetcher, PolitenessOptions, ProxyChoice, Source, Validators};
use support::{Server, feed, respond, within};

const DELAY: Duration = Duration::from_millis(400);

#[test]
fn one_host_is_serialized_and_spaced_while_another_proceeds() {
    // Host A is slow to answer; host B is another loopback address.
    let slow = Server::start_on("127.0.0.1", |_, stream| {
        thread::sleep(Duration::from_millis(200));
        respond(stream, 200, &[], &feed("a"));
    });
    let other = Server::start_on("127.0.0.2", |_, stream| respond(stream, 200, &[], &feed("b")));
    let options = FetchOptions {
        proxy: ProxyChoice::Direct,
        politeness: Some(PolitenessOptions { max_concurrent: 16, per_host: 1, host_delay: DELAY }),
        ..FetchOptions::default()
    };
    let fetcher = Fetcher::new(options).unwrap();
    within(Duration::from_secs(30), async {
        let mut jobs = tokio::task::JoinSet::new();
        for i in 0..3 {
            for server in [&slow, &other] {
                let (fetcher, url) = (fetcher.clone(), server.url(&format!("/{i}")));
                jobs.spawn(async move { fetcher.fetch(&Source::Http(url), &Validators::default()).await });
            }
        }
        while let Some(done) = jobs.join_next().await {
            done.unwrap().unwrap();
        }
    });
    let arrivals = |server: &Server| {
        let mut at: Vec<_> = server.requests().iter().map(|r| r.at).collect();
        at.sort();
        at
    };
    let (a, b) = (arrivals(&slow), arrivals(&other));
    assert_eq!((a.len(), b.len()), (3, 3));
    for pair in a.windows(2).chain(b.windows(2)) {
        let gap = pair[1] - pair[0];
        assert!(gap >= DELAY.mul_f64(0.9), "requests to one host {gap:?} apart, less than {DELAY:?}");
    }
    // A's requests also wait for the previous one to finish (200 ms) before the delay.
    assert!(a[2] - a[0] >= (DELAY + Duration::from_millis(200)).mul_f64(1.8), "{:?}", a[2] - a[0]);
    // B is not queued behind A: its requests interleave with A's.
    assert!(b[0] < a[1] && b[1] < a[2], "host B waited for host A: a={a:?} b={b:?}");
}
