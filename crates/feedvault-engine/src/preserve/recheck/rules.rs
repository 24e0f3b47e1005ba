//! What follows from a check: the article's new check state (the gone streak, the
//! removal mark, the next check of the decaying schedule) and which pieces of
//! evidence the answer leaves. Pure: the previous state, the verdict and the time in.
//!
//! An article is marked removed only when `removed_after_checks` gone answers in a
//! row span at least `removed_after`; an answer that finds it there ends the streak
//! (and lifts a removal); an unreachable answer changes nothing but the schedule.
//! The schedule is the `after` offsets from when the article was first seen (the
//! ones already past are skipped); while a gone streak is open, or after a removal's
//! evidence is still short, a check comes at least every `gone_every`.

use feedvault_store::checks::CheckState;

use super::classify::Verdict;
use crate::settings::RecheckSection;

/// The rules of [`RecheckSection`], in milliseconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rules {
    pub after: Vec<i64>,
    pub gone_every: i64,
    pub removed_after_checks: u32,
    pub removed_after: i64,
}

impl Rules {
    pub fn from_settings(section: &RecheckSection) -> Rules {
        let ms = |d: std::time::Duration| i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
        Rules {
            after: section.after.iter().map(|d| ms(*d)).collect(),
            gone_every: ms(section.gone_every).max(1),
            removed_after_checks: section.removed_after_checks.max(1),
            removed_after: ms(section.removed_after),
        }
    }
}

/// A piece of evidence an answer leaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvidenceKind {
    /// A gone answer.
    Gone,
    /// An answer that found the article there after gone answers (or a removal).
    There,
    /// An edit seen on the page.
    Changed,
    /// The article is marked removed.
    Removed,
}

impl EvidenceKind {
    pub fn label(self) -> &'static str {
        match self {
            EvidenceKind::Gone => "gone",
            EvidenceKind::There => "there",
            EvidenceKind::Changed => "changed",
            EvidenceKind::Removed => "removed",
        }
    }
}

/// The state after a check at `now` with `verdict`, and the evidence it leaves.
pub fn after_check(
    rules: &Rules,
    previous: &CheckState,
    first_seen_at: i64,
    verdict: Verdict,
    text_hash: Option<&str>,
    now: i64,
) -> (CheckState, Vec<EvidenceKind>) {
    let mut state =
        CheckState { last_at: Some(now), last_verdict: Some(verdict.label().to_owned()), ..previous.clone() };
    let mut evidence = Vec::new();
    match verdict {
        Verdict::Gone => {
            state.gone_count = previous.gone_count.saturating_add(1);
            let since = *state.gone_since.get_or_insert(now);
            evidence.push(EvidenceKind::Gone);
            if state.removed_at.is_none()
                && state.gone_count >= rules.removed_after_checks
                && now.saturating_sub(since) >= rules.removed_after
            {
                state.removed_at = Some(now);
                evidence.push(EvidenceKind::Removed);
            }
        }
        Verdict::Unchanged | Verdict::Changed => {
            if previous.gone_count > 0 || previous.removed_at.is_some() {
                evidence.push(EvidenceKind::There);
            }
            if verdict == Verdict::Changed {
                evidence.push(EvidenceKind::Changed);
            }
            state.gone_count = 0;
            state.gone_since = None;
            state.removed_at = None;
            if let Some(hash) = text_hash {
                state.page_text_hash = Some(hash.to_owned());
            }
        }
        Verdict::Unreachable => {}
    }
    let (step, scheduled) = next_scheduled(rules, first_seen_at, now);
    state.step = step;
    state.next_at = if state.removed_at.is_some() {
        None
    } else if state.gone_count > 0 {
        let follow_up = now.saturating_add(rules.gone_every);
        Some(scheduled.map_or(follow_up, |at| at.min(follow_up)))
    } else {
        scheduled
    };
    (state, evidence)
}

