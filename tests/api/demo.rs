use std::collections::HashSet;

use domain::entity::{comment, consultation, draft, draft_version};
use sea_orm::{EntityTrait, PaginatorTrait};
use tests::spawn_app;

#[tokio::test]
async fn the_demo_data_covers_every_status_and_loads_only_once() {
    let app = spawn_app().await;
    let first = api::demo::load(&app.ctx)
        .await
        .expect("loading the demo data");
    assert_eq!(first.drafts, 6);
    assert!(first.comments >= 200, "{first:?}");
    let again = api::demo::load(&app.ctx).await.expect("loading it again");
    assert_eq!((again.drafts, again.comments), (0, 0));

    let conn = &app.ctx.db.conn;
    let agencies = app.list_agencies(None, &[]).await;
    assert!(agencies.body["items"].as_array().unwrap().len() >= 3);
    assert_eq!(draft::Entity::find().count(conn).await.unwrap(), 6);
    let versions = draft_version::Entity::find().all(conn).await.unwrap();
    assert!(
        versions.iter().filter(|v| v.number == 2).count() >= 2,
        "some drafts have version 2"
    );
    for v in &versions {
        let provisions = &v.provisions;
        assert!(
            provisions.len() >= 15,
            "draft {} v{} has {} provisions",
            v.draft_id,
            v.number,
            provisions.len()
        );
        assert!(v.body_markdown.contains("หมวด") || v.body_markdown.contains("ข้อ ๑"));
    }
    let drafts = app.list_drafts(None, &[]).await;
    for d in drafts.body["items"].as_array().unwrap() {
        assert!(d["title_th"].as_str().unwrap().starts_with("ร่าง"));
        assert!(!d["title_en"].as_str().unwrap_or("").is_empty());
        assert!(!d["summary_en"].as_str().unwrap_or("").is_empty());
    }
    let list = app.list_consultations(None, &[]).await;
    let statuses: HashSet<&str> = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        HashSet::from(["scheduled", "open", "closed", "concluded"])
    );
    assert!(comment::Entity::find().count(conn).await.unwrap() >= 200);
    // Comments of past hearings were received inside their hearing.
    for c in consultation::Entity::find().all(conn).await.unwrap() {
        for m in comment::Entity::find()
            .all(conn)
            .await
            .unwrap()
            .iter()
            .filter(|m| m.consultation_id == c.id)
        {
            assert!(
                c.opens_at <= m.received_at && m.received_at < c.closes_at,
                "comment {} outside its hearing",
                m.id
            );
        }
    }
}
