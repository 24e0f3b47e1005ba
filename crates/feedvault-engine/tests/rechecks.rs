//! Takedown and edit detection end to end: a vault fetches a feed from a loopback
//! server, then its articles' pages are checked again at injected times (never by
//! sleeping), the server answering each page as scripted: a page that turns 404, a
//! 410, a 451, a redirect to the home page, a soft 404, an edited page, a flapping
//! 503 and an unchanged page. Then vanishing from a feed, and the evidence surviving
//! `reindex` after state.db is deleted.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use feedvault_engine::{CycleOptions, RemovedArticle, Vault};

/// (status, extra headers, body) answered in turn; the last one repeats.
type Script = Vec<(u16, Vec<(String, String)>, String)>;

/// A loopback HTTP/1.1 server answering each path from its script.
struct Server {
    base: String,
    scripts: Arc<Mutex<HashMap<String, (Script, usize)>>>,
}

impl Server {
    fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let scripts: Arc<Mutex<HashMap<String, (Script, usize)>>> = Arc::default();
        let shared = scripts.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let scripts = shared.clone();
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(stream.try_clone().unwrap());
                    let mut writer = stream;
                    loop {
                        let mut line = String::new();
                        if reader.read_line(&mut line).unwrap_or(0) == 0 {
                            return;
                        }
                        let path = line.split_whitespace().nth(1).unwrap_or("/").to_owned();
                        loop {
                            let mut header = String::new();
                            if reader.read_line(&mut header).unwrap_or(0) == 0 || header.trim().is_empty() {
                                break;
                            }
                        }
                        let (status, headers, body) = {
                            let mut scripts = scripts.lock().unwrap();
                            match scripts.get_mut(&path) {
                                Some((script, served)) => {
                                    let answer = script[(*served).min(script.len() - 1)].clone();
                                    *served += 1;
                                    answer
                                }
                                None => (404, Vec::new(), String::new()),
                            }
                        };
                        let mut head = format!(
                            "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nContent-Type: text/html; charset=utf-8\r\n",
                            body.len()
                        );
                        for (k, v) in headers {
                            head.push_str(&format!("{k}: {v}\r\n"));
                        }
                        head.push_str("\r\n");
                        // One write: a head and body written apart wait out the client's delayed ACK.
                        if writer.write_all(format!("{head}{body}").as_bytes()).is_err() {
                            return;
                        }
                    }
                });
            }
        });
        Server { base, scripts }
    }

    fn script(&self, path: &str, script: Script) {
        self.scripts.lock().unwrap().insert(path.to_owned(), (script, 0));
    }

    fn served(&self, path: &str) -> usize {
        self.scripts.lock().unwrap().get(path).map_or(0, |(_, n)| *n)
    }
}

fn ok(body: String) -> (u16, Vec<(String, String)>, String) {
    (200, Vec::new(), body)
}

fn status(code: u16) -> (u16, Vec<(String, String)>, String) {
    (code, Vec::new(), "<html><body>error</body></html>".into())
}

const TEXT: &str = "Censors moved quickly this week to remove posts discussing the collapse of a residential tower \
    in the provincial capital, where at least a dozen residents are still missing. Many of the deleted posts \
    questioned why inspections had not found the cracks that neighbors had reported for months.";

fn page(title: &str, text: &str, ad: &str) -> String {
    format!(
        "<!DOCTYPE html><html><head><title>{title} | News</title></head><body><nav><a href=\"/\">Home</a> {ad}</nav>\
         <h1>{title}</h1><div class=\"post-content\"><p>{text}</p></div><aside>{ad} Popular today</aside></body></html>"
    )
}

fn feed(base: &str, items: &[(&str, &str, &str)]) -> String {
    let mut out = String::from("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>News</title>");
    for (guid, title, date) in items {
        out.push_str(&format!(
            "<item><guid>{guid}</guid><title>{title}</title><link>{base}/a/{guid}</link>\
             <pubDate>{date}</pubDate><description>Summary of {title}</description></item>"
        ));
    }
    out.push_str("</channel></rss>");
    out
}

/// A vault subscribed to one feed at `feed_url`, without politeness delays.
fn vault(root: &Path, feed_url: &str, full_text: bool) {
    Vault::init(root, "dated", "UTC").unwrap();
    let config = root.join("feedvault.toml");
    let text = std::fs::read_to_string(&config).unwrap().replace("host_delay = \"1s\"", "host_delay = \"0ms\"");
    assert!(text.contains("host_delay = \"0ms\""), "the template's delay");
    let full_text = if full_text { "full_text = \"css:div.post-content\"\n" } else { "" };
    std::fs::write(&config, format!("{text}\n[[feeds]]\nname = \"news\"\nurl = \"{feed_url}\"\n{full_text}")).unwrap();
}

