//! The embedded search backend: a tantivy index on disk (or in memory for tests).
//!
//! # Thai strategy
//!
//! Thai is written without spaces between words, so tantivy's default tokenizer cannot split it
//! (it cuts at every combining mark and finds nothing). Two analyses are indexed instead:
//!
//! - `title` and `body` use a tokenizer built on charabia's dictionary segmentation
//!   (`segment_str()`, longest match), after [`words::normalize`]: NFC with Thai sara am composed
//!   (documents and queries alike), lower-cased, Thai digits
//!   mapped to ASCII (`มาตรา ๕` = `มาตรา 5`), Thai tone and vowel marks kept (charabia's own
//!   `tokenize()` lemma strips them, which would make `เสือ` tiger and `เสื้อ` shirt the same
//!   word). Exact word matches here rank highest, the title above the body.
//! - Longest match keeps dictionary compounds whole (`ส่วนบุคคล`, `ร่างพระราชบัญญัติ`), so a
//!   search for `บุคคล` or `พระราชบัญญัติ` would miss them. The unstored `grams` field therefore
//!   indexes every character bigram and trigram of each run of Thai characters of title and
//!   body, at the position of its first character. A Thai query word of two or more characters
//!   also matches as a phrase of its trigrams (a term for 2- or 3-character words), which is an
//!   exact substring match inside a Thai run, marks included. Runs are separated by a position
//!   gap so a phrase never spans a space or a Latin word. tantivy's `NgramTokenizer` is not used
//!   because it puts every gram at position 0, which rules out phrases.
//!
//! Queries are never given to tantivy's query parser: the words come from the same
//! normalisation and segmentation ([`words::words`]), so characters such as `"` `:` `(` `-` are
//! plain text. Every word must match (title, body, grams, or a fuzzy match for Latin words of
//! five letters or more), and a word of one character must match a whole word, so short
//! queries do not flood the results.
//!
//! # Snippets without segmenting
//!
//! `title` and `body` are indexed from words analysed once, at indexing; the texts are stored
//! in `title_text` and `body_text`, and where each word is in them in `title_words` and
//! `body_words` ([`word_offsets`]). A hit's snippet is cut and marked from those stored words:
//! a search never segments a document's text again, so its cost follows the hits' count, not
//! their texts' length and script.
//!
//! # Writes and reads
//!
//! tantivy allows one writer per index directory: it is taken on the first write and kept, and
//! a second process that tries to write gets [`SearchError::Unavailable`]. Each batch is one
//! commit, after which the reader is reloaded so the next search sees it; an on-disk index also
//! picks up another process's commits within about a second. All tantivy calls run on tokio's
//! blocking pool.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::ops::Bound;
use std::path::Path;
use std::sync::{Arc, Mutex};

use anyhow::{Context, anyhow};
use tantivy::collector::{Collector, Count, SegmentCollector, TopDocs};
use tantivy::columnar::StrColumn;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, FuzzyTermQuery, Occur,
    PhraseQuery, Query, RangeQuery, TermQuery,
};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions, Value,
};
use tantivy::tokenizer::{PreTokenizedString, TextAnalyzer, Token, TokenStream, Tokenizer};
use tantivy::{
    DocAddress, DocId, Index, IndexReader, IndexWriter, Order, ReloadPolicy, Score, SegmentOrdinal,
    SegmentReader, TantivyDocument, TantivyError, Term,
};

use crate::search::{
    DocKind, Facets, SearchDoc, SearchError, SearchFilter, SearchHit, SearchIndex, SearchQuery,
    SearchResult, SearchResults,
};
use crate::search::{read_at_directory::ReadAtDirectory, text, word_offsets};
use crate::text::{subwords, thai, words};

/// Name under which the word tokenizer is registered (title and body).
const WORDS_TOKENIZER: &str = "rabfang_words";
/// Name under which the Thai n-gram tokenizer is registered (`grams`).
const GRAMS_TOKENIZER: &str = "rabfang_thai_grams";
/// Decompressed blocks of stored documents kept per segment (tantivy keeps 100, each at least
/// 16 KiB, a draft's whole text where one is longer). An answer reads the stored fields of at
/// most a page of hits, once, and answers are kept (the API's kept answers): a few blocks
/// serve a page whose hits sit together, and the rest only held memory.
const DOC_STORE_CACHE_BLOCKS: usize = 8;
/// Memory for the single indexing thread. 64 MiB made the intake benchmark's peak 228 MiB;
/// 32 MiB made it 167 MiB, and the worker indexed the same backlog as fast (101 s against 102).
const WRITER_MEMORY: usize = 32 * 1024 * 1024;
/// Characters in a snippet (about).
const SNIPPET_CHARS: usize = 200;
/// Position gap between runs of Thai characters in `grams`, so phrases never span two runs.
const GRAM_RUN_GAP: usize = 8;
/// Longer query words are matched exactly only (no fuzzy automaton, no gram phrase).
const MAX_EXPANDED_WORD_CHARS: usize = 64;
/// Words of a query beyond this are ignored.
const MAX_QUERY_WORDS: usize = 32;

const TITLE_BOOST: Score = 3.0;
const BODY_BOOST: Score = 1.0;
const GRAMS_BOOST: Score = 0.5;
/// Fuzzy queries score a constant (their boost), kept below any exact match.
const FUZZY_TITLE_BOOST: Score = 0.6;
const FUZZY_BODY_BOOST: Score = 0.3;

/// Fast fields counted as facets, in the order of [`FacetCounts`].
const FACET_FIELDS: [&str; 4] = ["agency", "law_type", "status", "topic"];

/// The embedded tantivy index. Cheap to clone (shared state).
#[derive(Clone)]
pub struct EmbeddedIndex {
    inner: Arc<Inner>,
}

struct Inner {
    index: Index,
    reader: IndexReader,
    /// Taken on the first write, then kept: tantivy allows one writer per index directory, and
    /// a process that only searches (an API server next to a separate worker) never takes it.
    writer: Mutex<Option<IndexWriter>>,
    f: Fields,
    /// See [`EmbeddedIndex::recreated`].
    recreated: bool,
}

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    kind: Field,
    draft_id: Field,
    consultation_id: Field,
    provision_id: Field,
    title: Field,
    body: Field,
    title_text: Field,
    body_text: Field,
    title_words: Field,
    body_words: Field,
    grams: Field,
    agency: Field,
    status: Field,
    law_type: Field,
    topic: Field,
    stance: Field,
    province: Field,
    respondent_type: Field,
    date: Field,
}

