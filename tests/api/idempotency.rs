//! Repeated and parallel writes other than comments: a new draft version and a request to
//! compile a hearing summary are each done once, however often they are sent at once, and
//! honour `Idempotency-Key`.

use domain::entity::{draft_version, job, report};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use tests::{Reply, SAMPLE_BODY, TestApp, spawn_app};

/// Sends `n` copies of one request at once; answers their statuses and bodies.
async fn in_parallel<F: Future<Output = Reply>>(
    n: usize,
    send: impl Fn() -> F,
) -> Vec<(StatusCode, Value)> {
    futures_util::future::join_all((0..n).map(|_| send()))
        .await
        .into_iter()
        .map(|r| (r.status, r.body))
        .collect()
}

async fn versions_of(app: &TestApp, draft_id: i64) -> u64 {
    draft_version::Entity::find()
        .filter(draft_version::Column::DraftId.eq(draft_id))
        .count(&app.ctx.db.conn)
        .await
        .unwrap()
}

fn second_text() -> String {
    format!("{SAMPLE_BODY}\nมาตรา ๕ ให้รัฐมนตรีรักษาการตามพระราชบัญญัตินี้\n")
}

#[tokio::test]
async fn fifty_parallel_identical_versions_store_one_and_the_rest_are_no_change() {
    let app = spawn_app().await;
    app.agency("repeat").await;
    let officer = app.user("officer", Some("repeat")).await;
    let draft_id = app.published_draft(&officer).await;
    let body = json!({"body_markdown": second_text(), "changelog": "เพิ่มมาตรา ๕"});

    let answers = in_parallel(50, || app.create_version(draft_id, Some(&officer), &body)).await;
    let created: Vec<_> = answers
        .iter()
        .filter(|(s, _)| *s == StatusCode::CREATED)
        .collect();
    assert_eq!(created.len(), 1, "{answers:?}");
    assert_eq!(created[0].1["number"], 2);
    for (status, problem) in answers.iter().filter(|(s, _)| *s != StatusCode::CREATED) {
        assert_eq!(*status, StatusCode::CONFLICT, "{problem}");
        assert_eq!(problem["code"], "no_change", "{problem}");
    }
    assert_eq!(versions_of(&app, draft_id).await, 2);

    // A new changelog alone is no new text.
    let r = app
        .create_version(
            draft_id,
            Some(&officer),
            &json!({"body_markdown": second_text(), "changelog": "อีกครั้ง"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    assert!(r.content_type.starts_with("application/problem+json"));
    assert_eq!(r.code(), "no_change");
    assert!(r.body["detail"].as_str().unwrap().contains("version 2"));
    // Going back to the first text is a change.
    let r = app
        .create_version(
            draft_id,
            Some(&officer),
            &json!({"body_markdown": SAMPLE_BODY}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["number"], 3);
}

#[tokio::test]
async fn fifty_parallel_versions_with_one_idempotency_key_store_one_and_replay_it() {
    let app = spawn_app().await;
    app.agency("replay").await;
    let officer = app.user("officer", Some("replay")).await;
    let draft_id = app.published_draft(&officer).await;
    let body = json!({"body_markdown": second_text()});

    let answers = in_parallel(50, || {
        app.create_version_with_key(draft_id, Some(&officer), "v2-once", &body)
    })
    .await;
    for (status, version) in &answers {
        assert_eq!(*status, StatusCode::CREATED, "{version}");
        assert_eq!(version["number"], 2, "every answer is the one version");
    }
    assert_eq!(versions_of(&app, draft_id).await, 2);

    let other = json!({"body_markdown": format!("{}\nมาตรา ๖ บทเฉพาะกาล\n", second_text())});
    let r = app
        .create_version_with_key(draft_id, Some(&officer), "v2-once", &other)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(r.code(), "idempotency_key_reused");
    assert_eq!(versions_of(&app, draft_id).await, 2);
    // Without the key, the same text is no change.
    let r = app.create_version(draft_id, Some(&officer), &body).await;
    assert_eq!(r.code(), "no_change", "{}", r.text);
}

#[tokio::test]
async fn fifty_parallel_compile_requests_queue_one_job_and_leave_one_report() {
    let app = spawn_app().await;
    let h = app.open_hearing("compile").await;
    let other = app.open_consultation(&h.officer, h.draft_id).await;
    for id in [h.consultation_id, other] {
        consultation_closes_now(&app, id).await;
    }
    let compile_jobs = || async {
        job::Entity::find()
            .filter(job::Column::Kind.eq("compile_report"))
            .filter(job::Column::State.eq("pending"))
            .all(&app.ctx.db.conn)
            .await
            .unwrap()
    };

    let compile = || app.compile_report(h.consultation_id, Some(&h.officer));
    let answers = in_parallel(50, compile).await;
    for (status, body) in &answers {
        assert_eq!(*status, StatusCode::ACCEPTED, "{body}");
    }
    assert_eq!(
        compile_jobs().await.len(),
        1,
        "one waiting compile covers them all"
    );
    app.run_pending_jobs().await;
    let reports = report::Entity::find()
        .filter(report::Column::ConsultationId.eq(h.consultation_id))
        .count(&app.ctx.db.conn)
        .await
        .unwrap();
    assert_eq!(reports, 1);

    // With a key: a retry replays the answer, the key for another consultation is refused.
    let answers = in_parallel(50, || {
        app.compile_report_with_key(h.consultation_id, Some(&h.officer), "compile-1")
    })
    .await;
    assert!(
        answers.iter().all(|(s, _)| *s == StatusCode::ACCEPTED),
        "{answers:?}"
    );
    assert_eq!(compile_jobs().await.len(), 1);
    let r = app
        .compile_report_with_key(other, Some(&h.officer), "compile-1")
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(r.code(), "idempotency_key_reused");
    assert_eq!(compile_jobs().await.len(), 1);
    app.run_pending_jobs().await;
    let reports = report::Entity::find()
        .filter(report::Column::ConsultationId.eq(h.consultation_id))
        .count(&app.ctx.db.conn)
        .await
        .unwrap();
    assert_eq!(reports, 1);
}

async fn consultation_closes_now(app: &TestApp, id: i64) {
    use domain::entity::consultation;
    use sea_orm::sea_query::Expr;
    consultation::Entity::update_many()
        .col_expr(
            consultation::Column::ClosesAt,
            Expr::value(domain::time::now_ms() - 1),
        )
        .filter(consultation::Column::Id.eq(id))
        .exec(&app.ctx.db.conn)
        .await
        .unwrap();
}
