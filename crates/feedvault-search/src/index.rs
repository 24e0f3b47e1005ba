//! The index: one tantivy document per article path, holding the current version.
//!
//! Fields: `path` (the key), `feed`, `title` (analyzed, for `title:`), `text` (what
//! ordinary terms match: the title [`TITLE_WEIGHT`] times, then the body text),
//! `body` (stored only, for snippets), `link`, `published` (a date, indexed and fast
//! for filters and sorting). Repeating the title in `text` is BM25F with a title
//! weight: a title match counts more, and every ordinary query stays a query on one
//! field, which keeps tantivy's fast paths (block-max WAND for the top hits, document
//! frequency for the count of a one-term query). Writing is upsert-by-path, so a
//! revision replaces the old version and an article is never found twice.

use std::ops::Bound;
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::Serialize;
use tantivy::collector::{Count, TopDocs};
use tantivy::directory::MmapDirectory;
use tantivy::query::{AllQuery, BooleanQuery, Occur, PhraseQuery, Query, RangeQuery, RegexQuery, TermQuery};
use tantivy::schema::{
    DateOptions, DateTimePrecision, FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions, Value,
};
use tantivy::{DocAddress, Index, IndexReader, IndexWriter, Order, ReloadPolicy, TantivyDocument, Term};

use crate::analysis::{self, ANALYZER, html::html_to_text};
use crate::query::{self, Filters, Needle, ParsedQuery, QueryError, Scope};
use crate::snippet::Highlighter;
use crate::{Result, SearchError};

/// How many times the title is indexed into `text` (BM25F title weight).
const TITLE_WEIGHT: usize = 3;
/// Longest snippet, in characters.
const SNIPPET_CHARS: usize = 160;

/// An article as the index receives it.
#[derive(Debug, Clone)]
pub struct Document {
    pub path: String,
    pub feed: String,
    pub title: String,
    pub link: String,
    /// Milliseconds since the epoch (the article's T), when known.
    pub published_ms: Option<i64>,
    /// The article's body HTML; reduced to text before indexing.
    pub body_html: String,
}

/// Which page of results, counted from 1.
#[derive(Debug, Clone, Copy)]
pub struct Page {
    pub number: usize,
    pub size: usize,
}

impl Default for Page {
    fn default() -> Self {
        Page { number: 1, size: 20 }
    }
}

/// Result order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Sort {
    #[default]
    Relevance,
    /// Newest first.
    Date,
}

/// One search hit, as `search --json` and the web API print it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Hit {
    pub title: String,
    pub link: String,
    pub path: String,
    /// RFC 3339, or null.
    pub published: Option<String>,
    /// HTML: the matched terms in `<b>`, everything else escaped.
    pub snippet: String,
    #[serde(skip)]
    pub feed: String,
}

/// A page of hits and how many there are in all.
#[derive(Debug, Clone, Default)]
pub struct SearchResults {
    /// How many articles match; at least this many when `total_is_exact` is false.
    pub total: usize,
    pub total_is_exact: bool,
    pub hits: Vec<Hit>,
}

/// Matches are counted exactly up to this many; beyond it the total is "more than".
pub const EXACT_COUNT_LIMIT: usize = 10_000;

/// Counts the live documents `query` matches, stopping at `limit`: the cost is
/// bounded by the limit, not by the number of matches (tantivy's `Count` visits all).
fn count_up_to(searcher: &tantivy::Searcher, query: &dyn Query, limit: usize) -> Result<(usize, bool)> {
    let weight = query.weight(tantivy::query::EnableScoring::disabled_from_searcher(searcher))?;
    let mut total = 0;
    for segment in searcher.segment_readers() {
        let mut scorer = weight.scorer(segment, 1.0)?;
        let alive = segment.alive_bitset();
        let mut doc = scorer.doc();
        while doc != tantivy::TERMINATED {
            if alive.is_none_or(|bits| bits.is_alive(doc)) {
                total += 1;
                if total >= limit {
                    return Ok((total, false));
                }
            }
            doc = scorer.advance();
        }
    }
    Ok((total, true))
}

/// A query ready to run.
struct Built {
    query: Box<dyn Query>,
    /// The terms to highlight in snippets.
    highlight: Vec<String>,
    counting: Counting,
}