impl fmt::Debug for EmbeddedIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmbeddedIndex").finish_non_exhaustive()
    }
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let words = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(WORDS_TOKENIZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let grams = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(GRAMS_TOKENIZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let fields = Fields {
        id: b.add_text_field("id", STRING | STORED),
        kind: b.add_text_field("kind", STRING | FAST | STORED),
        draft_id: b.add_i64_field("draft_id", INDEXED | FAST | STORED),
        consultation_id: b.add_i64_field("consultation_id", INDEXED | FAST | STORED),
        provision_id: b.add_text_field("provision_id", STRING | STORED),
        title: b.add_text_field("title", words.clone()),
        body: b.add_text_field("body", words),
        title_text: b.add_text_field("title_text", STORED),
        body_text: b.add_text_field("body_text", STORED),
        title_words: b.add_bytes_field("title_words", STORED),
        body_words: b.add_bytes_field("body_words", STORED),
        grams: b.add_text_field("grams", grams),
        agency: b.add_text_field("agency", STRING | FAST),
        status: b.add_text_field("status", STRING | FAST),
        law_type: b.add_text_field("law_type", STRING | FAST),
        topic: b.add_text_field("topic", STRING | FAST),
        stance: b.add_text_field("stance", STRING),
        province: b.add_text_field("province", STRING),
        respondent_type: b.add_text_field("respondent_type", STRING),
        date: b.add_i64_field("date", INDEXED | FAST),
    };
    (b.build(), fields)
}

impl EmbeddedIndex {
    /// Opens the index in `dir`, creating the directory and an empty index if needed.
    pub fn open(dir: &Path) -> anyhow::Result<EmbeddedIndex> {
        std::fs::create_dir_all(dir).with_context(|| {
            format!("cannot create the search index directory {}", dir.display())
        })?;
        let directory = ReadAtDirectory::open(dir)
            .with_context(|| format!("cannot open the search index directory {}", dir.display()))?;
        let (schema, fields) = schema();
        let cannot_open = || format!("cannot open the search index in {}", dir.display());
        let (index, recreated) = match Index::open_or_create(directory, schema.clone()) {
            Ok(index) => (index, false),
            // An index written by another version of Rabfang, with other fields: it is only a
            // copy of the database, so it is made again (see [`EmbeddedIndex::recreated`]).
            Err(TantivyError::SchemaError(reason)) => {
                tracing::warn!(
                    dir = %dir.display(),
                    reason,
                    "the search index was made by another version of Rabfang; it is emptied and \
                     will be rebuilt from the database"
                );
                std::fs::remove_dir_all(dir).with_context(cannot_open)?;
                std::fs::create_dir_all(dir).with_context(cannot_open)?;
                let directory = ReadAtDirectory::open(dir).with_context(cannot_open)?;
                (
                    Index::create(directory, schema, Default::default())
                        .with_context(cannot_open)?,
                    true,
                )
            }
            Err(e) => return Err(anyhow::Error::new(e).context(cannot_open())),
        };
        // Another process (a separate worker, `rabfang search reindex`) may write this index:
        // its commits are picked up within about a second. Our own commits reload at once.
        let mut opened = Self::from_index(index, fields, ReloadPolicy::OnCommitWithDelay)?;
        if let Some(inner) = Arc::get_mut(&mut opened.inner) {
            inner.recreated = recreated;
        }
        Ok(opened)
    }

    /// Whether opening found an index of another version and emptied it: the documents must
    /// be indexed again (`serve` queues a reindex job).
    pub fn recreated(&self) -> bool {
        self.inner.recreated
    }

    /// Takes the writer now, unless another process holds it (then `false`): a command beside
    /// a running server learns whether it may write the index itself.
    pub fn take_writer(&self) -> anyhow::Result<bool> {
        let mut guard = self
            .inner
            .writer
            .lock()
            .map_err(|_| anyhow!("the search index writer lock is poisoned"))?;
        if guard.is_some() {
            return Ok(true);
        }
        match self.inner.index.writer_with_num_threads(1, WRITER_MEMORY) {
            Ok(writer) => {
                *guard = Some(writer);
                Ok(true)
            }
            Err(TantivyError::LockFailure(..)) => Ok(false),
            Err(e) => Err(anyhow::Error::new(e).context("cannot take the search index writer")),
        }
    }

    /// A fresh index in memory, for tests.
    #[cfg(any(test, feature = "test-support"))]
    pub fn in_ram() -> anyhow::Result<EmbeddedIndex> {
        let (schema, fields) = schema();
        Self::from_index(Index::create_in_ram(schema), fields, ReloadPolicy::Manual)
    }

    fn from_index(index: Index, f: Fields, reload: ReloadPolicy) -> anyhow::Result<EmbeddedIndex> {
        index
            .tokenizers()
            .register(WORDS_TOKENIZER, TextAnalyzer::from(WordTokenizer));
        index
            .tokenizers()
            .register(GRAMS_TOKENIZER, TextAnalyzer::from(ThaiGramTokenizer));
        let reader = index
            .reader_builder()
            .reload_policy(reload)
            .doc_store_cache_num_blocks(DOC_STORE_CACHE_BLOCKS)
            .try_into()
            .context("cannot open a search index reader")?;
        Ok(EmbeddedIndex {
            inner: Arc::new(Inner {
                index,
                reader,
                writer: Mutex::new(None),
                f,
                recreated: false,
            }),
        })
    }

    /// For the search benchmark: runs the raw tantivy query of `query` for its top documents
    /// only, on the calling thread.
    #[doc(hidden)]
    pub fn raw_top_docs(&self, query: &SearchQuery) -> anyhow::Result<usize> {
        self.inner.top_docs_only(query)
    }

    /// Runs blocking tantivy work on the blocking thread pool.
    async fn blocking<T, F>(&self, work: F) -> SearchResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Inner) -> anyhow::Result<T> + Send + 'static,
    {
        let inner = Arc::clone(&self.inner);
        match tokio::task::spawn_blocking(move || work(&inner)).await {
            Ok(result) => result.map_err(search_error),
            Err(e) => Err(SearchError::Internal(anyhow!("search task failed: {e}"))),
        }
    }
}

impl EmbeddedIndex {
    /// Runs a search on the search threads, below the rest of the server's priority
    /// (`search/pool.rs`).
    async fn searching<T, F>(&self, work: F) -> SearchResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Inner) -> anyhow::Result<T> + Send + 'static,
    {
        let inner = Arc::clone(&self.inner);
        match super::pool::run(move || work(&inner)).await {
            Some(result) => result.map_err(search_error),
            None => Err(SearchError::Internal(anyhow!("the search failed"))),
        }
    }
}

/// A writer lock held by another process is temporary (retry later); anything else is internal.
fn search_error(e: anyhow::Error) -> SearchError {
    match e.downcast_ref::<TantivyError>() {
        Some(TantivyError::LockFailure(..)) => SearchError::Unavailable(format!("{e:#}")),
        _ => SearchError::Internal(e),
    }
}

impl Inner {
    /// Runs `ops` with the writer, then commits and reloads the reader so that the next search
    /// sees the change. On failure the uncommitted operations are rolled back.
    fn write(&self, ops: impl FnOnce(&IndexWriter) -> anyhow::Result<()>) -> anyhow::Result<()> {
        let mut guard = self
            .writer
            .lock()
            .map_err(|_| anyhow!("the search index writer lock is poisoned"))?;
        let writer = match &mut *guard {
            Some(writer) => writer,
            empty => empty.insert(
                self.index
                    .writer_with_num_threads(1, WRITER_MEMORY)
                    .context("cannot take the search index writer (another process may hold it)")?,
            ),
        };
        let result = ops(writer).and_then(|()| {
            writer
                .commit()
                .context("cannot commit the search index")
                .map(drop)
        });
        if let Err(e) = result {
            // Best effort: forget the half-applied batch; the error reported is the first one.
            let _ = writer.rollback();
            return Err(e);
        }
        self.reader
            .reload()
            .context("cannot reload the search index reader")
    }

