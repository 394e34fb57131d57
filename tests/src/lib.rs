//! The black-box test harness: [`TestApp::builder`] (or [`spawn_app`] for an empty app) starts
//! the real server on `127.0.0.1:0` with its own database (a SQLite file in a temporary folder,
//! or a fresh PostgreSQL database when `TEST_DATABASE_URL` is set, dropped afterwards) and
//! answers with a [`TestApp`] that has a helper per endpoint (`endpoints.rs`) and fails the
//! test if background jobs failed.

use std::collections::HashMap;

pub mod bench;
mod endpoints;
pub mod serve;
pub mod smtp;
pub mod web;

use domain::{
    Context,
    db::PoolOptions,
    service::accounts::{self, NewAccount},
    settings::Settings,
};
use rand::Rng;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

pub struct TestApp {
    /// The test's own database.
    pub database_url: String,
    pub address: String,
    pub client: reqwest::Client,
    pub ctx: Context,
    /// A token of an administrator account.
    pub admin: String,
    tokens: HashMap<String, String>,
    hearing: Option<Hearing>,
    /// The settings it was started with, for [`TestApp::another_process`].
    vars: HashMap<String, String>,
    expect_failed_jobs: bool,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
    _dir: tempfile::TempDir,
    postgres: Option<(String, String)>,
}

/// A response read whole: status, headers and body as JSON (or `Null`).
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub content_type: String,
    pub body: Value,
    pub text: String,
}

impl Reply {
    /// The problem `code` of an error answer.
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or_default()
    }
}

fn random_suffix() -> String {
    let mut rng = rand::rng();
    (0..12)
        .map(|_| (b'a' + rng.random_range(0..26)) as char)
        .collect()
}

/// Creates a uniquely named database on the server of `base` and returns its URL.
async fn create_pg_database(base: &str) -> (String, String) {
    use sqlx::{Connection, Executor};
    let name = format!("rabfang_test_{}", random_suffix());
    let mut conn = sqlx::PgConnection::connect(base)
        .await
        .unwrap_or_else(|e| panic!("TEST_DATABASE_URL is set but PostgreSQL is unreachable: {e}"));
    conn.execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .await
        .expect("creating a test database");
    let mut url = url::Url::parse(base).expect("TEST_DATABASE_URL is a URL");
    url.set_path(&name);
    (name, url.to_string())
}

/// Drops a database that [`test_database`] made on PostgreSQL.
pub fn drop_pg_database(base: String, name: String) {
    // Drop runs outside any runtime we may block; use a fresh one on a plain thread.
    let _ = std::thread::spawn(move || {
        let Ok(rt) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        else {
            return;
        };
        rt.block_on(async move {
            use sqlx::{Connection, Executor};
            if let Ok(mut conn) = sqlx::PgConnection::connect(&base).await {
                let _ = conn
                    .execute(sqlx::AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                    )))
                    .await;
            }
        });
    })
    .join();
}

/// The database URL a test should use, creating a PostgreSQL database if asked to.
pub async fn test_database(dir: &std::path::Path) -> (String, Option<(String, String)>) {
    match std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|v| !v.is_empty())
    {
        Some(base) => {
            let (name, url) = create_pg_database(&base).await;
            (url, Some((base, name)))
        }
        None => (
            format!("sqlite://{}/rabfang.db?mode=rwc", dir.display()),
            None,
        ),
    }
}

/// The test app with nothing in it but its administrator: `TestApp::builder().spawn()`.
pub async fn spawn_app() -> TestApp {
    TestApp::builder().spawn().await
}

/// What a test needs before it starts, said in one expression:
///
/// ```ignore
/// let app = TestApp::builder()
///     .with_settings(&[("RABFANG_RATE_LIMIT_ACCOUNT", "3")])
///     .with_hearing("limited")
///     .with_user("citizen", "citizen", None)
///     .spawn()
///     .await;
/// let (h, citizen) = (app.hearing(), app.token("citizen"));
/// ```
///
/// When the app is dropped, the test fails if a background job failed (gave up, or waits
/// for a retry after an error), unless the builder was told [`expecting_failed_jobs`].
///
/// [`expecting_failed_jobs`]: TestAppBuilder::expecting_failed_jobs
#[derive(Default)]
#[must_use = "a builder does nothing until `.spawn().await`"]
pub struct TestAppBuilder {
    settings: Vec<(String, String)>,
    agencies: Vec<String>,
    users: Vec<(String, String, Option<String>)>,
    hearing: Option<String>,
    expect_failed_jobs: bool,
}

