//! Tests of the static mirror (`feedvault_web::site`): a real vault (two feeds,
//! Chinese and English articles, a revision, more articles than a page lists) is
//! exported, then every file of the tree is read back: every link of every page
//! resolves to a file in the tree, none is root-absolute or points at the server,
//! every article and revision has its page, two exports are byte-identical; and
//! the folders an export must refuse.

#[path = "../web/support.rs"]
#[allow(dead_code)]
mod support;

mod mirror;
mod target;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use feedvault_core::html::{Token, Tokens, attribute};
use feedvault_engine::{ArticleQuery, Page, Vault};
use percent_encoding::percent_decode_str;
use support::{Fixture, Item};

/// Attributes that hold an address (as the mirror's rewriting reads them).
pub const URL_ATTRIBUTES: [&str; 8] = ["href", "src", "cite", "action", "formaction", "poster", "data", "background"];

/// Markup an archived body may carry that must not reach a page of the mirror.
const HOSTILE: &str = concat!(
    "<form method=\"post\" action=\"http://127.0.0.1:8080/fetch\"><input name=\"csrf\"><button>go</button></form>",
    "<script>alert(1)</script><a href=\"javascript:alert(1)\">j</a><p style=\"color:red\">s</p>",
    "<a href=\"//feedvault.invalid/api/feeds\">api</a>"
);

/// Feed `nyt`: 55 Chinese articles over three days, one revised; feed `bbc`: three
/// English ones whose bodies link out and carry hostile markup.
pub fn fixture() -> Fixture {
    let zh = |revised: bool| -> Vec<(String, String, String, String)> {
        (0..55)
            .map(|i| {
                let body = if i == 1 && revised {
                    "<p>普京承认习近平的关切后，俄罗斯和中国承诺进一步加强合作。</p>".to_owned()
                } else {
                    format!("<p>第{i}篇报道：俄罗斯与中国承诺加强合作。</p>")
                };
                let date = format!("{:02} Sep 2022 {:02}:{:02}:00 +0800", 20 + i % 3, i % 24, i % 60);
                (format!("zh-{i}"), format!("第{i}篇：中俄承诺加强合作"), date, body)
            })
            .collect()
    };
    let first = zh(false);
    let fixture = Fixture::new("nyt", &items(&first));
    let en: Vec<(String, String, String, String)> = (0..3)
        .map(|i| {
            (
                format!("en-{i}"),
                format!("Story {i}: the cat sat on the mat"),
                format!("2{i} Sep 2022 09:00:00 +0000"),
                format!(
                    "<p>Story {i}, <a href=\"https://www.bbc.co.uk/news/{i}\">reported</a> with <img src=\"https://img.example.org/{i}.jpg\" alt=\"a cat\"> and <a href=\"/search?q=x\">a link home</a>.</p>{HOSTILE}"
                ),
            )
        })
        .collect();
    fixture.add_feed("bbc", &items(&en));
    fixture.update_feed("nyt", &items(&zh(true)));
    fixture
}

fn items(rows: &[(String, String, String, String)]) -> Vec<Item<'_>> {
    rows.iter().map(|(guid, title, date, body)| Item { date, ..Item::new(guid, title, body) }).collect()
}

/// A fresh reader of the fixture's vault (it sees what the last fetch committed).
pub fn vault(fixture: &Fixture) -> Arc<Vault> {
    Arc::new(Vault::open(&fixture.root()).unwrap())
}

/// Every article path of the vault.
pub fn all_articles(vault: &Vault) -> Vec<String> {
    let query = ArticleQuery { page: Page { number: 1, size: 10_000 }, ..Default::default() };
    vault.articles(&query).unwrap().items.into_iter().map(|a| a.path).collect()
}

/// Every file under `dir`, by its path relative to `dir` (with `/`).
pub fn read_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(path) = stack.pop() {
        for entry in std::fs::read_dir(&path).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            if entry.file_type().unwrap().is_dir() {
                stack.push(path);
            } else {
                let relative = path.strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
                files.insert(relative, std::fs::read(&path).unwrap());
            }
        }
    }
    files
}

/// Every address in the tags of `html` (attribute values, references decoded).
pub fn links(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for token in Tokens::new(html) {
        if let Token::Start { attrs, .. } = token {
            for name in URL_ATTRIBUTES {
                if let Some(value) = attribute(attrs, name) {
                    found.push(value.into_owned());
                }
            }
        }
    }
    found
}

/// The file a relative `link` in the file `from` names (both relative to the
/// tree), or `None` when it would leave the tree.
pub fn resolve(from: &str, link: &str) -> Option<String> {
    let path = link.split('#').next().unwrap_or("");
    if path.is_empty() {
        return Some(from.to_owned());
    }
    let mut parts: Vec<String> = from.split('/').map(str::to_owned).collect();
    parts.pop();
    for segment in path.split('/') {
        match segment {
            ".." => {
                parts.pop()?;
            }
            "." | "" => return None,
            other => parts.push(percent_decode_str(other).decode_utf8().ok()?.into_owned()),
        }
    }
    Some(parts.join("/"))
}

/// The file of an article's page in the tree.
pub fn article_file(path: &str) -> String {
    let href = feedvault_web::ids::article_href(path);
    let id = percent_decode_str(href.trim_start_matches('/')).decode_utf8().unwrap().into_owned();
    format!("{id}/index.html")
}