    fn to_document(&self, d: &SearchDoc) -> TantivyDocument {
        let f = &self.f;
        let mut doc = TantivyDocument::default();
        doc.add_text(f.id, &d.id);
        doc.add_text(f.kind, d.kind.as_str());
        doc.add_i64(f.draft_id, d.draft_id);
        if let Some(c) = d.consultation_id {
            doc.add_i64(f.consultation_id, c);
        }
        let optional = [
            (f.provision_id, &d.provision_id),
            (f.status, &d.status),
            (f.law_type, &d.law_type),
            (f.stance, &d.stance),
            (f.respondent_type, &d.respondent_type),
            (f.province, &d.province),
        ];
        for (field, value) in optional {
            if let Some(v) = value {
                doc.add_text(field, v);
            }
        }
        for (indexed, stored, stored_words, text) in [
            (f.title, f.title_text, f.title_words, &d.title),
            (f.body, f.body_text, f.body_words, &d.body),
        ] {
            // Analysed once: indexed as these tokens, and where they are kept for snippets.
            let tokens = word_tokens(text);
            let words: Vec<word_offsets::Word<'_>> = tokens
                .iter()
                .map(|t| word_offsets::Word {
                    text: &t.text,
                    from: t.offset_from,
                    to: t.offset_to,
                })
                .collect();
            doc.add_bytes(stored_words, &word_offsets::encode(text, &words));
            doc.add_text(stored, text);
            doc.add_pre_tokenized_text(
                indexed,
                PreTokenizedString {
                    text: text.clone(),
                    tokens,
                },
            );
        }
        doc.add_text(
            f.grams,
            words::normalize(&format!("{}\n{}", d.title, d.body)),
        );
        doc.add_text(f.agency, &d.agency);
        let mut seen = HashSet::new();
        for t in &d.topics {
            if seen.insert(t.as_str()) {
                doc.add_text(f.topic, t);
            }
        }
        doc.add_i64(f.date, d.date);
        doc
    }

    fn term_query(field: Field, value: &str) -> Box<dyn Query> {
        Box::new(TermQuery::new(
            Term::from_field_text(field, value),
            IndexRecordOption::Basic,
        ))
    }

    fn i64_query(field: Field, value: i64) -> Box<dyn Query> {
        Box::new(TermQuery::new(
            Term::from_field_i64(field, value),
            IndexRecordOption::Basic,
        ))
    }

    /// The filter as required, non-scoring clauses.
    fn filter_clauses(&self, filter: &SearchFilter) -> Vec<(Occur, Box<dyn Query>)> {
        let f = &self.f;
        let mut must: Vec<Box<dyn Query>> = Vec::new();
        if !filter.kinds.is_empty() {
            let kinds = filter
                .kinds
                .iter()
                .map(|k| Self::term_query(f.kind, k.as_str()))
                .collect();
            must.push(Box::new(BooleanQuery::union(kinds)));
        }
        let any_of = [
            (f.agency, &filter.agency),
            (f.law_type, &filter.law_type),
            (f.topic, &filter.topic),
        ];
        for (field, values) in any_of {
            if !values.is_empty() {
                let terms = values.iter().map(|v| Self::term_query(field, v)).collect();
                must.push(Box::new(BooleanQuery::union(terms)));
            }
        }
        for (field, value) in [(f.status, &filter.status), (f.stance, &filter.stance)] {
            if let Some(v) = value {
                must.push(Self::term_query(field, v));
            }
        }
        if let Some(d) = filter.draft_id {
            must.push(Self::i64_query(f.draft_id, d));
        }
        if let Some(c) = filter.consultation_id {
            must.push(Self::i64_query(f.consultation_id, c));
        }
        match (filter.date_from, filter.date_to) {
            (Some(from), Some(to)) if from > to => must.push(Box::new(EmptyQuery)),
            (None, None) => {}
            (from, to) => {
                let bound = |b: Option<i64>| match b {
                    Some(v) => Bound::Included(Term::from_field_i64(f.date, v)),
                    None => Bound::Unbounded,
                };
                must.push(Box::new(RangeQuery::new(bound(from), bound(to))));
            }
        }
        must.into_iter()
            .map(|q| {
                (
                    Occur::Must,
                    Box::new(ConstScoreQuery::new(q, 0.0)) as Box<dyn Query>,
                )
            })
            .collect()
    }

