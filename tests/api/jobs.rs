use std::collections::HashSet;

use domain::{entity::job, jobs::JobPayload};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use serde::Serialize;
use tests::spawn_app;

/// A job no handler knows: every attempt fails.
#[derive(Serialize)]
struct Unknown {
    n: u32,
}

impl JobPayload for Unknown {
    const KIND: &'static str = "test_unknown";
    const MAX_ATTEMPTS: i32 = 2;
}

#[tokio::test]
async fn concurrent_workers_never_claim_the_same_job() {
    let app = spawn_app().await;
    for n in 0..300 {
        domain::jobs::enqueue(&app.ctx.db.conn, &Unknown { n })
            .await
            .unwrap();
    }
    let mut tasks = Vec::new();
    for w in 0..4 {
        let ctx = app.ctx.clone();
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let claimed = worker::claim(&ctx, &format!("w{w}"), 7).await.unwrap();
                if claimed.is_empty() {
                    return mine;
                }
                mine.extend(claimed.into_iter().map(|j| j.id));
            }
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let unique: HashSet<i64> = all.iter().copied().collect();
    assert_eq!(all.len(), 300, "every job claimed once");
    assert_eq!(unique.len(), 300);
}

#[tokio::test]
async fn failing_jobs_back_off_then_fail_and_an_admin_can_retry_them() {
    let app = spawn_app().await;
    let id = domain::jobs::enqueue(&app.ctx.db.conn, &Unknown { n: 1 })
        .await
        .unwrap();
    app.run_pending_jobs().await;
    let j = job::Entity::find_by_id(id)
        .one(&app.ctx.db.conn)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((j.state.as_str(), j.attempts), ("pending", 1));
    assert!(
        j.run_at > domain::time::now_ms() + 500,
        "backoff of at least a second"
    );
    assert!(j.last_error.unwrap().contains("no handler"));
    // Make it due again: the second attempt is the last.
    job::Entity::update_many()
        .col_expr(job::Column::RunAt, Expr::value(0i64))
        .filter(job::Column::Id.eq(id))
        .exec(&app.ctx.db.conn)
        .await
        .unwrap();
    app.run_pending_jobs().await;
    let j = job::Entity::find_by_id(id)
        .one(&app.ctx.db.conn)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((j.state.as_str(), j.attempts), ("failed", 2));
    assert_eq!(
        app.run_pending_jobs().await,
        0,
        "failed jobs are not run again"
    );

    let failed = app
        .get("/api/v1/admin/jobs?state=failed", Some(&app.admin))
        .await;
    assert_eq!(failed.status, StatusCode::OK, "{}", failed.text);
    assert_eq!(failed.body["items"][0]["id"], id);
    assert_eq!(failed.body["items"][0]["kind"], "test_unknown");
    let officer = app.user("researcher", None).await;
    assert_eq!(
        app.get("/api/v1/admin/jobs", Some(&officer)).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get("/api/v1/admin/jobs", None).await.status,
        StatusCode::UNAUTHORIZED
    );
    let r = app
        .post(
            &format!("/api/v1/admin/jobs/{id}/retry"),
            Some(&app.admin),
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["state"], "pending");
    assert_eq!(r.body["attempts"], 0);
    let again = app
        .post(
            &format!("/api/v1/admin/jobs/{id}/retry"),
            Some(&app.admin),
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.code(), "invalid_state");
    assert_eq!(app.run_pending_jobs().await, 1);
}