/// How a query's total is counted.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Counting {
    /// One term: its document frequency, known without counting.
    Free,
    /// In the pass that finds the top hits (a phrase, which cannot skip anyway).
    WithTopHits,
    /// A pass of its own, exactly up to [`EXACT_COUNT_LIMIT`].
    UpTo,
}

/// The addresses `top` finds, and with `with_count` the number of matches, counted
/// in the same pass.
fn top_hits<S, C>(
    searcher: &tantivy::Searcher,
    query: &dyn Query,
    top: C,
    with_count: bool,
) -> Result<(Vec<DocAddress>, Option<usize>)>
where
    C: tantivy::collector::Collector<Fruit = Vec<(S, DocAddress)>>,
{
    let addresses = |hits: Vec<(S, DocAddress)>| hits.into_iter().map(|(_, a)| a).collect();
    if with_count {
        let (hits, count) = searcher.search(query, &(top, Count))?;
        Ok((addresses(hits), Some(count)))
    } else {
        Ok((addresses(searcher.search(query, &top)?), None))
    }
}

#[derive(Clone, Copy)]
struct Fields {
    path: Field,
    feed: Field,
    title: Field,
    text: Field,
    body: Field,
    link: Field,
    published: Field,
}

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let analyzed = TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(ANALYZER)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
        .set_stored();
    let fields = Fields {
        path: builder.add_text_field("path", STRING | STORED | FAST),
        feed: builder.add_text_field("feed", STRING | STORED),
        title: builder.add_text_field("title", analyzed.clone()),
        text: builder.add_text_field(
            "text",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(ANALYZER)
                    .set_index_option(IndexRecordOption::WithFreqsAndPositions),
            ),
        ),
        body: builder.add_text_field("body", STORED),
        link: builder.add_text_field("link", STORED),
        published: builder.add_date_field(
            "published",
            DateOptions::from(INDEXED).set_fast().set_stored().set_precision(DateTimePrecision::Seconds),
        ),
    };
    (builder.build(), fields)
}

/// The search index of a vault.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    writer: Option<IndexWriter>,
    fields: Fields,
    /// Documents added since the last commit.
    uncommitted: usize,
}