fn fetch(root: &Path, force: bool) {
    let mut writer = Vault::open(root).unwrap().writer(Duration::from_secs(10)).unwrap();
    let report = writer.fetch(CycleOptions { force }, &AtomicBool::new(false), |_| {}).unwrap();
    assert_eq!(report.rechecks.checked, 0, "nothing is due right after archiving");
}

fn flagged(root: &Path) -> HashMap<String, RemovedArticle> {
    let vault = Vault::open(root).unwrap();
    vault.removed_articles().unwrap().into_iter().map(|a| (a.url.rsplit('/').next().unwrap().to_owned(), a)).collect()
}

const DATE: &str = "Tue, 20 Sep 2022 10:16:32 +0000";

#[test]
fn takedowns_edits_and_noise() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let names = ["turns-404", "gone-410", "gone-451", "to-home", "soft-404", "edited", "flapping", "unchanged"];
    let items: Vec<(&str, &str, &str)> = names.iter().map(|n| (*n, *n, DATE)).collect();
    let title = |name: &str| format!("Report {name}: the tower collapse");
    let items: Vec<(String, String)> = items.iter().map(|(g, _, _)| (g.to_string(), title(g))).collect();
    let doc = feed(&server.base, &items.iter().map(|(g, t)| (g.as_str(), t.as_str(), DATE)).collect::<Vec<_>>());
    server.script("/feed.xml", vec![ok(doc)]);
    let original = |name: &str| ok(page(&title(name), TEXT, "AD-ONE"));
    // The first answer of each page is the archiving fetch (the feed has full_text).
    server
        .script("/a/turns-404", vec![original("turns-404"), original("turns-404"), original("turns-404"), status(404)]);
    server.script("/a/gone-410", vec![original("gone-410"), status(410)]);
    server.script("/a/gone-451", vec![original("gone-451"), status(451)]);
    let home = (301, vec![("Location".to_owned(), "/".to_owned())], String::new());
    server.script("/a/to-home", vec![original("to-home"), home]);
    server.script("/", vec![ok(page("News front page", "Today on the front page.", ""))]);
    let not_found =
        "<html><head><title>Not found</title></head><body><h1>Sorry</h1><p>This page does not exist.</p></body></html>";
    server.script("/a/soft-404", vec![original("soft-404"), ok(not_found.into())]);
    let edited = TEXT.replace("at least a dozen residents are", "twenty residents were");
    server.script("/a/edited", vec![original("edited"), ok(page(&title("edited"), &edited, "AD-TWO"))]);
    server
        .script("/a/flapping", vec![original("flapping"), status(503), status(503), original("flapping"), status(503)]);
    // Other chrome on every answer: never an edit.
    let chrome: Script = (0..40).map(|i| ok(page(&title("unchanged"), TEXT, &format!("AD-{i}")))).collect();
    server.script("/a/unchanged", chrome);
    vault(root, &format!("{}/feed.xml", server.base), true);
    fetch(root, false);
    assert_eq!(server.served("/a/unchanged"), 1, "the page was read for its full text");

    let start = Utc::now();
    let at = |offset: TimeDelta| -> DateTime<Utc> { start + offset };
    let stop = AtomicBool::new(false);
    let mut writer = Vault::open(root).unwrap().writer(Duration::from_secs(10)).unwrap();
    let mut removed_by_day = Vec::new();
    for (step, offset) in [
        TimeDelta::minutes(61),
        TimeDelta::hours(7),
        TimeDelta::hours(25),
        TimeDelta::days(3) + TimeDelta::hours(1),
        TimeDelta::days(7) + TimeDelta::hours(1),
        TimeDelta::days(14) + TimeDelta::hours(2),
        TimeDelta::days(21) + TimeDelta::hours(2),
        TimeDelta::days(30) + TimeDelta::hours(2),
        TimeDelta::days(40),
    ]
    .into_iter()
    .enumerate()
    {
        let report = writer.recheck(at(offset), &stop).unwrap();
        assert!(report.problems.is_empty(), "{:?}", report.problems);
        if step == 0 {
            assert_eq!(report.scheduled, 0, "the fetch cycle scheduled them");
            assert_eq!(report.checked, names.len(), "every article due at 1 h");
            assert_eq!((report.changed, report.gone), (1, 4), "{report:?}");
        }
        removed_by_day.push((offset.num_days(), report.removed));
    }
    drop(writer);
    // Nothing removed before 14 days of gone answers, though the counts were there.
    assert!(removed_by_day.iter().filter(|(day, _)| *day < 14).all(|(_, n)| *n == 0), "{removed_by_day:?}");
    let flagged = flagged(root);
    let mut found: Vec<&str> = flagged.keys().map(String::as_str).collect();
    found.sort();
    assert_eq!(found, ["gone-410", "gone-451", "soft-404", "to-home", "turns-404"]);
    for (name, code) in
        [("gone-410", Some(410)), ("gone-451", Some(451)), ("to-home", Some(200)), ("soft-404", Some(200))]
    {
        let article = &flagged[name];
        let gone: Vec<_> = article.evidence.iter().filter(|e| e.kind == "gone").collect();
        assert!(gone.len() >= 3, "{name}: {:?}", article.evidence);
        assert!(gone.iter().all(|e| e.status == code), "{name}: {gone:?}");
        // Every gone answer keeps what answered: its headers and its body's hash.
        assert!(gone.iter().all(|e| e.body_hash.as_deref().is_some_and(|h| h.len() == 64)), "{name}: {gone:?}");
        assert!(gone.iter().all(|e| e.headers.to_ascii_lowercase().contains("content-type:")), "{name}: {gone:?}");
        let removed_at = article.removed_at.unwrap();
        assert!(removed_at - gone[0].at >= 14 * 86_400_000, "{name}: removed too early");
        assert_eq!(article.evidence.last().unwrap().kind, "removed");
    }
    let home = &flagged["to-home"].evidence[0];
    assert!(home.headers.contains("Location: http"), "{}", home.headers);
    assert!(home.body_hash.as_deref().is_some_and(|h| h.len() == 64));
    assert!(flagged["soft-404"].evidence[0].detail.contains("soft 404"));
    // The page that turned 404 after two checks: gone from its third check (1 d) on.
    let turned = &flagged["turns-404"];
    let first_gone = turned.evidence.iter().find(|e| e.kind == "gone").unwrap();
    assert_eq!(first_gone.at, at(TimeDelta::hours(25)).timestamp_millis(), "{:?}", turned.evidence);
    assert!(turned.removed_at.is_some());

    let vault = Vault::open(root).unwrap();
    // The edit: a revision seen on the page, its source recorded.
    let edited_path = article_path(&vault, "edited");
    let evidence = vault.check_evidence(&edited_path).unwrap();
    let changed: Vec<_> = evidence.iter().filter(|e| e.kind == "changed").collect();
    assert_eq!(changed.len(), 1, "{evidence:?}");
    let detail = vault.article(&edited_path).unwrap().unwrap();
    assert_eq!(detail.revisions.len(), 1, "the archived version was kept as a revision");
    let current = std::fs::read_to_string(root.join(&edited_path)).unwrap();
    assert!(current.contains("twenty residents were") && !current.contains("AD-TWO"), "{current}");
    let row_hash = content_hash(root, &edited_path);
    assert_eq!(changed[0].content_hash.as_deref(), Some(row_hash.as_str()));
    // The page that showed the edit is kept as the new version's raw capture.
    let captures = vault.article_captures(&edited_path).unwrap();
    let page_capture = captures.iter().find(|c| c.seen_at == changed[0].at).expect("the edit's page was captured");
    assert_eq!(page_capture.capture.kind, "page");
    assert_eq!(page_capture.capture.status, 200);
    assert_eq!(changed[0].body_hash.as_ref(), Some(&page_capture.capture.body_hash), "one hash for one body");
    let kept = vault.capture_body(&page_capture.capture).unwrap();
    assert!(String::from_utf8_lossy(&kept).contains("twenty residents were"));
    // Flapping and unchanged pages leave no evidence at all.
    for name in ["flapping", "unchanged"] {
        assert!(vault.check_evidence(&article_path(&vault, name)).unwrap().is_empty(), "{name}");
    }
    assert!(server.served("/a/flapping") >= 5, "the flapping page was checked");
    assert_eq!(vault.article(&article_path(&vault, "unchanged")).unwrap().unwrap().revisions.len(), 0);

    // The evidence is in the vault, journaled for the next commit, and survives
    // losing state.db.
    let evidence_file = root.join("archive/.evidence/checks.jsonl");
    let lines = std::fs::read_to_string(&evidence_file).unwrap().lines().count();
    assert!(lines >= 5 * 4, "{lines} evidence lines");
    assert!(vault.unpublished_count().unwrap() > 0);
    let before = flagged_summary(root);
    drop(vault);
    for name in ["state.db", "state.db-wal", "state.db-shm"] {
        let _ = std::fs::remove_file(root.join(name));
    }
    let mut writer = Vault::open(root).unwrap().writer(Duration::from_secs(10)).unwrap();
    let report = writer.reindex().unwrap();
    assert_eq!(report.evidence, lines);
    assert!(report.skipped.is_empty(), "{:?}", report.skipped);
    drop(writer);
    assert_eq!(flagged_summary(root), before);
    let vault = Vault::open(root).unwrap();
    let evidence = vault.check_evidence(&article_path(&vault, "edited")).unwrap();
    assert!(evidence.iter().any(|e| e.kind == "changed"), "the revision's source survives");
}

