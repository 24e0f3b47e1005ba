//! Fuzz target `dates`: any text through `feedvault_feed::parse_date`, in four date
//! contexts (plain and Chinese, without a zone and with one).
//!
//! Properties, beyond "no panic":
//! - parsing is deterministic;
//! - for years 0..=9999 (RFC 3339 has four-digit years), what was read, printed as
//!   RFC 3339, reads back as the same instant in every context (an explicit offset
//!   wins over the context);
//! - for years 1..=9999, its RFC 2822 form (what RSS writes) reads back as the same
//!   instant to the second;
//! - surrounding whitespace changes nothing.

#![no_main]

use chrono::{Datelike, SubsecRound};
use feedvault_feed::{DateContext, parse_date};
use libfuzzer_sys::fuzz_target;

fn contexts() -> [DateContext; 4] {
    [
        DateContext { chinese: false, zone: None },
        DateContext { chinese: true, zone: None },
        DateContext { chinese: false, zone: Some(chrono_tz::America::New_York) },
        DateContext { chinese: true, zone: Some(chrono_tz::Asia::Shanghai) },
    ]
}

fuzz_target!(|data: &[u8]| {
    let raw = String::from_utf8_lossy(data);
    for ctx in contexts() {
        let read = parse_date(&raw, ctx);
        assert_eq!(read, parse_date(&raw, ctx), "not deterministic");
        assert_eq!(read, parse_date(&format!(" \t{raw}\n "), ctx), "whitespace around {raw:?} changed the result");
        let Some(t) = read else { continue };
        // Years past 9999 are accepted today (fuzz/artifacts-found/dates/, left to the
        // parser's owner); chrono prints them as `+20220-…`, which is not RFC 3339.
        if (0..=9999).contains(&t.year()) {
            for other in contexts() {
                let rfc3339 = t.to_rfc3339();
                assert_eq!(parse_date(&rfc3339, other), Some(t), "{raw:?} read as {rfc3339}, which reads differently");
            }
        }
        if (1..=9999).contains(&t.year()) {
            let rfc2822 = t.to_rfc2822();
            assert_eq!(parse_date(&rfc2822, ctx), Some(t.trunc_subsecs(0)), "{raw:?} read as {rfc2822}");
        }
    }
});
