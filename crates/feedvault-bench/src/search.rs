//! The search benchmark: feedvault's index against SQLite FTS5 (trigram tokenizer)
//! over the same synthetic articles: indexing rate, index size, query latency p50/p99
//! for one-, two- and three-term queries and a phrase, and recall on judged queries
//! (planted terms whose every occurrence is known).

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Result;
use feedvault_search::{Document, Filters, Page, SearchIndex, Sort};
use rusqlite::Connection;
use serde_json::json;

use crate::corpus::{self, PLANTED, Rng};

/// Queries per kind for latency.
const QUERIES_PER_KIND: usize = 200;

pub fn run(docs: usize, dir: &Path, with_fts5: bool, reuse: bool) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    let index_dir = dir.join("index");
    let fts_path = dir.join("fts5.db");
    if reuse && index_dir.exists() && fts_path.exists() {
        return query_only(docs, &index_dir, &fts_path, with_fts5);
    }
    let _ = std::fs::remove_dir_all(&index_dir);
    let _ = std::fs::remove_file(&fts_path);

    // Ground truth for the judged queries, computed once while generating.
    let mut relevant: Vec<Vec<usize>> = vec![Vec::new(); PLANTED.len()];

    // Only the index's own work is timed: generating articles and computing the
    // ground truth happen outside the clock.
    let mut indexing = Duration::ZERO;
    let started = Instant::now();
    let mut index = SearchIndex::open(&index_dir)?;
    index.start_writing(2, 1_000_000_000)?;
    indexing += started.elapsed();
    let mut batch = Vec::with_capacity(10_000);
    for id in 0..docs {
        let article = corpus::article(id);
        judge(&article, id, &mut relevant);
        batch.push(Document {
            path: id.to_string(),
            feed: format!("feed-{}", id % 50),
            title: article.title,
            link: String::new(),
            published_ms: Some(article.published_ms),
            body_html: article.body,
        });
        if batch.len() == batch.capacity() {
            let started = Instant::now();
            index.upsert(batch.drain(..))?;
            indexing += started.elapsed();
        }
    }
    let started = Instant::now();
    index.upsert(batch.drain(..))?;
    index.commit()?;
    indexing += started.elapsed();
    let feedvault_seconds = indexing.as_secs_f64();
    let feedvault_bytes = folder_size(&index_dir);

    // FTS5 gets the same text feedvault indexes (HTML reduced to text, outside the
    // clock, as feedvault's own reduction is inside it: a small advantage to FTS5).
    let mut fts_time = Duration::ZERO;
    let mut fts = Connection::open(&fts_path)?;
    let docs_for_fts = if with_fts5 { docs } else { 0 };
    fts.execute_batch("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; CREATE VIRTUAL TABLE docs USING fts5(title, body, tokenize='trigram');")?;
    let tx = fts.transaction()?;
    {
        let mut insert = tx.prepare("INSERT INTO docs(rowid, title, body) VALUES (?1, ?2, ?3)")?;
        for id in 0..docs_for_fts {
            let article = corpus::article(id);
            let text = feedvault_search::analysis::html::html_to_text(&article.body);
            let started = Instant::now();
            insert.execute(rusqlite::params![id as i64, article.title, text])?;
            fts_time += started.elapsed();
        }
    }
    let started = Instant::now();
    tx.commit()?;
    fts_time += started.elapsed();
    let fts_seconds = fts_time.as_secs_f64();
    let fts_bytes = std::fs::metadata(&fts_path)?.len();

    println!(
        "{}",
        json!({
            "benchmark": "search-index", "docs": docs,
            "feedvault": {"seconds": feedvault_seconds, "docs_per_s": docs as f64 / feedvault_seconds, "bytes": feedvault_bytes},
            "fts5_trigram": {"seconds": fts_seconds, "docs_per_s": docs as f64 / fts_seconds, "bytes": fts_bytes},
            "indexing_ratio": fts_seconds / feedvault_seconds,
        })
    );

    measure_queries(&index, &fts, &relevant, true)
}

/// Queries an existing index and FTS5 database (built by an earlier run with the same
/// `--docs`), recomputing the ground truth from the generator.
fn query_only(docs: usize, index_dir: &Path, fts_path: &Path, with_fts5: bool) -> Result<()> {
    let mut relevant: Vec<Vec<usize>> = vec![Vec::new(); PLANTED.len()];
    for id in 0..docs {
        let article = corpus::article(id);
        judge(&article, id, &mut relevant);
    }
    let index = SearchIndex::open(index_dir)?;
    let fts = Connection::open(fts_path)?;
    measure_queries(&index, &fts, &relevant, with_fts5)
}