impl TestAppBuilder {
    /// Extra settings, as environment variables (`RABFANG_…`); later ones win.
    pub fn with_settings(mut self, settings: &[(&str, &str)]) -> Self {
        self.settings
            .extend(settings.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        self
    }

    /// Mail goes to this SMTP server instead of `.eml` files.
    pub fn with_smtp(self, smtp: &smtp::TestSmtp) -> Self {
        self.with_settings(&[("RABFANG_SMTP_URL", smtp.url.as_str())])
    }

    /// An agency, created through the API by the administrator.
    pub fn with_agency(mut self, slug: &str) -> Self {
        self.agencies.push(slug.to_string());
        self
    }

    /// An account of `role` (in `agency`, created first), whose token is `app.token(name)`.
    pub fn with_user(mut self, name: &str, role: &str, agency: Option<&str>) -> Self {
        self.users
            .push((name.to_string(), role.to_string(), agency.map(Into::into)));
        self
    }

    /// An officer of `agency`, whose token is `app.token(name)`.
    pub fn with_officer(self, name: &str, agency: &str) -> Self {
        self.with_user(name, "officer", Some(agency))
    }

    /// [`TestApp::open_hearing`] of `slug` (after the agencies and users), as `app.hearing()`.
    pub fn with_hearing(mut self, slug: &str) -> Self {
        self.hearing = Some(slug.to_string());
        self
    }

    /// The test makes jobs fail on purpose: do not fail it for the failed jobs it leaves.
    pub fn expecting_failed_jobs(mut self) -> Self {
        self.expect_failed_jobs = true;
        self
    }

    /// Starts the real server on `127.0.0.1:0` with its own database, search index and mail
    /// folder, then creates what the builder was told.
    pub async fn spawn(self) -> TestApp {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let (database_url, postgres) = test_database(dir.path()).await;
        let prefix = format!("t{}_", random_suffix());
        let mut vars: HashMap<String, String> = [
            ("DATABASE_URL", database_url.as_str()),
            ("RABFANG_DATA_DIR", dir.path().to_str().unwrap_or(".")),
            ("RABFANG_LISTEN", "127.0.0.1:0"),
            ("RABFANG_WORKER", "off"),
            ("RABFANG_MEILISEARCH_PREFIX", prefix.as_str()),
            // Tests write fast from one address; the rate-limit tests set their own limits.
            ("RABFANG_RATE_LIMIT_ACCOUNT", "1000000"),
            ("RABFANG_RATE_LIMIT_ADDRESS", "1000000"),
            ("RABFANG_READ_LIMIT_ACCOUNT", "1000000"),
            ("RABFANG_READ_LIMIT_ADDRESS", "1000000"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        if let Ok(url) = std::env::var("TEST_MEILISEARCH_URL") {
            vars.insert("RABFANG_MEILISEARCH_URL".into(), url);
            if let Ok(key) = std::env::var("TEST_MEILISEARCH_KEY") {
                vars.insert("RABFANG_MEILISEARCH_KEY".into(), key);
            }
        }
        // A test that names its own Meilisearch (one that is down, say) gets it unprepared.
        let own_search = self
            .settings
            .iter()
            .any(|(k, _)| k == "RABFANG_MEILISEARCH_URL");
        vars.extend(self.settings);
        let (ctx, address, stop, server) = start_server(&vars, !own_search).await;
        let (_, admin) = accounts::create_account(
            &ctx.db,
            None,
            NewAccount {
                email: "admin@test.rabfang.localhost".into(),
                display_name: Some("Admin".into()),
                role: domain::types::Role::Admin,
                agency_slug: None,
            },
        )
        .await
        .expect("creating the admin");
        let mut app = TestApp {
            database_url,
            address,
            client: reqwest::Client::new(),
            ctx,
            admin,
            tokens: HashMap::new(),
            hearing: None,
            vars,
            expect_failed_jobs: self.expect_failed_jobs,
            stop: Some(stop),
            server: Some(server),
            _dir: dir,
            postgres,
        };
        for slug in &self.agencies {
            app.agency(slug).await;
        }
        for (name, role, agency) in &self.users {
            let token = app.user(role, agency.as_deref()).await;
            app.tokens.insert(name.clone(), token);
        }
        if let Some(slug) = &self.hearing {
            app.hearing = Some(app.open_hearing(slug).await);
        }
        app
    }
}

/// Builds a context from `vars`, migrates, prepares Meilisearch if there is one and
/// `prepare_search`, and serves it on `127.0.0.1:0`.
async fn start_server(
    vars: &HashMap<String, String>,
    prepare_search: bool,
) -> (
    Context,
    String,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<()>,
) {
    let explicit_public_url = vars.contains_key("RABFANG_PUBLIC_URL");
    let settings = Settings::from_vars(vars.clone()).expect("test settings");
    let ctx = Context::build(
        settings,
        PoolOptions {
            max_connections: 5,
            ..Default::default()
        },
    )
    .await
    .expect("connecting to the test database");
    ctx.db.migrate().await.expect("migrating the test database");
    if ctx.settings.meilisearch_url.is_some() && prepare_search {
        ctx.search
            .prepare()
            .await
            .expect("TEST_MEILISEARCH_URL is set but Meilisearch is not usable");
    }
    let app = api::Application::bind(ctx.clone())
        .await
        .expect("binding a port");
    let address = format!("http://127.0.0.1:{}", app.port());
    // The port is known only now: links in mail (made by this context's jobs) and the
    // server's own pages point at it, unless the test set a public URL of its own.
    let mut ctx = ctx;
    let mut app = app;
    if !explicit_public_url {
        ctx.settings.public_url = address.clone();
        app.set_public_url(&address);
    }
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        let _ = app
            .run_until(async move {
                let _ = stopped.await;
            })
            .await;
    });
    (ctx, address, stop, server)
}

/// Background jobs that failed: given up (`failed`), or waiting for another attempt after an
/// error. Read on a thread of its own with its own runtime and connection, because it runs
/// from `Drop`, possibly inside the test's runtime.
fn failed_jobs(database_url: String) -> Result<Vec<String>, String> {
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("a runtime: {e}"))?;
        rt.block_on(async move {
            use sea_orm::{ConnectionTrait, Statement};
            let conn = sea_orm::Database::connect(&database_url)
                .await
                .map_err(|e| format!("connecting: {e}"))?;
            let rows = conn
                .query_all_raw(Statement::from_string(
                    conn.get_database_backend(),
                    "SELECT id, kind, state, attempts, last_error FROM jobs \
                     WHERE state = 'failed' OR (state <> 'done' AND last_error IS NOT NULL) \
                     ORDER BY id",
                ))
                .await
                .map_err(|e| format!("reading jobs: {e}"));
            let _ = conn.close().await;
            rows?
                .iter()
                .map(|row| {
                    let id: i64 = row.try_get("", "id")?;
                    let kind: String = row.try_get("", "kind")?;
                    let state: String = row.try_get("", "state")?;
                    let attempts: i32 = row.try_get("", "attempts")?;
                    let error: Option<String> = row.try_get("", "last_error")?;
                    Ok(format!(
                        "job {id} {kind} ({state}, {attempts} attempts): {}",
                        error.as_deref().unwrap_or("no error recorded")
                    ))
                })
                .collect::<Result<Vec<_>, sea_orm::DbErr>>()
                .map_err(|e| format!("reading a job: {e}"))
        })
    })
    .join()
    .map_err(|_| "the thread reading the jobs panicked".to_string())?
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            server.abort();
        }
        // Read before the database goes; judge after, so that a failing check still drops it.
        let check = (!self.expect_failed_jobs && !std::thread::panicking())
            .then(|| failed_jobs(self.database_url.clone()));
        if let Some((base, name)) = self.postgres.take() {
            drop_pg_database(base, name);
        }
        match check {
            None => {}
            Some(Ok(failed)) if failed.is_empty() => {}
            Some(Ok(failed)) => panic!(
                "background jobs failed during this test (if the test means them to, build it \
                 with `.expecting_failed_jobs()`):\n  {}",
                failed.join("\n  ")
            ),
            Some(Err(e)) => panic!("could not check the test's jobs for failures: {e}"),
        }
    }
}

