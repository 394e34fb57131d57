//! Bulk exports: every public table in CSV, JSON Lines and Parquet with a manifest whose rows,
//! sizes and SHA-256 match the files; nothing private in any file; downloads with `ETag`,
//! `Range` and `304`; generations published whole and pruned; the DCAT catalogue; the daily
//! export queued by the scheduler; the datasets page.

use std::collections::BTreeSet;

use domain::service::accounts::{self, NewAccount};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tests::{TestApp, spawn_app};

/// Downloads a file of an export whole: (status, headers, bytes).
async fn download(
    app: &TestApp,
    url: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
    let mut req = app.client.get(url);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = req.send().await.expect("the request is sent");
    let status = resp.status();
    let headers = resp.headers().clone();
    (
        status,
        headers,
        resp.bytes().await.expect("a body").to_vec(),
    )
}

/// An account with a name of its own, to look for in the files.
async fn account(app: &TestApp, name: &str) -> (String, String) {
    let email = format!("{}@export.test.rabfang.localhost", rand::random::<u32>());
    let (_, token) = accounts::create_account(
        &app.ctx.db,
        None,
        NewAccount {
            email: email.clone(),
            display_name: Some(name.into()),
            role: domain::types::Role::Citizen,
            agency_slug: None,
        },
    )
    .await
    .expect("an account");
    (token, email)
}