impl SearchIndex {
    /// Opens the index in `dir`, creating it when missing.
    pub fn open(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir).map_err(|source| SearchError::Io { path: dir.to_owned(), source })?;
        let (schema, fields) = schema();
        let index = Index::open_or_create(MmapDirectory::open(dir)?, schema)?;
        index.tokenizers().register(ANALYZER, analysis::analyzer());
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        Ok(SearchIndex { index, reader, writer: None, fields, uncommitted: 0 })
    }

    /// Opens the index in `dir` for searching only: the reader reloads by itself
    /// shortly after every commit, whichever process made it, so a server sees what
    /// a fetch in another process just indexed.
    pub fn open_reader(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir).map_err(|source| SearchError::Io { path: dir.to_owned(), source })?;
        let (schema, fields) = schema();
        let index = Index::open_or_create(MmapDirectory::open(dir)?, schema)?;
        index.tokenizers().register(ANALYZER, analysis::analyzer());
        let reader = index.reader_builder().reload_policy(ReloadPolicy::OnCommitWithDelay).try_into()?;
        Ok(SearchIndex { index, reader, writer: None, fields, uncommitted: 0 })
    }

    /// Replaces whatever is in `dir` (an index of an older schema, a damaged one)
    /// with a new, empty index. The index is derived data: `reindex` refills it.
    pub fn recreate(dir: &Path) -> Result<Self> {
        match std::fs::remove_dir_all(dir) {
            Err(source) if source.kind() != std::io::ErrorKind::NotFound => {
                return Err(SearchError::Io { path: dir.to_owned(), source });
            }
            _ => {}
        }
        Self::open(dir)
    }

    /// Prepares for writing with `threads` indexing threads sharing `heap_bytes`.
    pub fn start_writing(&mut self, threads: usize, heap_bytes: usize) -> Result<()> {
        if self.writer.is_none() {
            self.writer =
                Some(self.index.writer_with_num_threads(threads.max(1), heap_bytes.max(15_000_000 * threads))?);
        }
        Ok(())
    }

    fn writer(&mut self) -> Result<&mut IndexWriter> {
        if self.writer.is_none() {
            self.start_writing(1, 50_000_000)?;
        }
        Ok(self.writer.as_mut().expect("just started"))
    }

    /// Adds articles, replacing any earlier version indexed under the same path.
    pub fn upsert(&mut self, documents: impl IntoIterator<Item = Document>) -> Result<()> {
        let fields = self.fields;
        let writer = self.writer()?;
        let mut added = 0;
        for document in documents {
            writer.delete_term(Term::from_field_text(fields.path, &document.path));
            let mut doc = TantivyDocument::new();
            doc.add_text(fields.path, &document.path);
            doc.add_text(fields.feed, &document.feed);
            let body = html_to_text(&document.body_html);
            doc.add_text(fields.title, &document.title);
            for _ in 0..TITLE_WEIGHT {
                doc.add_text(fields.text, &document.title);
            }
            doc.add_text(fields.text, &body);
            doc.add_text(fields.body, body);
            doc.add_text(fields.link, &document.link);
            if let Some(ms) = document.published_ms {
                doc.add_date(fields.published, tantivy::DateTime::from_timestamp_millis(ms));
            }
            writer.add_document(doc)?;
            added += 1;
        }
        self.uncommitted += added;
        Ok(())
    }

    /// Documents added since the last commit (long runs commit now and then, which
    /// bounds the writer's memory).
    pub fn uncommitted(&self) -> usize {
        self.uncommitted
    }

    /// Makes everything written so far durable and searchable.
    pub fn commit(&mut self) -> Result<()> {
        if let Some(writer) = self.writer.as_mut() {
            writer.commit()?;
            self.reader.reload()?;
            self.uncommitted = 0;
        }
        Ok(())
    }

    /// Number of documents searchable now.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// The path of every indexed document, read from the `path` column (no stored
    /// document is loaded, so checking a large index stays cheap).
    pub fn paths(&self) -> Result<Vec<String>> {
        let searcher = self.reader.searcher();
        let mut paths = Vec::new();
        for segment in searcher.segment_readers() {
            let Some(column) = segment.fast_fields().str("path")? else { continue };
            for doc_id in segment.doc_ids_alive() {
                for ord in column.term_ords(doc_id) {
                    let mut path = String::new();
                    column.ord_to_str(ord, &mut path).map_err(tantivy::TantivyError::from)?;
                    paths.push(path);
                }
            }
        }
        paths.sort();
        Ok(paths)
    }

    /// Runs a query in the query language with extra filters.
    pub fn search(&self, query_text: &str, filters: &Filters, page: Page, sort: Sort) -> Result<SearchResults> {
        let parsed = query::parse(query_text)?;
        if parsed.required.is_empty() && parsed.feeds.is_empty() && filters.feed.is_none() {
            return Err(QueryError::Empty.into());
        }
        let Built { query, highlight, counting } = self.build(&parsed, filters);
        let searcher = self.reader.searcher();
        let limit = page.size.max(1);
        let offset = (page.number.max(1) - 1) * limit;
        let top = TopDocs::with_limit(limit).and_offset(offset);
        // Top hits and the total are two passes for term queries on purpose: alone,
        // the top-k pass can skip blocks that cannot make the top (block-max WAND)
        // and the count pass needs no scores; together they would score every match.
        // A phrase cannot skip (its positions are read for every candidate), so one
        // pass does both, and counts exactly.
        let with_count = counting == Counting::WithTopHits;
        let (addresses, counted) = match sort {
            Sort::Relevance => top_hits(&searcher, query.as_ref(), top.order_by_score(), with_count)?,
            Sort::Date => {
                let by_date = top.order_by_fast_field::<tantivy::DateTime>("published", Order::Desc);
                top_hits(&searcher, query.as_ref(), by_date, with_count)?
            }
        };
        let (total, total_is_exact) = match (counted, counting) {
            (Some(count), _) => (count, true),
            (None, Counting::Free) => (searcher.search(&query, &Count)?, true), // the document frequency
            (None, _) => count_up_to(&searcher, query.as_ref(), EXACT_COUNT_LIMIT)?,
        };
        let highlighter = Highlighter::new(highlight);
        let mut hits = Vec::with_capacity(addresses.len());
        for address in addresses {
            let doc: TantivyDocument = searcher.doc(address)?;
            let text = |field: Field| doc.get_first(field).and_then(|v| v.as_str()).unwrap_or("").to_owned();
            let snippet = highlighter.snippet(&text(self.fields.body), SNIPPET_CHARS);
            let published = doc
                .get_first(self.fields.published)
                .and_then(|v| v.as_datetime())
                .and_then(|d| DateTime::<Utc>::from_timestamp(d.into_timestamp_secs(), 0))
                .map(|d| d.to_rfc3339());
            hits.push(Hit {
                title: text(self.fields.title),
                link: text(self.fields.link),
                path: text(self.fields.path),
                published,
                snippet,
                feed: text(self.fields.feed),
            });
        }
        Ok(SearchResults { total, total_is_exact, hits })
    }

    /// The tantivy query for a parsed query, the terms to highlight, and how its
    /// total is best counted.
    fn build(&self, parsed: &ParsedQuery, filters: &Filters) -> Built {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut highlight = Vec::new();
        let mut phrase = false;
        for group in &parsed.required {
            let mut alternatives: Vec<(Occur, Box<dyn Query>)> = group
                .iter()
                .filter_map(|needle| {
                    let (query, terms) = self.needle_query(needle)?;
                    phrase |= terms.len() > 1;
                    highlight.extend(terms);
                    Some((Occur::Should, query))
                })
                .collect();
            match alternatives.len() {
                0 => {}
                1 => clauses.push((Occur::Must, alternatives.pop().expect("one alternative").1)),
                _ => clauses.push((Occur::Must, Box::new(BooleanQuery::new(alternatives)))),
            }
        }
        for needle in &parsed.excluded {
            // Text or title (the title is inside `text`, so the set is the same): a
            // union, because tantivy 0.27's exclusion seeks a bare phrase scorer
            // backwards on creation (its debug assertion fires); a union seeks safely.
            let title_only = Needle { text: needle.text.clone(), scope: Scope::Title };
            if let (Some((in_text, _)), Some((in_title, _))) =
                (self.needle_query(needle), self.needle_query(&title_only))
            {
                let either = BooleanQuery::new(vec![(Occur::Should, in_text), (Occur::Should, in_title)]);
                clauses.push((Occur::MustNot, Box::new(either)));
            }
        }
        let feeds: Vec<&String> = parsed.feeds.iter().chain(filters.feed.as_ref()).collect();
        if !feeds.is_empty() {
            let any_feed = feeds
                .into_iter()
                .map(|f| -> (Occur, Box<dyn Query>) {
                    let term = Term::from_field_text(self.fields.feed, f);
                    (Occur::Should, Box::new(TermQuery::new(term, IndexRecordOption::Basic)))
                })
                .collect();
            clauses.push((Occur::Must, Box::new(BooleanQuery::new(any_feed))));
        }
        let after = later(parsed.after, filters.since);
        let before = earlier(parsed.before, filters.until);
        if after.is_some() || before.is_some() {
            let bound = |t: Option<DateTime<Utc>>, inclusive: bool| match t {
                None => Bound::Unbounded,
                Some(t) => {
                    let term = Term::from_field_date_for_search(
                        self.fields.published,
                        tantivy::DateTime::from_timestamp_secs(t.timestamp()),
                    );
                    if inclusive { Bound::Included(term) } else { Bound::Excluded(term) }
                }
            };
            clauses.push((Occur::Must, Box::new(RangeQuery::new(bound(after, true), bound(before, false)))));
        }
        if clauses.iter().all(|(occur, _)| *occur == Occur::MustNot) {
            clauses.push((Occur::Must, Box::new(AllQuery)));
        }
        // A lone required clause is the query itself: its own fast paths apply.
        let counting = if phrase { Counting::WithTopHits } else { Counting::UpTo };
        if let [(Occur::Must, _)] = clauses.as_slice() {
            let (_, query) = clauses.pop().expect("one clause");
            let one_term = highlight.len() == 1 && !is_single_cjk(&highlight[0]);
            return Built { query, highlight, counting: if one_term { Counting::Free } else { counting } };
        }
        Built { query: Box::new(BooleanQuery::new(clauses)), highlight, counting }
    }

    /// The query for one word or phrase over its scope, and its terms.
    fn needle_query(&self, needle: &Needle) -> Option<(Box<dyn Query>, Vec<String>)> {
        let terms = analysis::terms(&needle.text);
        if terms.is_empty() {
            return None;
        }
        let field = match needle.scope {
            Scope::Title => self.fields.title,
            Scope::TitleOrBody => self.fields.text,
        };
        let query: Box<dyn Query> = match terms.as_slice() {
            [single] if is_single_cjk(single) => single_character(field, single),
            [single] => Box::new(TermQuery::new(Term::from_field_text(field, single), IndexRecordOption::WithFreqs)),
            many => Box::new(PhraseQuery::new(many.iter().map(|t| Term::from_field_text(field, t)).collect())),
        };
        Some((query, terms))
    }
}

