//! The segmentation study behind feedvault's choice of Chinese analysis: character
//! bigrams against a dictionary segmenter (jieba), on judged queries over feedvault's
//! own example articles and a slice of the synthetic corpus.
//!
//! jieba runs in its precise mode (`cut`, with HMM for unknown words) on article and
//! query alike, as a jieba tokenizer in the index would.
//!
//! A query's relevant articles are those that contain its text (after traditional/
//! simplified and width folding): what a reader searching a news archive for a
//! string expects. Each analyzer turns article and query into terms; an article
//! matches when the query's terms occur in it consecutively (a phrase), and a
//! one-character query with bigrams matches any term containing the character.

use std::path::Path;

use anyhow::Result;
use feedvault_search::analysis::{self, fold::fold_str, html::html_to_text};
use jieba_rs::Jieba;
use serde_json::json;

use crate::corpus;

/// Queries judged on the example articles (and the planted terms of the corpus).
const QUERIES: &[&str] = &[
    "普京",
    "习近平",
    "習近平",
    "军事合作",
    "軍事合作",
    "乌克兰",
    "京",
    "港",
    "长江",
    "航运",
    "冰川",
    "科考",
    "出口",
    "欧盟",
    "海关",
    "茶",
    "龙井",
    "杭州",
    "粮食",
    "走廊",
    "联合国",
    "双方",
    "分歧",
    "合作",
    "报告",
    "气候变化",
    "电动汽车",
    "反补贴",
    "俄方",
    "外交",
    "中俄",
    "雾霾",
    "京津冀",
    "科普",
    "帕特鲁舍夫",
];

struct Scores {
    recall: f64,
    precision: f64,
    queries: usize,
}

pub fn run(examples: &Path, corpus_docs: usize) -> Result<()> {
    let mut texts: Vec<String> = Vec::new();
    for entry in std::fs::read_dir(examples)? {
        let path = entry?.path();
        let feed = feedvault_feed::parse(&std::fs::read(&path)?, &feedvault_feed::ParseOptions::default())?;
        for item in feed.items {
            texts.push(format!("{}\n{}", item.title.as_deref().unwrap_or_default(), html_to_text(item.body_html())));
        }
    }
    let example_count = texts.len();
    for id in 0..corpus_docs {
        let article = corpus::article(id);
        texts.push(format!("{}\n{}", article.title, html_to_text(&article.body)));
    }
    let folded: Vec<String> = texts.iter().map(|t| fold_str(t).to_lowercase()).collect();
    let jieba = Jieba::new();
    let bigram_docs: Vec<Vec<String>> = texts.iter().map(|t| analysis::terms(t)).collect();
    let jieba_docs: Vec<Vec<String>> = folded.iter().map(|t| words(jieba.cut(t, true))).collect();

    let mut queries: Vec<&str> = QUERIES.to_vec();
    queries.extend(corpus::PLANTED.iter().filter(|q| !q.is_ascii()));
    let mut rows = Vec::new();
    let (mut bigram_total, mut jieba_total) = (Totals::default(), Totals::default());
    for query in &queries {
        let needle = fold_str(query);
        let relevant: Vec<usize> = (0..texts.len()).filter(|&i| folded[i].contains(&needle)).collect();
        if relevant.is_empty() {
            continue;
        }
        let bigram_terms = analysis::terms(query);
        let bigram_found: Vec<usize> =
            (0..texts.len()).filter(|&i| bigram_match(&bigram_docs[i], &bigram_terms)).collect();
        let jieba_terms = words(jieba.cut(&needle, true));
        let jieba_found: Vec<usize> =
            (0..texts.len()).filter(|&i| contains_run(&jieba_docs[i], &jieba_terms)).collect();
        let b = bigram_total.add(&relevant, &bigram_found);
        let j = jieba_total.add(&relevant, &jieba_found);
        rows.push(json!({"query": query, "relevant": relevant.len(),
            "bigram": {"recall": b.0, "precision": b.1}, "jieba": {"recall": j.0, "precision": j.1}}));
    }
    let summary = |t: &Totals| {
        let s = t.scores();
        json!({"mean_recall": s.recall, "mean_precision": s.precision, "queries": s.queries})
    };
    println!(
        "{}",
        json!({"benchmark": "segmentation", "example_articles": example_count, "corpus_articles": corpus_docs,
            "bigram": summary(&bigram_total), "jieba": summary(&jieba_total), "per_query": rows})
    );
    Ok(())
}

fn words(tokens: Vec<jieba_rs::Token<'_>>) -> Vec<String> {
    tokens.into_iter().map(|t| t.word.trim()).filter(|t| !t.is_empty()).map(str::to_owned).collect()
}

/// A phrase match; a one-character CJK query matches any term containing it.
fn bigram_match(doc: &[String], query: &[String]) -> bool {
    match query {
        [single] if single.chars().count() == 1 => doc.iter().any(|t| t.contains(single.as_str())),
        _ => contains_run(doc, query),
    }
}

fn contains_run(doc: &[String], query: &[String]) -> bool {
    !query.is_empty() && doc.windows(query.len()).any(|w| w == query)
}

#[derive(Default)]
struct Totals {
    recall: f64,
    precision: f64,
    queries: usize,
}

impl Totals {
    fn add(&mut self, relevant: &[usize], found: &[usize]) -> (f64, f64) {
        let hits = found.iter().filter(|i| relevant.contains(i)).count();
        let recall = hits as f64 / relevant.len() as f64;
        let precision = if found.is_empty() { 1.0 } else { hits as f64 / found.len() as f64 };
        self.recall += recall;
        self.precision += precision;
        self.queries += 1;
        (recall, precision)
    }

    fn scores(&self) -> Scores {
        let n = self.queries.max(1) as f64;
        Scores { recall: self.recall / n, precision: self.precision / n, queries: self.queries }
    }
}
