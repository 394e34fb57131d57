//! Settings, read once from the environment at start-up. Every setting is optional: the
//! defaults run on a local SQLite file, an embedded search index and mail written to files.
//! A `RABFANG_` variable that is not known here is an error, so a typo is not silently ignored.

use std::{collections::HashMap, fmt, path::PathBuf};

use anyhow::{Context as _, bail};

/// A value that must not be printed (keys, passwords inside URLs).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: String) -> Self {
        Secret(value)
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(****)")
    }
}

/// Whether `rabfang serve` runs the job worker inside the API process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkerMode {
    Embedded,
    Off,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub data_dir: PathBuf,
    /// Holds a password for PostgreSQL, so it is kept secret; see [`redact_url`].
    pub database_url: Secret,
    pub listen: String,
    pub public_url: String,
    pub meilisearch_url: Option<String>,
    pub meilisearch_key: Option<Secret>,
    /// Prefix of the Meilisearch index names, so several deployments (or tests) can share a server.
    pub meilisearch_prefix: String,
    pub smtp_url: Option<Secret>,
    pub mail_from: String,
    pub worker: WorkerMode,
    /// How long a worker's claim on a job lasts without renewal (`RABFANG_JOB_LEASE_SECONDS`,
    /// default 60): a worker renews it while the job runs, and another worker takes the job
    /// over only when its worker stopped renewing (it died).
    pub job_lease_ms: i64,
}

const KNOWN: &[&str] = &[
    "RABFANG_DATA_DIR",
    "RABFANG_LISTEN",
    "RABFANG_PUBLIC_URL",
    "RABFANG_MEILISEARCH_URL",
    "RABFANG_MEILISEARCH_KEY",
    "RABFANG_MEILISEARCH_PREFIX",
    "RABFANG_SMTP_URL",
    "RABFANG_MAIL_FROM",
    "RABFANG_WORKER",
    "RABFANG_JOB_LEASE_SECONDS",
    "RABFANG_LOG",
];

impl Settings {
    /// Reads the process environment.
    pub fn from_env() -> anyhow::Result<Settings> {
        Settings::from_vars(std::env::vars().collect())
    }

    /// Reads settings from the given variables (tests pass their own).
    pub fn from_vars(vars: HashMap<String, String>) -> anyhow::Result<Settings> {
        for key in vars.keys() {
            if key.starts_with("RABFANG_") && !KNOWN.contains(&key.as_str()) {
                bail!(
                    "unknown setting {key}; known settings are {}",
                    KNOWN.join(", ")
                );
            }
        }
        let get = |k: &str| vars.get(k).filter(|v| !v.trim().is_empty()).cloned();
        let data_dir = PathBuf::from(get("RABFANG_DATA_DIR").unwrap_or_else(|| "./data".into()));
        let database_url = get("DATABASE_URL")
            .unwrap_or_else(|| format!("sqlite://{}/rabfang.db?mode=rwc", data_dir.display()));
        if !(database_url.starts_with("sqlite:") || database_url.starts_with("postgres")) {
            bail!(
                "DATABASE_URL must start with sqlite: or postgres://, got {}",
                redact_url(&database_url)
            );
        }
        let listen = get("RABFANG_LISTEN").unwrap_or_else(|| "127.0.0.1:8080".into());
        listen
            .parse::<std::net::SocketAddr>()
            .with_context(|| format!("RABFANG_LISTEN must be host:port, got {listen}"))?;
        let public_url = get("RABFANG_PUBLIC_URL")
            .unwrap_or_else(|| format!("http://{listen}"))
            .trim_end_matches('/')
            .to_string();
        let worker = match get("RABFANG_WORKER").as_deref() {
            None | Some("embedded") => WorkerMode::Embedded,
            Some("off") => WorkerMode::Off,
            Some(other) => bail!("RABFANG_WORKER must be `embedded` or `off`, got {other}"),
        };
        let job_lease_ms = match get("RABFANG_JOB_LEASE_SECONDS") {
            None => 60_000,
            Some(v) => match v.trim().parse::<i64>() {
                Ok(seconds @ 1..=86_400) => seconds * 1000,
                _ => bail!(
                    "RABFANG_JOB_LEASE_SECONDS must be a number of seconds from 1 to 86400, got {v}"
                ),
            },
        };
        Ok(Settings {
            data_dir,
            database_url: Secret::new(database_url),
            listen,
            public_url,
            meilisearch_url: get("RABFANG_MEILISEARCH_URL"),
            meilisearch_key: get("RABFANG_MEILISEARCH_KEY").map(Secret::new),
            meilisearch_prefix: get("RABFANG_MEILISEARCH_PREFIX")
                .unwrap_or_else(|| "rabfang_".into()),
            smtp_url: get("RABFANG_SMTP_URL").map(Secret::new),
            mail_from: get("RABFANG_MAIL_FROM")
                .unwrap_or_else(|| "Rabfang <no-reply@rabfang.localhost>".into()),
            worker,
            job_lease_ms,
        })
    }
}

/// A database URL with its password replaced by `****`, safe to log.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("****"));
            parsed.to_string()
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_need_no_configuration() {
        let s = Settings::from_vars(vars(&[])).unwrap();
        assert_eq!(
            s.database_url.expose(),
            "sqlite://./data/rabfang.db?mode=rwc"
        );
        assert_eq!(s.listen, "127.0.0.1:8080");
        assert_eq!(s.public_url, "http://127.0.0.1:8080");
        assert_eq!(s.worker, WorkerMode::Embedded);
        assert_eq!(s.job_lease_ms, 60_000);
    }

    #[test]
    fn the_job_lease_is_a_bounded_number_of_seconds() {
        let lease = |v: &str| Settings::from_vars(vars(&[("RABFANG_JOB_LEASE_SECONDS", v)]));
        assert_eq!(lease("5").unwrap().job_lease_ms, 5_000);
        for bad in ["0", "-3", "1.5", "a minute", "86401"] {
            let err = lease(bad).unwrap_err().to_string();
            assert!(err.contains("RABFANG_JOB_LEASE_SECONDS"), "{bad}: {err}");
        }
    }

    #[test]
    fn unknown_rabfang_variables_are_refused() {
        let err = Settings::from_vars(vars(&[("RABFANG_LISTN", "x")])).unwrap_err();
        assert!(err.to_string().contains("RABFANG_LISTN"));
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact_url("postgres://u:hunter2@db/rabfang"),
            "postgres://u:****@db/rabfang"
        );
        let s =
            Settings::from_vars(vars(&[("DATABASE_URL", "postgres://u:hunter2@db/x")])).unwrap();
        assert!(!format!("{s:?}").contains("hunter2"));
    }
}