fn csv_rows(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let text = bytes
        .strip_prefix("\u{feff}".as_bytes())
        .expect("a UTF-8 byte-order mark");
    let mut reader = csv::ReaderBuilder::new().from_reader(text);
    let header = reader.headers().unwrap().iter().map(String::from).collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

fn parquet_rows(bytes: Vec<u8>) -> (arrow_schema::SchemaRef, usize) {
    let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(
        bytes::Bytes::from(bytes),
    )
    .expect("a Parquet file");
    let schema = reader.schema().clone();
    let rows = reader.build().unwrap().map(|b| b.unwrap().num_rows()).sum();
    (schema, rows)
}

#[tokio::test]
async fn the_site_export_has_every_public_table_in_three_formats_and_nothing_private() {
    let app = spawn_app().await;
    let h = app.open_hearing("export").await;
    let consultation = h.consultation_id;
    let (named, _) = account(&app, "นางสาวเปิดเผย ชื่อจริง").await;
    let (anonymous, anonymous_email) = account(&app, "นายไม่ประสงค์ ออกนาม").await;
    let post = |token: String, body: &'static str, publication: &'static str, extra: Value| {
        let app = &app;
        async move {
            let mut comment = json!({"body": body, "stance": "oppose", "publication": publication});
            for (k, v) in extra.as_object().unwrap() {
                comment[k] = v.clone();
            }
            let r = app
                .create_comment(consultation, Some(&token), &comment)
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
            r.body["id"].as_i64().unwrap()
        }
    };
    let named_id = post(
        named.clone(),
        "ควรลดค่าธรรมเนียมสำหรับวิสาหกิจชุมชน",
        "named",
        json!({"organisation_name": "สมาคมวิสาหกิจชุมชนเปิดเผย", "provision_id": "s3"}),
    )
    .await;
    let formula_id = post(
        anonymous.clone(),
        "=HYPERLINK(\"http://evil.example\",\"click\")",
        "anonymous",
        json!({"organisation_name": "บริษัทไม่ประสงค์ออกนาม จำกัด"}),
    )
    .await;
    post(
        anonymous.clone(),
        "ความเห็นส่วนตัวที่ห้ามเผยแพร่เด็ดขาด",
        "private",
        json!({}),
    )
    .await;
    let hidden = post(
        anonymous.clone(),
        "ความเห็นที่ผู้ดูแลซ่อนไว้แล้ว",
        "anonymous",
        json!({}),
    )
    .await;
    let r = app
        .moderate_comment(
            consultation,
            hidden,
            Some(&h.officer),
            &json!({"status": "hidden", "reason": "ข้อความไม่สุภาพ"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = app.record_disposition(consultation, Some(&h.officer), &json!({"target_kind": "comment", "target_id": named_id.to_string(), "decision": "partly_accepted", "reason": "ปรับลดค่าธรรมเนียมในมาตรา ๓/๑"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    app.run_pending_jobs().await;

    // Only administrators ask for an export; a dataset that does not exist is not found.
    let r = app.request_export("site", Some(&h.officer)).await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "forbidden"));
    for bad in ["everything", "consultation-999999", "consultation-0"] {
        let r = app.request_export(bad, Some(&app.admin)).await;
        assert_eq!(
            (r.status, r.code()),
            (StatusCode::NOT_FOUND, "not_found"),
            "{bad}"
        );
    }
    let r = app.list_exports(None, &[]).await;
    assert_eq!(r.body["items"], json!([]), "nothing exported yet");
    let r = app.request_export("site", Some(&app.admin)).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    app.run_pending_jobs().await;

    let r = app.list_exports(None, &[]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let items = r.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{}", r.text);
    let site = &items[0];
    assert_eq!(site["dataset"], "site");
    assert_eq!(site["schema_version"], 1);
    assert!(
        site["licence"]["url"]
            .as_str()
            .unwrap()
            .starts_with("https://")
    );
    assert!(
        site["feed_cursor"]
            .as_str()
            .unwrap()
            .parse::<i64>()
            .unwrap()
            > 0
    );
    let files = site["files"].as_array().unwrap();
    let tables: BTreeSet<&str> = files.iter().map(|f| f["table"].as_str().unwrap()).collect();
    for table in [
        "agencies",
        "drafts",
        "versions",
        "provisions",
        "consultations",
        "questions",
        "comments",
        "dispositions",
        "clusters",
        "statistics",
        "hearing_summaries",
        "impact_assessments",
        "laws",
    ] {
        assert!(tables.contains(table), "{table} is missing: {tables:?}");
    }
    assert_eq!(
        files.len(),
        tables.len() * 3,
        "each table in CSV, JSON Lines and Parquet"
    );

    // Every file is what the manifest says: size, SHA-256 (also the ETag), rows.
    let mut everything = Vec::new();
    for f in files {
        let url = f["url"].as_str().unwrap();
        let (status, headers, bytes) = download(&app, url, &[]).await;
        assert_eq!(status, StatusCode::OK, "{url}");
        assert_eq!(bytes.len() as u64, f["bytes"].as_u64().unwrap(), "{url}");
        assert_eq!(
            headers["content-length"].to_str().unwrap(),
            bytes.len().to_string()
        );
        let sha = hex::encode(Sha256::digest(&bytes));
        assert_eq!(sha, f["sha256"].as_str().unwrap(), "{url}");
        assert_eq!(headers["etag"].to_str().unwrap(), format!("\"{sha}\""));
        assert_eq!(headers["accept-ranges"], "bytes");
        assert_eq!(
            headers["content-type"].to_str().unwrap(),
            f["media_type"].as_str().unwrap()
        );
        let rows = f["rows"].as_u64().unwrap() as usize;
        match f["format"].as_str().unwrap() {
            "csv" => {
                assert!(bytes.windows(2).any(|w| w == b"\r\n"), "RFC 4180 line ends");
                assert_eq!(csv_rows(&bytes).1.len(), rows, "{url}");
            }
            "jsonl" => {
                let lines: Vec<Value> = String::from_utf8(bytes.clone())
                    .unwrap()
                    .lines()
                    .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
                    .collect();
                assert_eq!(lines.len(), rows, "{url}");
            }
            "parquet" => assert_eq!(parquet_rows(bytes.clone()).1, rows, "{url}"),
            other => panic!("unexpected format {other}"),
        }
        everything.extend_from_slice(&bytes);
    }

    // Nothing private anywhere: no e-mail, no anonymous commenter's name or organisation, no
    // private or hidden comment, no moderation reason.
    let everything = String::from_utf8_lossy(&everything);
    for secret in [
        anonymous_email.as_str(),
        "นายไม่ประสงค์ ออกนาม",
        "บริษัทไม่ประสงค์ออกนาม จำกัด",
        "ความเห็นส่วนตัวที่ห้ามเผยแพร่เด็ดขาด",
        "ความเห็นที่ผู้ดูแลซ่อนไว้แล้ว",
        "ข้อความไม่สุภาพ",
        "@test.rabfang.localhost",
    ] {
        assert!(
            !everything.contains(secret),
            "{secret} leaked into an export"
        );
    }

    // The comments, in every format: the two public ones, as the API lists them.
    let by_name = |name: &str| files.iter().find(|f| f["name"] == name).unwrap();
    let (_, _, csv_bytes) =
        download(&app, by_name("comments.csv")["url"].as_str().unwrap(), &[]).await;
    let (header, rows) = csv_rows(&csv_bytes);
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let ids: Vec<i64> = rows
        .iter()
        .map(|r| r[column("id")].parse().unwrap())
        .collect();
    assert_eq!(ids, [named_id, formula_id]);
    let listed = app.list_comments(consultation, None, &[]).await;
    let api_ids: Vec<i64> = listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, api_ids, "the export has the comments the API lists");
    let named_row = &rows[0];
    assert_eq!(named_row[column("author_name")], "นางสาวเปิดเผย ชื่อจริง");
    assert_eq!(
        named_row[column("organisation_name")],
        "สมาคมวิสาหกิจชุมชนเปิดเผย"
    );
    assert_eq!(named_row[column("provision_id")], "s3");
    assert_eq!(named_row[column("decision")], "partly_accepted");
    // A cell a spreadsheet would run as a formula is shown as text.
    assert_eq!(
        rows[1][column("body")],
        "'=HYPERLINK(\"http://evil.example\",\"click\")"
    );
    assert_eq!(rows[1][column("author_name")], "");
    let (_, _, jsonl) = download(
        &app,
        by_name("comments.jsonl")["url"].as_str().unwrap(),
        &[],
    )
    .await;
    let first: Value =
        serde_json::from_str(String::from_utf8(jsonl).unwrap().lines().nth(1).unwrap()).unwrap();
    assert_eq!(
        first["body"], "=HYPERLINK(\"http://evil.example\",\"click\")",
        "JSON Lines keep the text as it is"
    );
    assert_eq!(first["author_name"], Value::Null);
    assert!(first["received_at"].as_str().unwrap().ends_with('Z'));
    assert!(first["answers"].is_array());
    let (_, _, parquet) = download(
        &app,
        by_name("comments.parquet")["url"].as_str().unwrap(),
        &[],
    )
    .await;
    let (schema, count) = parquet_rows(parquet);
    assert_eq!(count, 2);
    assert_eq!(
        schema.field_with_name("id").unwrap().data_type(),
        &arrow_schema::DataType::Int64
    );
    assert_eq!(
        schema.field_with_name("received_at").unwrap().data_type(),
        &arrow_schema::DataType::Timestamp(arrow_schema::TimeUnit::Millisecond, Some("UTC".into()))
    );
    assert!(schema.field_with_name("author_name").unwrap().is_nullable());

    // Downloads resume: one range, the end, past the end (a problem), and `304`.
    let url = by_name("comments.csv")["url"].as_str().unwrap();
    let size = csv_bytes.len();
    let (status, headers, part) = download(&app, url, &[("Range", "bytes=0-9")]).await;
    assert_eq!(status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(part, csv_bytes[..10]);
    assert_eq!(
        headers["content-range"].to_str().unwrap(),
        format!("bytes 0-9/{size}")
    );
    let (status, _, part) = download(&app, url, &[("Range", "bytes=-5")]).await;
    assert_eq!(status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(part, csv_bytes[size - 5..]);
    let etag = format!(
        "\"{}\"",
        by_name("comments.csv")["sha256"].as_str().unwrap()
    );
    let (status, _, whole) = download(
        &app,
        url,
        &[("Range", "bytes=0-9"), ("If-Range", "\"other\"")],
    )
    .await;
    assert_eq!(
        (status, whole.len()),
        (StatusCode::OK, size),
        "If-Range with another ETag sends it all"
    );
    let (status, headers, body) =
        download(&app, url, &[("Range", &format!("bytes={size}-"))]).await;
    assert_eq!(status, StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(
        headers["content-range"].to_str().unwrap(),
        format!("bytes */{size}")
    );
    let problem: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(problem["code"], "range_not_satisfiable");
    let (status, _, body) = download(&app, url, &[("If-None-Match", &etag)]).await;
    assert_eq!((status, body.len()), (StatusCode::NOT_MODIFIED, 0));
    // `latest` serves the same file; unknown files and generations are not found.
    let r = app
        .get_export_file("site", "latest", "comments.csv", &[])
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.text.as_bytes(), csv_bytes);
    for (dataset, generation, file) in [
        ("site", "latest", "secrets.csv"),
        ("site", "latest", "..%2Fmanifest.json"),
        ("site", "1", "comments.csv"),
        ("site", "0123", "comments.csv"),
        ("elsewhere", "latest", "comments.csv"),
        ("consultation-999", "latest", "comments.csv"),
    ] {
        let r = app.get_export_file(dataset, generation, file, &[]).await;
        assert_eq!(
            (r.status, r.code()),
            (StatusCode::NOT_FOUND, "not_found"),
            "{dataset}/{generation}/{file}"
        );
    }

    // The manifest, through the API, is the one on the page and in the catalogue.
    let manifest = app
        .get_export_file("site", "latest", "manifest.json", &[])
        .await;
    assert_eq!(manifest.status, StatusCode::OK, "{}", manifest.text);
    let whole = app
        .get_export_file("site", "latest", "manifest.json", &[("Range", "bytes=0-9")])
        .await;
    assert_eq!(
        (whole.status, whole.text.len()),
        (StatusCode::OK, manifest.text.len()),
        "the manifest is always sent whole"
    );
    assert_eq!(
        manifest.body["files"].as_array().unwrap().len(),
        files.len()
    );
    let comments = manifest.body["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "comments")
        .unwrap();
    assert!(
        comments["columns"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["name"] == "cluster_id" && c["type"] == "integer" && c["nullable"] == true)
    );
    let catalogue = app.get_export_catalog(None).await;
    assert_eq!(catalogue.status, StatusCode::OK, "{}", catalogue.text);
    assert!(
        catalogue.content_type.starts_with("application/ld+json"),
        "{}",
        catalogue.content_type
    );
    assert_eq!(catalogue.body["@type"], "dcat:Catalog");
    let datasets = catalogue.body["dcat:dataset"].as_array().unwrap();
    assert_eq!(datasets.len(), 1);
    let distributions = datasets[0]["dcat:distribution"].as_array().unwrap();
    assert_eq!(distributions.len(), files.len());
    for d in distributions {
        let url = d["dcat:downloadURL"]["@id"].as_str().unwrap();
        let f = files
            .iter()
            .find(|f| f["url"] == url)
            .expect("each distribution is a listed file");
        assert_eq!(
            d["spdx:checksum"]["spdx:checksumValue"]["@value"],
            f["sha256"]
        );
        assert_eq!(
            d["dcat:byteSize"]["@value"],
            f["bytes"].as_u64().unwrap().to_string()
        );
        assert!(
            d["dct:license"]["@id"]
                .as_str()
                .unwrap()
                .starts_with("https://")
        );
    }
    let page = app.get("/en/open-data/datasets", None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text.contains(
            by_name("comments.parquet")["url"]
                .as_str()
                .unwrap()
                .trim_start_matches(&app.address)
        ),
        "the page links the files"
    );
    assert!(
        page.text.contains("id=\"comments\"") && page.text.contains("<code>cluster_id</code>"),
        "the data dictionary"
    );
}

#[tokio::test]
async fn exports_are_published_whole_and_the_last_two_generations_are_kept() {
    let app = spawn_app().await;
    let h = app.open_hearing("generations").await;
    let dataset = format!("consultation-{}", h.consultation_id);
    let mut generations = Vec::new();
    for _ in 0..3 {
        let r = app.request_export(&dataset, Some(&app.admin)).await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
        app.run_pending_jobs().await;
        let r = app.list_exports(None, &[]).await;
        let item = r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["dataset"] == dataset)
            .cloned()
            .expect("listed");
        assert_eq!(item["consultation_id"], h.consultation_id);
        let tables: BTreeSet<&str> = item["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["table"].as_str().unwrap())
            .collect();
        assert_eq!(
            tables,
            BTreeSet::from([
                "consultations",
                "questions",
                "comments",
                "dispositions",
                "clusters",
                "statistics",
                "hearing_summaries"
            ])
        );
        generations.push(item["generation"].as_str().unwrap().to_string());
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    assert!(
        generations.windows(2).all(|w| w[0] < w[1]),
        "{generations:?}"
    );
    let folder = app.ctx.settings.exports_dir.join(&dataset);
    let mut on_disk: Vec<String> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    on_disk.sort();
    assert_eq!(
        on_disk,
        generations[1..],
        "the two newest, and no partial folder left"
    );
    // The one before the latest still serves its files; the oldest is gone.
    let r = app
        .get_export_file(&dataset, &generations[1], "questions.csv", &[])
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        csv_rows(r.text.as_bytes()).1.len(),
        4,
        "one row per question"
    );
    let r = app
        .get_export_file(&dataset, &generations[0], "questions.csv", &[])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Paging: the site's dataset is not there, the consultation's is; a cursor past it is empty.
    let r = app.list_exports(None, &[("limit", "1")]).await;
    assert_eq!(r.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(r.body["next_cursor"], Value::Null);
    let cursor = format!("c{}", h.consultation_id);
    let r = app.list_exports(None, &[("cursor", &cursor)]).await;
    assert_eq!(r.body["items"], json!([]));
}

#[tokio::test]
async fn the_scheduler_queues_the_daily_export_once_and_the_worker_writes_it() {
    let app = TestApp::builder().with_hearing("daily").spawn().await;
    let exports = app.ctx.settings.exports_dir.clone();
    assert!(
        domain::export::enqueue_if_due(&app.ctx.db, &exports)
            .await
            .unwrap(),
        "none yet: queued"
    );
    assert!(
        !domain::export::enqueue_if_due(&app.ctx.db, &exports)
            .await
            .unwrap(),
        "one waiting is enough"
    );
    app.run_pending_jobs().await;
    assert!(domain::export::find(&exports, domain::export::Scope::Site, None).is_some());
    assert!(
        !domain::export::enqueue_if_due(&app.ctx.db, &exports)
            .await
            .unwrap(),
        "today's is done"
    );
}

#[tokio::test]
async fn a_hearing_gets_its_export_when_it_closes_and_again_when_its_summary_is_published() {
    use sea_orm::ConnectionTrait;
    let app = spawn_app().await;
    let h = app.open_hearing("closing").await;
    let citizen = app.user("citizen", None).await;
    let r = app
        .create_comment(
            h.consultation_id,
            Some(&citizen),
            &json!({"body": "ควรลดโทษปรับในมาตรา ๔", "stance": "oppose", "provision_id": "s4"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    app.run_pending_jobs().await;
    let dataset = format!("consultation-{}", h.consultation_id);
    let generation = |app: &TestApp| {
        domain::export::find(
            &app.ctx.settings.exports_dir,
            domain::export::Scope::parse(&dataset).unwrap(),
            None,
        )
        .map(|e| e.manifest)
    };
    assert!(
        generation(&app).is_none(),
        "no export while the hearing is open"
    );

    app.ctx
        .db
        .conn
        .execute_unprepared(&format!(
            "UPDATE consultations SET closes_at = {} WHERE id = {}",
            domain::time::now_ms() - 1,
            h.consultation_id
        ))
        .await
        .unwrap();
    worker::scheduler::tick(&app.ctx).await.unwrap();
    app.run_pending_jobs().await;
    let closed = generation(&app).expect("an export once it closed");
    let statistics = closed.file("statistics.csv").unwrap();
    assert!(statistics.rows > 0, "the final recount is in it");
    assert_eq!(closed.file("comments.csv").unwrap().rows, 1);
    assert_eq!(closed.file("hearing_summaries.csv").unwrap().rows, 0);

    let r = app
        .compile_report(h.consultation_id, Some(&h.officer))
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    app.run_pending_jobs().await;
    let r = app
        .publish_report(h.consultation_id, Some(&h.officer))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    app.run_pending_jobs().await;
    let concluded = generation(&app).expect("an export after the summary");
    assert!(concluded.generation > closed.generation);
    assert_eq!(concluded.file("hearing_summaries.csv").unwrap().rows, 1);
    let r = app
        .get_export_file(&dataset, "latest", "consultations.jsonl", &[])
        .await;
    let row: Value = serde_json::from_str(r.text.lines().next().unwrap()).unwrap();
    assert_eq!(row["status"], "concluded");
}
