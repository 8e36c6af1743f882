//! Server configuration: command-line flags with environment-variable fallbacks.

use std::net::SocketAddr;
use std::path::PathBuf;

use shared::referral::DueTimes;

/// Child mental-health screening and referral server.
#[derive(Debug, Clone, clap::Parser)]
#[command(name = "tam-an-server", version)]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "TAM_AN_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Folder holding the SQLite database (`tam-an.db`); created if missing.
    #[arg(long, env = "TAM_AN_DATA", default_value = "./data")]
    pub data: PathBuf,

    /// Folder with the built app (`cargo xtask dist` writes it).
    #[arg(long, env = "TAM_AN_DIST", default_value = "./dist")]
    pub dist: PathBuf,

    /// Do not seed the demo province; the first start creates only an administrator with a
    /// one-time password printed once.
    #[arg(long, env = "TAM_AN_NO_DEMO")]
    pub no_demo: bool,

    /// First start of a real installation: the province's official code (e.g. 20 Lạng Sơn,
    /// 04 Cao Bằng). Loads its communes, abolished districts and old communes, and creates only an
    /// administrator with a one-time password (no demo). Ignored once the database has users.
    #[arg(long, env = "TAM_AN_PROVINCE")]
    pub province: Option<String>,

    #[command(flatten)]
    pub policy: Policy,
}

/// What tests and deployments tune: sessions and sign-in throttling, the bounds on a device's
/// clock, load limits (hashing, connections, bodies), small-count suppression, referral due
/// times and the DHIS2 mapping.
#[derive(Debug, Clone, clap::Args)]
pub struct Policy {
    /// How long a sign-in session lasts, in hours.
    #[arg(long, env = "TAM_AN_SESSION_HOURS", default_value_t = 168,
          value_parser = clap::value_parser!(i64).range(1..=8760))]
    pub session_hours: i64,

    /// Failed sign-ins allowed per account within the throttle window.
    #[arg(long, env = "TAM_AN_MAX_FAILURES_PER_ACCOUNT", default_value_t = 5,
          value_parser = at_least_one)]
    pub max_failures_per_account: usize,

    /// Failed sign-ins allowed per client address within the window (higher: a school shares one address).
    #[arg(long, env = "TAM_AN_MAX_FAILURES_PER_ADDRESS", default_value_t = 30,
          value_parser = at_least_one)]
    pub max_failures_per_address: usize,

    /// The throttle window, in minutes.
    #[arg(long, env = "TAM_AN_THROTTLE_MINUTES", default_value_t = 15,
          value_parser = clap::value_parser!(i64).range(1..=1440))]
    pub throttle_minutes: i64,

    /// Behind a reverse proxy: take the client's address from the last `X-Forwarded-For` entry
    /// (the one the proxy added). Leave off when clients connect directly, or anyone could forge it.
    #[arg(long, env = "TAM_AN_TRUST_FORWARDED_FOR")]
    pub trust_forwarded_for: bool,

    /// Served over HTTPS (by a reverse proxy in front): send `Strict-Transport-Security`, so
    /// browsers never again try the site over plain HTTP. Leave off while it is plain HTTP.
    #[arg(long, env = "TAM_AN_HSTS")]
    pub hsts: bool,

    /// Benchmarks only: accept screening and referral records as opaque payloads (the peer
    /// workload's documents). A flag only in a server built with the `bench-opaque` feature
    /// (`cargo xtask bench sync`); the production binary has no such flag.
    #[cfg_attr(
        feature = "bench-opaque",
        arg(long, env = "TAM_AN_ACCEPT_OPAQUE_RECORDS")
    )]
    #[cfg_attr(not(feature = "bench-opaque"), arg(skip))]
    pub accept_opaque_records: bool,

    /// How many days before the server receives a change a device's clock may say it was made
    /// (offline work is real, but bounded); earlier times count as this many days before.
    #[arg(long, env = "TAM_AN_OFFLINE_WINDOW_DAYS", default_value_t = 30,
          value_parser = clap::value_parser!(i64).range(1..=366))]
    pub offline_window_days: i64,

    /// Password hashes (19 MiB each) run at once; 0: one per core. A burst of sign-ins beyond
    /// this queues.
    #[arg(long, env = "TAM_AN_HASH_PERMITS", default_value_t = 0)]
    pub hash_permits: usize,

    /// How long a sign-in waits in the hashing queue before it is answered 503 + Retry-After.
    #[arg(long, env = "TAM_AN_HASH_QUEUE_SECONDS", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..=600))]
    pub hash_queue_seconds: u64,

    /// Seconds a client has to send a request's headers (a connection that stalls is closed).
    #[arg(long, env = "TAM_AN_HEADER_TIMEOUT_SECONDS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub header_timeout_seconds: u64,

    /// Seconds a request body may go without sending anything before it is refused (408).
    #[arg(long, env = "TAM_AN_BODY_IDLE_SECONDS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub body_idle_seconds: u64,

    /// Open connections served at once; more wait in the kernel's queue (keep it below the
    /// process's file limit, commonly 1,024).
    #[arg(long, env = "TAM_AN_MAX_CONNECTIONS", default_value_t = 768, value_parser = at_least_one)]
    pub max_connections: usize,

    /// The largest request body accepted, in bytes.
    #[arg(long, env = "TAM_AN_MAX_BODY_BYTES", default_value_t = 1024 * 1024,
          value_parser = body_limit)]
    pub max_body_bytes: usize,

    /// Aggregate views (officers) show counts from 1 to this minus one as "<N" (0: show all).
    #[arg(long, env = "TAM_AN_SUPPRESS_BELOW", default_value_t = 5,
          value_parser = clap::value_parser!(u32).range(0..=100))]
    pub suppress_below: u32,

    /// Hours the receiving facility has to open a referral: emergency, urgent, routine.
    #[arg(long, env = "TAM_AN_DUE_RECEIVED_HOURS", value_delimiter = ',', num_args = 3,
          default_values_t = [24, 48, 168], value_parser = clap::value_parser!(i64).range(1..=8760))]
    pub due_received_hours: Vec<i64>,

    /// Hours until the child should have been seen (0: no such deadline): emergency, urgent,
    /// routine.
    #[arg(long, env = "TAM_AN_DUE_ATTENDED_HOURS", value_delimiter = ',', num_args = 3,
          default_values_t = [0, 168, 720], value_parser = clap::value_parser!(i64).range(0..=8760))]
    pub due_attended_hours: Vec<i64>,

    /// A DHIS2 mapping file (JSON, the format of `server/data/dhis2-mapping.json`) for the ADX
    /// and `dataValueSets` exports; checked at start. Default: the shipped mapping.
    #[arg(long, env = "TAM_AN_DHIS2_MAPPING", value_parser = crate::exchange::adx::mapping::Mapping::from_file)]
    pub dhis2_mapping: Option<std::sync::Arc<crate::exchange::adx::mapping::Mapping>>,
}

