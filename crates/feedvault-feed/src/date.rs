//! Dates as feeds write them, to UTC.
//!
//! Tolerant by design: RFC 822/2822 with every zone style (named, military letters,
//! numeric, none), missing seconds, two-digit years, wrong day names; ISO 8601 and
//! RFC 3339 variants; `YYYY-MM-DD HH:MM:SS` without a zone (read in the feed's
//! configured zone, else UTC); Chinese `2022年9月20日 10:16`. `CST` is US Central
//! (RFC 822) except in a Chinese feed, where it means China Standard Time (+08:00).
//! Military zone letters follow the nautical convention (A = +01:00 … M = +12:00,
//! N = −01:00 … Y = −12:00), not RFC 822's reversed signs. What cannot be read is `None`.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

/// What a date's meaning depends on besides its text.
#[derive(Debug, Clone, Copy, Default)]
pub struct DateContext {
    /// The feed is Chinese (language zh*, or a .cn/.hk/.tw/.mo host): CST is +08:00.
    pub chinese: bool,
    /// The zone of dates written without one (default UTC).
    pub zone: Option<Tz>,
}

/// Longest text read as a date; anything longer is not one (and is not tokenized).
const MAX_DATE_LEN: usize = 256;

/// Parses a feed date, `None` when it cannot be read.
pub fn parse_date(raw: &str, ctx: DateContext) -> Option<DateTime<Utc>> {
    let s = raw.trim();
    if s.is_empty() || s.len() > MAX_DATE_LEN {
        return None;
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.to_utc());
    }
    let without_comment = s.find('(').map_or(s, |i| &s[..i]);
    let toks = tokens(without_comment);
    parse_iso(&toks, ctx)
        .or_else(|| parse_chinese(&toks, ctx))
        .or_else(|| parse_rfc822(&toks, ctx))
        // A year of five digits is no feed's date, and RFC 3339 cannot write it.
        .filter(|t| (1..=9999).contains(&t.year()))
}

