//! Scheduling: when to check a feed next. Pure functions, no I/O; the clock and the
//! randomness (a jitter sample in `[0, 1)`) are passed in, so everything is table-tested.
//!
//! - [`next_check`] after a successful check: the interval adapts to how often the feed
//!   publishes new items, is bounded by a minimum and a maximum, takes caching and feed
//!   hints ([`Hints`]) as lower bounds, and carries jitter. The *window rule* overrides
//!   all that: when most items of the last fetch were new, the feed's window may be
//!   rolling past items we never saw, so the next check comes at the minimum interval,
//!   and when every item was new the result flags a possible gap.
//! - [`after_failure`] after a failed one: exponential [`backoff`] with jitter up to a
//!   cap, or the server's Retry-After when that is longer.
//! - [`is_gone`]: 404/410 on N consecutive checks spread over at least a span.

use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

use chrono::{DateTime, Utc};

const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);
const DAY: Duration = Duration::from_secs(24 * 3600);

/// The first backoff step; each further failure doubles it.
pub const BACKOFF_BASE: Duration = Duration::from_secs(10 * 60);
/// Longest Retry-After honoured (longer ones are taken as this).
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(7 * 24 * 3600);

/// Tunables of the schedule; per-feed overrides are whole copies of this.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScheduleOptions {
    /// The shortest interval between checks (10 min).
    pub min_interval: Duration,
    /// The longest interval between checks (24 h).
    pub max_interval: Duration,
    /// The interval while nothing is known about the feed (1 h).
    pub default_interval: Duration,
    /// New items older than this do not count toward the publishing rate (14 days).
    pub lookback: Duration,
    /// Jitter: the interval is scaled by a factor in `[1 - jitter, 1 + jitter)` (0.1).
    pub jitter: f64,
    /// The share of new items in a fetch at which the window rule applies (0.8).
    pub window_new_share: f64,
    /// The most a failing feed is backed off (24 h).
    pub backoff_cap: Duration,
}

impl Default for ScheduleOptions {
    fn default() -> Self {
        ScheduleOptions {
            min_interval: 10 * MINUTE,
            max_interval: DAY,
            default_interval: HOUR,
            lookback: 14 * DAY,
            jitter: 0.1,
            window_new_share: 0.8,
            backoff_cap: DAY,
        }
    }
}

/// Lower bounds on the interval that the server and the feed declare.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Hints {
    /// How long the last response stays fresh ([`crate::CacheHints::fresh_for`]).
    pub fresh_for: Option<Duration>,
    /// RSS `<ttl>` ([`ttl`]).
    pub ttl: Option<Duration>,
    /// sy:updatePeriod / sy:updateFrequency ([`syndication_period`]).
    pub update_period: Option<Duration>,
}

impl Hints {
    /// The caching part of the hints, from a response's headers at `now`; callers add
    /// `ttl` and `update_period` from the parsed feed.
    pub fn from_cache(cache: &crate::CacheHints, now: DateTime<Utc>) -> Hints {
        Hints { fresh_for: cache.fresh_for(now), ..Hints::default() }
    }
}

/// The last successful fetch that returned a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LastFetch {
    /// Items in the document.
    pub items: usize,
    /// Items among them never seen before.
    pub new_items: usize,
    /// Whether the feed had been fetched successfully before this fetch (on the first
    /// fetch every item is new, which says nothing about the window).
    pub after_previous: bool,
}

/// What the schedule knows of a feed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FeedActivity {
    /// When new items were first seen (or published), any order; older than the
    /// lookback are ignored, so callers may pass the last few dozen.
    pub new_items_at: Vec<DateTime<Utc>>,
    /// The last fetch that returned a document (`None`: never fetched, or 304 only).
    pub last_fetch: Option<LastFetch>,
    pub hints: Hints,
}

/// Why the interval is what it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// Nothing is known yet: the default interval.
    Default,
    /// From the publishing rate.
    Adaptive,
    /// No new item within the lookback: the maximum interval.
    Quiet,
    /// Raised to a caching or feed hint.
    Hint,
    /// The window rule: most items of the last fetch were new.
    Window,
}

/// The decision of [`next_check`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NextCheck {
    pub at: DateTime<Utc>,
    /// `at - now`.
    pub interval: Duration,
    /// Every item of the last fetch was new after a previous fetch: items may have been
    /// missed; callers record a possible gap.
    pub possible_gap: bool,
    pub reason: Reason,
}

