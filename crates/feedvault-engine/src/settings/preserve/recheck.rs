//! `[preserve.recheck]`: when archived articles' pages are checked again, and what
//! it takes to call an article removed.

use std::time::Duration;

use serde::{Deserialize, Deserializer, de};

/// `[preserve.recheck]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct RecheckSection {
    /// Re-check archived articles' pages at all (a feed may say `recheck = false`).
    pub enabled: bool,
    /// When after an article was archived its page is checked: a decaying schedule.
    #[serde(deserialize_with = "durations")]
    pub after: Vec<Duration>,
    /// While gone answers are piling up (and after the schedule ran out), the next
    /// check comes this long after the last one.
    #[serde(deserialize_with = "super::super::duration")]
    pub gone_every: Duration,
    /// Gone answers in a row an article needs to be marked removed…
    #[serde(deserialize_with = "super::super::positive_u32")]
    pub removed_after_checks: u32,
    /// …spanning at least this long.
    #[serde(deserialize_with = "super::super::duration")]
    pub removed_after: Duration,
    /// Pages checked in one fetch cycle at most (the rest wait for the next).
    #[serde(deserialize_with = "super::super::positive_usize")]
    pub max_per_cycle: usize,
    /// No new check starts this long after a cycle's re-checks began.
    #[serde(deserialize_with = "super::super::duration")]
    pub max_time: Duration,
}

const HOUR: u64 = 3_600;
const DAY: u64 = 24 * HOUR;

impl Default for RecheckSection {
    fn default() -> Self {
        RecheckSection {
            enabled: true,
            after: [HOUR, 6 * HOUR, DAY, 3 * DAY, 7 * DAY, 30 * DAY].map(Duration::from_secs).to_vec(),
            gone_every: Duration::from_secs(7 * DAY),
            removed_after_checks: 3,
            removed_after: Duration::from_secs(14 * DAY),
            max_per_cycle: 500,
            max_time: Duration::from_secs(300),
        }
    }
}

fn durations<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Duration>, D::Error> {
    let texts = Vec::<String>::deserialize(d)?;
    let mut out = Vec::with_capacity(texts.len());
    for text in texts {
        let duration = super::super::parse_duration(&text)
            .ok_or_else(|| de::Error::custom(format!("{text:?} is not a duration such as \"6h\" or \"3d\"")))?;
        if out.last().is_some_and(|last| *last >= duration) {
            return Err(de::Error::custom("the times in `after` must grow from one to the next"));
        }
        out.push(duration);
    }
    if out.is_empty() {
        return Err(de::Error::custom("`after` needs at least one time (or set enabled = false)"));
    }
    Ok(out)
}
