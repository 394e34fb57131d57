use chrono::{Duration, Utc};
use reqwest::StatusCode;
use serde_json::json;
use tests::spawn_app;

#[tokio::test]
async fn a_hearing_shorter_than_15_days_needs_a_public_reason() {
    let app = spawn_app().await;
    app.agency("short").await;
    let officer = app.user("officer", Some("short")).await;
    let draft = app.published_draft(&officer).await;
    let now = Utc::now();
    let short = json!({"kind": "draft", "opens_at": now.to_rfc3339(), "closes_at": (now + Duration::days(10)).to_rfc3339()});
    let r = app.create_consultation(draft, Some(&officer), &short).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(r.code(), "hearing_too_short");
    assert_eq!(
        app.list_consultations(None, &[]).await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        0
    );

    let mut with_reason = short.clone();
    with_reason["short_period_reason"] = json!("เป็นกรณีเร่งด่วนเพื่อป้องกันความเสียหายต่อประชาชน");
    let r = app
        .create_consultation(draft, Some(&officer), &with_reason)
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let id = r.body["id"].as_i64().unwrap();
    let public = app.get_consultation(id, None).await;
    assert_eq!(
        public.body["short_period_reason"],
        "เป็นกรณีเร่งด่วนเพื่อป้องกันความเสียหายต่อประชาชน"
    );

    // Exactly 15 days needs no reason.
    let fifteen = json!({"kind": "principles", "opens_at": now.to_rfc3339(), "closes_at": (now + Duration::days(15)).to_rfc3339()});
    assert_eq!(
        app.create_consultation(draft, Some(&officer), &fifteen)
            .await
            .status,
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn closes_at_must_come_after_opens_at_and_questions_must_be_well_formed() {
    let app = spawn_app().await;
    app.agency("dates").await;
    let officer = app.user("officer", Some("dates")).await;
    let draft = app.published_draft(&officer).await;
    let now = Utc::now();
    let r = app.create_consultation(draft, Some(&officer), &json!({"kind": "draft", "opens_at": now.to_rfc3339(), "closes_at": (now - Duration::days(1)).to_rfc3339(), "short_period_reason": "x"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.body["errors"][0]["field"], "closes_at");
    let r = app
        .create_consultation(
            draft,
            Some(&officer),
            &json!({"kind": "draft", "opens_at": now.to_rfc3339(), "closes_at": (now + Duration::days(20)).to_rfc3339(),
                    "questions": [{"kind": "single_choice", "prompt_th": "ถาม", "options": ["only one"]}, {"kind": "text", "prompt_th": ""}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = r.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["questions[0].options", "questions[1].prompt_th"]);
    let r = app
        .create_consultation(
            draft,
            Some(&officer),
            &json!({"kind": "draft", "opens_at": "yesterday", "closes_at": now.to_rfc3339()}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.body["errors"][0]["field"], "opens_at");
}

#[tokio::test]
async fn a_draft_in_preparation_cannot_be_consulted_on() {
    let app = spawn_app().await;
    app.agency("noversion").await;
    let officer = app.user("officer", Some("noversion")).await;
    let r = app
        .create_draft(
            Some(&officer),
            &json!({"title_th": "ร่าง", "law_type": "act"}),
        )
        .await;
    let draft = r.body["id"].as_i64().unwrap();
    let now = Utc::now();
    let r = app
        .create_consultation(draft, Some(&officer), &json!({"kind": "draft", "opens_at": now.to_rfc3339(), "closes_at": (now + Duration::days(20)).to_rfc3339()}))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.code(), "invalid_state");
}

#[tokio::test]
async fn status_follows_the_clock_and_lists_filter_by_it() {
    let app = spawn_app().await;
    let h = app.open_hearing("clock").await;
    let officer = &h.officer;
    let now = Utc::now();
    let scheduled = app
        .create_consultation(
            h.draft_id,
            Some(officer),
            &json!({"kind": "principles", "opens_at": (now + Duration::days(3)).to_rfc3339(), "closes_at": (now + Duration::days(40)).to_rfc3339()}),
        )
        .await;
    assert_eq!(scheduled.body["status"], "scheduled");
    let open = app.get_consultation(h.consultation_id, None).await;
    assert_eq!(open.body["status"], "open");
    assert_eq!(open.body["questions"][0]["id"], "q1");
    assert_eq!(open.body["agency"], "clock");
    assert_eq!(
        app.get_draft(h.draft_id, None).await.body["status"],
        "in_consultation"
    );

    let ids = |filter: &'static str, value: &'static str| {
        let app = &app;
        async move {
            app.list_consultations(None, &[(filter, value)]).await.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_i64().unwrap())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(ids("status", "open").await, vec![h.consultation_id]);
    assert_eq!(
        ids("status", "scheduled").await,
        vec![scheduled.body["id"].as_i64().unwrap()]
    );
    assert_eq!(ids("status", "closed").await, Vec::<i64>::new());
    assert_eq!(ids("kind", "principles").await.len(), 1);
    assert_eq!(ids("agency", "clock").await.len(), 2);
    assert_eq!(ids("agency", "other").await.len(), 0);
}

#[tokio::test]
async fn a_hearing_dated_in_the_past_is_refused_and_nothing_is_stored() {
    // The walk-around found by trying it as a new user: a hearing announced after it had
    // already closed, so that nobody could comment, and the summary and submission then
    // went through.
    let app = spawn_app().await;
    app.agency("backdate").await;
    let officer = app.user("officer", Some("backdate")).await;
    let draft = app.published_draft(&officer).await;
    let r = app
        .create_consultation(
            draft,
            Some(&officer),
            &json!({"kind": "draft", "opens_at": "2020-01-01T00:00:00Z", "closes_at": "2020-01-20T00:00:00Z"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(r.code(), "validation_failed");
    let fields: Vec<(&str, &str)> = r.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["field"].as_str().unwrap(), e["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        fields,
        [("opens_at", "in_the_past"), ("closes_at", "in_the_past")]
    );
    // Opening an hour ago is refused too; a few minutes of clock skew is not.
    let now = Utc::now();
    let an_hour_ago = json!({"kind": "draft", "opens_at": (now - Duration::hours(1)).to_rfc3339(), "closes_at": (now + Duration::days(20)).to_rfc3339()});
    let r = app
        .create_consultation(draft, Some(&officer), &an_hour_ago)
        .await;
    assert_eq!(r.body["errors"][0]["field"], "opens_at", "{}", r.text);
    let listed = app.list_consultations(Some(&officer), &[]).await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 0);
    let r = app.submit_draft(draft, Some(&officer)).await;
    assert!(r.status.is_client_error(), "{}", r.text);

    let skewed = json!({"kind": "draft", "opens_at": (now - Duration::minutes(2)).to_rfc3339(), "closes_at": (now + Duration::days(20)).to_rfc3339()});
    let r = app
        .create_consultation(draft, Some(&officer), &skewed)
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["status"], "open");
    let announced =
        chrono::DateTime::parse_from_rfc3339(r.body["announced_at"].as_str().unwrap()).unwrap();
    assert!((announced.with_timezone(&Utc) - now).num_seconds().abs() < 60);
}

#[tokio::test]
async fn only_a_scheduled_hearing_is_rescheduled_and_its_new_dates_are_announced() {
    let app = spawn_app().await;
    app.agency("resched").await;
    app.agency("other-agency").await;
    let officer = app.user("officer", Some("resched")).await;
    let stranger = app.user("officer", Some("other-agency")).await;
    let draft = app.published_draft(&officer).await;
    let now = Utc::now();
    let r = app
        .create_consultation(
            draft,
            Some(&officer),
            &json!({"kind": "draft", "opens_at": (now + Duration::days(2)).to_rfc3339(), "closes_at": (now + Duration::days(30)).to_rfc3339()}),
        )
        .await;
    assert_eq!(r.body["status"], "scheduled", "{}", r.text);
    let id = r.body["id"].as_i64().unwrap();
    let first_announced = r.body["announced_at"].as_str().unwrap().to_string();

    // Into the past: refused, unchanged.
    let r = app
        .reschedule_consultation(
            id,
            Some(&officer),
            &json!({"opens_at": "2020-01-01T00:00:00Z", "closes_at": "2020-01-20T00:00:00Z"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    // Too short without a reason, and another agency's officer sees nothing.
    let short = json!({"opens_at": (now + Duration::days(3)).to_rfc3339(), "closes_at": (now + Duration::days(5)).to_rfc3339()});
    assert_eq!(
        app.reschedule_consultation(id, Some(&officer), &short)
            .await
            .code(),
        "hearing_too_short"
    );
    let later = json!({"opens_at": (now + Duration::days(3)).to_rfc3339(), "closes_at": (now + Duration::days(40)).to_rfc3339()});
    assert_eq!(
        app.reschedule_consultation(id, Some(&stranger), &later)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let unchanged = app.get_consultation(id, None).await;
    assert_eq!(unchanged.body["announced_at"], first_announced.as_str());

    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let r = app
        .reschedule_consultation(id, Some(&officer), &later)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["status"], "scheduled");
    assert_ne!(r.body["announced_at"], first_announced.as_str());
    let opens = chrono::DateTime::parse_from_rfc3339(r.body["opens_at"].as_str().unwrap()).unwrap();
    assert_eq!(opens.timestamp(), (now + Duration::days(3)).timestamp());

    // Once open, the dates are fixed.
    let open_now =
        json!({"opens_at": now.to_rfc3339(), "closes_at": (now + Duration::days(40)).to_rfc3339()});
    let r = app
        .reschedule_consultation(id, Some(&officer), &open_now)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["status"], "open");
    let r = app
        .reschedule_consultation(id, Some(&officer), &later)
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    assert_eq!(r.code(), "invalid_state");
}