/// True for a term that is one CJK character (a query of one character).
fn is_single_cjk(term: &str) -> bool {
    let mut chars = term.chars();
    matches!((chars.next(), chars.next()), (Some(c), None) if analysis::tokenizer::is_cjk_letter(c))
}

/// One character is indexed inside the bigrams around it (or alone when it stood
/// alone), so it matches its unigram or any bigram that starts or ends with it.
fn single_character(field: Field, character: &str) -> Box<dyn Query> {
    let mut alternatives: Vec<(Occur, Box<dyn Query>)> = vec![(
        Occur::Should,
        Box::new(TermQuery::new(Term::from_field_text(field, character), IndexRecordOption::WithFreqs)),
    )];
    for pattern in [format!("{character}."), format!(".{character}")] {
        if let Ok(regex) = RegexQuery::from_pattern(&pattern, field) {
            alternatives.push((Occur::Should, Box::new(regex)));
        }
    }
    Box::new(BooleanQuery::new(alternatives))
}

fn later(a: Option<DateTime<Utc>>, b: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    a.into_iter().chain(b).max()
}

fn earlier(a: Option<DateTime<Utc>>, b: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    a.into_iter().chain(b).min()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counting_stops_at_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let mut index = SearchIndex::open(dir.path()).unwrap();
        let docs = (0..5).map(|i| Document {
            path: format!("p{i}"),
            feed: "f".into(),
            title: format!("title {i}"),
            link: String::new(),
            published_ms: None,
            body_html: "<p>common words 中文</p>".into(),
        });
        index.upsert(docs).unwrap();
        index.commit().unwrap();
        let Built { query, counting, .. } = index.build(&query::parse("common words").unwrap(), &Filters::default());
        assert!(counting == Counting::UpTo, "two words: counted on their own");
        let searcher = index.reader.searcher();
        assert_eq!(count_up_to(&searcher, query.as_ref(), 3).unwrap(), (3, false));
        assert_eq!(count_up_to(&searcher, query.as_ref(), 100).unwrap(), (5, true));
        assert!(index.build(&query::parse("common").unwrap(), &Filters::default()).counting == Counting::Free);
        let results = index.search("words 中文", &Filters::default(), Page::default(), Sort::Relevance).unwrap();
        assert_eq!((results.total, results.total_is_exact), (5, true));
        // A phrase (quoted words, or a Chinese word of three or more characters, whose
        // bigrams are one) is counted in the pass that finds its top hits, exactly,
        // whatever the page and the order.
        for text in ["\"common words\"", "\"words 中文\"", "中文字 common"] {
            assert!(index.build(&query::parse(text).unwrap(), &Filters::default()).counting == Counting::WithTopHits);
        }
        for sort in [Sort::Relevance, Sort::Date] {
            let page = Page { number: 2, size: 2 };
            let results = index.search("\"common words\"", &Filters::default(), page, sort).unwrap();
            assert_eq!((results.total, results.total_is_exact, results.hits.len()), (5, true, 2), "{sort:?}");
        }
        let none = index.search("\"words common\"", &Filters::default(), Page::default(), Sort::Relevance).unwrap();
        assert_eq!((none.total, none.hits.len()), (0, 0), "the words in the other order are not the phrase");
    }
}
