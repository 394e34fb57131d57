use migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, Statement};

async fn count_tables(conn: &sea_orm::DatabaseConnection) -> i64 {
    let backend = conn.get_database_backend();
    let sql = match backend {
        sea_orm::DbBackend::Postgres => {
            "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'seaql_migrations'"
        }
        _ => {
            "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'seaql_migrations'"
        }
    };
    let row = conn
        .query_one_raw(Statement::from_string(backend, sql))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

#[tokio::test]
async fn migrations_apply_roll_back_and_apply_again() {
    let dir = tempfile::tempdir().unwrap();
    let (url, pg) = tests::test_database(dir.path()).await;
    let db = domain::db::Db::connect(&url, Default::default())
        .await
        .unwrap();
    Migrator::up(&db.conn, None).await.expect("up");
    assert!(count_tables(&db.conn).await >= 18);
    Migrator::down(&db.conn, None).await.expect("down");
    assert_eq!(count_tables(&db.conn).await, 0);
    Migrator::up(&db.conn, None).await.expect("up again");
    assert!(count_tables(&db.conn).await >= 18);
    db.conn.close().await.unwrap();
    if let Some((base, name)) = pg {
        use sqlx::{Connection, Executor};
        let mut conn = sqlx::PgConnection::connect(&base).await.unwrap();
        conn.execute(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
        )))
        .await
        .unwrap();
    }
}
