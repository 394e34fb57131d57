use domain::entity::consultation;
use domain::ids::ConsultationId;
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use serde_json::json;
use tests::spawn_app;

#[tokio::test]
async fn the_hearing_summary_is_compiled_published_hashed_and_announced() {
    let app = spawn_app().await;
    let h = app.open_hearing("report").await;
    let citizen = app.user("citizen", None).await;
    // Only the first commenter asks to be told when the summary is published.
    let other = app.user("citizen", None).await;
    for (who, body, provision, notify) in [
        (&citizen, "ควรลดโทษปรับในมาตรา ๔", "s4", true),
        (&other, "เห็นด้วยกับมาตรา ๓", "s3", false),
        (&other, "ขอให้ชี้แจงบทนิยาม", "s1", false),
    ] {
        let r = app.create_comment(h.consultation_id, Some(who), &json!({"body": body, "stance": "neutral", "provision_id": provision, "notify": notify})).await;
        assert_eq!(r.status, StatusCode::CREATED);
    }
    let r = app.record_disposition(h.consultation_id, Some(&h.officer), &json!({"target_kind": "provision", "target_id": "s4", "decision": "partly_accepted", "reason": "ลดเพดานโทษปรับลงครึ่งหนึ่ง"})).await;
    assert_eq!(r.status, StatusCode::OK);
    let id = h.consultation_id;
    let r = app.compile_report(id, Some(&h.officer)).await;
    assert_eq!(r.code(), "invalid_state", "not while the hearing is open");

    consultation::Entity::update_many()
        .col_expr(
            consultation::Column::ClosesAt,
            Expr::value(domain::time::now_ms() - 1),
        )
        .filter(consultation::Column::Id.eq(h.consultation_id))
        .exec(&app.ctx.db.conn)
        .await
        .unwrap();
    assert_eq!(
        app.compile_report(id, Some(&citizen)).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.compile_report(id, Some(&h.officer)).await.status,
        StatusCode::ACCEPTED
    );
    app.run_pending_jobs().await;
    assert_eq!(
        app.get_report(id, None).await.status,
        StatusCode::NOT_FOUND,
        "a compiled summary is not public yet"
    );
    let compiled = app.get_report(id, Some(&h.officer)).await;
    assert_eq!(compiled.status, StatusCode::OK, "{}", compiled.text);
    assert_eq!(compiled.body["status"], "compiled");
    let markdown = compiled.body["markdown"].as_str().unwrap();
    assert!(
        markdown.contains("สรุปผลการรับฟังความคิดเห็น") && markdown.contains("ลดเพดานโทษปรับลงครึ่งหนึ่ง"),
        "{markdown}"
    );
    assert!(markdown.contains("| neutral | 3 | 100.0 |"), "{markdown}");
    assert!(
        markdown.contains("(dates announced on):"),
        "the summary states when the dates were announced: {markdown}"
    );
    assert!(compiled.body["html"].as_str().unwrap().contains("<table>"));

    let published = app.publish_report(id, Some(&h.officer)).await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.text);
    assert_eq!(published.body["status"], "published");
    let public = app.get_report(id, None).await;
    assert_eq!(public.status, StatusCode::OK);
    let hash = domain::audit::sha256_hex(public.body["markdown"].as_str().unwrap().as_bytes());
    assert_eq!(public.body["content_hash"], hash);
    assert_eq!(
        app.get_consultation(id, None).await.body["status"],
        "concluded"
    );
    assert_eq!(
        app.publish_report(id, Some(&h.officer)).await.code(),
        "invalid_state"
    );
    assert_eq!(
        app.compile_report(id, Some(&h.officer)).await.code(),
        "invalid_state"
    );

    let chart = app.get_report_chart(id, "stance", None).await;
    assert_eq!(chart.status, StatusCode::OK);
    assert!(
        chart.content_type.starts_with("image/svg+xml"),
        "{}",
        chart.content_type
    );
    assert!(chart.text.starts_with("<svg") && chart.text.contains("neutral"));
    let page = app.get_report_html(id, None).await;
    assert!(page.content_type.starts_with("text/html") && page.text.contains("<img"));

    // The commenter who asked is told, and only they (mail written to files: no SMTP here).
    app.run_pending_jobs().await;
    let mail: Vec<String> = std::fs::read_dir(app.ctx.settings.data_dir.join("mail"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    assert_eq!(
        mail.iter()
            .filter(|m| m.starts_with("summary-published"))
            .count(),
        1,
        "{mail:?}"
    );
}

#[tokio::test]
async fn two_compiles_at_once_keep_one_summary_and_a_published_one_never_changes() {
    use domain::{entity::report, error::DomainError, service::reports};
    use sea_orm::PaginatorTrait;
    let app = spawn_app().await;
    let h = app.open_hearing("race").await;
    let citizen = app.user("citizen", None).await;
    let r = app
        .create_comment(
            h.consultation_id,
            Some(&citizen),
            &json!({"body": "ขอให้ทบทวนอัตราค่าธรรมเนียม", "stance": "oppose"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    consultation::Entity::update_many()
        .col_expr(
            consultation::Column::ClosesAt,
            Expr::value(domain::time::now_ms() - 1),
        )
        .filter(consultation::Column::Id.eq(h.consultation_id))
        .exec(&app.ctx.db.conn)
        .await
        .unwrap();
    let db = &app.ctx.db;
    let (first, second) = tokio::join!(
        reports::compile(db, ConsultationId(h.consultation_id)),
        reports::compile(db, ConsultationId(h.consultation_id))
    );
    assert_eq!(first.unwrap().id, second.unwrap().id, "one summary row");
    let rows = || async {
        report::Entity::find()
            .filter(report::Column::ConsultationId.eq(h.consultation_id))
            .all(&app.ctx.db.conn)
            .await
            .unwrap()
    };
    assert_eq!(rows().await.len(), 1);

    let published = app
        .publish_report(h.consultation_id, Some(&h.officer))
        .await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.text);
    let before = rows().await;
    let late = reports::compile(db, ConsultationId(h.consultation_id)).await;
    assert!(
        matches!(late, Err(DomainError::InvalidState(_))),
        "{late:?}"
    );
    assert_eq!(rows().await, before, "the published summary is unchanged");
    assert_eq!(
        report::Entity::find()
            .count(&app.ctx.db.conn)
            .await
            .unwrap(),
        1
    );
}