fn article_path(vault: &Vault, name: &str) -> String {
    let query = feedvault_engine::ArticleQuery::default();
    let articles = vault.articles(&query).unwrap();
    articles.items.into_iter().find(|a| a.url.ends_with(&format!("/a/{name}"))).unwrap().path
}

fn content_hash(root: &Path, path: &str) -> String {
    let reader = feedvault_store::StoreReader::open(&root.join("state.db")).unwrap();
    reader.article_by_path(path).unwrap().unwrap().content_hash
}

/// An article's path, removal and vanishing times, and its evidence (kind, time, status).
type FlaggedSummary = (String, Option<i64>, Option<i64>, Vec<(String, i64, Option<u16>)>);

/// What the removed list says, comparable across a rebuild.
fn flagged_summary(root: &Path) -> Vec<FlaggedSummary> {
    let mut out: Vec<_> = Vault::open(root)
        .unwrap()
        .removed_articles()
        .unwrap()
        .into_iter()
        .map(|a| {
            (a.path, a.removed_at, a.vanished_at, a.evidence.into_iter().map(|e| (e.kind, e.at, e.status)).collect())
        })
        .collect();
    out.sort();
    out
}

#[test]
fn vanished_from_the_feed() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let c = ("c", "Third story", "Tue, 20 Sep 2022 12:00:00 +0000");
    let b = ("b", "Second story", "Tue, 20 Sep 2022 11:00:00 +0000");
    let a = ("a", "First story", "Tue, 20 Sep 2022 10:00:00 +0000");
    let d = ("d", "Fourth story", "Tue, 20 Sep 2022 13:00:00 +0000");
    server.script("/feed.xml", vec![ok(feed(&server.base, &[c, b, a]))]);
    vault(root, &format!("{}/feed.xml", server.base), false);
    fetch(root, false);
    // The window rolls: a falls off the end. Nothing vanished.
    server.script("/feed.xml", vec![ok(feed(&server.base, &[d, c, b]))]);
    fetch(root, true);
    assert!(flagged(root).is_empty());
    // c is taken out while b, older, is still there: vanished.
    server.script("/feed.xml", vec![ok(feed(&server.base, &[d, b]))]);
    fetch(root, true);
    let flagged = flagged(root);
    assert_eq!(flagged.keys().collect::<Vec<_>>(), ["c"]);
    let vanished = &flagged["c"];
    assert!(vanished.vanished_at.is_some() && vanished.removed_at.is_none());
    assert_eq!(vanished.evidence.len(), 1);
    assert_eq!(vanished.evidence[0].kind, "vanished");
    // Seen again missing: marked once.
    server.script("/feed.xml", vec![ok(feed(&server.base, &[d, b, (a.0, a.1, a.2)]).replace("Fourth", "4th"))]);
    fetch(root, true);
    assert_eq!(self::flagged(root)["c"].evidence.len(), 1);
}

