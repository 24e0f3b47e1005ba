//! `export jsonl`, `export warc` and `export site` on real vaults made by the binary from file://
//! feeds (two feeds, Chinese and English, one article revised twice, a vault in
//! Asia/Shanghai): every article once with the fields its file holds, revisions,
//! filters, unreadable files skipped with a report, errors with one line, and WARC
//! files parsed back here (digests recomputed, identical bytes on a second export,
//! one gzip member per record).

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use feedvault_core::Article;
use feedvault_engine::Vault;
use feedvault_search::analysis::html::html_to_text;
use serde_json::Value;
use sha2::{Digest, Sha256};
use support::{archive_files, feedvault, set_fetch, subscribe};

/// An RSS document whose items carry their own dates: (guid, title, body, pubDate).
fn feed(items: &[(&str, &str, &str, &str)]) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><channel><title>T</title><link>https://news.example.org/</link>\n",
    );
    for (guid, title, body, date) in items {
        out.push_str(&format!(
            "<item><guid isPermaLink=\"false\">{guid}</guid><title>{title}</title><link>https://news.example.org/{guid}</link><pubDate>{date}</pubDate><content:encoded><![CDATA[{body}]]></content:encoded></item>\n"
        ));
    }
    out + "</channel></rss>\n"
}

const ZH_BODY: &str = "<p>中俄军事合作正文一</p><p>第二段</p>";

fn zh_items(version: usize) -> String {
    let first = match version {
        0 => ("z1", "中俄军事合作", ZH_BODY.to_owned()),
        n => ("z1", "中俄军事合作（更新）", format!("<p>改写 {n}</p>")),
    };
    feed(&[
        (first.0, first.1, &first.2, "Mon, 19 Sep 2022 20:00:00 +0000"), // the 20th in Shanghai
        ("z2", "第二篇", "<p>二</p>", "Sun, 18 Sep 2022 10:00:00 +0800"),
    ])
}

/// A vault in Asia/Shanghai with feeds `zh` (3 versions of z1) and `en`.
fn vault() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("v");
    feedvault(&vault).args(["init", "--timezone", "Asia/Shanghai"]).assert().success();
    set_fetch(&vault, "host_delay", "\"0s\"");
    let zh = dir.path().join("zh.xml");
    let en = dir.path().join("en.xml");
    fs::write(&zh, zh_items(0)).unwrap();
    let en_items = [
        ("e1", "Rates &amp; markets", "<p>one</p><p>two</p>", "Wed, 21 Sep 2022 09:00:00 +0000"),
        ("e2", "Old news", "<p>old</p>", "Thu, 01 Sep 2022 09:00:00 +0000"),
    ];
    fs::write(&en, feed(&en_items)).unwrap();
    subscribe(&vault, "zh", &format!("file://{}", zh.display()));
    subscribe(&vault, "en", &format!("file://{}", en.display()));
    feedvault(&vault).arg("fetch").assert().success();
    for version in [1, 2] {
        fs::write(&zh, zh_items(version)).unwrap();
        feedvault(&vault).args(["fetch", "--force"]).assert().success();
    }
    (dir, vault)
}

fn articles(vault: &Path) -> Vec<String> {
    archive_files(vault).into_iter().filter(|f| f.ends_with(".md") && !f.contains(".revisions/")).collect()
}

fn revision_files(vault: &Path) -> Vec<String> {
    archive_files(vault).into_iter().filter(|f| f.contains(".revisions/")).collect()
}

fn read(vault: &Path, path: &str) -> Article {
    Article::from_file(&fs::read(vault.join(path)).unwrap()).unwrap()
}