/// A realistic small draft body with chapters, Thai and Arabic numbers and an inserted section.
pub const SAMPLE_BODY: &str = "# ร่างพระราชบัญญัติทดสอบ พ.ศ. ....\n\nโดยที่เป็นการสมควรมีกฎหมายว่าด้วยการทดสอบ\n\n## หมวด ๑ บททั่วไป\n\nมาตรา ๑ พระราชบัญญัตินี้เรียกว่า \"พระราชบัญญัติทดสอบ พ.ศ. ....\"\n\nมาตรา ๒ พระราชบัญญัตินี้ให้ใช้บังคับเมื่อพ้นกำหนดหนึ่งร้อยแปดสิบวัน\n\n## หมวด ๒ หน้าที่\n\nมาตรา 3 ผู้ประกอบการต้องแจ้งข้อมูลต่อพนักงานเจ้าหน้าที่\n\nมาตรา ๓/๑ ผู้ประกอบการขนาดย่อมได้รับยกเว้น\n\nมาตรา ๔ ผู้ใดฝ่าฝืนมาตรา ๓ ต้องระวางโทษปรับไม่เกินหนึ่งแสนบาท\n";

impl TestApp {
    pub fn builder() -> TestAppBuilder {
        TestAppBuilder::default()
    }

    /// The token of the account the builder made as `name` ([`TestAppBuilder::with_user`]).
    pub fn token(&self, name: &str) -> String {
        self.tokens
            .get(name)
            .unwrap_or_else(|| panic!("no user {name:?} was built; add `.with_user({name:?}, …)`"))
            .clone()
    }