/// When to check a feed next after a successful check at `now`. `jitter` is a sample in
/// `[0, 1)` (see [`random_jitter`]).
pub fn next_check(activity: &FeedActivity, now: DateTime<Utc>, options: &ScheduleOptions, jitter: f64) -> NextCheck {
    let (min, max) = (options.min_interval, options.max_interval.max(options.min_interval));
    let since = now - chrono::Duration::from_std(options.lookback).unwrap_or(chrono::Duration::MAX);
    let recent: Vec<_> = activity.new_items_at.iter().filter(|at| **at > since && **at <= now).collect();

    let (mut interval, mut reason) = match (recent.iter().min(), &activity.last_fetch) {
        (Some(oldest), _) => {
            // Mean time between new items, counting the quiet time since the last one.
            let span = (now - **oldest).to_std().unwrap_or(Duration::ZERO);
            let gap = span / recent.len() as u32;
            let mut interval = gap;
            if let Some(last) = activity.last_fetch.filter(|last| last.items > 0) {
                // Check at least twice while the window turns over once.
                interval = interval.min(gap * last.items as u32 / 2);
            }
            (interval, Reason::Adaptive)
        }
        // Quiet only when a previous check saw the same: a first fetch knows nothing.
        (None, Some(last)) if last.after_previous => (max, Reason::Quiet),
        (None, _) => (options.default_interval, Reason::Default),
    };
    interval = interval.clamp(min, max);
    let hints = &activity.hints;
    if let Some(bound) = [hints.fresh_for, hints.ttl, hints.update_period].into_iter().flatten().max() {
        let bound = bound.min(max);
        if bound > interval {
            (interval, reason) = (bound, Reason::Hint);
        }
    }

    let mut possible_gap = false;
    if let Some(last) = activity.last_fetch.filter(|last| last.after_previous && last.items > 0) {
        if last.new_items as f64 >= options.window_new_share * last.items as f64 {
            (interval, reason) = (min, Reason::Window);
        }
        possible_gap = last.new_items >= last.items;
    }

    let factor = 1.0 + options.jitter.clamp(0.0, 1.0) * (2.0 * jitter.clamp(0.0, 1.0) - 1.0);
    let interval = interval.mul_f64(factor).clamp(min, max);
    NextCheck { at: now + chrono::Duration::from_std(interval).unwrap_or_default(), interval, possible_gap, reason }
}

/// Exponential backoff after `consecutive_failures` (0: none): 10 min, 20 min, 40 min,
/// ... up to `cap`, then "equal jitter": the result lies in `[d/2, d)` for the step `d`.
pub fn backoff(consecutive_failures: u32, cap: Duration, jitter: f64) -> Duration {
    if consecutive_failures == 0 {
        return Duration::ZERO;
    }
    let doublings = (consecutive_failures - 1).min(30);
    let step = BACKOFF_BASE.saturating_mul(1 << doublings).min(cap);
    step / 2 + (step / 2).mul_f64(jitter.clamp(0.0, 1.0))
}

/// When to check a feed next after its `consecutive_failures`-th failure in a row at
/// `now`: the backoff, or the server's Retry-After (at most [`MAX_RETRY_AFTER`]) when
/// that is later.
pub fn after_failure(
    consecutive_failures: u32,
    retry_after: Option<Duration>,
    now: DateTime<Utc>,
    options: &ScheduleOptions,
    jitter: f64,
) -> DateTime<Utc> {
    let wait = backoff(consecutive_failures.max(1), options.backoff_cap, jitter);
    let wait = wait.max(retry_after.unwrap_or_default().min(MAX_RETRY_AFTER));
    now + chrono::Duration::from_std(wait).unwrap_or_default()
}

/// When a feed counts as gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GoneRule {
    /// Consecutive checks answered 404 or 410 (5).
    pub checks: u32,
    /// The least time between the first and the last of them (2 days).
    pub span: Duration,
}

impl Default for GoneRule {
    fn default() -> Self {
        GoneRule { checks: 5, span: 2 * DAY }
    }
}

/// Whether a feed is gone: its last `consecutive` checks, the first of them at
/// `first_at` and the last at `now`, all answered 404 or 410
/// ([`crate::FailureKind::is_gone_status`]).
pub fn is_gone(consecutive: u32, first_at: DateTime<Utc>, now: DateTime<Utc>, rule: &GoneRule) -> bool {
    consecutive >= rule.checks && (now - first_at).to_std().is_ok_and(|span| span >= rule.span)
}

/// RSS `<ttl>` (minutes) as a duration.
pub fn ttl(minutes: u64) -> Duration {
    MINUTE.saturating_mul(minutes.min(u32::MAX as u64) as u32)
}

