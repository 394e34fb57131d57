//! The `rabfang` binary itself: the CLI's output contracts, the demo data, and a clean stop on
//! SIGTERM.

use tests::serve::{Served, run_ok};

use std::{
    path::PathBuf,
    process::{Command, Stdio},
    time::{Duration, Instant},
};

/// The `rabfang` program (built by cargo for these tests as `rabfang-under-test`).
fn rabfang() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_rabfang-under-test"))
}

fn command(data: &std::path::Path, database_url: &str) -> Command {
    tests::serve::command(&rabfang(), data, database_url)
}

#[tokio::test]
async fn user_create_prints_only_the_new_token() {
    let dir = tempfile::tempdir().unwrap();
    let (url, pg) = tests::test_database(dir.path()).await;
    // Only `migrate` and `serve` change the schema: other commands refuse a database behind it.
    let out = command(dir.path(), &url)
        .args(["agency", "create", "--slug", "early", "--name-th", "ก่อน"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("run `rabfang migrate` first"), "{stderr}");
    run_ok(command(dir.path(), &url).arg("migrate"));
    let out = command(dir.path(), &url)
        .args([
            "agency",
            "create",
            "--slug",
            "cli-agency",
            "--name-th",
            "สำนักงานทดสอบ",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = command(dir.path(), &url)
        .args([
            "user",
            "create",
            "--email",
            "officer@cli.rabfang.localhost",
            "--role",
            "officer",
            "--agency",
            "cli-agency",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{stdout:?}");
    assert!(
        lines[0].starts_with("rf_") && lines[0].len() > 40,
        "{stdout:?}"
    );
    // A bad role is refused with a message naming the field, and nothing on stdout.
    let out = command(dir.path(), &url)
        .args([
            "user",
            "create",
            "--email",
            "x@cli.rabfang.localhost",
            "--role",
            "king",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("role"));
    // The printed token works against the API.
    let spec = command(dir.path(), &url).arg("openapi").output().unwrap();
    let spec: serde_json::Value = serde_json::from_slice(&spec.stdout).unwrap();
    assert_eq!(spec["info"]["title"], "Rabfang API");
    drop_pg(pg).await;
}

async fn drop_pg(pg: Option<(String, String)>) {
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

#[tokio::test]
async fn serve_with_demo_data_serves_it_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let (url, pg) = tests::test_database(dir.path()).await;
    let served = Served::start(&rabfang(), dir.path(), &url, &["--demo"], &[]);
    let client = reqwest::Client::new();
    let drafts: serde_json::Value = client
        .get(served.url("/api/v1/drafts?limit=200"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}: {:#?}", served.log()))
        .json()
        .await
        .unwrap();
    assert_eq!(drafts["items"].as_array().unwrap().len(), 6);
    // The printed sign-in link signs the demo citizen in.
    let log = served.log();
    let line = log
        .iter()
        .find(|l| l.contains("sign in as the demo citizen"))
        .unwrap_or_else(|| panic!("no sign-in link printed: {log:#?}"));
    let link = line[line.find("http").unwrap()..]
        .split_whitespace()
        .next()
        .unwrap();
    let mut v = tests::web::Visitor::new(&served.address);
    let confirm = v.get(link).await;
    assert_eq!(confirm.status, 200, "{link}");
    let done = v.post(link, &[("csrf", &confirm.csrf())]).await;
    assert_eq!(done.status, 303);
    assert!(v.get("/").await.html.contains("/sign-out"), "signed in");
    // And the demo officer's, to the workspace with the agency's drafts.
    let line = log
        .iter()
        .find(|l| l.contains("sign in as the demo officer"))
        .unwrap_or_else(|| panic!("no officer sign-in link printed: {log:#?}"));
    let link = line[line.find("http").unwrap()..]
        .split_whitespace()
        .next()
        .unwrap();
    let mut officer = tests::web::Visitor::new(&served.address);
    let confirm = officer.get(link).await;
    let done = officer.post(link, &[("csrf", &confirm.csrf())]).await;
    assert_eq!(done.location.as_deref(), Some("/workspace"));
    let workspace = officer.get("/workspace").await;
    assert_eq!(workspace.status, 200);
    assert!(
        workspace.html.contains("/workspace/drafts/"),
        "the agency's drafts"
    );
    assert_eq!(
        client
            .get(served.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let exit = served.stop();
    assert!(exit.success(), "exit status {exit:?}");
    drop_pg(pg).await;
}

#[tokio::test]
async fn every_command_works_beside_a_running_server_and_logs_have_no_colours_in_a_pipe() {
    let dir = tempfile::tempdir().unwrap();
    let (url, pg) = tests::test_database(dir.path()).await;
    // Informational logs on, so that there is something to look at for colour codes.
    let served = Served::start(
        &rabfang(),
        dir.path(),
        &url,
        &["--demo"],
        &[("RABFANG_LOG", "info")],
    );
    let cmd = || command(dir.path(), &url);
    let mut outputs = Vec::new();
    outputs.push(run_ok(cmd().args([
        "agency",
        "create",
        "--slug",
        "beside",
        "--name-th",
        "หน่วยงานข้างเคียง",
    ])));
    let (token, _) = run_ok(cmd().args([
        "user",
        "create",
        "--email",
        "beside@example.org",
        "--role",
        "officer",
        "--agency",
        "beside",
    ]));
    outputs.push(run_ok(cmd().args(["jobs", "list"])));
    let (stdout, stderr) = run_ok(cmd().args(["audit", "verify"]));
    assert!(stdout.contains("events verified"), "{stdout}");
    outputs.push((stdout, stderr));
    // The embedded index belongs to the server: the rebuild runs there, and the counts agree.
    let (stdout, stderr) = run_ok(cmd().args(["search", "reindex"]));
    assert!(stderr.contains("in the running server"), "{stderr}");
    for kind in ["draft", "provision", "consultation", "comment"] {
        let line = stdout
            .lines()
            .find(|l| l.starts_with(kind))
            .unwrap_or_else(|| panic!("no {kind} line in {stdout}"));
        assert!(!line.contains("MISMATCH"), "{line}");
    }
    outputs.push((stdout, stderr));
    // What the commands did is there for the server.
    let r = reqwest::Client::new()
        .get(served.url("/api/v1/agencies"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(r.contains("\"beside\""), "{r}");
    let me = reqwest::Client::new()
        .get(served.url("/api/v1/drafts"))
        .bearer_auth(token.trim())
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    let log = served.log();
    let exit = served.stop();
    assert!(exit.success(), "exit status {exit:?}");
    assert!(log.iter().any(|l| l.contains("INFO")), "{log:#?}");
    for line in log.iter().chain(outputs.iter().map(|(_, e)| e)) {
        assert!(
            !line.contains('\u{1b}'),
            "a colour code in a pipe: {line:?}"
        );
    }
    drop_pg(pg).await;
}

struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn search_reindex_shows_progress_and_prints_equal_counts() {
    let app = tests::spawn_app().await;
    api::demo::load(&app.ctx).await.unwrap();
    // Its own data folder: the running test app holds the lock of its embedded index.
    let dir = tempfile::tempdir().unwrap();
    let out = command(dir.path(), &app.database_url)
        .args(["search", "reindex"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for kind in ["draft", "provision", "consultation", "comment"] {
        let line = stdout
            .lines()
            .find(|l| l.starts_with(kind))
            .unwrap_or_else(|| panic!("no {kind} line in {stdout}"));
        let numbers: Vec<&str> = line
            .split_whitespace()
            .filter(|w| w.chars().all(|c| c.is_ascii_digit()))
            .collect();
        assert_eq!(numbers.len(), 2, "{line}");
        assert_eq!(numbers[0], numbers[1], "{line}");
        assert_ne!(numbers[0], "0", "{line}");
    }
}

/// `rabfang search reindex` on Meilisearch fills a fresh index and swaps it in: a reader
/// counting the live index all the while never sees fewer documents than it held before.
#[tokio::test]
#[cfg_attr(not(meilisearch), ignore = "needs a Meilisearch: TEST_MEILISEARCH_URL")]
async fn search_reindex_on_meilisearch_never_shows_a_half_filled_index() {
    use domain::search::SearchIndex;
    use std::sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    };
    let app = tests::spawn_app().await;
    api::demo::load(&app.ctx).await.unwrap();
    app.run_pending_jobs().await;
    let before = app.ctx.search.count(None).await.unwrap();
    assert!(before > 0);
    let done = Arc::new(AtomicBool::new(false));
    let reader = {
        let (search, done) = (app.ctx.search.clone(), done.clone());
        tokio::spawn(async move {
            let (mut fewest, mut reads) = (u64::MAX, 0);
            while !done.load(Ordering::Acquire) {
                fewest = fewest.min(search.count(None).await.unwrap());
                reads += 1;
            }
            (fewest, reads)
        })
    };
    let dir = tempfile::tempdir().unwrap();
    let settings = &app.ctx.settings;
    let mut reindex = command(dir.path(), &app.database_url);
    reindex
        .env(
            "RABFANG_MEILISEARCH_URL",
            settings.meilisearch_url.as_deref().unwrap(),
        )
        .env("RABFANG_MEILISEARCH_PREFIX", &settings.meilisearch_prefix)
        .args(["search", "reindex"]);
    if let Some(key) = &settings.meilisearch_key {
        reindex.env("RABFANG_MEILISEARCH_KEY", key.expose());
    }
    let out = tokio::task::spawn_blocking(move || reindex.output())
        .await
        .unwrap()
        .unwrap();
    done.store(true, Ordering::Release);
    let (fewest, reads) = reader.await.unwrap();
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(reads > 1, "the reader ran during the rebuild");
    assert_eq!(fewest, before, "the live index never had fewer documents");
    assert_eq!(app.ctx.search.count(None).await.unwrap(), before);
}

#[tokio::test]
async fn the_worker_process_runs_jobs_and_stops_cleanly_on_sigterm() {
    let app = tests::spawn_app().await;
    let h = app.open_hearing("proc").await;
    let citizen = app.user("citizen", None).await;
    let r = app
        .create_comment(
            h.consultation_id,
            Some(&citizen),
            &serde_json::json!({"body": "ความเห็นจากกระบวนการแยก", "stance": "support"}),
        )
        .await;
    assert_eq!(r.status, reqwest::StatusCode::CREATED);
    // Its own data folder: the test app holds the lock of its embedded index.
    let dir = tempfile::tempdir().unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_rabfang-worker-under-test"))
        .env("RABFANG_DATA_DIR", dir.path())
        .env("DATABASE_URL", &app.database_url)
        .env("RABFANG_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut child = KillOnDrop(child);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
        let pending = domain::entity::job::Entity::find()
            .filter(domain::entity::job::Column::State.ne("done"))
            .count(&app.ctx.db.conn)
            .await
            .unwrap();
        if pending == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the worker process did not run the jobs"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let status = Command::new("kill")
        .args(["-TERM", &child.0.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    let exit = loop {
        if let Some(exit) = child.0.try_wait().unwrap() {
            break exit;
        }
        assert!(
            Instant::now() < deadline,
            "the worker did not stop within 20 s of SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(exit.success(), "exit status {exit:?}");
    assert_eq!(
        std::fs::read_dir(dir.path().join("mail")).unwrap().count(),
        1,
        "the receipt was written"
    );
}

#[tokio::test]
async fn two_worker_processes_never_run_the_same_job() {
    let app = tests::spawn_app().await;
    let h = app.open_hearing("twins").await;
    let citizen = app.user("citizen", None).await;
    for i in 0..60 {
        let r = app
            .create_comment(
                h.consultation_id,
                Some(&citizen),
                &serde_json::json!({"body": format!("ความเห็นที่ {i}"), "stance": "neutral"}),
            )
            .await;
        assert_eq!(r.status, reqwest::StatusCode::CREATED);
    }
    // Two workers, each with its own mail folder: every receipt must be written by exactly one.
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let mut children: Vec<KillOnDrop> = dirs
        .iter()
        .map(|dir| {
            KillOnDrop(
                Command::new(env!("CARGO_BIN_EXE_rabfang-worker-under-test"))
                    .env("RABFANG_DATA_DIR", dir.path())
                    .env("DATABASE_URL", &app.database_url)
                    .env("RABFANG_LOG", "warn")
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
                    .unwrap(),
            )
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
        let left = domain::entity::job::Entity::find()
            .filter(domain::entity::job::Column::State.ne("done"))
            .count(&app.ctx.db.conn)
            .await
            .unwrap();
        if left == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "{left} jobs still not done");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    for child in &mut children {
        let _ = Command::new("kill")
            .args(["-TERM", &child.0.id().to_string()])
            .status();
    }
    let mut receipts = Vec::new();
    for dir in &dirs {
        if let Ok(entries) = std::fs::read_dir(dir.path().join("mail")) {
            receipts.extend(entries.map(|e| e.unwrap().file_name().to_string_lossy().to_string()));
        }
    }
    let mut unique = receipts.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(receipts.len(), 60, "each receipt written once in all");
    assert_eq!(unique.len(), 60);
}

#[tokio::test]
async fn jobs_list_and_retry_from_the_command_line() {
    // A failed job is made up for the commands to list and retry.
    let app = tests::TestApp::builder()
        .expecting_failed_jobs()
        .spawn()
        .await;
    let id = domain::jobs::enqueue(&app.ctx.db.conn, &domain::jobs::AggregateJob::update(1))
        .await
        .unwrap();
    {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
        domain::entity::job::Entity::update_many()
            .col_expr(domain::entity::job::Column::State, Expr::value("failed"))
            .col_expr(domain::entity::job::Column::LastError, Expr::value("boom"))
            .filter(domain::entity::job::Column::Id.eq(id))
            .exec(&app.ctx.db.conn)
            .await
            .unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let out = command(dir.path(), &app.database_url)
        .args(["jobs", "list", "--state", "failed"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(
        stdout.starts_with(&format!("{id}\taggregate_consultation\tfailed"))
            && stdout.contains("boom"),
        "{stdout}"
    );
    let out = command(dir.path(), &app.database_url)
        .args(["jobs", "retry", &id.to_string()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = command(dir.path(), &app.database_url)
        .args(["jobs", "retry", &id.to_string()])
        .output()
        .unwrap();
    assert!(!out.status.success(), "a pending job is not retried");
    let out = command(dir.path(), &app.database_url)
        .args(["jobs", "list", "--state", "failed"])
        .output()
        .unwrap();
    assert!(out.stdout.is_empty());
}
