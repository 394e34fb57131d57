//! The contract every search backend passes, whatever it is built on.
//!
//! Each function takes a fresh, empty index, writes the documents it needs, and panics with a
//! message saying what went wrong. A backend's tests call every function here once, each on a
//! new index:
//!
//! ```ignore
//! #[tokio::test]
//! async fn thai_words_are_found_inside_compounds() {
//!     contract::thai_words_are_found_inside_compounds(&EmbeddedIndex::in_ram().unwrap()).await;
//! }
//! ```

//! # Where the backends differ
//!
//! - Thai marks: Meilisearch's normaliser removes Thai tone and vowel marks, so `เสือ` (tiger)
//!   and `เสื้อ` (shirt) are one word there. [`thai_marks_distinguish_words`] is therefore run
//!   on the embedded index only. Every other function here holds for both.
//! - Within the contract, related drafts differ in who else comes back: the embedded index
//!   returns every draft sharing any key term; Meilisearch (strategy `last` on the terms, most
//!   frequent first) only drafts sharing the most frequent one.
//! - A full rebuild (`service::indexing::reindex`) swaps a filled Meilisearch index in at once;
//!   the embedded index is cleared and filled in place.

use std::collections::{BTreeMap, BTreeSet};

use crate::search::{DocKind, SearchDoc, SearchFilter, SearchIndex, SearchQuery, SearchResults};

/// A test document with only the required fields set: agency `agency-a`, date 0, no options.
/// Adjust the others with struct update syntax: `SearchDoc { date: 5, ..doc(..) }`.
pub fn doc(id: &str, kind: DocKind, draft_id: i64, title: &str, body: &str) -> SearchDoc {
    SearchDoc {
        id: id.to_string(),
        kind,
        draft_id,
        consultation_id: None,
        provision_id: None,
        title: title.to_string(),
        body: body.to_string(),
        agency: "agency-a".to_string(),
        status: None,
        law_type: None,
        topics: Vec::new(),
        stance: None,
        respondent_type: None,
        province: None,
        date: 0,
    }
}

/// The title of the personal data protection draft used in several checks.
pub const PDPA_TITLE: &str = "ร่างพระราชบัญญัติคุ้มครองข้อมูลส่วนบุคคล (ฉบับที่ ..) พ.ศ. ....";

fn query(q: &str) -> SearchQuery {
    SearchQuery {
        q: q.to_string(),
        filter: SearchFilter::default(),
        limit: 50,
        offset: 0,
    }
}

fn filtered(q: &str, filter: SearchFilter) -> SearchQuery {
    SearchQuery { filter, ..query(q) }
}

async fn upsert(index: &impl SearchIndex, docs: Vec<SearchDoc>) {
    let ids: Vec<String> = docs.iter().map(|d| d.id.clone()).collect();
    if let Err(e) = index.upsert(docs).await {
        panic!("upsert of {ids:?} failed: {e}");
    }
}

async fn run(index: &impl SearchIndex, q: &SearchQuery) -> SearchResults {
    match index.search(q).await {
        Ok(results) => results,
        Err(e) => panic!("search {q:?} failed: {e}"),
    }
}

/// Ids of the hits, in order.
async fn ids(index: &impl SearchIndex, q: &SearchQuery) -> Vec<String> {
    run(index, q).await.hits.into_iter().map(|h| h.id).collect()
}

async fn id_set(index: &impl SearchIndex, q: &SearchQuery) -> BTreeSet<String> {
    ids(index, q).await.into_iter().collect()
}

