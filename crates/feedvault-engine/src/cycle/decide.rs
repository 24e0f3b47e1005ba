//! The pure decision of a feed's turn: from what the check observed and what
//! state.db knew, what to record, when to check next, and whether the feed is gone,
//! missed items (a gap) or moved. No clock, no disk, no network: everything comes in
//! as an argument, so the rules have a table test.

use std::time::Duration;

use chrono::{DateTime, Utc};
use feedvault_core::FailureKind;
use feedvault_fetch::schedule::{self, FeedActivity, GoneRule, Hints, LastFetch, ScheduleOptions};
use feedvault_store::{CheckOutcome, FeedState};

/// What one check of a feed came to.
#[derive(Debug, Clone, PartialEq)]
pub enum Observed {
    /// The fetch failed (network, HTTP status, the feed's own settings).
    FetchFailed { kind: FailureKind, message: String, retry_after: Option<Duration> },
    /// 304 Not Modified, or the same body as the last time.
    Unchanged { etag: Option<String>, last_modified: Option<String>, body_hash: Option<String> },
    /// The document could not be read as a feed.
    ParseFailed { kind: FailureKind, message: String },
    /// The document was read and its items archived.
    Parsed {
        title: String,
        etag: Option<String>,
        last_modified: Option<String>,
        body_hash: String,
        items: usize,
        new: usize,
    },
}

/// Everything the decision needs besides the observation.
#[derive(Debug, Clone)]
pub struct Context<'a> {
    pub previous: &'a FeedState,
    pub now: DateTime<Utc>,
    pub schedule: &'a ScheduleOptions,
    pub gone_rule: GoneRule,
    /// Lower bounds on the interval from the response and the document.
    pub hints: Hints,
    /// When new items arrived recently (or, on a first fetch, the items' dates).
    pub arrivals: Vec<DateTime<Utc>>,
    /// The URL every redirect of the chain was permanent to, if any.
    pub permanent_url: Option<String>,
    /// The current URL of the subscription.
    pub url: &'a str,
    /// In [0, 1): where in the jitter band the next check falls.
    pub jitter: f64,
}

/// What to do about a feed after its check.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub record: CheckOutcome,
    pub next_check_at: DateTime<Utc>,
    /// The feed has just been marked gone.
    pub gone: bool,
    /// The feed's window rolled past items never seen.
    pub gap: bool,
    /// Write this URL back to feedvault.toml (a permanent move to an address that
    /// served something usable).
    pub moved_to: Option<String>,
}

/// True when a feed should be fetched now.
pub fn is_due(state: &FeedState, now: DateTime<Utc>, force: bool) -> bool {
    force || (state.gone_since.is_none() && state.next_check_at.is_none_or(|at| at <= now.timestamp_millis()))
}

/// True when a fetched body need not be parsed again (the same bytes as last time).
pub fn same_body(previous: &FeedState, body_hash: &str, force: bool) -> bool {
    !force && previous.body_hash.as_deref() == Some(body_hash)
}

