use std::collections::HashSet;

use domain::{entity::job, jobs::BackgroundJob};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, sea_query::Expr};
use serde::{Deserialize, Serialize};
use tests::{TestApp, spawn_app};

/// A job of a kind that is not registered: every attempt fails.
#[derive(Serialize, Deserialize)]
struct Unknown {
    n: u32,
}

impl BackgroundJob for Unknown {
    const KIND: &'static str = "test_unknown";
    const MAX_ATTEMPTS: i32 = 2;

    async fn run(_: &domain::Context, _: Vec<Self>) -> anyhow::Result<()> {
        unreachable!("not registered, so never run")
    }
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
                let claimed = worker::claim(&ctx, &format!("w{w}"), 7, worker::Lane::All)
                    .await
                    .unwrap();
                // On PostgreSQL a claim that races another can come back empty while jobs are
                // still pending (rows it picked were claimed and committed under it): stop only
                // when nothing is left to claim.
                if claimed.is_empty() {
                    let pending = job::Entity::find()
                        .filter(job::Column::State.eq(domain::types::JobState::Pending))
                        .count(&ctx.db.conn)
                        .await
                        .unwrap();
                    if pending == 0 {
                        return mine;
                    }
                    tokio::task::yield_now().await;
                    continue;
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
    let app = TestApp::builder().expecting_failed_jobs().spawn().await;
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
        .list_jobs(Some(&app.admin), &[("state", "failed")])
        .await;
    assert_eq!(failed.status, StatusCode::OK, "{}", failed.text);
    assert_eq!(failed.body["items"][0]["id"], id);
    assert_eq!(failed.body["items"][0]["kind"], "test_unknown");
    let officer = app.user("researcher", None).await;
    assert_eq!(
        app.list_jobs(Some(&officer), &[]).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.list_jobs(None, &[]).await.status,
        StatusCode::UNAUTHORIZED
    );
    let r = app.retry_job(id, Some(&app.admin)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["state"], "pending");
    assert_eq!(r.body["attempts"], 0);
    let again = app.retry_job(id, Some(&app.admin)).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.code(), "invalid_state");
    assert_eq!(app.run_pending_jobs().await, 1);
}

/// The harness's own check: a test that leaves a failed job behind without building its app
/// `.expecting_failed_jobs()` fails when the app is dropped, naming the job and its error.
#[tokio::test]
#[should_panic(expected = "job 1 test_unknown")]
async fn a_test_that_leaves_a_failed_job_behind_fails() {
    let app = spawn_app().await;
    domain::jobs::enqueue(&app.ctx.db.conn, &Unknown { n: 1 })
        .await
        .unwrap();
    assert_eq!(app.run_pending_jobs().await, 1);
}

/// A worker that dies holding jobs (claimed, never finished) loses nothing: once the lease
/// expires another worker takes them, and the result equals a run without the crash.
#[tokio::test]
async fn jobs_abandoned_by_a_dead_worker_are_finished_by_another_after_the_lease() {
    let app = spawn_app().await;
    let h = app.open_hearing("lease").await;
    let citizen = app.user("citizen", None).await;
    let r = app
        .create_comment(
            h.consultation_id,
            Some(&citizen),
            &serde_json::json!({"body": "ความเห็นเรื่องสัญญาเช่า", "stance": "oppose"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    // The "dead" worker claims everything (indexing, statistics, mail) and never reports back.
    let claimed = worker::claim(&app.ctx, "dead-worker", 1000, worker::Lane::All)
        .await
        .unwrap();
    let kinds: HashSet<String> = claimed.iter().map(|j| j.kind.clone()).collect();
    for k in ["search_index", "aggregate_consultation", "send_mail"] {
        assert!(kinds.contains(k), "{kinds:?}");
    }
    assert_eq!(
        app.run_pending_jobs().await,
        0,
        "leased jobs are not taken while the lease holds"
    );
    // The lease runs out.
    job::Entity::update_many()
        .col_expr(job::Column::LeaseExpiresAt, Expr::value(0i64))
        .exec(&app.ctx.db.conn)
        .await
        .unwrap();
    assert_eq!(app.run_pending_jobs().await, claimed.len());
    let left = job::Entity::find()
        .filter(job::Column::State.ne("done"))
        .all(&app.ctx.db.conn)
        .await
        .unwrap();
    assert!(left.is_empty(), "{left:?}");
    // Same end state as without the crash: indexed, counted, one receipt.
    let found = app
        .search(None, &[("q", "สัญญาเช่า"), ("kind", "comment")])
        .await;
    assert_eq!(found.body["total"], 1, "{}", found.text);
    let summary = app.consultation_summary(h.consultation_id, None).await;
    assert_eq!(summary.body["total"], 1);
    let mail = std::fs::read_dir(app.ctx.settings.data_dir.join("mail"))
        .unwrap()
        .count();
    assert_eq!(mail, 1);
    // A late report from the dead worker changes nothing (it no longer holds the lease).
    let done = job::Entity::find().all(&app.ctx.db.conn).await.unwrap();
    assert!(
        done.iter()
            .all(|j| j.state == domain::types::JobState::Done && j.lease_owner.is_none())
    );
}

/// A job that fails does not fail the jobs of its kind claimed with it: the batch is run again
/// job by job, and each outcome is recorded on its own job.
#[tokio::test]
async fn one_bad_job_does_not_fail_the_others_of_its_batch() {
    use domain::{entity::statistics, jobs::AggregateJob};
    use sea_orm::{ActiveModelTrait, Set};
    let app = TestApp::builder().expecting_failed_jobs().spawn().await;
    let h = app.open_hearing("poison").await;
    let citizen = app.user("citizen", None).await;
    let r = app
        .create_comment(
            h.consultation_id,
            Some(&citizen),
            &serde_json::json!({"body": "ขอให้ทบทวนค่าธรรมเนียม", "stance": "oppose"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    // An aggregation job whose payload no handler can read, queued with the good one.
    let now = domain::time::now_ms();
    let bad = job::ActiveModel {
        kind: Set(AggregateJob::KIND.into()),
        payload: Set("{\"consultation\": \"x\"}".into()),
        priority: Set(0),
        state: Set(domain::types::JobState::Pending),
        run_at: Set(0),
        attempts: Set(0),
        max_attempts: Set(3),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&app.ctx.db.conn)
    .await
    .unwrap();
    app.run_pending_jobs().await;
    let snapshot = statistics::Entity::find_by_id(h.consultation_id)
        .one(&app.ctx.db.conn)
        .await
        .unwrap();
    assert!(snapshot.is_some(), "the good aggregation ran");
    let jobs = job::Entity::find().all(&app.ctx.db.conn).await.unwrap();
    for j in &jobs {
        if j.id == bad.id {
            assert_eq!((j.state.as_str(), j.attempts), ("pending", 1), "{j:?}");
            assert!(
                j.last_error
                    .as_deref()
                    .unwrap_or_default()
                    .contains("bad payload")
            );
        } else {
            assert_eq!(j.state, domain::types::JobState::Done, "{j:?}");
            assert_eq!(j.last_error, None, "{j:?}");
        }
    }
}