/// Splits into tokens: runs of ASCII digits, runs of letters, and single signs.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Tok<'a> {
    Num(&'a str),
    Word(&'a str),
    Sym(char),
}

fn tokens(s: &str) -> Vec<Tok<'_>> {
    let mut out = Vec::new();
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c.is_ascii_digit() || c.is_alphabetic() {
            let digit = c.is_ascii_digit();
            let mut end = i + c.len_utf8();
            while let Some(&(j, d)) = chars.peek() {
                if (digit && d.is_ascii_digit()) || (!digit && d.is_alphabetic() && !d.is_ascii_digit()) {
                    end = j + d.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            out.push(if digit { Tok::Num(&s[i..end]) } else { Tok::Word(&s[i..end]) });
        } else if !c.is_whitespace() {
            out.push(Tok::Sym(c));
        }
    }
    out
}

fn month_number(word: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    // A month is a prefix of its full name of three letters or more: "Sep", "Sept",
    // "September"; "Marching" is not a month.
    if word.len() < 3 || !word.is_ascii() {
        return None;
    }
    MONTHS
        .iter()
        .position(|full| word.len() <= full.len() && full[..word.len()].eq_ignore_ascii_case(word))
        .map(|i| i as u32 + 1)
}

/// Offset in seconds east of UTC for a zone name.
fn named_zone(word: &str, ctx: DateContext) -> Option<i32> {
    let hours = |h: f32| Some((h * 3600.0) as i32);
    match word.to_ascii_uppercase().as_str() {
        "UT" | "UTC" | "GMT" | "Z" | "WET" => hours(0.0),
        "EST" => hours(-5.0),
        "EDT" => hours(-4.0),
        "CST" if ctx.chinese => hours(8.0),
        "CST" => hours(-6.0),
        "CDT" => hours(-5.0),
        "MST" => hours(-7.0),
        "MDT" => hours(-6.0),
        "PST" => hours(-8.0),
        "PDT" => hours(-7.0),
        "AKST" => hours(-9.0),
        "AKDT" => hours(-8.0),
        "HST" => hours(-10.0),
        "AST" => hours(-4.0),
        "ADT" => hours(-3.0),
        "NST" => hours(-3.5),
        "BST" | "CET" | "WEST" => hours(1.0),
        "CEST" | "EET" => hours(2.0),
        "EEST" | "MSK" => hours(3.0),
        "IST" => hours(5.5),
        "CCT" | "HKT" | "SGT" | "AWST" => hours(8.0),
        "JST" | "KST" => hours(9.0),
        "ACST" => hours(9.5),
        "AEST" => hours(10.0),
        "AEDT" => hours(11.0),
        "NZST" => hours(12.0),
        "NZDT" => hours(13.0),
        letter if letter.len() == 1 => military_zone(letter.as_bytes()[0]),
        _ => None,
    }
}

fn military_zone(letter: u8) -> Option<i32> {
    let hours = match letter {
        b'A'..=b'I' => (letter - b'A' + 1) as i32,
        b'K'..=b'M' => (letter - b'K' + 10) as i32,
        b'N'..=b'Y' => -((letter - b'N' + 1) as i32),
        b'Z' => 0,
        _ => return None,
    };
    Some(hours * 3600)
}

/// `+0800`, `+08:00`, `+08`, `-0530`: returns seconds east and the tokens used.
fn numeric_zone(toks: &[Tok<'_>]) -> Option<(i32, usize)> {
    let sign = match toks.first()? {
        Tok::Sym('+') => 1,
        Tok::Sym('-') | Tok::Sym('\u{2212}') => -1,
        _ => return None,
    };
    let (hours, minutes, used) = match toks.get(1..) {
        Some([Tok::Num(hm), ..]) if hm.len() == 4 => (hm[..2].parse::<i32>().ok()?, hm[2..].parse::<i32>().ok()?, 2),
        Some([Tok::Num(h), Tok::Sym(':'), Tok::Num(m), ..]) if h.len() <= 2 && m.len() == 2 => {
            (h.parse().ok()?, m.parse().ok()?, 4)
        }
        Some([Tok::Num(h), ..]) if h.len() <= 2 => (h.parse().ok()?, 0, 2),
        _ => return None,
    };
    (hours <= 14 && minutes < 60).then_some((sign * (hours * 3600 + minutes * 60), used))
}

fn full_year(n: &str) -> Option<i32> {
    let y: i32 = n.parse().ok()?;
    match n.len() {
        2 => Some(if y < 50 { 2000 + y } else { 1900 + y }),
        4 => Some(y),
        _ => None,
    }
}

/// Reads `HH:MM[:SS[.fff]]` starting at `toks[0]`; returns the time since midnight
/// and the tokens used. `24:00` is the end of the day (the next midnight); a leap
/// second is clamped to :59.
fn time_of_day(toks: &[Tok<'_>]) -> Option<(chrono::Duration, usize)> {
    let [Tok::Num(h), Tok::Sym(':'), Tok::Num(m), rest @ ..] = toks else { return None };
    let (hour, minute): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    let mut used = 3;
    let mut second = 0;
    let mut nanos = 0;
    if let [Tok::Sym(':'), Tok::Num(s), more @ ..] = rest {
        second = s.parse().ok()?;
        used += 2;
        if let [Tok::Sym('.' | ','), Tok::Num(frac), ..] = more {
            let digits = &frac[..frac.len().min(9)];
            nanos = digits.parse::<u32>().ok()? * 10u32.pow(9 - digits.len() as u32);
            used += 2;
        }
    }
    let valid = (hour < 24 && minute < 60 && second <= 60) || (hour, minute, second, nanos) == (24, 0, 0, 0);
    valid.then(|| {
        let seconds = i64::from(hour * 3600 + minute * 60 + second.min(59));
        (chrono::Duration::seconds(seconds) + chrono::Duration::nanoseconds(nanos.into()), used)
    })
}

/// Midnight of `date` plus `time` (which may reach the next midnight).
fn at(date: NaiveDate, time: chrono::Duration) -> NaiveDateTime {
    date.and_time(NaiveTime::MIN) + time
}

/// Applies an explicit offset, or the context's zone when there is none.
fn to_utc(local: NaiveDateTime, offset: Option<i32>, ctx: DateContext) -> Option<DateTime<Utc>> {
    match offset {
        Some(secs) => Some(FixedOffset::east_opt(secs)?.from_local_datetime(&local).single()?.to_utc()),
        None => match ctx.zone {
            Some(tz) => tz.from_local_datetime(&local).earliest().map(|t| t.to_utc()),
            None => Some(local.and_utc()),
        },
    }
}

/// Reads an optional zone after the time: numeric, named, or a military letter.
fn zone_after(toks: &[Tok<'_>], ctx: DateContext) -> Option<Option<i32>> {
    match toks {
        [] => Some(None),
        [Tok::Word(w), ..] => named_zone(w, ctx).map(Some),
        _ => numeric_zone(toks).map(|(offset, _)| Some(offset)),
    }
}

/// ISO 8601 / RFC 3339: `2022-09-20T10:16:32.5+08:00`, `2022-09-20 10:16`,
/// `2022-09-20`, `20220920T101632Z`.
fn parse_iso(toks: &[Tok<'_>], ctx: DateContext) -> Option<DateTime<Utc>> {
    let (date, rest) = match toks {
        [Tok::Num(y), Tok::Sym('-' | '/'), Tok::Num(m), Tok::Sym('-' | '/'), Tok::Num(d), rest @ ..]
            if y.len() == 4 =>
        {
            (NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)?, rest)
        }
        [Tok::Num(ymd), rest @ ..] if ymd.len() == 8 => {
            let date =
                NaiveDate::from_ymd_opt(ymd[..4].parse().ok()?, ymd[4..6].parse().ok()?, ymd[6..].parse().ok()?)?;
            (date, rest)
        }
        _ => return None,
    };
    // Optional "T" (which tokenizes glued to a zone letter or alone).
    let rest = match rest {
        [Tok::Word(t), more @ ..] if t.eq_ignore_ascii_case("t") => more,
        _ => rest,
    };
    let (time, rest) = match rest {
        [Tok::Num(hms), more @ ..] if hms.len() == 6 => {
            let time =
                NaiveTime::from_hms_opt(hms[..2].parse().ok()?, hms[2..4].parse().ok()?, hms[4..].parse().ok()?)?;
            (time - NaiveTime::MIN, more)
        }
        [] => (chrono::Duration::zero(), rest),
        _ => {
            let (time, used) = time_of_day(rest)?;
            (time, &rest[used..])
        }
    };
    to_utc(at(date, time), zone_after(rest, ctx)?, ctx)
}

/// `2022年9月20日 10:16[:32]`.
fn parse_chinese(toks: &[Tok<'_>], ctx: DateContext) -> Option<DateTime<Utc>> {
    let [Tok::Num(y), Tok::Word("年"), Tok::Num(m), Tok::Word("月"), Tok::Num(d), Tok::Word(day), rest @ ..] = toks
    else {
        return None;
    };
    if !(day.starts_with('日') || day.starts_with('号')) {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)?;
    let time = time_of_day(rest).map_or(chrono::Duration::zero(), |(t, _)| t);
    to_utc(at(date, time), None, ctx)
}

/// RFC 822 and its relatives: `[Day,] DD Mon YYYY HH:MM[:SS] [zone]`, also
/// `Mon DD, YYYY HH:MM`, `DD-Mon-YY`, a zone comment in parentheses, any day name.
fn parse_rfc822(toks: &[Tok<'_>], ctx: DateContext) -> Option<DateTime<Utc>> {
    let mut day = None;
    let mut month = None;
    let mut year = None;
    let mut time = None;
    let mut offset = None;
    let mut i = 0;
    while i < toks.len() {
        match toks[i] {
            Tok::Num(_) if time.is_none() && matches!(toks.get(i + 1), Some(Tok::Sym(':'))) => {
                let (t, used) = time_of_day(&toks[i..])?;
                time = Some(t);
                i += used;
                continue;
            }
            Tok::Num(n) if day.is_none() && n.len() <= 2 && time.is_none() && year.is_none() => {
                day = Some(n.parse::<u32>().ok()?)
            }
            Tok::Num(n) if year.is_none() && (n.len() == 4 || n.len() == 2) => year = full_year(n),
            Tok::Word(w) if month.is_none() && month_number(w).is_some() => month = month_number(w),
            Tok::Word(w) if time.is_some() && offset.is_none() => offset = Some(named_zone(w, ctx)?),
            Tok::Sym('+' | '-' | '\u{2212}') if time.is_some() && offset.is_none() => {
                let (secs, used) = numeric_zone(&toks[i..])?;
                offset = Some(secs);
                i += used;
                continue;
            }
            // Day names (right or wrong), commas, dots and dashes carry nothing.
            Tok::Word(_) | Tok::Sym(_) => {}
            Tok::Num(_) => return None,
        }
        i += 1;
    }
    let date = NaiveDate::from_ymd_opt(year?, month?, day?)?;
    to_utc(at(date, time.unwrap_or_default()), offset, ctx)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> Option<String> {
        parse_date(s, DateContext::default()).map(|t| t.to_rfc3339())
    }

    #[test]
    fn text_too_long_to_be_a_date_is_not_one() {
        let padded = format!("Tue, 20 Sep 2022 10:16:32 GMT{}", " (comment)".repeat(30));
        assert!(parse_date(&padded, DateContext::default()).is_none());
        assert!(parse_date(&"2022 ".repeat(1_000_000), DateContext::default()).is_none());
        assert!(parse_date("Tue, 20 Sep 2022 10:16:32 GMT", DateContext::default()).is_some());
    }

    #[test]
    fn rfc822_family() {
        let cases = [
            ("Tue, 20 Sep 2022 10:16:32 +0800", "2022-09-20T02:16:32+00:00"),
            ("Tue, 20 Sep 2022 10:16:32 GMT", "2022-09-20T10:16:32+00:00"),
            ("Tue, 20 Sep 2022 10:16:32 UT", "2022-09-20T10:16:32+00:00"),
            ("Tue, 20 Sep 2022 10:16:32 EST", "2022-09-20T15:16:32+00:00"),
            ("Tue, 20 Sep 2022 10:16:32 PDT", "2022-09-20T17:16:32+00:00"),
            ("Tue, 20 Sep 2022 10:16:32 CST", "2022-09-20T16:16:32+00:00"),
            ("Tue, 20 Sep 2022 10:16:32 Z", "2022-09-20T10:16:32+00:00"),
            ("Tue, 20 Sep 2022 10:16:32 A", "2022-09-20T09:16:32+00:00"),
            ("Tue, 20 Sep 2022 10:16:32 N", "2022-09-20T11:16:32+00:00"),
            ("Tue, 20 Sep 2022 10:16 +0800", "2022-09-20T02:16:00+00:00"),
            ("20 Sep 22 10:16:32 -0500", "2022-09-20T15:16:32+00:00"),
            ("20 Sep 99 10:16:32 GMT", "1999-09-20T10:16:32+00:00"),
            ("Mon, 20 Sep 2022 10:16:32 GMT", "2022-09-20T10:16:32+00:00"),
            ("Thursday, 20 September 2022 10:16:32 GMT", "2022-09-20T10:16:32+00:00"),
            ("Tue, 20 Sept 2022 10:16:32 +08:00", "2022-09-20T02:16:32+00:00"),
            ("Tue,20 Sep 2022 10:16:32 +0000 (UTC)", "2022-09-20T10:16:32+00:00"),
            ("Sep 20, 2022 10:16:32 GMT", "2022-09-20T10:16:32+00:00"),
            ("20-Sep-2022 10:16", "2022-09-20T10:16:00+00:00"),
            ("Tue, 20 Sep 2022", "2022-09-20T00:00:00+00:00"),
            ("Tue, 20 Sep 2022 24:00:00 GMT", "2022-09-21T00:00:00+00:00"),
            ("Tue, 20 Sep 2022 23:59:60 GMT", "2022-09-20T23:59:59+00:00"),
            ("2022-09-20T24:00:00+08:00", "2022-09-20T16:00:00+00:00"),
            ("Tue, 20 Sep 2022 23:59:59.999999999 GMT", "2022-09-20T23:59:59.999999999+00:00"),
        ];
        for (raw, want) in cases {
            assert_eq!(utc(raw).as_deref(), Some(want), "{raw}");
        }
    }

    #[test]
    fn cst_in_a_chinese_feed_is_china_time() {
        let ctx = DateContext { chinese: true, zone: None };
        let t = parse_date("Tue, 20 Sep 2022 10:16:32 CST", ctx).unwrap();
        assert_eq!(t.to_rfc3339(), "2022-09-20T02:16:32+00:00");
    }

    #[test]
    fn iso_8601_variants() {
        let cases = [
            ("2022-09-20T10:16:32Z", "2022-09-20T10:16:32+00:00"),
            ("2022-09-20T10:16:32+08:00", "2022-09-20T02:16:32+00:00"),
            ("2022-09-20T10:16:32.123-05:00", "2022-09-20T15:16:32.123+00:00"),
            ("2022-09-20T10:16:32+0800", "2022-09-20T02:16:32+00:00"),
            ("2022-09-20T10:16+08:00", "2022-09-20T02:16:00+00:00"),
            ("2022-09-20 10:16:32", "2022-09-20T10:16:32+00:00"),
            ("2022/09/20 10:16", "2022-09-20T10:16:00+00:00"),
            ("2022-09-20", "2022-09-20T00:00:00+00:00"),
            ("20220920T101632Z", "2022-09-20T10:16:32+00:00"),
            (" 2022-09-20T10:16:32z ", "2022-09-20T10:16:32+00:00"),
        ];
        for (raw, want) in cases {
            assert_eq!(utc(raw).as_deref(), Some(want), "{raw}");
        }
    }

    #[test]
    fn zoneless_dates_use_the_configured_zone() {
        let ctx = DateContext { chinese: false, zone: Some(chrono_tz::Asia::Shanghai) };
        let t = parse_date("2022-09-20 10:16:32", ctx).unwrap();
        assert_eq!(t.to_rfc3339(), "2022-09-20T02:16:32+00:00");
        let explicit = parse_date("2022-09-20T10:16:32Z", ctx).unwrap();
        assert_eq!(explicit.to_rfc3339(), "2022-09-20T10:16:32+00:00", "an explicit zone wins");
    }

    #[test]
    fn chinese_dates() {
        let ctx = DateContext { chinese: true, zone: Some(chrono_tz::Asia::Shanghai) };
        let t = parse_date("2022年9月20日 10:16", ctx).unwrap();
        assert_eq!(t.to_rfc3339(), "2022-09-20T02:16:00+00:00");
        assert_eq!(utc("2022年9月20日").as_deref(), Some("2022-09-20T00:00:00+00:00"));
        // Found by fuzzing: a five-digit year is refused, in every form.
        assert_eq!(parse_date("20220年9月20日0,0016", ctx), None);
        assert_eq!(utc("20220-09-20T00:00:00Z"), None);
    }

    #[test]
    fn unreadable_dates_are_none() {
        for raw in ["", "yesterday", "NaN", "2022-13-45", "32 Sep 2022", "Tue, 20 Foo 2022 10:16:32", "12345", "10:16"]
        {
            assert_eq!(utc(raw), None, "{raw}");
        }
    }
}
