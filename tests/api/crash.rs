//! SIGKILL in the middle of a job loses nothing. A real `rabfang-worker` process is stopped at a
//! pause point (see `worker::failpoint`) and killed with SIGKILL there: once before the job's
//! handler starts, once after its work is committed but before the job is marked done. After
//! the lease runs out, a second worker process finishes the job, and the end state is the one a
//! run without the kill leaves: every job done, the comment indexed once, the statistics equal
//! to a recomputation from scratch, one receipt received by the SMTP server. SIGTERM in the
//! middle of a job lets the worker finish it before it exits. A job that runs longer than its
//! lease is not taken over: its worker renews the lease.

use std::{process::Stdio, time::Duration};

use domain::{
    entity::{delivery, job, statistics},
    search::{DocKind, SearchFilter, SearchIndex, SearchQuery, embedded::EmbeddedIndex},
    stats::Statistics,
};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, sea_query::Expr};
use serde_json::json;
use tests::smtp::TestSmtp;
use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::{Child, Command},
};

const BODY: &str = "ขอให้ทบทวนค่าธรรมเนียมใบอนุญาตสำหรับวิสาหกิจชุมชน";

fn worker(
    data: &std::path::Path,
    database_url: &str,
    smtp: &str,
    failpoint: Option<&str>,
    settings: &[(&str, &str)],
) -> Child {
    let mut c = Command::new(env!("CARGO_BIN_EXE_rabfang-worker-under-test"));
    c.envs(settings.iter().copied());
    c.env("RABFANG_DATA_DIR", data)
        .env("DATABASE_URL", database_url)
        .env("RABFANG_SMTP_URL", smtp)
        .env("RABFANG_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    if let Some(point) = failpoint {
        c.env("FAILPOINTS", point);
    }
    c.spawn().expect("starting rabfang-worker")
}

/// Waits until the worker writes `failpoint <point> reached` on standard error.
async fn wait_for_failpoint(child: &mut Child, point: &str) {
    let stderr = child.stderr.take().expect("piped stderr");
    let mut lines = BufReader::new(stderr).lines();
    let wanted = format!("failpoint {point} reached");
    let seen = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if line.contains(&wanted) {
                return true;
            }
        }
        false
    })
    .await;
    assert_eq!(seen, Ok(true), "the worker never reached {point}");
}

/// Sends SIGTERM and expects a clean exit (status 0) within 20 s.
async fn terminate(child: &mut Child) {
    let pid = child.id().unwrap().to_string();
    let term = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .await
        .unwrap();
    assert!(term.success());
    let exit = tokio::time::timeout(Duration::from_secs(20), child.wait())
        .await
        .expect("the worker stops within 20 s of SIGTERM")
        .unwrap();
    assert!(exit.success(), "{exit:?}");
}

async fn jobs_not_done(app: &tests::TestApp) -> u64 {
    job::Entity::find()
        .filter(job::Column::State.ne("done"))
        .count(&app.ctx.db.conn)
        .await
        .unwrap()
}