fn set(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

async fn count(index: &impl SearchIndex, kind: Option<DocKind>) -> u64 {
    match index.count(kind).await {
        Ok(n) => n,
        Err(e) => panic!("count({kind:?}) failed: {e}"),
    }
}

/// Thai words are found whether they are a whole dictionary word or part of a compound that
/// the segmenter keeps whole (`ส่วนบุคคล`, `ร่างพระราชบัญญัติ`).
pub async fn thai_words_are_found_inside_compounds(index: &impl SearchIndex) {
    upsert(
        index,
        vec![
            doc(
                "draft-1",
                DocKind::Draft,
                1,
                PDPA_TITLE,
                "กำหนดหน้าที่ของผู้ควบคุมข้อมูลและสิทธิของเจ้าของข้อมูล",
            ),
            doc(
                "draft-2",
                DocKind::Draft,
                2,
                "ร่างพระราชบัญญัติการจัดการขยะมูลฝอย พ.ศ. ....",
                "การคัดแยกขยะก่อนทิ้งและค่าธรรมเนียมการเก็บขยะ",
            ),
        ],
    )
    .await;
    for (q, expected) in [
        ("ข้อมูลส่วนบุคคล", set(&["draft-1"])),
        ("คุ้มครองข้อมูล", set(&["draft-1"])),
        ("บุคคล", set(&["draft-1"])),
        ("พระราชบัญญัติ", set(&["draft-1", "draft-2"])),
        ("ขยะมูลฝอย", set(&["draft-2"])),
        ("มูลฝอย", set(&["draft-2"])),
    ] {
        let found = id_set(index, &query(q)).await;
        assert_eq!(found, expected, "query {q:?}");
    }
    let top = ids(index, &query("ข้อมูลส่วนบุคคล")).await;
    assert_eq!(
        top.first().map(String::as_str),
        Some("draft-1"),
        "query ข้อมูลส่วนบุคคล ranks the draft first"
    );
}

/// Thai tone and vowel marks are kept: `เสือ` (tiger) and `เสื้อ` (shirt) are different words.
/// Embedded index only (see "Where the backends differ" above).
pub async fn thai_marks_distinguish_words(index: &impl SearchIndex) {
    upsert(
        index,
        vec![
            doc(
                "comment-1",
                DocKind::Comment,
                1,
                "",
                "ควรเพิ่มโทษผู้ล่าเสือในป่าอนุรักษ์",
            ),
            doc(
                "comment-2",
                DocKind::Comment,
                1,
                "",
                "เครื่องแบบนักเรียนควรใช้เสื้อสีขาว",
            ),
        ],
    )
    .await;
    assert_eq!(
        id_set(index, &query("เสือ")).await,
        set(&["comment-1"]),
        "query เสือ (tiger)"
    );
    assert_eq!(
        id_set(index, &query("เสื้อ")).await,
        set(&["comment-2"]),
        "query เสื้อ (shirt)"
    );
}

/// Thai digits and Arabic digits are the same (`มาตรา ๕` finds `มาตรา 5` and the reverse).
pub async fn thai_and_arabic_digits_match(index: &impl SearchIndex) {
    upsert(
        index,
        vec![
            doc(
                "provision-1-s5",
                DocKind::Provision,
                1,
                "มาตรา 5",
                "ให้ยกเลิกความในวรรคสอง",
            ),
            doc(
                "provision-1-s8",
                DocKind::Provision,
                1,
                "มาตรา ๘",
                "ให้รัฐมนตรีรักษาการตามพระราชบัญญัตินี้",
            ),
        ],
    )
    .await;
    assert_eq!(
        id_set(index, &query("มาตรา ๕")).await,
        set(&["provision-1-s5"]),
        "query มาตรา ๕"
    );
    assert_eq!(
        id_set(index, &query("มาตรา 8")).await,
        set(&["provision-1-s8"]),
        "query มาตรา 8"
    );
    assert_eq!(
        id_set(index, &query("๘")).await,
        set(&["provision-1-s8"]),
        "query ๘"
    );
}

/// Thai and English words in one query; every word must match.
pub async fn mixed_thai_and_english(index: &impl SearchIndex) {
    upsert(
        index,
        vec![
            doc(
                "draft-1",
                DocKind::Draft,
                1,
                "ร่างพระราชบัญญัติคุ้มครองข้อมูลส่วนบุคคล (Personal Data Protection Bill)",
                "",
            ),
            doc(
                "draft-2",
                DocKind::Draft,
                2,
                "ร่างพระราชบัญญัติการจัดการขยะมูลฝอย (Waste Bill)",
                "",
            ),
        ],
    )
    .await;
    assert_eq!(
        id_set(index, &query("Protection ข้อมูล")).await,
        set(&["draft-1"]),
        "query Protection ข้อมูล"
    );
    assert_eq!(
        id_set(index, &query("PROTECTION")).await,
        set(&["draft-1"]),
        "upper case query"
    );
    assert_eq!(
        id_set(index, &query("bill")).await,
        set(&["draft-1", "draft-2"]),
        "query bill"
    );
    assert!(
        id_set(index, &query("Protection ขยะ")).await.is_empty(),
        "every word of a query must match: Protection ขยะ matches no single document"
    );
}

/// English words of five letters or more tolerate a typo; shorter ones do not.
pub async fn english_typos_are_tolerated(index: &impl SearchIndex) {
    upsert(
        index,
        vec![
            doc(
                "draft-1",
                DocKind::Draft,
                1,
                "Draft Regulation on Data Protection",
                "",
            ),
            doc(
                "draft-2",
                DocKind::Draft,
                2,
                "Fisheries Act",
                "Licences for fishing vessels",
            ),
        ],
    )
    .await;
    for q in ["regulaton", "Regulatoin", "protecton"] {
        assert_eq!(
            id_set(index, &query(q)).await,
            set(&["draft-1"]),
            "typo query {q:?}"
        );
    }
    assert!(
        id_set(index, &query("dsta")).await.is_empty(),
        "a 4-letter word allows no typo: dsta"
    );
}

/// A one-character query matches whole words only: it does not match every Thai document that
/// has the character inside a word.
pub async fn short_queries_do_not_flood(index: &impl SearchIndex) {
    let bodies = [
        "การจัดการขยะในชุมชน",
        "ค่าธรรมเนียมการเก็บขยะ",
        "ภาษีที่ดินและสิ่งปลูกสร้าง",
        "สิทธิของเจ้าของข้อมูล",
    ];
    let docs = bodies
        .iter()
        .enumerate()
        .map(|(i, b)| doc(&format!("comment-{i}"), DocKind::Comment, 1, "", b))
        .collect();
    upsert(index, docs).await;
    let results = run(index, &query("า")).await;
    assert!(
        results.total < bodies.len() as u64,
        "the one-character query า matched {} of {} documents",
        results.total,
        bodies.len()
    );
}

/// Every filter field restricts the results, with or without words.
pub async fn filters_restrict_results(index: &impl SearchIndex) {
    let base =
        |id: &str, kind: DocKind, draft_id: i64| doc(id, kind, draft_id, "ร่างกฎหมายภาษี", "ภาษีที่ดิน");
    upsert(
        index,
        vec![
            SearchDoc {
                agency: "finance".into(),
                status: Some("open".into()),
                law_type: Some("act".into()),
                topics: vec!["tax".into(), "land".into()],
                date: 1_000,
                ..base("draft-1", DocKind::Draft, 1)
            },
            SearchDoc {
                agency: "interior".into(),
                status: Some("closed".into()),
                law_type: Some("ministerial_regulation".into()),
                topics: vec!["land".into()],
                date: 2_000,
                ..base("draft-2", DocKind::Draft, 2)
            },
            SearchDoc {
                agency: "finance".into(),
                status: Some("open".into()),
                consultation_id: Some(10),
                date: 3_000,
                ..base("consultation-10", DocKind::Consultation, 1)
            },
            SearchDoc {
                agency: "finance".into(),
                status: Some("open".into()),
                consultation_id: Some(10),
                stance: Some("support".into()),
                province: Some("chiang-mai".into()),
                respondent_type: Some("individual".into()),
                date: 4_000,
                ..base("comment-1", DocKind::Comment, 1)
            },
            SearchDoc {
                agency: "finance".into(),
                status: Some("open".into()),
                consultation_id: Some(10),
                stance: Some("oppose".into()),
                date: 5_000,
                ..base("comment-2", DocKind::Comment, 1)
            },
        ],
    )
    .await;
    let all = || SearchFilter::default();
    let cases: Vec<(&str, SearchFilter, BTreeSet<String>)> = vec![
        (
            "none",
            all(),
            set(&[
                "draft-1",
                "draft-2",
                "consultation-10",
                "comment-1",
                "comment-2",
            ]),
        ),
        (
            "kinds=[draft]",
            SearchFilter {
                kinds: vec![DocKind::Draft],
                ..all()
            },
            set(&["draft-1", "draft-2"]),
        ),
        (
            "kinds=[draft, comment]",
            SearchFilter {
                kinds: vec![DocKind::Draft, DocKind::Comment],
                ..all()
            },
            set(&["draft-1", "draft-2", "comment-1", "comment-2"]),
        ),
        (
            "agency",
            SearchFilter {
                agency: vec!["interior".into()],
                ..all()
            },
            set(&["draft-2"]),
        ),
        (
            "status",
            SearchFilter {
                status: Some("open".into()),
                ..all()
            },
            set(&["draft-1", "consultation-10", "comment-1", "comment-2"]),
        ),
        (
            "law_type",
            SearchFilter {
                law_type: vec!["act".into()],
                ..all()
            },
            set(&["draft-1"]),
        ),
        (
            "topic",
            SearchFilter {
                topic: vec!["land".into()],
                ..all()
            },
            set(&["draft-1", "draft-2"]),
        ),
        (
            "agency, any of two",
            SearchFilter {
                agency: vec!["interior".into(), "finance".into()],
                kinds: vec![DocKind::Draft],
                ..all()
            },
            set(&["draft-1", "draft-2"]),
        ),
        (
            "law_type, any of two",
            SearchFilter {
                law_type: vec!["act".into(), "ministerial_regulation".into()],
                ..all()
            },
            set(&["draft-1", "draft-2"]),
        ),
        (
            "topic, any of two, with another filter",
            SearchFilter {
                topic: vec!["tax".into(), "land".into()],
                agency: vec!["interior".into()],
                ..all()
            },
            set(&["draft-2"]),
        ),
        (
            "topic (second value)",
            SearchFilter {
                topic: vec!["tax".into()],
                ..all()
            },
            set(&["draft-1"]),
        ),
        (
            "draft_id",
            SearchFilter {
                draft_id: Some(1),
                ..all()
            },
            set(&["draft-1", "consultation-10", "comment-1", "comment-2"]),
        ),
        (
            "consultation_id",
            SearchFilter {
                consultation_id: Some(10),
                ..all()
            },
            set(&["consultation-10", "comment-1", "comment-2"]),
        ),
        (
            "stance",
            SearchFilter {
                stance: Some("support".into()),
                ..all()
            },
            set(&["comment-1"]),
        ),
        (
            "date range, inclusive",
            SearchFilter {
                date_from: Some(2_000),
                date_to: Some(4_000),
                ..all()
            },
            set(&["draft-2", "consultation-10", "comment-1"]),
        ),
        (
            "date_from only",
            SearchFilter {
                date_from: Some(4_000),
                ..all()
            },
            set(&["comment-1", "comment-2"]),
        ),
        (
            "date_to only",
            SearchFilter {
                date_to: Some(1_000),
                ..all()
            },
            set(&["draft-1"]),
        ),
        (
            "empty date range",
            SearchFilter {
                date_from: Some(4_000),
                date_to: Some(2_000),
                ..all()
            },
            set(&[]),
        ),
        (
            "several filters",
            SearchFilter {
                kinds: vec![DocKind::Comment],
                consultation_id: Some(10),
                stance: Some("oppose".into()),
                ..all()
            },
            set(&["comment-2"]),
        ),
        (
            "no match",
            SearchFilter {
                agency: vec!["defence".into()],
                ..all()
            },
            set(&[]),
        ),
    ];
    for (name, filter, expected) in cases {
        for q in ["", "ภาษี"] {
            let results = run(index, &filtered(q, filter.clone())).await;
            let found: BTreeSet<String> = results.hits.iter().map(|h| h.id.clone()).collect();
            assert_eq!(found, expected, "filter {name} with q={q:?}");
            assert_eq!(
                results.total,
                expected.len() as u64,
                "total for filter {name} with q={q:?}"
            );
        }
    }
}

/// An empty query lists every document passing the filter, newest first.
pub async fn empty_query_lists_newest_first(index: &impl SearchIndex) {
    let docs = [(1, 300), (2, 100), (3, 500), (4, 200)]
        .into_iter()
        .map(|(i, date)| SearchDoc {
            date,
            ..doc(&format!("comment-{i}"), DocKind::Comment, 1, "", "ความเห็น")
        })
        .chain([SearchDoc {
            date: 900,
            ..doc("draft-1", DocKind::Draft, 1, "ร่าง", "")
        }])
        .collect();
    upsert(index, docs).await;
    let q = filtered(
        "",
        SearchFilter {
            kinds: vec![DocKind::Comment],
            ..SearchFilter::default()
        },
    );
    assert_eq!(
        ids(index, &q).await,
        vec!["comment-3", "comment-1", "comment-4", "comment-2"],
        "newest first"
    );
    assert_eq!(
        ids(index, &query("")).await.first().map(String::as_str),
        Some("draft-1"),
        "no filter, newest first"
    );
}

/// Facets count every matching document, not only the page returned.
pub async fn facets_count_all_matches(index: &impl SearchIndex) {
    let mut docs = Vec::new();
    for i in 0..30 {
        let finance = i < 20;
        docs.push(SearchDoc {
            agency: if finance { "finance" } else { "interior" }.into(),
            status: Some(if i % 3 == 0 { "closed" } else { "open" }.into()),
            law_type: Some("act".into()),
            topics: if i % 2 == 0 {
                vec!["tax".into(), "land".into()]
            } else {
                vec!["tax".into()]
            },
            ..doc(
                &format!("draft-{i}"),
                DocKind::Draft,
                i,
                "ร่างพระราชบัญญัติภาษี",
                "ภาษีที่ดิน",
            )
        });
    }
    docs.push(SearchDoc {
        agency: "defence".into(),
        ..doc(
            "draft-99",
            DocKind::Draft,
            99,
            "ร่างพระราชบัญญัติการทหาร",
            "การเกณฑ์ทหาร",
        )
    });
    upsert(index, docs).await;
    let results = run(
        index,
        &SearchQuery {
            limit: 5,
            ..query("ภาษี")
        },
    )
    .await;
    assert_eq!(results.hits.len(), 5, "page size");
    assert_eq!(results.total, 30, "total");
    let counts = |pairs: &[(&str, u64)]| -> BTreeMap<String, u64> {
        pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    };
    let f = &results.facets;
    assert_eq!(
        f.agency,
        counts(&[("finance", 20), ("interior", 10)]),
        "agency facet"
    );
    assert_eq!(
        f.status,
        counts(&[("closed", 10), ("open", 20)]),
        "status facet"
    );
    assert_eq!(f.law_type, counts(&[("act", 30)]), "law_type facet");
    assert_eq!(
        f.topic,
        counts(&[("land", 15), ("tax", 30)]),
        "topic facet (multi-valued)"
    );

    let filter = SearchFilter {
        agency: vec!["interior".into()],
        ..SearchFilter::default()
    };
    let results = run(
        index,
        &SearchQuery {
            limit: 1,
            ..filtered("", filter)
        },
    )
    .await;
    assert_eq!(results.total, 10, "total with a filter");
    assert_eq!(
        results.facets.agency,
        counts(&[("interior", 10)]),
        "agency facet with a filter"
    );
    assert_eq!(
        results.facets.topic,
        counts(&[("land", 5), ("tax", 10)]),
        "topic facet with a filter"
    );
}

/// Pages are disjoint, together hold every match once, and all report the same total.
pub async fn paging_is_disjoint_and_complete(index: &impl SearchIndex) {
    let docs = (0..25)
        .map(|i| SearchDoc {
            date: i,
            ..doc(
                &format!("comment-{i}"),
                DocKind::Comment,
                1,
                "",
                "ควรคัดแยกขยะก่อนทิ้ง",
            )
        })
        .collect();
    upsert(index, docs).await;
    for q in ["ขยะ", ""] {
        let mut seen: BTreeSet<String> = BTreeSet::new();
        for offset in [0, 10, 20] {
            let results = run(
                index,
                &SearchQuery {
                    limit: 10,
                    offset,
                    ..query(q)
                },
            )
            .await;
            assert_eq!(results.total, 25, "total at offset {offset}, q={q:?}");
            let expected_len = if offset == 20 { 5 } else { 10 };
            assert_eq!(
                results.hits.len(),
                expected_len,
                "page length at offset {offset}, q={q:?}"
            );
            for h in results.hits {
                assert!(
                    seen.insert(h.id.clone()),
                    "{} appears on two pages, q={q:?}",
                    h.id
                );
            }
        }
        assert_eq!(seen.len(), 25, "every match appears on a page, q={q:?}");
        let past = run(
            index,
            &SearchQuery {
                limit: 10,
                offset: 100,
                ..query(q)
            },
        )
        .await;
        assert!(
            past.hits.is_empty(),
            "a page past the end is empty, q={q:?}"
        );
        assert_eq!(past.total, 25, "total past the end, q={q:?}");
        let none = run(
            index,
            &SearchQuery {
                limit: 0,
                ..query(q)
            },
        )
        .await;
        assert!(none.hits.is_empty(), "limit 0 returns no hits, q={q:?}");
        assert_eq!(none.total, 25, "total with limit 0, q={q:?}");
    }
}

/// Hits carry the document's identity and title.
pub async fn hits_carry_document_fields(index: &impl SearchIndex) {
    upsert(
        index,
        vec![SearchDoc {
            consultation_id: Some(4),
            provision_id: Some("s5".into()),
            ..doc(
                "comment-7",
                DocKind::Comment,
                12,
                "มาตรา 5",
                "เห็นด้วยกับการคุ้มครองข้อมูล",
            )
        }],
    )
    .await;
    let results = run(index, &query("คุ้มครอง")).await;
    let Some(hit) = results.hits.first() else {
        panic!("query คุ้มครอง found nothing");
    };
    assert_eq!(hit.id, "comment-7");
    assert_eq!(hit.kind, DocKind::Comment);
    assert_eq!(hit.draft_id, 12);
    assert_eq!(hit.consultation_id, Some(4));
    assert_eq!(hit.provision_id.as_deref(), Some("s5"));
    assert_eq!(hit.title, "มาตรา 5");
}

/// Snippets come from the body around the match, HTML-escaped, with the match in `<mark>`;
/// from the title when only the title matches.
pub async fn snippets_mark_matches_and_escape_html(index: &impl SearchIndex) {
    upsert(
        index,
        vec![
            doc(
                "comment-1",
                DocKind::Comment,
                1,
                "ความเห็น",
                "ข้อความ <script>alert(1)</script> & ควรคุ้มครองข้อมูลส่วนบุคคลของผู้ป่วย",
            ),
            doc(
                "draft-2",
                DocKind::Draft,
                2,
                "Data Protection Bill",
                "A bill about <b>records</b>.",
            ),
        ],
    )
    .await;
    let results = run(index, &query("ข้อมูล")).await;
    let Some(hit) = results.hits.first() else {
        panic!("query ข้อมูล found nothing");
    };
    assert!(
        hit.snippet.contains("<mark>ข้อมูล</mark>"),
        "snippet marks the match: {}",
        hit.snippet
    );
    assert!(
        !hit.snippet.contains("<script>"),
        "snippet is escaped: {}",
        hit.snippet
    );
    assert!(
        hit.snippet.contains("&lt;script&gt;") || !hit.snippet.contains("script"),
        "{}",
        hit.snippet
    );

    let results = run(index, &query("protection")).await;
    let Some(hit) = results.hits.first() else {
        panic!("query protection found nothing");
    };
    assert!(
        hit.snippet.contains("<mark>"),
        "a title-only match is marked in a snippet: {}",
        hit.snippet
    );
    assert!(
        !hit.snippet.contains("<b>"),
        "snippet is escaped: {}",
        hit.snippet
    );

    let results = run(index, &query("")).await;
    for hit in results.hits {
        assert!(
            !hit.snippet.contains('<') || hit.snippet.contains("<mark>"),
            "escaped: {}",
            hit.snippet
        );
    }
}

/// `delete` removes documents by id, and only those.
pub async fn delete_removes_documents(index: &impl SearchIndex) {
    upsert(
        index,
        vec![
            doc("comment-1", DocKind::Comment, 1, "", "ขยะ"),
            doc("comment-2", DocKind::Comment, 1, "", "ขยะ"),
            doc("comment-3", DocKind::Comment, 1, "", "ขยะ"),
        ],
    )
    .await;
    if let Err(e) = index
        .delete(vec!["comment-1".into(), "comment-3".into()])
        .await
    {
        panic!("delete failed: {e}");
    }
    assert_eq!(
        id_set(index, &query("ขยะ")).await,
        set(&["comment-2"]),
        "after delete"
    );
    assert_eq!(count(index, None).await, 1, "count after delete");
}

/// `delete_draft_kind` removes the documents of one kind of one draft, and only those.
pub async fn delete_draft_kind_removes_only_that_kind_of_that_draft(index: &impl SearchIndex) {
    upsert(
        index,
        vec![
            doc("draft-1", DocKind::Draft, 1, "ร่างกฎหมายภาษี", ""),
            doc("provision-1-s1", DocKind::Provision, 1, "มาตรา 1", "ภาษี"),
            doc("provision-1-s2", DocKind::Provision, 1, "มาตรา 2", "ภาษี"),
            doc("provision-2-s1", DocKind::Provision, 2, "มาตรา 1", "ภาษี"),
            doc("comment-1", DocKind::Comment, 1, "", "ภาษี"),
        ],
    )
    .await;
    if let Err(e) = index.delete_draft_kind(1, DocKind::Provision).await {
        panic!("delete_draft_kind failed: {e}");
    }
    assert_eq!(
        id_set(index, &query("")).await,
        set(&["draft-1", "provision-2-s1", "comment-1"]),
        "after delete_draft_kind(1, provision)"
    );
}

/// `count` counts per kind and in all.
pub async fn count_per_kind(index: &impl SearchIndex) {
    assert_eq!(count(index, None).await, 0, "a new index is empty");
    upsert(
        index,
        vec![
            doc("draft-1", DocKind::Draft, 1, "ร่าง", ""),
            doc("provision-1-s1", DocKind::Provision, 1, "มาตรา 1", ""),
            doc("provision-1-s2", DocKind::Provision, 1, "มาตรา 2", ""),
            doc("consultation-1", DocKind::Consultation, 1, "ร่าง", ""),
            doc("comment-1", DocKind::Comment, 1, "", "ดี"),
            doc("comment-2", DocKind::Comment, 1, "", "ดี"),
            doc("comment-3", DocKind::Comment, 1, "", "ดี"),
        ],
    )
    .await;
    for (kind, n) in [
        (Some(DocKind::Draft), 1),
        (Some(DocKind::Provision), 2),
        (Some(DocKind::Consultation), 1),
        (Some(DocKind::Comment), 3),
        (None, 7),
    ] {
        assert_eq!(count(index, kind).await, n, "count({kind:?})");
    }
}

/// `clear` removes everything, and the index stays usable.
pub async fn clear_removes_everything(index: &impl SearchIndex) {
    upsert(
        index,
        vec![
            doc("draft-1", DocKind::Draft, 1, "ร่างกฎหมายภาษี", ""),
            doc("comment-1", DocKind::Comment, 1, "", "ภาษี"),
        ],
    )
    .await;
    if let Err(e) = index.clear().await {
        panic!("clear failed: {e}");
    }
    assert_eq!(count(index, None).await, 0, "count after clear");
    assert!(
        id_set(index, &query("ภาษี")).await.is_empty(),
        "search after clear"
    );
    upsert(
        index,
        vec![doc("draft-2", DocKind::Draft, 2, "ร่างกฎหมายภาษี", "")],
    )
    .await;
    assert_eq!(
        id_set(index, &query("ภาษี")).await,
        set(&["draft-2"]),
        "the index works after clear"
    );
}

/// Upserting an existing id replaces the document; there is never a duplicate.
pub async fn upsert_replaces_by_id(index: &impl SearchIndex) {
    upsert(
        index,
        vec![doc("draft-1", DocKind::Draft, 1, "ร่างกฎหมายภาษี", "")],
    )
    .await;
    upsert(
        index,
        vec![doc("draft-1", DocKind::Draft, 1, "ร่างกฎหมายขยะ", "")],
    )
    .await;
    assert_eq!(
        count(index, None).await,
        1,
        "one document after replacing it"
    );
    assert!(
        id_set(index, &query("ภาษี")).await.is_empty(),
        "the old text is gone"
    );
    assert_eq!(
        id_set(index, &query("ขยะ")).await,
        set(&["draft-1"]),
        "the new text is found"
    );
    // The same id twice in one batch: the last one wins.
    upsert(
        index,
        vec![
            doc("draft-1", DocKind::Draft, 1, "ร่างกฎหมายประมง", ""),
            doc("draft-1", DocKind::Draft, 1, "ร่างกฎหมายป่าไม้", ""),
        ],
    )
    .await;
    assert_eq!(
        count(index, None).await,
        1,
        "one document after a batch repeating its id"
    );
    assert_eq!(
        id_set(index, &query("ป่าไม้")).await,
        set(&["draft-1"]),
        "the last of a batch wins"
    );
}

/// Writes can be repeated: the same upsert twice, deleting a missing id, clearing an empty index.
pub async fn writes_are_idempotent(index: &impl SearchIndex) {
    let docs = vec![
        doc("draft-1", DocKind::Draft, 1, "ร่างกฎหมายภาษี", ""),
        doc("comment-1", DocKind::Comment, 1, "", "ภาษี"),
    ];
    upsert(index, docs.clone()).await;
    upsert(index, docs).await;
    assert_eq!(
        count(index, None).await,
        2,
        "count after the same upsert twice"
    );
    for _ in 0..2 {
        if let Err(e) = index
            .delete(vec!["comment-1".into(), "comment-404".into()])
            .await
        {
            panic!("deleting a missing id failed: {e}");
        }
        if let Err(e) = index.delete_draft_kind(404, DocKind::Provision).await {
            panic!("delete_draft_kind with nothing to delete failed: {e}");
        }
    }
    assert_eq!(count(index, None).await, 1, "count after repeated deletes");
    if let Err(e) = index.upsert(Vec::new()).await {
        panic!("an empty upsert failed: {e}");
    }
    if let Err(e) = index.delete(Vec::new()).await {
        panic!("an empty delete failed: {e}");
    }
    for _ in 0..2 {
        if let Err(e) = index.clear().await {
            panic!("clear failed: {e}");
        }
    }
    assert_eq!(count(index, None).await, 0, "count after clearing twice");
}

/// `similar_drafts` ranks the draft sharing most words first, never returns the draft itself,
/// and considers drafts only.
pub async fn similar_drafts_ranks_overlap_first(index: &impl SearchIndex) {
    let own = "ร่างพระราชบัญญัติคุ้มครองข้อมูลส่วนบุคคล ผู้ควบคุมข้อมูลส่วนบุคคล เจ้าของข้อมูลส่วนบุคคล \
               ความยินยอม การโอนข้อมูลส่วนบุคคลไปต่างประเทศ";
    upsert(
        index,
        vec![
            doc("draft-1", DocKind::Draft, 1, PDPA_TITLE, own),
            doc(
                "draft-2",
                DocKind::Draft,
                2,
                "ร่างพระราชบัญญัติคุ้มครองข้อมูลส่วนบุคคลด้านสุขภาพ",
                "ผู้ควบคุมข้อมูลส่วนบุคคล เจ้าของข้อมูลส่วนบุคคล ความยินยอม ข้อมูลสุขภาพ",
            ),
            doc(
                "draft-3",
                DocKind::Draft,
                3,
                "ร่างพระราชบัญญัติการจัดการขยะมูลฝอย",
                "ความยินยอมของชุมชน การคัดแยกขยะ",
            ),
            doc(
                "draft-4",
                DocKind::Draft,
                4,
                "Fisheries Act",
                "Licences for fishing vessels",
            ),
            doc("provision-5-s1", DocKind::Provision, 5, "มาตรา 1", own),
            doc("comment-6", DocKind::Comment, 6, "", own),
        ],
    )
    .await;
    let similar = match index
        .similar_drafts(1, &format!("{PDPA_TITLE} {own}"), 10)
        .await
    {
        Ok(s) => s,
        Err(e) => panic!("similar_drafts failed: {e}"),
    };
    let drafts: Vec<i64> = similar.iter().map(|(d, _)| *d).collect();
    assert_eq!(
        drafts.first(),
        Some(&2),
        "the overlapping draft comes first: {similar:?}"
    );
    assert!(
        !drafts.contains(&1),
        "the draft itself is excluded: {similar:?}"
    );
    assert!(
        !drafts.contains(&4),
        "a draft sharing no word is not similar: {similar:?}"
    );
    assert!(
        !drafts.contains(&5) && !drafts.contains(&6),
        "only drafts are considered: {similar:?}"
    );
    for pair in similar.windows(2) {
        assert!(pair[0].1 >= pair[1].1, "best first: {similar:?}");
    }
    let one = match index.similar_drafts(1, own, 1).await {
        Ok(s) => s,
        Err(e) => panic!("similar_drafts failed: {e}"),
    };
    assert_eq!(one.len(), 1, "limit is respected: {one:?}");
}

/// Characters that are operators in query languages are plain text: no error, and the words
/// around them are still found.
pub async fn operator_characters_are_plain_text(index: &impl SearchIndex) {
    upsert(
        index,
        vec![doc(
            "draft-1",
            DocKind::Draft,
            1,
            "มาตรการ COVID-19 (emergency) ข้อมูลส่วนบุคคล",
            "section: 5 \"quoted\" text",
        )],
    )
    .await;
    for q in [
        "\"ข้อมูล\"",
        "ข้อมูล:",
        "(ข้อมูล",
        "-ข้อมูล",
        "ข้อมูล*",
        "covid-19",
        "(emergency)",
        "\"quoted",
    ] {
        assert_eq!(
            id_set(index, &query(q)).await,
            set(&["draft-1"]),
            "query {q:?}"
        );
    }
    for q in [
        "\"",
        ":",
        "(",
        ")",
        "-",
        "*",
        "title:ข้อมูล",
        "AND OR NOT",
        "((",
        "[1 TO 5]",
        "~2",
        "^3",
        "\\",
        "{}",
        "+-&&||!",
        "'",
        "' OR 1=1 --",
        "ข้อมูล\"unterminated",
    ] {
        if let Err(e) = index.search(&query(q)).await {
            panic!("query {q:?} failed: {e}");
        }
    }
}

/// A text is found however its characters were typed: decomposed (`Cafe` + U+0301) or composed
/// (`Café`), and Thai sara am as one character (U+0E33) or as nikhahit + sara aa (U+0E4D
/// U+0E32), in the documents and in the query alike. Hits show the composed spelling.
pub async fn unicode_spellings_find_each_other(index: &impl SearchIndex) {
    upsert(
        index,
        vec![
            doc(
                "draft-1",
                DocKind::Draft,
                1,
                "Cafe\u{301} licensing",
                "การก\u{0E4D}\u{0E32}หนดอัตราค่าธรรมเนียม",
            ),
            doc(
                "draft-2",
                DocKind::Draft,
                2,
                "Street food",
                "Café owners และการกำหนดเวลาเปิดปิด",
            ),
            doc(
                "draft-3",
                DocKind::Draft,
                3,
                "ร่างพระราชบัญญัติการจัดการขยะมูลฝอย",
                "Cafe opening hours",
            ),
        ],
    )
    .await;
    for q in [
        "Café",
        "Cafe\u{301}",
        "café",
        "กำหนด",
        "ก\u{0E4D}\u{0E32}หนด",
    ] {
        let found = id_set(index, &query(q)).await;
        for id in ["draft-1", "draft-2"] {
            assert!(
                found.contains(id),
                "query {q:?} did not find {id}: {found:?}"
            );
        }
    }
    let hits = run(index, &query("Cafe\u{301}")).await.hits;
    let first = hits.iter().find(|h| h.id == "draft-1");
    assert_eq!(
        first.map(|h| h.title.as_str()),
        Some("Café licensing"),
        "the stored title is in composed form"
    );
}