/// sy:updatePeriod (`hourly`, `daily`, `weekly`, `monthly`, `yearly`; default `daily`)
/// divided by sy:updateFrequency (default 1): the time between updates.
pub fn syndication_period(period: Option<&str>, frequency: Option<u32>) -> Option<Duration> {
    let period = match period.map(|p| p.trim().to_ascii_lowercase()).as_deref() {
        Some("hourly") => HOUR,
        None | Some("daily") => DAY,
        Some("weekly") => 7 * DAY,
        Some("monthly") => 30 * DAY,
        Some("yearly") => 365 * DAY,
        Some(_) => return None,
    };
    Some(period / frequency.unwrap_or(1).max(1))
}

/// A jitter sample in `[0, 1)` from the standard library's per-process random keys.
pub fn random_jitter() -> f64 {
    let bits = std::collections::hash_map::RandomState::new().build_hasher().finish();
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(hours_ago: f64, now: DateTime<Utc>) -> DateTime<Utc> {
        now - chrono::Duration::seconds((hours_ago * 3600.0) as i64)
    }

    fn now() -> DateTime<Utc> {
        "2024-05-01T12:00:00Z".parse().unwrap()
    }

    fn min(m: u64) -> Duration {
        Duration::from_secs(m * 60)
    }

    #[test]
    fn backoff_table() {
        let cap = DAY;
        let table = [
            (0, 0.0, Duration::ZERO),
            (1, 0.0, min(5)),
            (1, 0.5, min(5) + min(5) / 2),
            (2, 0.0, min(10)),
            (3, 0.0, min(20)),
            (4, 0.999_999, min(80).mul_f64(0.999_999_5)),
            (8, 0.0, min(640)),
            (9, 0.0, HOUR * 12),
            (40, 0.0, HOUR * 12),
            (u32::MAX, 0.0, HOUR * 12),
        ];
        for (failures, jitter, want) in table {
            let got = backoff(failures, cap, jitter);
            let diff = got.abs_diff(want);
            assert!(diff < Duration::from_millis(5), "{failures} failures, jitter {jitter}: {got:?} != {want:?}");
            assert!(got < cap);
        }
        assert_eq!(backoff(5, HOUR, 0.0), HOUR / 2);
    }

    #[test]
    fn after_failure_honours_retry_after() {
        let options = ScheduleOptions::default();
        let now = now();
        assert_eq!(after_failure(1, None, now, &options, 0.0), now + chrono::Duration::minutes(5));
        assert_eq!(after_failure(1, Some(HOUR), now, &options, 0.0), now + chrono::Duration::hours(1));
        assert_eq!(after_failure(9, Some(min(1)), now, &options, 0.0), now + chrono::Duration::hours(12));
        assert_eq!(after_failure(1, Some(100 * DAY), now, &options, 0.0), now + chrono::Duration::days(7));
    }

    #[test]
    fn next_check_table() {
        let now = now();
        let o = ScheduleOptions { jitter: 0.0, ..ScheduleOptions::default() };
        let every = |hours: f64, n: usize| (1..=n).map(|i| t(hours * i as f64, now)).collect::<Vec<_>>();
        let fetch = |items, new_items| Some(LastFetch { items, new_items, after_previous: true });
        let cases: Vec<(&str, FeedActivity, Duration, Reason, bool)> = vec![
            ("nothing known", FeedActivity::default(), HOUR, Reason::Default, false),
            (
                "quiet for the lookback",
                FeedActivity { last_fetch: fetch(20, 0), ..Default::default() },
                DAY,
                Reason::Quiet,
                false,
            ),
            (
                "an item every 2 h",
                FeedActivity { new_items_at: every(2.0, 12), last_fetch: fetch(20, 1), ..Default::default() },
                HOUR * 2,
                Reason::Adaptive,
                false,
            ),
            (
                "an item every 2 min: the minimum",
                FeedActivity { new_items_at: every(2.0 / 60.0, 30), last_fetch: fetch(100, 5), ..Default::default() },
                min(10),
                Reason::Adaptive,
                false,
            ),
            (
                "one item a week: the maximum",
                FeedActivity { new_items_at: every(7.0 * 24.0, 2), last_fetch: fetch(20, 0), ..Default::default() },
                DAY,
                Reason::Adaptive,
                false,
            ),
            (
                "small window: twice per turnover",
                FeedActivity { new_items_at: every(4.0, 10), last_fetch: fetch(1, 0), ..Default::default() },
                HOUR * 2,
                Reason::Adaptive,
                false,
            ),
            (
                "ttl raises the interval",
                FeedActivity {
                    new_items_at: every(1.0, 10),
                    last_fetch: fetch(20, 1),
                    hints: Hints { ttl: Some(ttl(180)), ..Default::default() },
                },
                HOUR * 3,
                Reason::Hint,
                false,
            ),
            (
                "max-age raises it, capped by the maximum",
                FeedActivity {
                    new_items_at: every(1.0, 10),
                    last_fetch: fetch(20, 1),
                    hints: Hints { fresh_for: Some(DAY * 3), update_period: syndication_period(None, None), ttl: None },
                },
                DAY,
                Reason::Hint,
                false,
            ),
            (
                "a small hint does not lower it",
                FeedActivity {
                    new_items_at: every(2.0, 10),
                    last_fetch: fetch(20, 1),
                    hints: Hints { fresh_for: Some(min(15)), ..Default::default() },
                },
                HOUR * 2,
                Reason::Adaptive,
                false,
            ),
            (
                "most items new: window rule",
                FeedActivity {
                    new_items_at: every(2.0, 10),
                    last_fetch: fetch(20, 17),
                    hints: Hints { ttl: Some(HOUR * 5), ..Default::default() },
                },
                min(10),
                Reason::Window,
                false,
            ),
            (
                "all items new: a possible gap",
                FeedActivity { new_items_at: every(2.0, 10), last_fetch: fetch(20, 20), ..Default::default() },
                min(10),
                Reason::Window,
                true,
            ),
            (
                "first fetch: all new says nothing",
                FeedActivity {
                    new_items_at: vec![now; 20],
                    last_fetch: Some(LastFetch { items: 20, new_items: 20, after_previous: false }),
                    ..Default::default()
                },
                min(10),
                Reason::Adaptive,
                false,
            ),
            (
                "first fetch of undated items: the default, not quiet",
                FeedActivity {
                    last_fetch: Some(LastFetch { items: 20, new_items: 20, after_previous: false }),
                    ..Default::default()
                },
                HOUR,
                Reason::Default,
                false,
            ),
        ];
        for (name, activity, interval, reason, gap) in cases {
            let got = next_check(&activity, now, &o, 0.5);
            assert_eq!((got.interval, got.reason, got.possible_gap), (interval, reason, gap), "{name}");
            assert_eq!(got.at, now + chrono::Duration::from_std(interval).unwrap(), "{name}");
        }
    }

    #[test]
    fn jitter_stays_within_bounds() {
        let now = now();
        let o = ScheduleOptions::default();
        let activity = FeedActivity { new_items_at: vec![t(2.0, now), t(4.0, now)], ..Default::default() };
        let low = next_check(&activity, now, &o, 0.0).interval;
        let high = next_check(&activity, now, &o, 0.999_999).interval;
        assert_eq!(low, HOUR * 2 - min(12));
        assert!(high > HOUR * 2 + min(11) && high <= HOUR * 2 + min(12), "{high:?}");
        let window =
            FeedActivity { last_fetch: Some(LastFetch { items: 5, new_items: 5, after_previous: true }), ..activity };
        assert_eq!(next_check(&window, now, &o, 0.0).interval, min(10), "never below the minimum");
        for i in 0..100 {
            let j = random_jitter();
            assert!((0.0..1.0).contains(&j), "{i}: {j}");
        }
    }

    #[test]
    fn gone_rule() {
        let rule = GoneRule::default();
        let now = now();
        let table =
            [(5, 49.0, true), (5, 48.0, true), (5, 47.0, false), (4, 100.0, false), (12, 24.0, false), (7, 72.0, true)];
        for (checks, hours, want) in table {
            assert_eq!(is_gone(checks, t(hours, now), now, &rule), want, "{checks} checks over {hours} h");
        }
    }

    #[test]
    fn syndication_and_ttl() {
        let table = [
            (None, None, Some(DAY)),
            (Some("hourly"), Some(2), Some(min(30))),
            (Some(" Weekly "), None, Some(7 * DAY)),
            (Some("monthly"), Some(0), Some(30 * DAY)),
            (Some("yearly"), Some(365), Some(DAY)),
            (Some("fortnightly"), None, None),
        ];
        for (period, frequency, want) in table {
            assert_eq!(syndication_period(period, frequency), want, "{period:?} {frequency:?}");
        }
        assert_eq!(ttl(60), HOUR);
        let cache = crate::CacheHints { max_age: Some(HOUR), expires: None };
        assert_eq!(Hints::from_cache(&cache, now()).fresh_for, Some(HOUR));
    }
}
