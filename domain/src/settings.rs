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

/// An OpenID Connect provider to sign in with.
#[derive(Debug, Clone)]
pub struct Oidc {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Secret,
    /// The provider's name on the sign-in button (`ThaID`).
    pub name: String,
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
    /// Writes (POST, PUT, PATCH, DELETE) one account may make per minute, in bursts of as many
    /// (`RABFANG_RATE_LIMIT_ACCOUNT`, default 300).
    pub rate_limit_account: u32,
    /// Writes per minute from one client address, in bursts of as many
    /// (`RABFANG_RATE_LIMIT_ADDRESS`, default 3000: many people share an address behind a
    /// mobile carrier's or an office's NAT).
    pub rate_limit_address: u32,
    /// Reads of the API (GET, HEAD under `/api/`) one account may make per minute, whichever
    /// of its keys it uses, in bursts of as many (`RABFANG_READ_LIMIT_ACCOUNT`, default 12000:
    /// 200 a second, enough to follow the change feed or page through everything).
    pub read_limit_account: u32,
    /// Reads of the API per minute from one client address without a key
    /// (`RABFANG_READ_LIMIT_ADDRESS`, default 3000). Pages of the site are not counted.
    pub read_limit_address: u32,
    /// The key that signs the site's forms (CSRF) and receipts' tracking secrets
    /// (`RABFANG_SECRET_KEY`, at least 32 characters). Unset: a random key is generated once
    /// and kept in the data folder (`secret_key`, mode 0600); see [`crate::keys`].
    pub secret_key: Option<Secret>,
    /// Sign-in with an OpenID Connect provider such as ThaID (`RABFANG_OIDC_ISSUER`,
    /// `RABFANG_OIDC_CLIENT_ID`, `RABFANG_OIDC_CLIENT_SECRET`, `RABFANG_OIDC_NAME` for the
    /// button); `None` when unset, and then there is no button.
    pub oidc: Option<Oidc>,
    /// Proxies whose `X-Forwarded-For` is believed (`RABFANG_TRUSTED_PROXIES`, addresses or
    /// CIDR blocks separated by commas; default none, so the header is ignored).
    pub trusted_proxies: Vec<IpBlock>,
    /// Where the bulk exports are written and served from (`RABFANG_EXPORTS_DIR`, default
    /// `exports` in the data folder). With several servers, a folder they all see.
    pub exports_dir: PathBuf,
    /// The licence the open data is published under, stated in every export's manifest and on
    /// the open data page (`RABFANG_EXPORT_LICENCE_NAME`, `RABFANG_EXPORT_LICENCE_URL`;
    /// default Creative Commons Attribution 4.0).
    pub export_licence: crate::export::Licence,
    /// How long this server may serve again an answer it made for a reader without a token or
    /// a cookie, in milliseconds (`RABFANG_PUBLIC_CACHE_MS`, default 1000; 0 keeps none). A
    /// write made by this process (its requests and its embedded worker) is seen at once; one
    /// made by another process (a `rabfang` command, another server) within this time.
    pub public_cache_ms: u64,
}

/// An address block such as `10.0.0.0/8` or one address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpBlock {
    pub network: std::net::IpAddr,
    pub prefix: u8,
}

impl IpBlock {
    pub fn parse(text: &str) -> Option<IpBlock> {
        let (address, prefix) = match text.trim().split_once('/') {
            Some((a, p)) => (a, Some(p.parse::<u8>().ok()?)),
            None => (text.trim(), None),
        };
        let network: std::net::IpAddr = address.parse().ok()?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        (prefix <= max).then_some(IpBlock { network, prefix })
    }