#[test]
fn bounded_cycles_and_feeds_that_opt_out() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let items = [
        ("x", "Story x about the flood", DATE),
        ("y", "Story y about the flood", DATE),
        ("z", "Story z about the flood", DATE),
    ];
    server.script("/feed.xml", vec![ok(feed(&server.base, &items))]);
    for (guid, title, _) in items {
        server.script(&format!("/a/{guid}"), vec![ok(page(title, TEXT, ""))]);
    }
    vault(root, &format!("{}/feed.xml", server.base), false);
    let config = root.join("feedvault.toml");
    let text = std::fs::read_to_string(&config).unwrap().replace("max_per_cycle = 500", "max_per_cycle = 2");
    std::fs::write(&config, &text).unwrap();
    fetch(root, false);
    let start = Utc::now();
    let stop = AtomicBool::new(false);
    let mut writer = Vault::open(root).unwrap().writer(Duration::from_secs(10)).unwrap();
    let first = writer.recheck(start + TimeDelta::hours(2), &stop).unwrap();
    assert_eq!((first.checked, first.unchanged, first.more_due), (2, 2, true), "{first:?}");
    let second = writer.recheck(start + TimeDelta::hours(2), &stop).unwrap();
    assert_eq!((second.checked, second.more_due), (1, false), "{second:?}");
    let none = writer.recheck(start + TimeDelta::hours(3), &stop).unwrap();
    assert_eq!(none.checked, 0, "the next checks are at 6 h");
    // A feed that opts out is not checked, though its articles are due.
    std::fs::write(&config, format!("{text}recheck = false\n")).unwrap();
    let opted_out = writer.recheck(start + TimeDelta::hours(7), &stop).unwrap();
    assert_eq!(opted_out.checked, 0);
    std::fs::write(&config, &text).unwrap();
    let back = writer.recheck(start + TimeDelta::hours(7), &stop).unwrap();
    assert_eq!(back.checked, 2, "bounded again");
    // A stopped writer starts no check.
    let stopped = writer.recheck(start + TimeDelta::hours(7), &AtomicBool::new(true)).unwrap();
    assert_eq!((stopped.checked, stopped.more_due), (0, true));
    let served: usize = ["x", "y", "z"].iter().map(|g| server.served(&format!("/a/{g}"))).sum();
    assert_eq!(served, 5, "three at 2 h, two at 7 h, none from the feed that opted out");
}

