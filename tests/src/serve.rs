//! The real `rabfang serve` as a child process, for tests and benchmarks that must run what
//! users run (the server with its embedded worker). The binary's path comes from the caller
//! (`env!("CARGO_BIN_EXE_rabfang-under-test")` is known only to tests and benches).

use std::{
    io::{BufRead, BufReader},
    path::Path,
    process::{Child, Command, ExitStatus, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

/// A running `rabfang serve`; killed when dropped, stopped with SIGTERM by [`Served::stop`].
pub struct Served {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    log: Arc<Mutex<Vec<String>>>,
}

/// A `rabfang` command on a data folder and database, logging warnings only.
pub fn command(binary: &Path, data: &Path, database_url: &str) -> Command {
    let mut c = Command::new(binary);
    c.env("RABFANG_DATA_DIR", data)
        .env("DATABASE_URL", database_url)
        .env("RABFANG_LOG", "warn");
    c
}

impl Served {
    /// Starts `rabfang serve <args>` on a free port and waits (up to two minutes, the demo data
    /// takes a while on a busy machine) until it listens.
    pub fn start(
        binary: &Path,
        data: &Path,
        database_url: &str,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> Served {
        let mut c = command(binary, data, database_url);
        c.env("RABFANG_LISTEN", "127.0.0.1:0")
            .arg("serve")
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (k, v) in env {
            c.env(k, v);
        }
        let mut child = c.spawn().expect("starting rabfang serve");
        let stderr = child.stderr.take().expect("piped stderr");
        let log = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let shared = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(rest) = line.split_once("listening on ").map(|(_, r)| r) {
                    let _ = tx.send(rest.split_whitespace().next().unwrap_or("").to_string());
                }
                shared.lock().map(|mut l| l.push(line)).ok();
            }
        });
        let mut served = Served {
            child,
            address: String::new(),
            log,
        };
        served.address = rx
            .recv_timeout(Duration::from_secs(120))
            .unwrap_or_else(|_| panic!("the server did not start: {:#?}", served.log()));
        served
    }

    /// What the server wrote to standard error so far.
    pub fn log(&self) -> Vec<String> {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends SIGTERM and waits up to 20 s for the process to exit.
    pub fn stop(mut self) -> ExitStatus {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("running kill");
        assert!(status.success());
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(exit) = self.child.try_wait().expect("waiting for the server") {
                return exit;
            }
            assert!(
                Instant::now() < deadline,
                "the server did not stop within 20 s of SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs a command to its end and answers its standard output and error; panics with both when
/// it fails.
pub fn run_ok(c: &mut Command) -> (String, String) {
    let out = c.output().expect("running the command");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    );
    assert!(out.status.success(), "{c:?} failed:\n{stdout}\n{stderr}");
    (stdout, stderr)
}

/// The number that `sql` (a `SELECT COUNT(*) ...`) answers.
pub async fn count(db: &domain::db::Db, sql: &str) -> i64 {
    use sea_orm::{ConnectionTrait, Statement};
    db.conn
        .query_one_raw(Statement::from_string(db.backend(), sql.to_string()))
        .await
        .expect("counting")
        .expect("a row")
        .try_get_by_index::<i64>(0)
        .expect("a number")
}

/// Waits until the server's worker has no job waiting or running (what a benchmark measures
/// then runs as on a quiet day), for at most `limit`; how long it took.
pub async fn settle(db: &domain::db::Db, limit: std::time::Duration) -> std::time::Duration {
    let started = std::time::Instant::now();
    while count(
        db,
        "SELECT COUNT(*) FROM jobs WHERE state IN ('pending', 'running')",
    )
    .await
        > 0
    {
        assert!(started.elapsed() < limit, "the worker did not settle");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    started.elapsed()
}