/// Latency (after one warm-up pass over every query, so both engines answer from
/// memory as a running server would) and recall on the judged queries.
fn measure_queries(index: &SearchIndex, fts: &Connection, relevant: &[Vec<usize>], with_fts5: bool) -> Result<()> {
    for (kind, queries) in query_sets() {
        for pass in 0..2 {
            let feedvault = latencies(&queries, |q| {
                index
                    .search(&q.feedvault, &Filters::default(), Page { number: 1, size: 20 }, Sort::Relevance)
                    .map(|_| ())
            })?;
            let mut statement = fts.prepare("SELECT rowid FROM docs WHERE docs MATCH ?1 ORDER BY rank LIMIT 20")?;
            let fts5 = if !with_fts5 {
                (f64::NAN, f64::NAN)
            } else {
                latencies(&queries, |q| {
                    statement
                        .query_map([&q.fts5], |r| r.get::<_, i64>(0))
                        .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
                        .map(|_| ())
                })?
            };
            if pass == 0 {
                continue; // warm-up
            }
            println!(
                "{}",
                json!({
                    "benchmark": "search-latency", "kind": kind, "queries": queries.len(),
                    "feedvault_ms": {"p50": feedvault.0, "p99": feedvault.1},
                    "fts5_trigram_ms": {"p50": fts5.0, "p99": fts5.1},
                    "p50_ratio": fts5.0 / feedvault.0,
                })
            );
        }
    }

    let mut recall = Vec::new();
    for (t, term) in PLANTED.iter().enumerate() {
        let want = &relevant[t];
        if want.is_empty() {
            continue;
        }
        let found_fv = index.search(
            &format!("\"{term}\""),
            &Filters::default(),
            Page { number: 1, size: 100_000 },
            Sort::Relevance,
        )?;
        let fv: Vec<usize> = found_fv.hits.iter().filter_map(|h| h.path.parse().ok()).collect();
        let mut statement = fts.prepare("SELECT rowid FROM docs WHERE docs MATCH ?1")?;
        let fts5: Vec<usize> = statement
            .query_map([format!("\"{term}\"")], |r| r.get::<_, i64>(0))?
            .filter_map(|r| r.ok().map(|id| id as usize))
            .collect();
        let score = |found: &[usize]| {
            let hits = found.iter().filter(|id| want.binary_search(id).is_ok()).count();
            let precision = if found.is_empty() { 1.0 } else { hits as f64 / found.len() as f64 };
            (hits as f64 / want.len() as f64, precision)
        };
        let (fv_recall, fv_precision) = score(&fv);
        let (fts_recall, fts_precision) = score(&fts5);
        recall.push(json!({"term": term, "relevant": want.len(),
            "feedvault": {"recall": fv_recall, "precision": fv_precision},
            "fts5_trigram": {"recall": fts_recall, "precision": fts_precision}}));
    }
    let mean = |key: &str, metric: &str| {
        recall.iter().map(|r| r[key][metric].as_f64().unwrap_or(0.0)).sum::<f64>() / recall.len().max(1) as f64
    };
    println!(
        "{}",
        json!({"benchmark": "search-recall", "judged_queries": recall.len(),
            "feedvault": {"recall": mean("feedvault", "recall"), "precision": mean("feedvault", "precision")},
            "fts5_trigram": {"recall": mean("fts5_trigram", "recall"), "precision": mean("fts5_trigram", "precision")},
            "per_query": recall})
    );
    Ok(())
}

/// Adds article `id` to the relevant set of every planted term it contains.
fn judge(article: &corpus::Article, id: usize, relevant: &mut [Vec<usize>]) {
    let text = format!("{}\n{}", article.title, article.body).to_lowercase();
    for (t, term) in PLANTED.iter().enumerate() {
        if text.contains(term) {
            relevant[t].push(id);
        }
    }
}

struct TestQuery {
    feedvault: String,
    fts5: String,
}

/// Query sets by kind (deterministic): terms are vocabulary words (Chinese words of
/// two to four characters, and English words, as readers type them); a phrase is
/// four consecutive characters of an article.
fn query_sets() -> Vec<(&'static str, Vec<TestQuery>)> {
    let mut rng = Rng::new(42);
    let vocabulary: Vec<&str> =
        corpus::ZH.iter().chain(corpus::EN).copied().filter(|w| w.chars().count() >= 2).collect();
    let mut sets = Vec::new();
    for (kind, terms) in [("1-term", 1), ("2-term", 2), ("3-term", 3), ("phrase", 0)] {
        let queries = (0..QUERIES_PER_KIND)
            .map(|_| {
                if terms == 0 {
                    let article = corpus::article(rng.below(1000));
                    let text = feedvault_search::analysis::html::html_to_text(&article.body);
                    let chars: Vec<char> =
                        text.chars().filter(|c| !c.is_whitespace() && !c.is_ascii() && *c != '。').collect();
                    let at = rng.below(chars.len().saturating_sub(4).max(1));
                    let phrase: String = chars[at..at + 4].iter().collect();
                    return TestQuery { feedvault: format!("\"{phrase}\""), fts5: format!("\"{phrase}\"") };
                }
                let words: Vec<&str> = (0..terms).map(|_| vocabulary[rng.below(vocabulary.len())]).collect();
                TestQuery {
                    feedvault: words.join(" "),
                    fts5: words.iter().map(|w| format!("\"{w}\"")).collect::<Vec<_>>().join(" AND "),
                }
            })
            .collect();
        sets.push((kind, queries));
    }
    sets
}

/// p50 and p99 latency in milliseconds.
fn latencies<E: std::fmt::Debug>(
    queries: &[TestQuery],
    mut run: impl FnMut(&TestQuery) -> Result<(), E>,
) -> Result<(f64, f64)> {
    let mut times: Vec<Duration> = Vec::with_capacity(queries.len());
    for query in queries {
        let started = Instant::now();
        run(query).map_err(|e| anyhow::anyhow!("query {:?} failed: {e:?}", query.feedvault))?;
        times.push(started.elapsed());
    }
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize].as_secs_f64() * 1000.0;
    Ok((at(0.5), at(0.99)))
}

fn folder_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(|e| e.ok()?.metadata().ok()).map(|m| m.len()).sum())
        .unwrap_or(0)
}