#[test]
fn recheck_settings_are_checked() {
    let parse = |section: &str| {
        feedvault_engine::Settings::parse(&format!("[preserve.recheck]\n{section}\n"), "feedvault.toml")
    };
    let settings = parse("after = [\"2h\", \"2d\"]\nremoved_after_checks = 5\nenabled = false").unwrap();
    let recheck = &settings.preserve.recheck;
    assert_eq!(recheck.after, [Duration::from_secs(7200), Duration::from_secs(2 * 86_400)]);
    assert_eq!((recheck.removed_after_checks, recheck.enabled), (5, false));
    let err = parse("after = [\"2d\", \"2h\"]").unwrap_err().to_string();
    assert!(err.contains("must grow"), "{err}");
    let err = parse("after = []").unwrap_err().to_string();
    assert!(err.contains("at least one"), "{err}");
    let err = parse("after = [\"soon\"]").unwrap_err().to_string();
    assert!(err.contains("not a duration"), "{err}");
    let err = parse("removed_after_checks = 0").unwrap_err().to_string();
    assert!(err.contains("positive"), "{err}");
}

#[test]
fn a_feed_without_full_text_compares_with_the_first_check() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let title = "Officials deny the report on the flood";
    server.script("/feed.xml", vec![ok(feed(&server.base, &[("p", title, DATE)]))]);
    let edited = TEXT.replace("at least a dozen residents are", "no resident is");
    // Readability reads the page: other chrome on the second answer, then an edit.
    server.script(
        "/a/p",
        vec![ok(page(title, TEXT, "AD-ONE")), ok(page(title, TEXT, "AD-TWO AD-TWO")), ok(page(title, &edited, ""))],
    );
    vault(root, &format!("{}/feed.xml", server.base), false);
    fetch(root, false);
    assert_eq!(server.served("/a/p"), 0, "no full text: the page is not read when archiving");
    let start = Utc::now();
    let stop = AtomicBool::new(false);
    let mut writer = Vault::open(root).unwrap().writer(Duration::from_secs(10)).unwrap();
    let verdicts: Vec<(usize, usize)> = [2, 7, 25]
        .into_iter()
        .map(|hours| {
            let report = writer.recheck(start + TimeDelta::hours(hours), &stop).unwrap();
            (report.unchanged, report.changed)
        })
        .collect();
    assert_eq!(verdicts, [(1, 0), (1, 0), (0, 1)], "the first reading is the reference");
    drop(writer);
    let vault = Vault::open(root).unwrap();
    let path = article_path(&vault, "p");
    let detail = vault.article(&path).unwrap().unwrap();
    assert_eq!(detail.revisions.len(), 1);
    assert!(detail.article.body.contains("no resident is"), "{}", detail.article.body);
    let kept = detail.revisions[0].article.as_ref().unwrap();
    assert!(kept.body.contains("Summary of"), "the feed's text is kept as the earlier version");
}