/// The first step of the schedule still ahead of `now`, and when it is due.
pub fn next_scheduled(rules: &Rules, first_seen_at: i64, now: i64) -> (u32, Option<i64>) {
    for (step, offset) in rules.after.iter().enumerate() {
        let at = first_seen_at.saturating_add(*offset);
        if at > now {
            return (step as u32, Some(at));
        }
    }
    (rules.after.len() as u32, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3_600_000;
    const D: i64 = 24 * H;

    fn rules() -> Rules {
        Rules::from_settings(&RecheckSection::default())
    }

    #[test]
    fn the_default_schedule_decays_and_ends() {
        let r = rules();
        assert_eq!(r.after, [H, 6 * H, D, 3 * D, 7 * D, 30 * D]);
        let mut state = CheckState::default();
        let mut at = H;
        let mut checks = Vec::new();
        loop {
            let (next, _) = after_check(&r, &state, 0, Verdict::Unchanged, Some("t"), at);
            let Some(next_at) = next.next_at else { break };
            checks.push(next_at);
            state = next;
            at = next_at;
        }
        assert_eq!(checks, [6 * H, D, 3 * D, 7 * D, 30 * D]);
        // An article archived before re-checks existed is checked once, then as due.
        let (old, _) = after_check(&r, &CheckState::default(), 0, Verdict::Unchanged, None, 5 * D);
        assert_eq!((old.step, old.next_at), (4, Some(7 * D)));
        let (done, _) = after_check(&r, &CheckState::default(), 0, Verdict::Unchanged, None, 400 * D);
        assert_eq!(done.next_at, None);
    }

    #[test]
    fn removed_after_enough_gone_answers_over_enough_time() {
        let r = rules();
        let mut state = CheckState::default();
        let mut kinds = Vec::new();
        // Gone at 1 h, 6 h and 1 d: three answers, but not 14 days apart.
        for at in [H, 6 * H, D] {
            let (next, evidence) = after_check(&r, &state, 0, Verdict::Gone, None, at);
            kinds.extend(evidence);
            state = next;
        }
        assert_eq!((state.gone_count, state.removed_at), (3, None));
        assert_eq!(state.next_at, Some(3 * D), "the schedule goes on");
        // Unreachable answers say nothing, in either direction.
        let (unreachable, evidence) = after_check(&r, &state, 0, Verdict::Unreachable, None, 3 * D);
        assert!(evidence.is_empty());
        assert_eq!((unreachable.gone_count, unreachable.gone_since), (3, Some(H)));
        state = unreachable;
        let (next, _) = after_check(&r, &state, 0, Verdict::Gone, None, 7 * D);
        assert_eq!(next.next_at, Some(14 * D), "a streak is followed up every gone_every");
        let (next, evidence) = after_check(&r, &next, 0, Verdict::Gone, None, 14 * D);
        assert_eq!(next.removed_at, None, "13 days and 23 hours since the first gone answer");
        assert_eq!(evidence, [EvidenceKind::Gone]);
        let (removed, evidence) = after_check(&r, &next, 0, Verdict::Gone, None, 15 * D + H);
        assert_eq!(removed.removed_at, Some(15 * D + H));
        assert_eq!(evidence, [EvidenceKind::Gone, EvidenceKind::Removed]);
        assert_eq!(removed.next_at, None, "no more checks");
        // The article comes back: the removal is lifted, with evidence.
        let (back, evidence) = after_check(&r, &removed, 0, Verdict::Unchanged, Some("t"), 40 * D);
        assert_eq!((back.removed_at, back.gone_count, back.gone_since), (None, 0, None));
        assert_eq!(evidence, [EvidenceKind::There]);
        assert_eq!(kinds, [EvidenceKind::Gone; 3]);
    }

    #[test]
    fn a_there_answer_resets_the_streak() {
        let r = Rules { removed_after_checks: 2, removed_after: 0, ..rules() };
        let (gone, _) = after_check(&r, &CheckState::default(), 0, Verdict::Gone, None, H);
        let (there, evidence) = after_check(&r, &gone, 0, Verdict::Changed, Some("new"), 6 * H);
        assert_eq!(evidence, [EvidenceKind::There, EvidenceKind::Changed]);
        assert_eq!(there.page_text_hash.as_deref(), Some("new"));
        let (gone, _) = after_check(&r, &there, 0, Verdict::Gone, None, D);
        assert_eq!((gone.gone_count, gone.removed_at), (1, None));
        let (removed, _) = after_check(&r, &gone, 0, Verdict::Gone, None, 2 * D);
        assert_eq!(removed.removed_at, Some(2 * D));
    }

    #[test]
    fn flapping_never_removes() {
        let r = Rules { removed_after_checks: 1, removed_after: 0, ..rules() };
        let mut state = CheckState::default();
        for i in 0..50 {
            let (next, evidence) = after_check(&r, &state, 0, Verdict::Unreachable, None, i * D);
            assert!(evidence.is_empty());
            state = next;
        }
        assert_eq!((state.gone_count, state.removed_at), (0, None));
    }

    #[test]
    fn gone_answers_between_there_answers_never_remove() {
        let r = Rules { removed_after_checks: 2, removed_after: 0, ..rules() };
        let mut state = CheckState::default();
        for i in 0..50 {
            let verdict = if i % 2 == 0 { Verdict::Gone } else { Verdict::Unchanged };
            state = after_check(&r, &state, 0, verdict, None, i * D).0;
            assert!(state.gone_count <= 1, "step {i}: {state:?}");
            assert_eq!(state.removed_at, None, "step {i}");
        }
    }
}