    /// A second server on this app's database, as another `serve` process beside the first
    /// would be: its own context (pool, caches, embedded search index, mail folder), the same
    /// accounts, tokens and Meilisearch indexes. It leaves the database and the check for
    /// failed jobs to this app, so declare it after this one (it must be dropped first).
    pub async fn another_process(&self) -> TestApp {
        let dir = tempfile::tempdir().expect("a temporary folder");
        // Processes that serve one site share its secret key (the README says so).
        let _ = std::fs::copy(
            self._dir.path().join("secret_key"),
            dir.path().join("secret_key"),
        );
        let mut vars = self.vars.clone();
        vars.insert(
            "RABFANG_DATA_DIR".into(),
            dir.path().to_str().unwrap_or(".").into(),
        );
        let (ctx, address, stop, server) = start_server(&vars, false).await;
        TestApp {
            database_url: self.database_url.clone(),
            address,
            client: reqwest::Client::new(),
            ctx,
            admin: self.admin.clone(),
            tokens: self.tokens.clone(),
            hearing: None,
            vars,
            expect_failed_jobs: true,
            stop: Some(stop),
            server: Some(server),
            _dir: dir,
            postgres: None,
        }
    }

    /// The hearing the builder opened ([`TestAppBuilder::with_hearing`]).
    pub fn hearing(&self) -> &Hearing {
        self.hearing
            .as_ref()
            .expect("no hearing was built; add `.with_hearing(slug)`")
    }

    /// The statistics of a consultation recomputed from all its comments, to compare with the
    /// stored snapshot.
    pub async fn statistics_from_scratch(&self, consultation: i64) -> domain::stats::Statistics {
        domain::service::counting::count_comments(
            &self.ctx.db.conn,
            domain::ids::ConsultationId(consultation),
            0,
        )
        .await
        .expect("reading comments")
    }

    /// Runs every due background job now, as the worker would (tests run no worker of their own).
    pub async fn run_pending_jobs(&self) -> usize {
        worker::run_pending(&self.ctx)
            .await
            .expect("running pending jobs")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// Sends a request; `body` is sent as JSON when given.
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut req = self.client.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        read(req.send().await.expect("the request is sent")).await
    }

