//! Stored vocabularies and JSON documents are read strictly: a value outside the vocabulary,
//! or a JSON column that does not parse, is an error that names the table, the column and the
//! value, and the API answers `500 internal` instead of showing a made-up default.

use domain::{
    ids::{ConsultationId, DraftId},
    service::{comments, consultations, drafts, page::PageRequest},
};
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;
use tests::spawn_app;

async fn exec(app: &tests::TestApp, sql: String) {
    let backend = app.ctx.db.conn.get_database_backend();
    app.ctx
        .db
        .conn
        .execute_raw(Statement::from_string(backend, sql))
        .await
        .unwrap();
    // Written beside the server's own writes: answers kept before it are not served again.
    app.ctx.db.wrote();
}

#[tokio::test]
async fn an_unknown_stored_stance_is_an_error_naming_the_table_and_the_value() {
    let app = spawn_app().await;
    let h = app.open_hearing("strict-enum").await;
    let citizen = app.user("citizen", None).await;
    let r = app
        .create_comment(
            h.consultation_id,
            Some(&citizen),
            &json!({"body": "เห็นด้วยกับร่างนี้", "stance": "support"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let listing = || app.list_comments(h.consultation_id, None, &[]);
    assert_eq!(listing().await.status, StatusCode::OK);

    exec(&app, "UPDATE comments SET stance = 'enthusiastic'".into()).await;
    let err = comments::list_public_comments(
        &app.ctx.db.conn,
        None,
        ConsultationId(h.consultation_id),
        Default::default(),
        PageRequest::parse(None, None).unwrap(),
    )
    .await
    .expect_err("an unknown stance must not be read as some other stance");
    let message = format!("{err:#}");
    assert!(
        message.contains("comments.stance") && message.contains("enthusiastic"),
        "the error names the table, the column and the value: {message}"
    );
    let r = listing().await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", r.text);
    assert_eq!(r.code(), "internal");
    assert!(
        !r.text.contains("enthusiastic"),
        "the stored value stays out of the public answer: {}",
        r.text
    );
}

#[tokio::test]
async fn corrupt_json_columns_are_errors_not_empty_values() {
    let app = spawn_app().await;
    let h = app.open_hearing("strict-json").await;

    exec(
        &app,
        format!(
            "UPDATE consultations SET questions = '[{{\"id\": \"q1\"' WHERE id = {}",
            h.consultation_id
        ),
    )
    .await;
    let err =
        consultations::get_consultation(&app.ctx.db.conn, None, ConsultationId(h.consultation_id))
            .await
            .expect_err("a questionnaire that does not parse is not an empty questionnaire");
    assert!(
        format!("{err:#}").contains("consultations.questions"),
        "{err:#}"
    );

    exec(
        &app,
        format!(
            "UPDATE drafts SET topics = 'not json' WHERE id = {}",
            h.draft_id
        ),
    )
    .await;
    let err = drafts::get_draft(&app.ctx.db.conn, None, DraftId(h.draft_id))
        .await
        .expect_err("topics that do not parse are not an empty list");
    assert!(format!("{err:#}").contains("drafts.topics"), "{err:#}");
    let r = app.get_draft(h.draft_id, None).await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", r.text);
}