/// Decides a feed's check.
pub fn decide(observed: Observed, context: Context<'_>) -> Decision {
    let Context { previous, now, schedule: options, gone_rule, hints, arrivals, permanent_url, url, jitter } = context;
    let usable = matches!(observed, Observed::Unchanged { .. } | Observed::Parsed { .. });
    let moved_to = permanent_url.filter(|to| usable && to != url);
    match observed {
        Observed::FetchFailed { kind, message, retry_after } => {
            failure(previous, now, options, gone_rule, kind, message, retry_after, jitter)
        }
        Observed::ParseFailed { kind, message } => {
            failure(previous, now, options, gone_rule, kind, message, None, jitter)
        }
        Observed::Unchanged { etag, last_modified, body_hash } => {
            // As if the last document came again with nothing new: a quiet feed
            // drifts to the maximum interval instead of staying at the default.
            let last_fetch = previous.last_items.map(|items| LastFetch {
                items: items as usize,
                new_items: 0,
                after_previous: true,
            });
            let activity = FeedActivity { new_items_at: arrivals, last_fetch, hints };
            let next = schedule::next_check(&activity, now, options, jitter);
            let record = CheckOutcome::Success {
                title: previous.title.clone().unwrap_or_default(),
                etag,
                last_modified,
                body_hash,
                items: None,
                next_check_at: next.at.timestamp_millis(),
                gap: false,
            };
            Decision { record, next_check_at: next.at, gone: false, gap: false, moved_to }
        }
        Observed::Parsed { title, etag, last_modified, body_hash, items, new } => {
            let last_fetch = LastFetch { items, new_items: new, after_previous: previous.last_success_at.is_some() };
            let activity = FeedActivity { new_items_at: arrivals, last_fetch: Some(last_fetch), hints };
            let next = schedule::next_check(&activity, now, options, jitter);
            let record = CheckOutcome::Success {
                title,
                etag,
                last_modified,
                body_hash: Some(body_hash),
                items: Some((items as u32, new as u32)),
                next_check_at: next.at.timestamp_millis(),
                gap: next.possible_gap,
            };
            Decision { record, next_check_at: next.at, gone: false, gap: next.possible_gap, moved_to }
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn failure(
    previous: &FeedState,
    now: DateTime<Utc>,
    options: &ScheduleOptions,
    rule: GoneRule,
    kind: FailureKind,
    message: String,
    retry_after: Option<Duration>,
    jitter: f64,
) -> Decision {
    let failures = previous.failures + 1;
    let next = schedule::after_failure(failures, retry_after, now, options, jitter);
    // Gone: enough 404/410 answers in a row (any other failure or a success ends the
    // streak), spread over long enough.
    let gone_status = kind.is_gone_status();
    let streak = if gone_status { previous.gone_streak + 1 } else { 0 };
    let first = previous.gone_streak_since.and_then(DateTime::<Utc>::from_timestamp_millis).unwrap_or(now);
    let gone = gone_status && previous.gone_since.is_none() && schedule::is_gone(streak, first, now, &rule);
    let record =
        CheckOutcome::Failure { error: message, kind, gone_status, next_check_at: next.timestamp_millis(), gone };
    Decision { record, next_check_at: next, gone, gap: false, moved_to: None }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const DAY: Duration = Duration::from_secs(86_400);

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 20, 12, 0, 0).unwrap()
    }

    fn failed(code: u16) -> Observed {
        Observed::FetchFailed {
            kind: FailureKind::HttpStatus(code),
            message: format!("HTTP {code}"),
            retry_after: None,
        }
    }

    fn parsed(items: usize, new: usize) -> Observed {
        Observed::Parsed { title: "T".into(), etag: None, last_modified: None, body_hash: "h".into(), items, new }
    }

    fn unchanged() -> Observed {
        Observed::Unchanged { etag: Some("e".into()), last_modified: None, body_hash: Some("h".into()) }
    }

    struct Case {
        name: &'static str,
        previous: FeedState,
        observed: Observed,
        permanent_url: Option<&'static str>,
        // expectations
        success: bool,
        gone: bool,
        gap: bool,
        moved: bool,
        next_within: (Duration, Duration),
    }

    #[test]
    fn decisions() {
        let fetched_before = FeedState { last_success_at: Some(1), last_items: Some(20), ..FeedState::default() };
        let streak = |n: u32, since_days: i64| FeedState {
            gone_streak: n,
            gone_streak_since: Some((now() - chrono::Duration::days(since_days)).timestamp_millis()),
            failures: n,
            ..FeedState::default()
        };
        let schedule = ScheduleOptions::default();
        let min = schedule.min_interval;
        let cases = [
            Case {
                name: "first fetch: everything is new, which is no gap",
                previous: FeedState::default(),
                observed: parsed(20, 20),
                permanent_url: None,
                success: true,
                gone: false,
                gap: false,
                moved: false,
                next_within: (Duration::ZERO, DAY * 2),
            },
            Case {
                name: "every item new after a previous fetch: a gap, checked again soon",
                previous: fetched_before.clone(),
                observed: parsed(20, 20),
                permanent_url: None,
                success: true,
                gone: false,
                gap: true,
                moved: false,
                next_within: (Duration::ZERO, min * 2),
            },
            Case {
                name: "304: success, nothing new",
                previous: fetched_before.clone(),
                observed: unchanged(),
                permanent_url: None,
                success: true,
                gone: false,
                gap: false,
                moved: false,
                next_within: (Duration::ZERO, DAY * 2),
            },
            Case {
                name: "a 404 starts a streak but is not gone yet",
                previous: FeedState::default(),
                observed: failed(404),
                permanent_url: None,
                success: false,
                gone: false,
                gap: false,
                moved: false,
                next_within: (Duration::from_secs(60), DAY * 2),
            },
            Case {
                name: "the fifth 404 over three days: gone",
                previous: streak(4, 3),
                observed: failed(410),
                permanent_url: None,
                success: false,
                gone: true,
                gap: false,
                moved: false,
                next_within: (Duration::ZERO, DAY * 2),
            },
            Case {
                name: "five 404s within an hour: not gone (too soon)",
                previous: streak(4, 0),
                observed: failed(404),
                permanent_url: None,
                success: false,
                gone: false,
                gap: false,
                moved: false,
                next_within: (Duration::ZERO, DAY * 2),
            },
            Case {
                name: "a 500 after 404s ends the streak",
                previous: streak(4, 3),
                observed: failed(500),
                permanent_url: None,
                success: false,
                gone: false,
                gap: false,
                moved: false,
                next_within: (Duration::ZERO, DAY * 2),
            },
            Case {
                name: "a permanent move to an address that served a feed is followed",
                previous: fetched_before.clone(),
                observed: parsed(20, 1),
                permanent_url: Some("https://new.example/feed"),
                success: true,
                gone: false,
                gap: false,
                moved: true,
                next_within: (Duration::ZERO, DAY * 2),
            },
            Case {
                name: "a permanent move to a page that is no feed is not followed",
                previous: fetched_before.clone(),
                observed: Observed::ParseFailed { kind: FailureKind::NotAFeed, message: "an HTML page".into() },
                permanent_url: Some("https://parked.example/"),
                success: false,
                gone: false,
                gap: false,
                moved: false,
                next_within: (Duration::ZERO, DAY * 2),
            },
            Case {
                name: "a move answered 304 is followed",
                previous: fetched_before.clone(),
                observed: unchanged(),
                permanent_url: Some("https://new.example/feed"),
                success: true,
                gone: false,
                gap: false,
                moved: true,
                next_within: (Duration::ZERO, DAY * 2),
            },
        ];
        for case in cases {
            let context = Context {
                previous: &case.previous,
                now: now(),
                schedule: &schedule,
                gone_rule: GoneRule { checks: 5, span: DAY * 2 },
                hints: Hints::default(),
                arrivals: Vec::new(),
                permanent_url: case.permanent_url.map(str::to_owned),
                url: "https://old.example/feed",
                jitter: 0.5,
            };
            let decision = decide(case.observed.clone(), context);
            let name = case.name;
            assert_eq!(matches!(decision.record, CheckOutcome::Success { .. }), case.success, "{name}");
            assert_eq!(
                (decision.gone, decision.gap, decision.moved_to.is_some()),
                (case.gone, case.gap, case.moved),
                "{name}"
            );
            if let CheckOutcome::Failure { gone, kind, .. } = &decision.record {
                assert_eq!(*gone, case.gone, "{name}");
                assert!(
                    matches!(case.observed, Observed::FetchFailed { kind: k, .. } | Observed::ParseFailed { kind: k, .. } if k == *kind),
                    "{name}"
                );
            }
            let wait = (decision.next_check_at - now()).to_std().unwrap_or_default();
            assert!(wait >= case.next_within.0 && wait <= case.next_within.1, "{name}: next check in {wait:?}");
        }
    }

    #[test]
    fn due_and_same_body() {
        let t = now();
        let at = |ms: Option<i64>| FeedState { next_check_at: ms, ..FeedState::default() };
        assert!(is_due(&at(None), t, false), "never checked");
        assert!(is_due(&at(Some(t.timestamp_millis())), t, false));
        assert!(!is_due(&at(Some(t.timestamp_millis() + 1)), t, false));
        assert!(is_due(&at(Some(t.timestamp_millis() + 1)), t, true), "--force");
        let gone = FeedState { gone_since: Some(1), ..FeedState::default() };
        assert!(!is_due(&gone, t, false) && is_due(&gone, t, true));
        let previous = FeedState { body_hash: Some("h".into()), ..FeedState::default() };
        assert!(same_body(&previous, "h", false));
        assert!(!same_body(&previous, "h", true), "--force parses again");
        assert!(!same_body(&previous, "other", false));
    }
}