    /// Sends a raw body with the given content type.
    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        content_type: &str,
        body: Vec<u8>,
    ) -> Reply {
        let mut req = self
            .client
            .request(method, self.url(path))
            .header("content-type", content_type)
            .body(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        read(req.send().await.expect("the request is sent")).await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        self.request(Method::GET, path, token, None, &[]).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> Reply {
        self.request(Method::POST, path, token, Some(body), &[])
            .await
    }

    pub async fn patch(&self, path: &str, token: Option<&str>, body: &Value) -> Reply {
        self.request(Method::PATCH, path, token, Some(body), &[])
            .await
    }

    /// Creates an agency through the API and returns its slug.
    pub async fn agency(&self, slug: &str) -> String {
        let r = self.create_agency(Some(&self.admin), &json!({"slug": slug, "name_th": format!("สำนักงาน {slug}"), "name_en": format!("Office {slug}")})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        slug.to_string()
    }

    /// Creates an account and returns its token.
    pub async fn user(&self, role: &str, agency: Option<&str>) -> String {
        let email = format!("{role}-{}@test.rabfang.localhost", random_suffix());
        accounts::create_account(
            &self.ctx.db,
            None,
            NewAccount {
                email,
                display_name: Some(format!("{role} ผู้ทดสอบ")),
                role: domain::types::Role::parse(role).expect("a role name"),
                agency_slug: agency.map(Into::into),
            },
        )
        .await
        .expect("creating a user")
        .1
    }

    /// Creates an account of `role` with a known address and signs a browser in as it (through
    /// a one-time link, as the site does): answers the browser, the address and an API token.
    pub async fn signed_in(
        &self,
        role: &str,
        agency: Option<&str>,
    ) -> (web::Visitor, String, String) {
        let email = format!("{role}-{}@test.rabfang.localhost", random_suffix());
        let (_, token) = accounts::create_account(
            &self.ctx.db,
            None,
            NewAccount {
                email: email.clone(),
                display_name: Some(format!("{role} ผู้ทดสอบ")),
                role: domain::types::Role::parse(role).expect("a role name"),
                agency_slug: agency.map(Into::into),
            },
        )
        .await
        .expect("creating a user");
        let v = self.sign_in_browser(&email).await;
        (v, email, token)
    }

    /// A browser signed in as the account of `email` (made a citizen if it has none).
    pub async fn sign_in_browser(&self, email: &str) -> web::Visitor {
        let secret = domain::service::sign_in::issue_now(&self.ctx.db, email, "/")
            .await
            .expect("a sign-in link");
        let mut v = web::Visitor::new(&self.address);
        let link = format!("/sign-in/{secret}");
        let confirm = v.get(&link).await;
        assert_eq!(confirm.status, StatusCode::OK, "{}", confirm.html);
        let done = v.post(&link, &[("csrf", &confirm.csrf())]).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.html);
        v
    }

    /// Creates a published draft (with SAMPLE_BODY as version 1) and returns its id.
    pub async fn published_draft(&self, officer: &str) -> i64 {
        let r = self
            .create_draft(
                Some(officer),
                &json!({"title_th": "ร่างพระราชบัญญัติทดสอบ พ.ศ. ....", "title_en": "Draft Test Act", "law_type": "act", "topics": ["privacy"], "body_markdown": SAMPLE_BODY}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        r.body["id"].as_i64().expect("an id")
    }

    /// Opens a 30-day consultation that is open now, with one question of each kind.
    pub async fn open_consultation(&self, officer: &str, draft_id: i64) -> i64 {
        let now = chrono::Utc::now();
        let r = self
            .create_consultation(
                draft_id,
                Some(officer),
                &json!({
                    "kind": "draft",
                    "opens_at": (now - chrono::Duration::minutes(1)).to_rfc3339(),
                    "closes_at": (now + chrono::Duration::days(30)).to_rfc3339(),
                    "questions": [
                        {"kind": "single_choice", "prompt_th": "เห็นด้วยหรือไม่", "options": ["เห็นด้วย", "ไม่เห็นด้วย"]},
                        {"kind": "multiple_choice", "prompt_th": "ประเด็นใด", "options": ["ก", "ข", "ค"]},
                        {"kind": "scale", "prompt_th": "ภาระมากน้อยเพียงใด"},
                        {"kind": "text", "prompt_th": "ข้อเสนอแนะ"}
                    ]
                }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        r.body["id"].as_i64().expect("an id")
    }

    /// An agency, an officer, a published draft and an open consultation, in one call.
    pub async fn open_hearing(&self, slug: &str) -> Hearing {
        self.agency(slug).await;
        let officer = self.user("officer", Some(slug)).await;
        let draft_id = self.published_draft(&officer).await;
        let consultation_id = self.open_consultation(&officer, draft_id).await;
        Hearing {
            officer,
            draft_id,
            consultation_id,
        }
    }
}

pub struct Hearing {
    pub officer: String,
    pub draft_id: i64,
    pub consultation_id: i64,
}

async fn read(resp: reqwest::Response) -> Reply {
    let status = resp.status();
    let content_type = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let text = resp.text().await.unwrap_or_default();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Reply {
        status,
        content_type,
        body,
        text,
    }
}