    /// The ways one query word can match, as a union.
    fn word_query(&self, w: &QueryWord) -> Box<dyn Query> {
        let f = &self.f;
        let mut ways: Vec<(Occur, Box<dyn Query>)> = vec![
            (
                Occur::Should,
                Box::new(BoostQuery::new(
                    Self::term_query_freqs(f.title, &w.text),
                    TITLE_BOOST,
                )),
            ),
            (
                Occur::Should,
                Box::new(BoostQuery::new(
                    Self::term_query_freqs(f.body, &w.text),
                    BODY_BOOST,
                )),
            ),
        ];
        if let Some(distance) = w.fuzzy_distance {
            for (field, boost) in [(f.title, FUZZY_TITLE_BOOST), (f.body, FUZZY_BODY_BOOST)] {
                let fuzzy =
                    FuzzyTermQuery::new(Term::from_field_text(field, &w.text), distance, true);
                ways.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(fuzzy), boost)),
                ));
            }
        }
        if let Some(grams) = self.grams_query(w) {
            ways.push((Occur::Should, Box::new(BoostQuery::new(grams, GRAMS_BOOST))));
        }
        Box::new(BooleanQuery::new(ways))
    }

    fn term_query_freqs(field: Field, value: &str) -> Box<dyn Query> {
        Box::new(TermQuery::new(
            Term::from_field_text(field, value),
            IndexRecordOption::WithFreqs,
        ))
    }

    /// A Thai word of two or more characters as a substring of a Thai run: one bigram or
    /// trigram term, or a phrase of trigrams covering the word.
    fn grams_query(&self, w: &QueryWord) -> Option<Box<dyn Query>> {
        if !w.thai || w.chars.len() < 2 || w.chars.len() > MAX_EXPANDED_WORD_CHARS {
            return None;
        }
        let gram = |at: usize, n: usize| -> Term {
            let s: String = w.chars[at..at + n].iter().collect();
            Term::from_field_text(self.f.grams, &s)
        };
        let n = w.chars.len();
        if n <= 3 {
            return Some(Box::new(TermQuery::new(
                gram(0, n),
                IndexRecordOption::WithFreqs,
            )));
        }
        let mut offsets: Vec<usize> = (0..n - 3).step_by(3).collect();
        offsets.push(n - 3);
        let terms = offsets.into_iter().map(|at| (at, gram(at, 3))).collect();
        Some(Box::new(PhraseQuery::new_with_offset(terms)))
    }

    /// The tantivy query for a search, and the query's words.
    fn compile(&self, query: &SearchQuery) -> (Box<dyn Query>, Vec<QueryWord>) {
        let words = query_words(&query.q);
        let mut clauses = self.filter_clauses(&query.filter);
        for w in &words {
            clauses.push((Occur::Must, self.word_query(w)));
        }
        let tantivy_query: Box<dyn Query> = if clauses.is_empty() {
            Box::new(AllQuery)
        } else {
            if words.is_empty() {
                clauses.push((Occur::Must, Box::new(AllQuery)));
            }
            Box::new(BooleanQuery::new(clauses))
        };
        (tantivy_query, words)
    }

    /// The benchmark's reference: the same tantivy query, collecting only the top documents
    /// (no count, facets, stored fields or snippets).
    fn top_docs_only(&self, query: &SearchQuery) -> anyhow::Result<usize> {
        let (tantivy_query, _) = self.compile(query);
        let top = TopDocs::with_limit(query.limit.max(1)).order_by_score();
        Ok(self.reader.searcher().search(&tantivy_query, &top)?.len())
    }

    fn search(&self, query: &SearchQuery) -> anyhow::Result<SearchResults> {
        let (tantivy_query, words) = self.compile(query);

        let searcher = self.reader.searcher();
        let num_docs = usize::try_from(searcher.num_docs()).unwrap_or(usize::MAX);
        let offset = query.offset.min(num_docs);
        let wanted = query.limit.min(num_docs - offset);
        // TopDocs panics on a limit of 0: always ask for one and cut afterwards.
        let top = TopDocs::with_limit(wanted.max(1)).and_offset(offset);

        let (total, addresses, facets) = if words.is_empty() {
            let by_date = top.order_by_fast_field::<i64>("date", Order::Desc);
            let (total, docs, facets) =
                searcher.search(&tantivy_query, &(Count, by_date, FacetCounts))?;
            let docs: Vec<(Score, DocAddress)> = docs.into_iter().map(|(_, a)| (0.0, a)).collect();
            (total, docs, facets)
        } else {
            searcher.search(&tantivy_query, &(Count, top.order_by_score(), FacetCounts))?
        };

        let f = &self.f;
        let mut hits = Vec::with_capacity(wanted);
        for (score, address) in addresses.into_iter().take(wanted) {
            let doc: TantivyDocument = searcher.doc(address)?;
            let str_of = |field: Field| -> Option<String> {
                doc.get_first(field)
                    .and_then(|v| v.as_str())
                    .map(str::to_string)
            };
            let kind_str = str_of(f.kind).unwrap_or_default();
            let kind = DocKind::parse(&kind_str)
                .with_context(|| format!("unknown kind {kind_str:?} in the search index"))?;
            let title = str_of(f.title_text).unwrap_or_default();
            let body = str_of(f.body_text).unwrap_or_default();
            let bytes_of = |field: Field| doc.get_first(field).and_then(|v| v.as_bytes());
            let snippet = snippet(
                &words,
                Stored::new(&title, bytes_of(f.title_words)),
                Stored::new(&body, bytes_of(f.body_words)),
            );
            hits.push(SearchHit {
                id: str_of(f.id).unwrap_or_default(),
                kind,
                draft_id: doc
                    .get_first(f.draft_id)
                    .and_then(|v| v.as_i64())
                    .unwrap_or_default(),
                consultation_id: doc.get_first(f.consultation_id).and_then(|v| v.as_i64()),
                provision_id: str_of(f.provision_id),
                snippet,
                title,
                score,
            });
        }
        Ok(SearchResults {
            hits,
            total: total as u64,
            facets,
        })
    }

    fn similar_drafts(
        &self,
        draft_id: i64,
        text: &str,
        limit: usize,
    ) -> anyhow::Result<Vec<(i64, f32)>> {
        let terms = words::key_terms(text, 25);
        if terms.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let f = &self.f;
        let mut any_term: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for term in &terms {
            let w = QueryWord::new(term);
            any_term.push((Occur::Should, Self::term_query_freqs(f.title, term)));
            any_term.push((Occur::Should, Self::term_query_freqs(f.body, term)));
            if let Some(grams) = self.grams_query(&w) {
                any_term.push((Occur::Should, Box::new(BoostQuery::new(grams, GRAMS_BOOST))));
            }
        }
        let query = BooleanQuery::new(vec![
            (Occur::Must, Box::new(BooleanQuery::new(any_term))),
            (
                Occur::Must,
                Box::new(ConstScoreQuery::new(
                    Self::term_query(f.kind, DocKind::Draft.as_str()),
                    0.0,
                )),
            ),
            (Occur::MustNot, Self::i64_query(f.draft_id, draft_id)),
        ]);
        let searcher = self.reader.searcher();
        // Several documents of kind draft could share a draft id: take a few more, keep the best.
        let top = TopDocs::with_limit(limit.saturating_mul(2).min(1000)).order_by_score();
        let mut out: Vec<(i64, f32)> = Vec::new();
        for (score, address) in searcher.search(&query, &top)? {
            let doc: TantivyDocument = searcher.doc(address)?;
            let Some(id) = doc.get_first(f.draft_id).and_then(|v| v.as_i64()) else {
                continue;
            };
            if !out.iter().any(|(d, _)| *d == id) {
                out.push((id, score));
            }
            if out.len() == limit {
                break;
            }
        }
        Ok(out)
    }

    fn count(&self, kind: Option<DocKind>) -> anyhow::Result<u64> {
        let searcher = self.reader.searcher();
        let n = match kind {
            Some(k) => searcher.search(&*Self::term_query(self.f.kind, k.as_str()), &Count)?,
            None => searcher.search(&AllQuery, &Count)?,
        };
        Ok(n as u64)
    }
}

impl SearchIndex for EmbeddedIndex {
    async fn upsert(&self, docs: Vec<SearchDoc>) -> SearchResult<()> {
        if docs.is_empty() {
            return Ok(());
        }
        let mut docs = docs;
        docs.iter_mut().for_each(text::canonical_doc);
        self.blocking(move |inner| {
            inner.write(|writer| {
                for d in &docs {
                    // Deletes apply to documents added before them: an id given twice keeps the last.
                    writer.delete_term(Term::from_field_text(inner.f.id, &d.id));
                    writer
                        .add_document(inner.to_document(d))
                        .with_context(|| format!("cannot index {}", d.id))?;
                }
                Ok(())
            })
        })
        .await
    }

    async fn delete(&self, ids: Vec<String>) -> SearchResult<()> {
        if ids.is_empty() {
            return Ok(());
        }
        self.blocking(move |inner| {
            inner.write(|writer| {
                for id in &ids {
                    writer.delete_term(Term::from_field_text(inner.f.id, id));
                }
                Ok(())
            })
        })
        .await
    }

    async fn delete_draft_kind(&self, draft_id: i64, kind: DocKind) -> SearchResult<()> {
        self.blocking(move |inner| {
            inner.write(|writer| {
                let query = BooleanQuery::intersection(vec![
                    Inner::i64_query(inner.f.draft_id, draft_id),
                    Inner::term_query(inner.f.kind, kind.as_str()),
                ]);
                writer.delete_query(Box::new(query))?;
                Ok(())
            })
        })
        .await
    }

