//! `rabfang audit verify`, run as the real binary against the test's own database: a clean
//! record verifies; a tampered audit event, hearing summary or impact assessment is named and
//! the command fails; administrators see the last result beside the job list.

use std::{path::PathBuf, process::Command};

use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, EntityTrait, QueryOrder};
use serde_json::json;
use tests::{TestApp, spawn_app};

fn verify(app: &TestApp) -> std::process::Output {
    let data = tempfile::tempdir().unwrap();
    Command::new(PathBuf::from(env!("CARGO_BIN_EXE_rabfang-under-test")))
        .env("RABFANG_DATA_DIR", data.path())
        .env("DATABASE_URL", &app.database_url)
        .env("RABFANG_LOG", "warn")
        .args(["audit", "verify"])
        .output()
        .unwrap()
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

struct Published {
    officer: String,
    draft_id: i64,
    report_id: i64,
    assessment_id: i64,
}

/// A hearing with a comment, closed, its summary compiled and published, and the draft's
/// impact assessment published.
async fn published_documents(app: &TestApp) -> Published {
    let h = app.open_hearing("integrity").await;
    let citizen = app.user("citizen", None).await;
    let r = app
        .create_comment(
            h.consultation_id,
            Some(&citizen),
            &json!({"body": "ควรลดโทษปรับในมาตรา ๔", "stance": "oppose", "provision_id": "s4"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
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
    let r = app
        .compile_report(h.consultation_id, Some(&h.officer))
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    app.run_pending_jobs().await;
    let report = app
        .publish_report(h.consultation_id, Some(&h.officer))
        .await;
    assert_eq!(report.status, StatusCode::OK, "{}", report.text);
    let example = serde_json::to_value(domain::ria::example()).unwrap();
    let r = app
        .save_impact_assessment(h.draft_id, Some(&h.officer), &example)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = app
        .publish_impact_assessment(h.draft_id, Some(&h.officer))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let report_id = domain::entity::report::Entity::find()
        .one(&app.ctx.db.conn)
        .await
        .unwrap()
        .unwrap()
        .id;
    let assessment_id = domain::entity::impact_assessment::Entity::find()
        .one(&app.ctx.db.conn)
        .await
        .unwrap()
        .unwrap()
        .id;
    Published {
        officer: h.officer,
        draft_id: h.draft_id,
        report_id,
        assessment_id,
    }
}

#[tokio::test]
async fn a_clean_record_verifies_with_status_0_and_administrators_see_the_result() {
    let app = spawn_app().await;
    let p = published_documents(&app).await;
    // Retitling the draft after its assessment was published changes the assessment's
    // rendering, but not what was published: that is not tampering.
    let r = app
        .update_draft(
            p.draft_id,
            Some(&p.officer),
            &json!({"title_th": "ร่างพระราชบัญญัติทดสอบ (ฉบับแก้ไขชื่อ) พ.ศ. ...."}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let before = app.get_integrity(Some(&app.admin)).await;
    assert_eq!(before.status, StatusCode::OK, "{}", before.text);
    assert_eq!(before.body["last_check"], serde_json::Value::Null);

    let out = verify(&app);
    assert!(
        out.status.success(),
        "{}{}",
        stdout(&out),
        String::from_utf8_lossy(&out.stderr)
    );
    let events = domain::entity::audit_event::Entity::find()
        .all(&app.ctx.db.conn)
        .await
        .unwrap()
        .len();
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(
        text.starts_with(&format!("{events} events verified, 2 published documents")),
        "{text}"
    );

    let jobs = app.list_jobs(Some(&app.admin), &[]).await;
    assert_eq!(jobs.status, StatusCode::OK, "{}", jobs.text);
    let last = &jobs.body["last_integrity_check"];
    assert_eq!(last["ok"], true, "{last}");
    assert_eq!(last["checked_by"], "command line");
    assert_eq!(last["events_verified"], events as i64);
    assert_eq!(last["documents_checked"], 2);
    assert_eq!(last["first_problem"], serde_json::Value::Null);
    assert!(last["finished_at"].as_str().is_some());
    let status = app.get_integrity(Some(&app.admin)).await;
    assert_eq!(&status.body["last_check"], last);
    assert_eq!(
        app.get_integrity(Some(&p.officer)).await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn a_changed_audit_event_is_named_and_the_command_fails() {
    let app = spawn_app().await;
    let h = app.open_hearing("tamper").await;
    let r = app
        .update_draft(
            h.draft_id,
            Some(&h.officer),
            &json!({"title_en": "Draft Test Act, renamed"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let events = domain::entity::audit_event::Entity::find()
        .order_by_asc(domain::entity::audit_event::Column::Id)
        .all(&app.ctx.db.conn)
        .await
        .unwrap();
    let target = events
        .iter()
        .find(|e| e.action == "draft.update")
        .expect("the update is audited");
    app.ctx
        .db
        .conn
        .execute_unprepared(&format!(
            "UPDATE audit_events SET after_hash = '{}' WHERE id = {}",
            domain::audit::sha256_hex(b"{\"title_en\":\"something else\"}"),
            target.id
        ))
        .await
        .unwrap();

    let out = verify(&app);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let named = format!(
        "audit event {} (draft.update on draft {})",
        target.id, h.draft_id
    );
    assert!(stdout(&out).contains(&named), "{}", stdout(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(&named),
        "the error names the first broken event too"
    );
    let last = app.get_integrity(Some(&app.admin)).await;
    let last = &last.body["last_check"];
    assert_eq!(last["ok"], false);
    assert_eq!(last["broken_events"], 1, "only the changed event is broken");
    assert!(
        last["first_problem"].as_str().unwrap().contains(&named),
        "{last}"
    );
    assert_eq!(last["problems"][0]["kind"], "audit_event");
    assert_eq!(last["problems"][0]["id"], target.id);

    // Removing the newest event (after putting the changed one back) is noticed too.
    app.ctx
        .db
        .conn
        .execute_unprepared(&format!(
            "UPDATE audit_events SET after_hash = '{}' WHERE id = {}",
            target.after_hash.clone().unwrap(),
            target.id
        ))
        .await
        .unwrap();
    assert!(verify(&app).status.success());
    app.ctx
        .db
        .conn
        .execute_unprepared(&format!(
            "DELETE FROM audit_events WHERE id = {}",
            events.last().unwrap().id
        ))
        .await
        .unwrap();
    let out = verify(&app);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("audit chain head"),
        "{}",
        stdout(&out)
    );
}

#[tokio::test]
async fn a_changed_published_hearing_summary_is_named() {
    let app = spawn_app().await;
    let p = published_documents(&app).await;
    app.ctx
        .db
        .conn
        .execute_unprepared(&format!(
            "UPDATE reports SET body_markdown = body_markdown || ' (แก้ไข)' WHERE id = {}",
            p.report_id
        ))
        .await
        .unwrap();
    let out = verify(&app);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(
        text.contains(&format!("hearing summary {} (consultation", p.report_id))
            && text.contains("does not match its content hash"),
        "{text}"
    );

    // Rewriting the hash with the text does not hide it: the audit trail kept the first one.
    let changed = domain::entity::report::Entity::find_by_id(p.report_id)
        .one(&app.ctx.db.conn)
        .await
        .unwrap()
        .unwrap();
    let rehashed = domain::audit::sha256_hex(changed.body_markdown.unwrap_or_default().as_bytes());
    app.ctx
        .db
        .conn
        .execute_unprepared(&format!(
            "UPDATE reports SET content_hash = '{rehashed}' WHERE id = {}",
            p.report_id
        ))
        .await
        .unwrap();
    let out = verify(&app);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("not the one the audit trail recorded at publication"),
        "{}",
        stdout(&out)
    );
    let last = app.list_jobs(Some(&app.admin), &[]).await;
    assert_eq!(
        last.body["last_integrity_check"]["problems"][0]["kind"],
        "hearing_summary"
    );
}

#[tokio::test]
async fn a_changed_published_impact_assessment_is_named() {
    let app = spawn_app().await;
    let p = published_documents(&app).await;
    let stored = domain::entity::impact_assessment::Entity::find_by_id(p.assessment_id)
        .one(&app.ctx.db.conn)
        .await
        .unwrap()
        .unwrap();
    let mut fields: serde_json::Value = serde_json::from_str(stored.fields.as_str()).unwrap();
    fields["problem"] = json!("ไม่มีปัญหาใด ๆ");
    app.ctx
        .db
        .conn
        .execute_unprepared(&format!(
            "UPDATE impact_assessments SET fields = '{}' WHERE id = {}",
            fields.to_string().replace('\'', "''"),
            p.assessment_id
        ))
        .await
        .unwrap();
    let out = verify(&app);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(
        text.contains(&format!(
            "impact assessment {} (draft {}): its stored text does not match its content hash",
            p.assessment_id, p.draft_id
        )),
        "{text}"
    );
    assert!(!text.contains("hearing summary"), "{text}");
}

#[tokio::test]
async fn the_worker_verifies_once_a_day() {
    let app = spawn_app().await;
    app.open_hearing("daily").await;
    let pending = || async {
        domain::entity::job::Entity::find()
            .all(&app.ctx.db.conn)
            .await
            .unwrap()
            .into_iter()
            .filter(|j| j.kind == "verify_integrity" && j.state == domain::types::JobState::Pending)
            .count()
    };
    worker::scheduler::tick(&app.ctx).await.unwrap();
    assert_eq!(pending().await, 0, "not in a database's first day");
    let out = verify(&app);
    assert!(out.status.success(), "{}", stdout(&out));
    // The last check was two days ago.
    app.ctx
        .db
        .conn
        .execute_unprepared(&format!(
            "UPDATE integrity_checks SET started_at = {}",
            domain::time::now_ms() - 2 * domain::time::DAY_MS
        ))
        .await
        .unwrap();
    worker::scheduler::tick(&app.ctx).await.unwrap();
    worker::scheduler::tick(&app.ctx).await.unwrap();
    assert_eq!(
        pending().await,
        1,
        "one run, however often the scheduler ticks"
    );
    app.run_pending_jobs().await;
    let last = app.get_integrity(Some(&app.admin)).await;
    assert_eq!(last.body["last_check"]["checked_by"], "worker (daily)");
    assert_eq!(last.body["last_check"]["ok"], true);
    worker::scheduler::tick(&app.ctx).await.unwrap();
    assert_eq!(pending().await, 0, "verified today");
}

#[tokio::test]
async fn an_administrator_can_have_the_worker_verify_now() {
    let app = spawn_app().await;
    let h = app.open_hearing("asked").await;
    assert_eq!(
        app.verify_integrity(Some(&h.officer)).await.status,
        StatusCode::FORBIDDEN
    );
    for _ in 0..3 {
        let r = app.verify_integrity(Some(&app.admin)).await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    }
    let queued = domain::entity::job::Entity::find()
        .all(&app.ctx.db.conn)
        .await
        .unwrap()
        .into_iter()
        .filter(|j| j.kind == "verify_integrity")
        .count();
    assert_eq!(queued, 1, "one waiting verification answers every request");
    app.run_pending_jobs().await;
    let last = app.get_integrity(Some(&app.admin)).await;
    let last = &last.body["last_check"];
    assert_eq!(last["ok"], true, "{last}");
    assert!(
        last["checked_by"]
            .as_str()
            .unwrap()
            .starts_with("worker, asked by account "),
        "{last}"
    );
}