/// Kills a worker with SIGKILL at `<stage>:<kind>`, lets another finish, and checks the end state.
async fn kill_mid_job(stage: &str, kind: &str) {
    let smtp = TestSmtp::start().await;
    let app = tests::spawn_app().await;
    let h = app.open_hearing(&format!("crash-{stage}")).await;
    let citizen = app.user("citizen", None).await;
    let r = app
        .create_comment(
            h.consultation_id,
            Some(&citizen),
            &json!({"body": BODY, "stance": "oppose", "province": "น่าน"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let tracking = r.body["tracking_number"].as_str().unwrap().to_string();

    // Both workers share one data folder (the embedded index lives there).
    let data = tempfile::tempdir().unwrap();
    let point = format!("{stage}:{kind}");
    let mut first = worker(data.path(), &app.database_url, &smtp.url, Some(&point), &[]);
    wait_for_failpoint(&mut first, &point).await;
    first.start_kill().unwrap(); // SIGKILL
    let status = first.wait().await.unwrap();
    assert!(!status.success(), "{status:?}");

    // The job is left claimed by the dead worker; what it did before dying is visible.
    let held = job::Entity::find()
        .filter(job::Column::Kind.eq(kind))
        .filter(job::Column::State.eq("running"))
        .count(&app.ctx.db.conn)
        .await
        .unwrap();
    assert!(held >= 1, "no {kind} job is held by the dead worker");
    let sent_before_restart = smtp.messages().len();
    match (stage, kind) {
        ("before", "send_mail") => assert_eq!(sent_before_restart, 0),
        ("after", "send_mail") => assert_eq!(sent_before_restart, 1),
        _ => {}
    }

    // Its lease runs out (as if a minute passed), and another worker takes over.
    job::Entity::update_many()
        .col_expr(job::Column::LeaseExpiresAt, Expr::value(0i64))
        .filter(job::Column::State.eq("running"))
        .exec(&app.ctx.db.conn)
        .await
        .unwrap();
    let mut second = worker(data.path(), &app.database_url, &smtp.url, None, &[]);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while jobs_not_done(&app).await > 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the second worker did not finish the jobs"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    terminate(&mut second).await;

    // Mail: exactly one receipt, recorded as sent.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let received = smtp.messages();
    assert_eq!(received.len(), 1, "one receipt, not {}", received.len());
    assert!(
        received[0]
            .text_body()
            .unwrap_or_default()
            .contains(&tracking)
    );
    let deliveries = delivery::Entity::find()
        .all(&app.ctx.db.conn)
        .await
        .unwrap();
    assert_eq!(deliveries.len(), 1);
    assert_eq!(deliveries[0].state, domain::types::DeliveryState::Sent);

    // Statistics: the snapshot equals a recomputation from scratch.
    let row = statistics::Entity::find_by_id(h.consultation_id)
        .one(&app.ctx.db.conn)
        .await
        .unwrap()
        .expect("a statistics snapshot");
    let stored: Statistics = serde_json::from_str(&row.data).unwrap();
    assert_eq!(stored, app.statistics_from_scratch(h.consultation_id).await);
    assert_eq!(stored.total, 1);

    // Index: every public document exactly once, and the comment is found.
    let index = EmbeddedIndex::open(&data.path().join("search")).unwrap();
    let counts = domain::service::indexing::compare_counts(&app.ctx.db.conn, &index)
        .await
        .unwrap();
    for (kind, in_db, in_index) in counts {
        assert_eq!(in_db, in_index, "{kind:?}");
    }
    let found = index
        .search(&SearchQuery {
            q: "วิสาหกิจชุมชน".into(),
            filter: SearchFilter {
                kinds: vec![DocKind::Comment],
                ..Default::default()
            },
            limit: 10,
            offset: 0,
        })
        .await
        .unwrap();
    assert_eq!(found.total, 1);
}

#[tokio::test]
async fn sigkill_before_and_after_an_indexing_job_loses_nothing() {
    kill_mid_job("before", "search_index").await;
    kill_mid_job("after", "search_index").await;
}

#[tokio::test]
async fn sigkill_before_and_after_an_aggregation_job_loses_nothing() {
    kill_mid_job("before", "aggregate_consultation").await;
    kill_mid_job("after", "aggregate_consultation").await;
}

#[tokio::test]
async fn sigkill_before_and_after_a_mail_job_loses_nothing() {
    kill_mid_job("before", "send_mail").await;
    kill_mid_job("after", "send_mail").await;
}

/// SIGTERM while a job is in hand: the worker finishes it (the receipt goes out, the job is
/// done) and then exits with status 0.
#[tokio::test]
async fn sigterm_in_the_middle_of_a_job_finishes_it_then_exits() {
    let smtp = TestSmtp::start().await;
    let app = tests::spawn_app().await;
    let h = app.open_hearing("sigterm").await;
    let citizen = app.user("citizen", None).await;
    let r = app
        .create_comment(
            h.consultation_id,
            Some(&citizen),
            &json!({"body": BODY, "stance": "support"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let data = tempfile::tempdir().unwrap();
    let point = "before:send_mail";
    let mut child = worker(
        data.path(),
        &app.database_url,
        &smtp.url,
        Some(&format!("{point}=sleep(1500)")),
        &[],
    );
    wait_for_failpoint(&mut child, point).await;
    assert_eq!(smtp.messages().len(), 0, "the mail job has not run yet");
    terminate(&mut child).await;
    assert_eq!(smtp.messages().len(), 1, "the job in hand was finished");
    let mail_jobs = job::Entity::find()
        .filter(job::Column::Kind.eq("send_mail"))
        .all(&app.ctx.db.conn)
        .await
        .unwrap();
    assert!(
        mail_jobs
            .iter()
            .all(|j| j.state == domain::types::JobState::Done),
        "{mail_jobs:?}"
    );
}

/// A job that runs for several leases is not taken over while its worker lives: the worker
/// renews the lease, so another worker's claims pass the job by, and the receipt goes out once.
#[tokio::test]
async fn a_job_running_longer_than_its_lease_is_not_taken_over() {
    let smtp = TestSmtp::start().await;
    let app = tests::spawn_app().await;
    let h = app.open_hearing("lease").await;
    let citizen = app.user("citizen", None).await;
    let r = app
        .create_comment(
            h.consultation_id,
            Some(&citizen),
            &json!({"body": BODY, "stance": "support"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let data = tempfile::tempdir().unwrap();
    let point = "before:send_mail";
    let mut child = worker(
        data.path(),
        &app.database_url,
        &smtp.url,
        Some(&format!("{point}=sleep(6000)")),
        &[("RABFANG_JOB_LEASE_SECONDS", "2")],
    );
    wait_for_failpoint(&mut child, point).await;
    let mail_job = || async {
        job::Entity::find()
            .filter(job::Column::Kind.eq("send_mail"))
            .one(&app.ctx.db.conn)
            .await
            .unwrap()
            .expect("the receipt's job")
    };
    let held = mail_job().await;
    assert_eq!(held.state, domain::types::JobState::Running);
    // Two and a half leases pass while the job is paused; another worker keeps trying.
    for _ in 0..5 {
        tokio::time::sleep(Duration::from_millis(1000)).await;
        let taken = worker::claim(&app.ctx, "another-worker", 100, worker::Lane::All)
            .await
            .unwrap();
        assert!(
            taken.iter().all(|j| j.id != held.id),
            "another worker took over a job whose worker is alive"
        );
        let now = mail_job().await;
        assert_eq!(now.lease_owner, held.lease_owner);
        assert!(
            now.lease_expires_at > Some(domain::time::now_ms()),
            "{now:?}"
        );
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while mail_job().await.state != domain::types::JobState::Done {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the job never finished"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    terminate(&mut child).await;
    assert_eq!(smtp.messages().len(), 1, "one receipt");
    assert_eq!(mail_job().await.attempts, 1, "claimed once");
}

/// A long job (a bulk export) runs in a lane of its own: while it is in hand, the other jobs,
/// such as a commenter's receipt, still run.
#[tokio::test]
async fn a_long_export_does_not_hold_back_the_other_jobs() {
    let smtp = TestSmtp::start().await;
    let app = tests::spawn_app().await;
    let h = app.open_hearing("lanes").await;
    let r = app.request_export("site", Some(&app.admin)).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    let citizen = app.user("citizen", None).await;
    let r = app
        .create_comment(
            h.consultation_id,
            Some(&citizen),
            &json!({"body": BODY, "stance": "support"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let data = tempfile::tempdir().unwrap();
    let point = "before:export";
    let mut child = worker(
        data.path(),
        &app.database_url,
        &smtp.url,
        Some(&format!("{point}=sleep(30000)")),
        &[],
    );
    wait_for_failpoint(&mut child, point).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while smtp.messages().is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "the receipt waited for the export"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let export = job::Entity::find()
        .filter(job::Column::Kind.eq("export"))
        .one(&app.ctx.db.conn)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        export.state,
        domain::types::JobState::Running,
        "still in hand"
    );
    child.start_kill().unwrap();
    let _ = child.wait().await;
}