    async fn search(&self, query: &SearchQuery) -> SearchResult<SearchResults> {
        let query = query.clone();
        self.searching(move |inner| inner.search(&query)).await
    }

    async fn similar_drafts(
        &self,
        draft_id: i64,
        text: &str,
        limit: usize,
    ) -> SearchResult<Vec<(i64, f32)>> {
        let text = text.to_string();
        self.searching(move |inner| inner.similar_drafts(draft_id, &text, limit))
            .await
    }

    async fn count(&self, kind: Option<DocKind>) -> SearchResult<u64> {
        self.blocking(move |inner| inner.count(kind)).await
    }

    async fn clear(&self) -> SearchResult<()> {
        self.blocking(|inner| {
            inner.write(|writer| {
                writer.delete_query(Box::new(AllQuery))?;
                Ok(())
            })
        })
        .await
    }
}

// ---------------------------------------------------------------------------------------------
// Query words

/// A normalised word of a query, with what it may match besides itself.
struct QueryWord {
    text: String,
    chars: Vec<char>,
    /// Only Thai characters: also matched inside Thai compounds.
    thai: bool,
    /// Latin letters only and five or more: matched with this edit distance.
    fuzzy_distance: Option<u8>,
}

impl QueryWord {
    fn new(text: &str) -> QueryWord {
        let chars: Vec<char> = text.chars().collect();
        let thai = chars.iter().all(|&c| thai::is_thai(c));
        let latin = chars
            .iter()
            .all(|&c| c.is_alphabetic() && !thai::is_thai(c));
        let fuzzy_distance = match chars.len() {
            n if !latin || !(5..=MAX_EXPANDED_WORD_CHARS).contains(&n) => None,
            n if n >= 9 => Some(2),
            _ => Some(1),
        };
        QueryWord {
            text: text.to_string(),
            chars,
            thai,
            fuzzy_distance,
        }
    }

    /// How well a token of a document matches this word, for highlighting.
    fn highlight(&self, token: &str) -> Option<Score> {
        if token == self.text {
            Some(1.0)
        } else if self.thai && self.chars.len() >= 2 && token.contains(&self.text) {
            Some(0.8)
        } else {
            let d = self.fuzzy_distance?;
            (edit_distance(&self.chars, token, d) <= usize::from(d)).then_some(0.5)
        }
    }
}

/// The distinct words of a query, at most [`MAX_QUERY_WORDS`].
fn query_words(q: &str) -> Vec<QueryWord> {
    let mut seen = HashSet::new();
    words::words(q)
        .into_iter()
        .filter(|w| seen.insert(w.clone()))
        .take(MAX_QUERY_WORDS)
        .map(|w| QueryWord::new(&w))
        .collect()
}

/// Optimal string alignment distance (transpositions cost one, as tantivy's fuzzy query with
/// `transposition_cost_one`), giving up early with `max + 1` when lengths differ too much.
fn edit_distance(a: &[char], b: &str, max: u8) -> usize {
    let b: Vec<char> = b.chars().collect();
    let max = usize::from(max);
    if a.len().abs_diff(b.len()) > max {
        return max + 1;
    }
    let width = b.len() + 1;
    let mut rows = vec![vec![0usize; width]; a.len() + 1];
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        rows[i][0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = d;
        }
    }
    rows[a.len()][b.len()]
}

// ---------------------------------------------------------------------------------------------
// Snippets

/// The body (or, failing that, the title) around the matches, HTML-escaped, matches in `<mark>`;
/// the start of the text when nothing is highlighted.
fn snippet(words: &[QueryWord], title: Stored<'_>, body: Stored<'_>) -> String {
    if !words.is_empty() {
        for stored in [body, title] {
            if let Some(s) = highlight(words, stored) {
                return s;
            }
        }
    }
    let text = if body.text.trim().is_empty() {
        title.text
    } else {
        body.text
    };
    let mut start: String = text.chars().take(SNIPPET_CHARS).collect();
    if start.len() < text.len() {
        start.push('…');
    }
    escape_html(&start)
}

/// A stored text and, when the index has them, where its words are ([`word_offsets`]).
#[derive(Clone, Copy)]
struct Stored<'a> {
    text: &'a str,
    words: Option<&'a [u8]>,
}

impl<'a> Stored<'a> {
    fn new(text: &'a str, words: Option<&'a [u8]>) -> Stored<'a> {
        Stored { text, words }
    }

    /// The words inside `range` (offsets relative to its start), each with how well it
    /// matches the query: from the stored words, or by segmenting the range when there are
    /// none that fit. A word's weight is worked out once per distinct word.
    fn marked(&self, words: &[QueryWord], range: std::ops::Range<usize>) -> Vec<Marked> {
        let weigh = |token: &str| {
            words
                .iter()
                .filter_map(|w| w.highlight(token))
                .reduce(f32::max)
        };
        let part = &self.text[range.clone()];
        let Some(stored) = self
            .words
            .and_then(|w| word_offsets::words_in(w, self.text, range.clone()))
        else {
            return word_tokens(part)
                .into_iter()
                .map(|t| Marked {
                    from: t.offset_from,
                    to: t.offset_to,
                    weight: weigh(&t.text),
                })
                .collect();
        };
        let mut seen: HashMap<&str, Option<Score>> = HashMap::new();
        let mut marked = Vec::with_capacity(stored.len());
        for w in &stored {
            let weight = match w.normal {
                Some(normal) => weigh(normal),
                None => *seen
                    .entry(&part[w.from..w.to])
                    .or_insert_with(|| weigh(&word_offsets::normal_form(w, part))),
            };
            marked.push(Marked {
                from: w.from,
                to: w.to,
                weight,
            });
        }
        marked
    }
}

/// A word of a snippet's text: its byte range, and its weight when it matches the query.
struct Marked {
    from: usize,
    to: usize,
    weight: Option<Score>,
}

/// A candidate fragment of a snippet, as tantivy's snippet generator makes them.
struct Fragment {
    score: Score,
    start: usize,
    stop: usize,
    marks: Vec<std::ops::Range<usize>>,
}

impl Fragment {
    fn new(start: usize) -> Fragment {
        Fragment {
            score: 0.0,
            start,
            stop: start,
            marks: Vec::new(),
        }
    }
}

/// The best fragment of at most `max_bytes`: the words are cut into fragments in order, a new
/// one starting where a word would end past `max_bytes` from the fragment's start; a fragment
/// scores the weights of its matching words; the highest score wins, the earliest on a tie.
/// The same fragments, scores and choice as tantivy's `SnippetGenerator` (a test compares
/// them), without segmenting or lower-casing every word again.
fn best_fragment(marked: &[Marked], max_bytes: usize) -> Option<Fragment> {
    let mut fragments = Vec::new();
    let mut fragment = Fragment::new(0);
    for m in marked {
        if m.to - fragment.start > max_bytes {
            let next = Fragment::new(m.from);
            let done = std::mem::replace(&mut fragment, next);
            if done.score > 0.0 {
                fragments.push(done);
            }
        }
        fragment.stop = m.to;
        if let Some(weight) = m.weight {
            fragment.score += weight;
            fragment.marks.push(m.from..m.to);
        }
    }
    if fragment.score > 0.0 {
        fragments.push(fragment);
    }
    fragments.into_iter().max_by(|a, b| {
        a.score
            .partial_cmp(&b.score)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then_with(|| (b.start, b.stop).cmp(&(a.start, a.stop)))
    })
}