    pub fn contains(&self, ip: std::net::IpAddr) -> bool {
        let bits = |ip: std::net::IpAddr| match ip {
            std::net::IpAddr::V4(v4) => (u128::from(u32::from(v4)) << 96, 32u32),
            std::net::IpAddr::V6(v6) => (u128::from(v6), 128u32),
        };
        let ip = match ip {
            std::net::IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, std::net::IpAddr::V4),
            v4 => v4,
        };
        let ((a, width_a), (b, width_b)) = (bits(self.network), bits(ip));
        if width_a != width_b {
            return false;
        }
        let prefix = u32::from(self.prefix);
        prefix == 0 || (a ^ b) >> (128 - prefix) == 0
    }
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
    "RABFANG_LOG_FORMAT",
    "RABFANG_RATE_LIMIT_ACCOUNT",
    "RABFANG_RATE_LIMIT_ADDRESS",
    "RABFANG_READ_LIMIT_ACCOUNT",
    "RABFANG_READ_LIMIT_ADDRESS",
    "RABFANG_TRUSTED_PROXIES",
    "RABFANG_SECRET_KEY",
    "RABFANG_OIDC_ISSUER",
    "RABFANG_OIDC_CLIENT_ID",
    "RABFANG_OIDC_CLIENT_SECRET",
    "RABFANG_OIDC_NAME",
    "RABFANG_EXPORTS_DIR",
    "RABFANG_EXPORT_LICENCE_NAME",
    "RABFANG_EXPORT_LICENCE_URL",
    "RABFANG_PUBLIC_CACHE_MS",
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
        if crate::telemetry::LogFormat::parse(get("RABFANG_LOG_FORMAT").as_deref()).is_none() {
            bail!("RABFANG_LOG_FORMAT must be `text` or `json`");
        }
        let per_minute = |key: &str, default: u32| match get(key) {
            None => Ok(default),
            Some(v) => match v.trim().parse::<u32>() {
                Ok(n @ 1..) => Ok(n),
                _ => bail!("{key} must be a number of requests per minute of at least 1, got {v}"),
            },
        };
        let rate_limit_account = per_minute("RABFANG_RATE_LIMIT_ACCOUNT", 300)?;
        let rate_limit_address = per_minute("RABFANG_RATE_LIMIT_ADDRESS", 3000)?;
        let read_limit_account = per_minute("RABFANG_READ_LIMIT_ACCOUNT", 12_000)?;
        let read_limit_address = per_minute("RABFANG_READ_LIMIT_ADDRESS", 3000)?;
        let trusted_proxies = get("RABFANG_TRUSTED_PROXIES")
            .unwrap_or_default()
            .split(',')
            .filter(|p| !p.trim().is_empty())
            .map(|p| {
                IpBlock::parse(p).with_context(|| {
                    format!("RABFANG_TRUSTED_PROXIES: `{p}` is not an address or CIDR block")
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let secret_key = get("RABFANG_SECRET_KEY").map(Secret::new);
        if secret_key.as_ref().is_some_and(|k| k.expose().len() < 32) {
            bail!(
                "RABFANG_SECRET_KEY must be at least 32 characters (use 32 random bytes, hex-encoded)"
            );
        }
        let oidc = match (
            get("RABFANG_OIDC_ISSUER"),
            get("RABFANG_OIDC_CLIENT_ID"),
            get("RABFANG_OIDC_CLIENT_SECRET"),
        ) {
            (None, None, None) => None,
            (Some(issuer), Some(client_id), Some(secret)) => {
                url::Url::parse(&issuer)
                    .with_context(|| format!("RABFANG_OIDC_ISSUER must be a URL, got {issuer}"))?;
                Some(Oidc {
                    issuer,
                    client_id,
                    client_secret: Secret::new(secret),
                    name: get("RABFANG_OIDC_NAME").unwrap_or_else(|| "Digital ID".into()),
                })
            }
            _ => bail!(
                "set RABFANG_OIDC_ISSUER, RABFANG_OIDC_CLIENT_ID and RABFANG_OIDC_CLIENT_SECRET together, or none of them"
            ),
        };
        let exports_dir = get("RABFANG_EXPORTS_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| data_dir.join("exports"));
        let export_licence = crate::export::Licence {
            name: get("RABFANG_EXPORT_LICENCE_NAME").unwrap_or_else(|| {
                "Creative Commons Attribution 4.0 International (CC BY 4.0)".into()
            }),
            url: get("RABFANG_EXPORT_LICENCE_URL")
                .unwrap_or_else(|| "https://creativecommons.org/licenses/by/4.0/".into()),
        };
        url::Url::parse(&export_licence.url).with_context(|| {
            format!(
                "RABFANG_EXPORT_LICENCE_URL must be a URL, got {}",
                export_licence.url
            )
        })?;
        let public_cache_ms = match get("RABFANG_PUBLIC_CACHE_MS") {
            None => 1000,
            Some(v) => match v.trim().parse::<u64>() {
                Ok(ms @ 0..=60_000) => ms,
                _ => bail!(
                    "RABFANG_PUBLIC_CACHE_MS must be a number of milliseconds from 0 to 60000, got {v}"
                ),
            },
        };
        Ok(Settings {
            public_cache_ms,
            exports_dir,
            export_licence,
            oidc,
            secret_key,
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
            rate_limit_account,
            rate_limit_address,
            read_limit_account,
            read_limit_address,
            trusted_proxies,
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
    fn rate_limits_and_trusted_proxies_are_parsed_and_checked() {
        let s = Settings::from_vars(vars(&[])).unwrap();
        assert_eq!((s.rate_limit_account, s.rate_limit_address), (300, 3000));
        assert!(s.trusted_proxies.is_empty());
        let s = Settings::from_vars(vars(&[
            ("RABFANG_RATE_LIMIT_ACCOUNT", "5"),
            ("RABFANG_TRUSTED_PROXIES", "10.0.0.0/8, 192.168.1.7,::1"),
        ]))
        .unwrap();
        assert_eq!(s.rate_limit_account, 5);
        let [block, one, v6] = s.trusted_proxies[..] else {
            panic!("three blocks: {:?}", s.trusted_proxies)
        };
        assert!(block.contains("10.200.3.4".parse().unwrap()));
        assert!(!block.contains("11.0.0.1".parse().unwrap()));
        assert!(one.contains("192.168.1.7".parse().unwrap()));
        assert!(!one.contains("192.168.1.8".parse().unwrap()));
        assert!(v6.contains("::1".parse().unwrap()));
        assert!(!v6.contains("127.0.0.1".parse().unwrap()));
        assert!(block.contains("::ffff:10.1.1.1".parse().unwrap()));
        for (key, bad) in [
            ("RABFANG_RATE_LIMIT_ADDRESS", "0"),
            ("RABFANG_RATE_LIMIT_ACCOUNT", "many"),
            ("RABFANG_TRUSTED_PROXIES", "10.0.0.0/33"),
            ("RABFANG_TRUSTED_PROXIES", "proxy.example"),
        ] {
            let err = Settings::from_vars(vars(&[(key, bad)])).unwrap_err();
            assert!(format!("{err:#}").contains(key), "{key}={bad}: {err:#}");
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