fn lines(stdout: &[u8]) -> Vec<Value> {
    std::str::from_utf8(stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

fn jsonl(vault: &Path, args: &[&str]) -> Vec<Value> {
    let out = feedvault(vault).args(["export", "jsonl"]).args(args).assert().success().get_output().stdout.clone();
    lines(&out)
}

fn paths(lines: &[Value]) -> BTreeSet<String> {
    lines.iter().map(|l| l["path"].as_str().unwrap().to_owned()).collect()
}

fn rfc3339(ms: i64) -> String {
    let t = chrono::DateTime::from_timestamp_millis(ms).unwrap();
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

#[test]
fn jsonl_has_every_article_once_as_its_file_says() {
    let (_dir, vault) = vault();
    let assert = feedvault(&vault).args(["export", "jsonl"]).assert().success();
    let output = assert.get_output();
    let exported = lines(&output.stdout);
    let files = articles(&vault);
    assert_eq!(exported.len(), 4);
    assert_eq!(paths(&exported), files.iter().cloned().collect(), "every article, once");
    assert!(String::from_utf8_lossy(&output.stderr).contains("exported 4 articles"));
    let db = Vault::open(&vault).unwrap();
    for line in &exported {
        let path = line["path"].as_str().unwrap();
        let file = read(&vault, path);
        let summary = db.article(path).unwrap().unwrap().summary;
        assert_eq!(line["feed"], summary.feed.as_str());
        assert!(path.starts_with(&format!("archive/{}/", summary.feed)), "{path}");
        assert_eq!(line["url"], file.url.as_str());
        assert_eq!(line["title"], file.title.as_str());
        assert_eq!(line["html"], file.body.as_str());
        assert_eq!(line["text"], html_to_text(&file.body).as_str());
        assert_eq!(line["content_hash"], file.content_hash().as_str());
        assert_eq!(line["published"], rfc3339(file.time.millis().unwrap()).as_str());
        assert_eq!(line["first_seen"], rfc3339(summary.first_seen_at).as_str());
        assert_eq!(line["revisions"], summary.revisions);
        let mut keys: Vec<&str> = line.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort();
        let expected =
            ["content_hash", "feed", "first_seen", "html", "path", "published", "revisions", "text", "title", "url"];
        assert_eq!(keys, expected);
    }
    let z2 = exported.iter().find(|l| l["title"] == "第二篇").unwrap();
    assert_eq!(z2["published"], "2022-09-18T02:00:00Z");
    let revised = exported.iter().find(|l| l["title"] == "中俄军事合作（更新）").expect("the current version");
    assert_eq!((revised["revisions"].as_u64(), revised["html"].as_str()), (Some(2), Some("<p>改写 2</p>")));
    let en = exported.iter().find(|l| l["title"] == "Rates & markets").unwrap();
    assert_eq!(en["text"], "one\ntwo", "paragraphs become lines");
    // Chinese is written as UTF-8, not \u escapes, and reads back intact; feed first.
    let text = String::from_utf8(output.stdout.clone()).unwrap();
    assert!(text.contains("\"title\":\"第二篇\""), "{text}");
    assert!(text.lines().all(|l| l.starts_with("{\"feed\":\"")), "{text}");
}

#[test]
fn jsonl_revisions_filters_and_a_file() {
    let (dir, vault) = vault();
    let with = jsonl(&vault, &["--revisions"]);
    let revised = with.iter().find(|l| l["title"] == "中俄军事合作（更新）").unwrap();
    let listed = revised["revisions"].as_array().unwrap();
    assert_eq!(listed.len(), 2);
    let kept = revision_files(&vault);
    assert_eq!(kept.len(), 2);
    let listed_paths: BTreeSet<&str> = listed.iter().map(|r| r["path"].as_str().unwrap()).collect();
    assert_eq!(listed_paths, kept.iter().map(String::as_str).collect());
    assert!(listed[0]["seen_at"].as_str() < listed[1]["seen_at"].as_str(), "oldest first: {listed:?}");
    assert_eq!(listed[0]["html"], ZH_BODY, "the first version as first archived");
    assert_eq!(listed[0]["title"], "中俄军事合作");
    assert_eq!(listed[0]["text"], "中俄军事合作正文一\n第二段");
    assert_eq!(listed[1]["html"], "<p>改写 1</p>");
    for revision in listed {
        let file = read(&vault, revision["path"].as_str().unwrap());
        assert_eq!(revision["html"], file.body.as_str());
        assert_eq!(revision["content_hash"], file.content_hash().as_str());
    }
    let plain = with.iter().find(|l| l["title"] == "第二篇").unwrap();
    assert_eq!(plain["revisions"], serde_json::json!([]));

    let titles = |lines: Vec<Value>| -> BTreeSet<String> {
        lines.iter().map(|l| l["title"].as_str().unwrap().to_owned()).collect()
    };
    let set = |titles: &[&str]| titles.iter().map(|t| t.to_string()).collect::<BTreeSet<_>>();
    assert_eq!(titles(jsonl(&vault, &["--feed", "en"])), set(&["Rates & markets", "Old news"]));
    // The 20th in Shanghai starts at 2022-09-19 16:00 UTC: z1 (20:00 UTC) is in.
    assert_eq!(titles(jsonl(&vault, &["--since", "2022-09-20"])), set(&["中俄军事合作（更新）", "Rates & markets"]));
    assert_eq!(titles(jsonl(&vault, &["--since", "2022-09-20", "--feed", "zh"])), set(&["中俄军事合作（更新）"]));
    assert!(jsonl(&vault, &["--since", "2030-01-01"]).is_empty());

    let out = dir.path().join("corpus.jsonl");
    feedvault(&vault)
        .args(["export", "jsonl"])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicates::str::contains("Exported 4 articles"));
    let stdout = feedvault(&vault).args(["export", "jsonl"]).assert().success().get_output().stdout.clone();
    assert_eq!(fs::read(&out).unwrap(), stdout, "the file holds what stdout gets");
}

#[test]
fn unreadable_files_are_reported_and_skipped() {
    let (_dir, vault) = vault();
    let files = articles(&vault);
    let gone = files.iter().find(|f| f.starts_with("archive/en/")).unwrap();
    let broken = files.iter().find(|f| read(&vault, f).title == "第二篇").unwrap();
    fs::remove_file(vault.join(gone)).unwrap();
    fs::write(vault.join(broken), "not an article\n").unwrap();
    let old = revision_files(&vault).into_iter().min().unwrap();
    fs::remove_file(vault.join(&old)).unwrap();

    let assert = feedvault(&vault).args(["export", "jsonl", "--revisions"]).assert().success();
    let output = assert.get_output();
    let exported = lines(&output.stdout);
    assert_eq!(exported.len(), 2);
    assert!(!paths(&exported).contains(gone) && !paths(&exported).contains(broken));
    let stderr = String::from_utf8(output.stderr.clone()).unwrap();
    for (path, why) in [(gone, "the file is missing"), (broken, "not an article file: line 1"), (&old, "missing")] {
        let said: Vec<&str> =
            stderr.lines().filter(|l| l.starts_with(&format!("feedvault: skipped {path}: "))).collect();
        assert!(said.len() == 1 && said[0].contains(why), "{stderr}");
    }
    assert!(stderr.contains("3 unreadable files skipped"), "{stderr}");
    let revised = exported.iter().find(|l| l["revisions"].as_array().is_some_and(|r| !r.is_empty())).unwrap();
    let missing = &revised["revisions"][0];
    assert_eq!((missing["path"].as_str(), missing["html"].is_null()), (Some(old.as_str()), true));
    assert!(!revised["revisions"][1]["html"].is_null());

    // The WARC leaves the same three out.
    let warc = vault.join("../out.warc");
    feedvault(&vault).args(["export", "warc"]).arg(&warc).assert().success();
    let records = parse_warc(&fs::read(&warc).unwrap());
    assert_eq!(records.len(), 1 + 2 + 1, "warcinfo, two articles, the one revision left");
}

#[test]
fn errors_are_one_line() {
    let (dir, vault) = vault();
    let one_line = |args: &[&str], code: i32, says: &str| {
        let out = feedvault(&vault).args(args).assert().code(code).get_output().clone();
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.starts_with("feedvault: ") && stderr.contains(says), "{stderr}");
        assert!(out.stdout.is_empty());
    };
    one_line(&["export", "jsonl", "--feed", "nope"], 2, "unknown feed \"nope\"");
    one_line(&["export", "jsonl", "--since", "2022-13-01"], 2, "--since \"2022-13-01\" is not a day");
    one_line(&["export", "jsonl", "--since", "yesterday"], 2, "YYYY-MM-DD");
    let nowhere = dir.path().join("no/such/folder/out.jsonl");
    one_line(&["export", "jsonl", nowhere.to_str().unwrap()], 1, "cannot write");
    let warc = dir.path().join("no/such/folder/out.warc.gz");
    one_line(&["export", "warc", warc.to_str().unwrap()], 1, "cannot write");
    one_line(&["export", "warc", dir.path().to_str().unwrap()], 1, "it is a folder");
    assert!(!dir.path().join("no").exists());
    // A removed feed's articles can still be exported by name.
    feedvault(&vault).args(["remove", "en"]).assert().success();
    assert_eq!(jsonl(&vault, &["--feed", "en"]).len(), 2);
}

/// A record as parsed back: its named fields and its block.
struct Record {
    fields: BTreeMap<String, String>,
    block: Vec<u8>,
    /// The record's bytes as written.
    raw: Vec<u8>,
}

/// Parses a WARC file strictly: version line, fields, a blank line, exactly
/// Content-Length bytes, two CRLFs.
fn parse_warc(mut bytes: &[u8]) -> Vec<Record> {
    let mut records = Vec::new();
    while !bytes.is_empty() {
        let end = bytes.windows(4).position(|w| w == b"\r\n\r\n").expect("a header end");
        let head = std::str::from_utf8(&bytes[..end]).unwrap();
        let mut head_lines = head.split("\r\n");
        assert_eq!(head_lines.next(), Some("WARC/1.1"));
        let fields: BTreeMap<String, String> = head_lines
            .map(|l| {
                let (k, v) = l.split_once(": ").unwrap();
                (k.to_owned(), v.to_owned())
            })
            .collect();
        let length: usize = fields["Content-Length"].parse().unwrap();
        let start = end + 4;
        let block = bytes[start..start + length].to_vec();
        assert_eq!(&bytes[start + length..start + length + 4], b"\r\n\r\n");
        let raw = bytes[..start + length + 4].to_vec();
        bytes = &bytes[start + length + 4..];
        records.push(Record { fields, block, raw });
    }
    records
}

/// RFC 4648 base32 with padding, written here independently of the exporter.
fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::new();
    for chunk in bytes.chunks(5) {
        let mut buf = [0u8; 5];
        buf[..chunk.len()].copy_from_slice(chunk);
        let n = buf.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
        let symbols = [0, 2, 4, 5, 7, 8][chunk.len()];
        for i in 0..8 {
            if i < symbols {
                out.push(ALPHABET[((n >> (35 - 5 * i)) & 31) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[test]
fn warc_records_match_the_vault_and_repeat_byte_for_byte() {
    let (dir, vault) = vault();
    let first = dir.path().join("a/out.warc");
    let second = dir.path().join("b/out.warc");
    let gz = dir.path().join("out.warc.gz");
    for path in [&first, &second, &gz] {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        feedvault(&vault)
            .args(["export", "warc"])
            .arg(path)
            .assert()
            .success()
            .stdout(predicates::str::contains("Exported 4 articles and 2 earlier versions"));
    }
    let bytes = fs::read(&first).unwrap();
    assert!(bytes == fs::read(&second).unwrap(), "the same vault exports to the same bytes");
    let records = parse_warc(&bytes);
    let (articles, revisions) = (articles(&vault), revision_files(&vault));
    assert_eq!(records.len(), 1 + articles.len() + revisions.len());

    let info = &records[0];
    assert_eq!(info.fields["WARC-Type"], "warcinfo");
    assert_eq!(info.fields["WARC-Filename"], "out.warc");
    assert!(String::from_utf8_lossy(&info.block).contains("software: feedvault/"));
    let db = Vault::open(&vault).unwrap();
    let mut ids = BTreeSet::new();
    let mut seen_files = BTreeSet::new();
    for record in &records {
        assert!(ids.insert(record.fields["WARC-Record-ID"].clone()), "record ids are unique");
        let id = &record.fields["WARC-Record-ID"];
        assert!(id.starts_with("<urn:uuid:") && id.ends_with('>') && id.len() == 47, "{id}");
        let expected = format!("sha256:{}", base32(&Sha256::digest(&record.block)));
        assert_eq!(record.fields["WARC-Block-Digest"], expected);
        if record.fields["WARC-Type"] != "resource" {
            continue;
        }
        assert_eq!(record.fields["WARC-Payload-Digest"], expected);
        assert_eq!(record.fields["Content-Type"], "text/markdown; charset=utf-8");
        assert_eq!(record.fields["WARC-Warcinfo-ID"], info.fields["WARC-Record-ID"]);
        let path = &record.fields["Feedvault-Path"];
        assert_eq!(record.block, fs::read(vault.join(path)).unwrap(), "the payload is the file's bytes");
        seen_files.insert(path.clone());
        let article = Article::from_file(&record.block).unwrap();
        assert_eq!(record.fields["WARC-Target-URI"], article.url);
        // WARC-Date: when this version was first seen.
        let current = path.split(".revisions/").next().unwrap();
        let current = if current == path { path.clone() } else { format!("{current}.md") };
        let detail = db.article(&current).unwrap().unwrap();
        let seen_at = match detail.revisions.iter().find(|r| &r.path == path) {
            Some(revision) => revision.seen_at,
            None => detail.summary.version_seen_at,
        };
        let date = chrono::DateTime::from_timestamp_millis(seen_at).unwrap();
        assert_eq!(record.fields["WARC-Date"], date.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    }
    let every_file: BTreeSet<String> = articles.iter().chain(&revisions).cloned().collect();
    assert_eq!(seen_files, every_file, "one record per version");
    // An article's versions in order: the revisions, oldest first, then the current one.
    let z1: Vec<&str> = records
        .iter()
        .filter(|r| r.fields.get("WARC-Target-URI").is_some_and(|u| u.ends_with("/z1")))
        .map(|r| r.fields["WARC-Date"].as_str())
        .collect();
    assert_eq!(z1.len(), 3);
    assert!(z1.windows(2).all(|w| w[0] <= w[1]), "{z1:?}");

    // .gz: one gzip member per record, decompressing to the same records.
    let compressed = fs::read(&gz).unwrap();
    let (mut rest, mut members, mut plain) = (&compressed[..], 0, Vec::new());
    while !rest.is_empty() {
        let mut member = flate2::bufread::GzDecoder::new(rest);
        member.read_to_end(&mut plain).unwrap();
        rest = member.into_inner();
        members += 1;
    }
    let unzipped = parse_warc(&plain);
    assert_eq!(members, records.len());
    assert_eq!(unzipped[0].fields["WARC-Filename"], "out.warc.gz");
    // The same resource records, but for the id of their file's warcinfo record.
    let info_id = |records: &[Record]| records[0].fields["WARC-Record-ID"].clone();
    assert_ne!(info_id(&unzipped), info_id(&records), "each file's warcinfo is its own record");
    let same = |r: &Record| {
        let raw = String::from_utf8(r.raw.clone()).unwrap();
        raw.replace(&info_id(&unzipped), "INFO").replace(&info_id(&records), "INFO")
    };
    assert_eq!(unzipped.len(), records.len());
    for (a, b) in unzipped[1..].iter().zip(&records[1..]) {
        assert!(same(a) == same(b), "a resource record differs in the .gz export");
    }
    feedvault(&vault).args(["export", "warc"]).arg(&gz).assert().success();
    assert!(compressed == fs::read(&gz).unwrap(), "the .gz export repeats byte for byte");
    let names: Vec<String> =
        fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    assert!(names.iter().all(|n| !n.ends_with(".tmp")), "no temporary file left: {names:?}");
}

#[test]
fn site_mirrors_every_article_and_refuses_a_foreign_folder() {
    let (_dir, vault) = vault();
    let out = vault.parent().unwrap().join("mirror");
    feedvault(&vault)
        .args(["export", "site"])
        .arg(&out)
        .args(["--lang", "zh"])
        .assert()
        .success()
        .stdout(predicates::str::contains("pages"));
    assert!(out.join("index.html").is_file());
    let index = fs::read_to_string(out.join("index.html")).unwrap();
    assert!(index.contains("lang=\"zh"), "the pages are in Chinese");
    let pages = walk_html(&out);
    assert!(pages >= articles(&vault).len(), "{pages} pages for {} articles", articles(&vault).len());
    // Again into the same folder: an earlier export is replaced.
    feedvault(&vault).args(["export", "site"]).arg(&out).assert().success();
    // A folder that is not an export is refused, and left alone.
    feedvault(&vault)
        .args(["export", "site"])
        .arg(vault.join("archive"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("refusing"));
    feedvault(&vault).args(["export", "site"]).arg(&out).args(["--lang", "fr"]).assert().code(2);
}

fn walk_html(dir: &Path) -> usize {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| if p.is_dir() { walk_html(&p) } else { usize::from(p.extension().is_some_and(|e| e == "html")) })
        .sum()
}