/// Texts longer than this many bytes are cut to a window around their matches before they
/// are segmented (see [`match_window`]); shorter ones are segmented whole.
const WINDOW_ABOVE_BYTES: usize = 4096;

/// The snippet of `text`: its best fragment around the query's words, or `None` when no word
/// of `text` matches. A long text is first cut to a window around the place where the query's
/// words occur most densely, found by a plain substring search, and only the window is
/// segmented: the cost follows the snippet, not the document.
fn highlight(words: &[QueryWord], stored: Stored<'_>) -> Option<String> {
    let text = stored.text;
    if text.is_empty() {
        return None;
    }
    // The generator's limit is in bytes: scale by the text's average bytes per character.
    let chars = text.chars().count().max(1);
    let max_bytes = SNIPPET_CHARS * text.len() / chars;
    if text.len() > WINDOW_ABOVE_BYTES {
        match match_window(words, text, max_bytes) {
            Window::Cut(from, to) => {
                if let Some(html) = highlight_in(words, stored, from..to, max_bytes) {
                    return Some(html);
                }
                // The words occur there only inside other words: look at the whole text.
            }
            Window::NoMatch => return None,
            Window::Whole => {}
        }
    }
    highlight_in(words, stored, 0..text.len(), max_bytes)
}

/// Where in a long text to look for a snippet.
#[derive(Debug, PartialEq)]
enum Window {
    /// The byte range of the original text around the densest matches.
    Cut(usize, usize),
    /// No word of the query can match in this text.
    NoMatch,
    /// Nothing cheap tells: segment the whole text.
    Whole,
}

/// The window of `text` to segment for a snippet of about `max_bytes`. A word of the text
/// matches a query word when it is the query word, contains it (Thai), or is near it (a
/// fuzzy Latin word): so the normalised text contains the query word where one of the first
/// two kinds of match is, and an alphanumeric run near the query word where the third is. The
/// window starts a little before the half fragment holding most such places (the first of
/// the best), and its ends are moved out to white space so that the words inside it are
/// segmented as in the whole text.
fn match_window(words: &[QueryWord], text: &str, max_bytes: usize) -> Window {
    let mut normal = String::with_capacity(text.len());
    // (where the character's folded form starts in `normal`, where it is in `text`)
    let mut starts: Vec<(usize, usize)> = Vec::with_capacity(text.len() / 2);
    for (original, c) in text.char_indices() {
        starts.push((normal.len(), original));
        words::fold_char(c, &mut normal);
    }
    let mut places: Vec<usize> = Vec::new();
    for w in words {
        places.extend(normal.match_indices(w.text.as_str()).map(|(at, _)| at));
    }
    if words.iter().any(|w| w.fuzzy_distance.is_some()) {
        let mut run_start = None;
        for (at, c) in normal.char_indices().chain([(normal.len(), ' ')]) {
            let in_run = c.is_alphanumeric() && !thai::is_thai(c);
            match (in_run, run_start) {
                (true, None) => run_start = Some(at),
                (false, Some(from)) => {
                    let run = &normal[from..at];
                    if words.iter().any(|w| {
                        w.fuzzy_distance
                            .is_some_and(|d| edit_distance(&w.chars, run, d) <= usize::from(d))
                    }) {
                        places.push(from);
                    }
                    run_start = None;
                }
                _ => {}
            }
        }
        if places.is_empty() {
            // A fuzzy match inside a run that is not a word by itself: only segmenting tells.
            return Window::Whole;
        }
    }
    if places.is_empty() {
        return Window::NoMatch;
    }
    places.sort_unstable();
    // The half fragment starting at a place with the most places; the first of the best.
    let span = max_bytes / 2;
    let mut best = (0, places[0]);
    let mut end = 0;
    for (i, &from) in places.iter().enumerate() {
        while end < places.len() && places[end] < from + span {
            end += 1;
        }
        if end - i > best.0 {
            best = (end - i, from);
        }
    }
    let centre = best.1;
    let original = |n: usize| -> usize {
        let i = starts.partition_point(|&(s, _)| s <= n).saturating_sub(1);
        starts.get(i).map_or(text.len(), |&(_, o)| o)
    };
    // The generator cuts fragments from the window's start: begin a little before the best
    // places so that the first fragment holds them with some words before; end far enough
    // on for a better fragment after them to be found too.
    let lead = max_bytes / 4;
    let from = original(centre.saturating_sub(lead));
    let to = if centre + 2 * max_bytes >= normal.len() {
        text.len()
    } else {
        original(centre + 2 * max_bytes)
    };
    Window::Cut(
        to_white_space_before(text, from, lead),
        to_white_space_after(text, to, max_bytes),
    )
}

/// `at`, moved back to just after white space (at most `limit` bytes back; else `at`).
fn to_white_space_before(text: &str, at: usize, limit: usize) -> usize {
    if at == 0 {
        return 0;
    }
    let floor = at.saturating_sub(limit);
    text[..at]
        .char_indices()
        .rev()
        .take_while(|&(i, _)| i >= floor)
        .find(|&(_, c)| c.is_whitespace())
        .map_or(at, |(i, c)| i + c.len_utf8())
}

/// `at`, moved on to the next white space (at most `limit` bytes on; else `at`).
fn to_white_space_after(text: &str, at: usize, limit: usize) -> usize {
    if at >= text.len() {
        return text.len();
    }
    text[at..]
        .char_indices()
        .take_while(|&(i, _)| i <= limit)
        .find(|&(_, c)| c.is_whitespace())
        .map_or(at, |(i, _)| at + i)
}

/// The snippet of `text[range]`, in `max_bytes`, with `…` where `text` goes on before or after.
fn highlight_in(
    words: &[QueryWord],
    stored: Stored<'_>,
    range: std::ops::Range<usize>,
    max_bytes: usize,
) -> Option<String> {
    let (offset, whole_len) = (range.start, stored.text.len());
    let marked = stored.marked(words, range.clone());
    let text = &stored.text[range];
    let fragment = best_fragment(&marked, max_bytes)?;
    let mut html = String::new();
    let mut at = fragment.start;
    for mark in &fragment.marks {
        html.push_str(&escape_html(&text[at..mark.start]));
        html.push_str("<mark>");
        html.push_str(&escape_html(&text[mark.clone()]));
        html.push_str("</mark>");
        at = mark.end;
    }
    html.push_str(&escape_html(&text[at..fragment.stop]));
    let mut out = String::with_capacity(html.len() + 8);
    if offset + fragment.start > 0 {
        out.push_str("… ");
    }
    out.push_str(html.trim());
    if offset + fragment.stop < whole_len {
        out.push_str(" …");
    }
    Some(out)
}

fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            _ => out.push(c),
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Tokenizers