/// A count that must be at least 1 (0 would refuse everyone or serve no one).
fn at_least_one(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(0) => Err("must be at least 1".into()),
        Ok(n) => Ok(n),
        Err(e) => Err(e.to_string()),
    }
}

/// A body limit from 64 KiB (a sync batch must fit) to 64 MiB.
fn body_limit(text: &str) -> Result<usize, String> {
    let bytes = text.parse::<usize>().map_err(|e| e.to_string())?;
    if (64 * 1024..=64 * 1024 * 1024).contains(&bytes) {
        Ok(bytes)
    } else {
        Err("must be from 65536 (64 KiB) to 67108864 (64 MiB)".into())
    }
}

impl Policy {
    /// The password hasher these settings describe.
    pub fn hasher(&self) -> crate::auth::password::Hasher {
        let permits = match self.hash_permits {
            0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
            n => n,
        };
        crate::auth::password::Hasher::new(
            permits,
            std::time::Duration::from_secs(self.hash_queue_seconds),
        )
    }

    /// The referral due times (domain.md §5 by default).
    pub fn due_times(&self) -> DueTimes {
        let default = DueTimes::default();
        let pick = |hours: &[i64], i: usize| hours.get(i).copied();
        DueTimes {
            received_hours: std::array::from_fn(|i| {
                pick(&self.due_received_hours, i).unwrap_or(default.received_hours[i])
            }),
            attended_hours: std::array::from_fn(|i| match pick(&self.due_attended_hours, i) {
                Some(hours) if hours > 0 => Some(hours),
                Some(_) => None,
                None => default.attended_hours[i],
            }),
        }
    }
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            session_hours: 168,
            max_failures_per_account: 5,
            max_failures_per_address: 30,
            throttle_minutes: 15,
            trust_forwarded_for: false,
            hsts: false,
            accept_opaque_records: false,
            offline_window_days: 30,
            hash_permits: 0,
            hash_queue_seconds: 10,
            header_timeout_seconds: 30,
            body_idle_seconds: 30,
            max_connections: 768,
            max_body_bytes: 1024 * 1024,
            suppress_below: 5,
            due_received_hours: vec![24, 48, 168],
            due_attended_hours: vec![0, 168, 720],
            dhis2_mapping: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::Config;

    #[cfg(not(feature = "bench-opaque"))]
    #[test]
    fn the_production_binary_has_no_flag_for_unchecked_records() {
        assert!(Config::try_parse_from(["tam-an-server", "--accept-opaque-records"]).is_err());
        let config = Config::try_parse_from(["tam-an-server"]).unwrap();
        assert!(!config.policy.accept_opaque_records);
        assert_eq!(config.policy.offline_window_days, 30);
        assert!(Config::try_parse_from(["tam-an-server", "--offline-window-days", "0"]).is_err());
    }

    #[test]
    fn nonsensical_settings_are_refused_at_start() {
        for (flag, value) in [
            ("--session-hours", "0"),
            ("--session-hours", "-3"),
            ("--throttle-minutes", "0"),
            ("--max-failures-per-account", "0"),
            ("--max-connections", "0"),
            ("--max-body-bytes", "10"),
            ("--header-timeout-seconds", "0"),
            ("--suppress-below", "1000"),
            ("--due-received-hours", "0,48,168"),
        ] {
            let parsed = Config::try_parse_from(["tam-an-server", flag, value]);
            let error = parsed.expect_err(flag).to_string();
            assert!(
                error.contains(flag.trim_start_matches('-')) || error.contains(value),
                "{flag}: {error}"
            );
        }
        let config =
            Config::try_parse_from(["tam-an-server", "--session-hours", "12", "--hsts"]).unwrap();
        assert_eq!(config.policy.session_hours, 12);
        assert!(config.policy.hsts);
    }
}