/// A word of a text: normalised as [`words::normalize`] does, with its byte range in the
/// original text.
struct Word {
    text: String,
    from: usize,
    to: usize,
}

/// The same words as [`words::words`], with their byte ranges in `text` (needed by snippets).
/// `text` is in canonical form: documents are brought to it before they are indexed
/// ([`text::canonical_doc`]), and only their stored texts are analysed.
fn analyze(text: &str) -> Vec<Word> {
    // Normalise character by character, remembering where each character's output starts.
    let mut normal = String::with_capacity(text.len());
    let mut starts: Vec<(usize, usize)> = Vec::with_capacity(text.len());
    for (original, c) in text.char_indices() {
        starts.push((normal.len(), original));
        words::fold_char(c, &mut normal);
    }
    // The original character whose normalised output contains byte `n`.
    let char_at = |n: usize| starts.partition_point(|&(s, _)| s <= n).saturating_sub(1);
    let original_end = |i: usize| starts.get(i + 1).map_or(text.len(), |&(_, o)| o);

    let base = normal.as_ptr() as usize;
    let mut words = Vec::new();
    for segment in charabia::Segment::segment_str(&normal.as_str()) {
        let w = segment.trim();
        if !w.chars().any(char::is_alphanumeric) {
            continue;
        }
        let start = (w.as_ptr() as usize).wrapping_sub(base);
        let end = start.wrapping_add(w.len());
        if end > normal.len() || w.is_empty() {
            continue;
        }
        let (first, last) = (char_at(start), char_at(end - 1));
        let (Some(&(_, from)), to) = (starts.get(first), original_end(last)) else {
            continue;
        };
        words.push(Word {
            text: w.to_string(),
            from,
            to,
        });
    }
    words
}

/// Tokens collected up front, then handed out one by one.
struct VecTokenStream {
    tokens: Vec<Token>,
    next: usize,
    current: Token,
}

impl VecTokenStream {
    fn new(tokens: Vec<Token>) -> VecTokenStream {
        VecTokenStream {
            tokens,
            next: 0,
            current: Token::default(),
        }
    }
}

impl TokenStream for VecTokenStream {
    fn advance(&mut self) -> bool {
        match self.tokens.get_mut(self.next) {
            Some(token) => {
                self.current = std::mem::take(token);
                self.next += 1;
                true
            }
            None => false,
        }
    }

    fn token(&self) -> &Token {
        &self.current
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.current
    }
}

/// Words by charabia's segmentation, normalised, offsets in the original text.
#[derive(Clone, Copy, Default)]
struct WordTokenizer;

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = VecTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        VecTokenStream::new(word_tokens(text))
    }
}

/// The tokens [`WordTokenizer`] gives for `text`.
fn word_tokens(text: &str) -> Vec<Token> {
    analyze(text)
        .into_iter()
        .enumerate()
        .map(|(position, w)| Token {
            offset_from: w.from,
            offset_to: w.to,
            position,
            text: w.text,
            position_length: 1,
        })
        .collect()
}

/// Character bigrams and trigrams of each run of Thai characters, at the position of their
/// first character (runs separated by [`GRAM_RUN_GAP`]). The text is normalised by the caller.
#[derive(Clone, Copy, Default)]
struct ThaiGramTokenizer;

impl Tokenizer for ThaiGramTokenizer {
    type TokenStream<'a> = VecTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        VecTokenStream::new(thai_grams(text))
    }
}

fn thai_grams(text: &str) -> Vec<Token> {
    subwords::thai_char_grams(text, GRAM_RUN_GAP)
        .into_iter()
        .map(|g| Token {
            offset_from: g.from,
            offset_to: g.to,
            position: g.position,
            text: text[g.from..g.to].to_string(),
            position_length: 1,
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Facets

/// Counts the values of the facet fast fields over every matching document.
struct FacetCounts;

struct SegmentFacetCounts {
    columns: Vec<Option<StrColumn>>,
    counts: Vec<Vec<u64>>,
}

impl Collector for FacetCounts {
    type Fruit = Facets;
    type Child = SegmentFacetCounts;

    fn for_segment(
        &self,
        _segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentFacetCounts> {
        let fast = reader.fast_fields();
        let mut columns = Vec::with_capacity(FACET_FIELDS.len());
        let mut counts = Vec::with_capacity(FACET_FIELDS.len());
        for name in FACET_FIELDS {
            let column = fast.str(name)?;
            counts.push(vec![0; column.as_ref().map_or(0, |c| c.num_terms())]);
            columns.push(column);
        }
        Ok(SegmentFacetCounts { columns, counts })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, segments: Vec<Vec<BTreeMap<String, u64>>>) -> tantivy::Result<Facets> {
        let mut merged: [BTreeMap<String, u64>; 4] = Default::default();
        for segment in segments {
            for (into, from) in merged.iter_mut().zip(segment) {
                for (value, n) in from {
                    *into.entry(value).or_default() += n;
                }
            }
        }
        let [agency, law_type, status, topic] = merged;
        Ok(Facets {
            agency,
            law_type,
            status,
            topic,
        })
    }
}

impl SegmentCollector for SegmentFacetCounts {
    type Fruit = Vec<BTreeMap<String, u64>>;

    fn collect(&mut self, doc: DocId, _score: Score) {
        for (column, counts) in self.columns.iter().zip(self.counts.iter_mut()) {
            if let Some(column) = column {
                for ord in column.term_ords(doc) {
                    if let Some(n) = usize::try_from(ord).ok().and_then(|o| counts.get_mut(o)) {
                        *n += 1;
                    }
                }
            }
        }
    }

    fn harvest(self) -> Self::Fruit {
        let mut out = Vec::with_capacity(self.columns.len());
        for (column, counts) in self.columns.iter().zip(self.counts) {
            let mut values = BTreeMap::new();
            if let Some(column) = column {
                let mut value = String::new();
                for (ord, n) in counts.into_iter().enumerate() {
                    if n == 0 {
                        continue;
                    }
                    value.clear();
                    if column.ord_to_str(ord as u64, &mut value).unwrap_or(false) {
                        values.insert(value.clone(), n);
                    }
                }
            }
            out.push(values);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::snippet::SnippetGenerator;

    #[test]
    fn analyze_gives_the_shared_words_with_original_offsets() {
        let text = "ร่างพระราชบัญญัติคุ้มครองข้อมูลส่วนบุคคล มาตรา ๕ (Data Regulation)";
        let words = analyze(text);
        let texts: Vec<&str> = words.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(texts, words::words(text));
        for w in &words {
            assert_eq!(words::normalize(&text[w.from..w.to]), w.text);
        }
    }

    /// Where the words of `text` are, as the index stores them.
    fn stored_words(text: &str) -> Vec<u8> {
        let tokens = word_tokens(text);
        let words: Vec<word_offsets::Word<'_>> = tokens
            .iter()
            .map(|t| word_offsets::Word {
                text: &t.text,
                from: t.offset_from,
                to: t.offset_to,
            })
            .collect();
        word_offsets::encode(text, &words)
    }

    /// `text` stored with its words, as a hit is read from the index.
    fn highlight_stored(words: &[QueryWord], text: &str) -> Option<String> {
        let stored = stored_words(text);
        let from_stored = highlight(words, Stored::new(text, Some(&stored)));
        // The same as segmenting the text at search time, which the stored words replace.
        assert_eq!(from_stored, highlight(words, Stored::new(text, None)));
        from_stored
    }

    #[test]
    fn stored_words_are_the_analysed_words() {
        let text = "ร่างพระราชบัญญัติคุ้มครองข้อมูลส่วนบุคคล มาตรา ๕ (Data Regulation) ÉCOLE ﬁle Straße İ";
        let stored = stored_words(text);
        let decoded = word_offsets::words_in(&stored, text, 0..text.len()).unwrap();
        let expected = word_tokens(text);
        assert_eq!(decoded.len(), expected.len());
        for (a, b) in decoded.iter().zip(&expected) {
            assert_eq!(
                (word_offsets::normal_form(a, text), a.from, a.to),
                (b.text.clone(), b.offset_from, b.offset_to)
            );
        }
        assert!(stored.len() < text.len() / 2, "{} bytes", stored.len());
    }

    #[test]
    fn snippets_from_the_tokens_already_made_are_the_tokenizer_s_snippets() {
        let (_, f) = schema();
        let text = "ผู้ควบคุมข้อมูลส่วนบุคคลต้องแจ้ง ÉCOLE <b>&'มาตรา'</b> ๕ \"personal\" data ".repeat(12);
        let words = query_words("ข้อมูล Personal");
        let html = highlight_stored(&words, &text).expect("a snippet");
        assert!(html.contains("<mark>ข้อมูล</mark>"), "{html}");
        assert!(html.contains("<mark>personal</mark>"), "{html}");
        // What the generator gives when it segments the text itself.
        let mut terms = BTreeMap::new();
        for t in word_tokens(&text) {
            if let Some(weight) = words
                .iter()
                .filter_map(|w| w.highlight(&t.text))
                .reduce(f32::max)
            {
                terms.insert(t.text, weight);
            }
        }
        let max_bytes = SNIPPET_CHARS * text.len() / text.chars().count();
        let generator =
            SnippetGenerator::new(terms, TextAnalyzer::from(WordTokenizer), f.body, max_bytes);
        let mut snippet = generator.snippet(&text);
        snippet.set_snippet_prefix_postfix("<mark>", "</mark>");
        assert!(html.contains(snippet.to_html().trim()), "{html}");
    }

    /// The distinct marked words of a snippet.
    fn marks(html: &str) -> std::collections::BTreeSet<&str> {
        html.split("<mark>")
            .skip(1)
            .filter_map(|m| m.split("</mark>").next())
            .collect()
    }

    #[test]
    fn long_texts_are_segmented_only_around_their_matches() {
        let filler = "ร่างพระราชบัญญัตินี้ใช้บังคับเมื่อพ้นกำหนดเก้าสิบวัน มาตรา ๓ ในพระราชบัญญัตินี้ ";
        let cases = [
            ("ข้อมูล", "ผู้ควบคุมข้อมูลส่วนบุคคลต้องแจ้ง"),
            ("บุคคล", "ผู้ควบคุมข้อมูลส่วนบุคคลต้องแจ้ง"),
            ("regulaton", "the Data Regulation applies"),
            ("personal data", "personal data of the subject"),
            ("มาตรา ๙๙", "มาตรา 99 ให้ยกเลิก"),
        ];
        for (query, needle) in cases {
            let words = query_words(query);
            for at in [0, 40, 79] {
                let mut text = filler.repeat(80);
                let cut = text
                    .char_indices()
                    .nth(at * filler.chars().count())
                    .unwrap()
                    .0;
                text.insert_str(cut, needle);
                assert!(text.len() > WINDOW_ABOVE_BYTES);
                let max_bytes = SNIPPET_CHARS * text.len() / text.chars().count();
                let whole =
                    highlight_in(&words, Stored::new(&text, None), 0..text.len(), max_bytes)
                        .expect("a snippet of the whole text");
                let window = match_window(&words, &text, max_bytes);
                let Window::Cut(from, to) = window else {
                    panic!("{query}: {window:?}");
                };
                assert!(
                    to - from < 4 * max_bytes + 2 * max_bytes,
                    "{query}: {from}..{to}"
                );
                let html = highlight_stored(&words, &text).expect("a snippet");
                assert_eq!(
                    marks(&html),
                    marks(&whole),
                    "{query} at {at}: {html} / {whole}"
                );
                assert_eq!(html.starts_with("… "), whole.starts_with("… "), "{html}");
                assert_eq!(html.ends_with(" …"), whole.ends_with(" …"), "{html}");
            }
        }
        // No word of the query in a long text: nothing is segmented, as nothing would match.
        let text = filler.repeat(80);
        let words = query_words("สิ่งแวดล้อม");
        assert_eq!(match_window(&words, &text, 600), Window::NoMatch);
        assert_eq!(highlight_stored(&words, &text), None);
        assert_eq!(
            highlight_in(&words, Stored::new(&text, None), 0..text.len(), 600),
            None
        );
        // The densest place wins: three matches late beat one early.
        let mut text = format!("ข้อมูล {}", filler.repeat(40));
        text.push_str("ข้อมูล ข้อมูล ข้อมูล ");
        text.push_str(&filler.repeat(40));
        let words = query_words("ข้อมูล");
        let html = highlight_stored(&words, &text).expect("a snippet");
        assert_eq!(html.matches("<mark>").count(), 3, "{html}");
    }

    #[test]
    fn an_index_of_another_version_is_emptied_and_said_to_need_a_reindex() {
        let dir = tempfile::tempdir().unwrap();
        let mut b = Schema::builder();
        let body = b.add_text_field("body", tantivy::schema::TEXT | STORED);
        let old = Index::create_in_dir(dir.path(), b.build()).unwrap();
        let mut writer: IndexWriter = old.writer_with_num_threads(1, 15_000_000).unwrap();
        writer
            .add_document(tantivy::doc!(body => "an old document"))
            .unwrap();
        writer.commit().unwrap();
        drop((writer, old));

        let index = EmbeddedIndex::open(dir.path()).unwrap();
        assert!(index.recreated());
        assert_eq!(index.inner.count(None).unwrap(), 0);
        // Opened again, it is this version's index.
        drop(index);
        assert!(!EmbeddedIndex::open(dir.path()).unwrap().recreated());
    }

    #[test]
    fn grams_are_per_thai_run() {
        let grams = thai_grams("กขค ab งจ");
        let texts: Vec<(&str, usize)> = grams
            .iter()
            .map(|t| (t.text.as_str(), t.position))
            .collect();
        assert_eq!(
            texts,
            vec![("กข", 0), ("กขค", 0), ("ขค", 1), ("งจ", 3 + GRAM_RUN_GAP)]
        );
    }

    #[test]
    fn edit_distance_counts_transpositions_once() {
        let a: Vec<char> = "regulation".chars().collect();
        assert_eq!(edit_distance(&a, "regulaton", 2), 1);
        assert_eq!(edit_distance(&a, "rgeulation", 2), 1);
        assert_eq!(edit_distance(&a, "regu", 2), 3);
    }
}
