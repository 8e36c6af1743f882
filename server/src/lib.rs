//! The server: the meeting point where devices sync, and the guard that re-checks everything.
//!
//! Reading order: [`app`] builds the router; [`extract`] turns requests into typed inputs and the
//! signed-in user; [`access`] decides authorization; [`db`] owns SQLite; [`error`] is the one
//! error type. Then each area of the API, with its `router()`: [`sync`] (push and pull, the
//! heart of it), [`auth`], [`directory`], [`users`], [`audit`], [`import`], [`indicators`]
//! (over the [`facts`] every stored record writes), [`reports`], [`exchange`] (FHIR and ADX),
//! [`slips`], [`instruments`]. ARCHITECTURE.md has the whole map.

pub mod access;
pub mod audit;
pub mod auth;
pub mod clock;
pub mod config;
pub mod db;
pub mod directory;
pub mod disk;
pub mod error;
pub mod exchange;
pub mod extract;
pub mod facts;
pub mod gazetteer;
pub mod hand_over;
pub mod health;
pub mod import;
pub mod indicators;
pub mod instruments;
pub mod listen;
pub mod openapi;
pub mod read_log;
pub mod reports;
pub mod seed;
pub mod slips;
pub mod static_files;
pub mod sync;
pub mod users;

use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use axum::Router;
use tower_http::compression::CompressionLayer;
use tower_http::decompression::RequestDecompressionLayer;

use crate::auth::throttle::Throttle;
use crate::clock::Clock;
use crate::config::Policy;
use crate::db::Db;
use crate::error::ApiError;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub policy: Arc<Policy>,
    pub clock: Clock,
    pub throttle: Arc<Throttle>,
    /// Reads noted for the audit log, written in batches off the writer's path.
    pub read_log: Arc<read_log::ReadLog>,
    /// Password hashing, bounded (sign-in, password changes, new accounts).
    pub hasher: Arc<crate::auth::password::Hasher>,
    /// The built app (`dist/`), served for every non-API path; `None` serves the API only.
    pub dist: Option<PathBuf>,
}

impl AppState {
    pub fn new(db: Db, policy: Policy, clock: Clock, dist: Option<PathBuf>) -> AppState {
        AppState {
            db,
            hasher: Arc::new(policy.hasher()),
            read_log: Arc::new(read_log::ReadLog::default()),
            policy: Arc::new(policy),
            clock,
            throttle: Arc::new(Throttle::default()),
            dist,
        }
    }
}

/// Serves the application on a bound listener until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let limits = listen::Limits::of(&state.policy);
    listen::serve(listener, app(state), limits, shutdown).await
}

/// Responses compressed as they go out: level 4 for gzip and brotli alike, most of the size
/// gain at a fraction of the CPU of the defaults (brotli's default is its slowest setting, and
/// browsers ask for brotli).
pub(crate) fn compression() -> CompressionLayer {
    CompressionLayer::new().quality(tower_http::CompressionLevel::Precise(4))
}

/// The whole application as a router, ready to serve or to drive with `oneshot` in tests.
pub fn app(state: AppState) -> Router {
    let api = Router::new()
        .route("/api/health", get(health::health))
        .route("/api/openapi.json", get(health::openapi))
        .route("/api/audit", get(audit::list))
        .merge(auth::router())
        .merge(directory::router())
        .merge(users::router())
        .merge(sync::router())
        .merge(instruments::router())
        .merge(slips::router())
        .merge(indicators::router())
        .merge(import::router())
        .merge(exchange::router())
        .merge(reports::router())
        // Unknown API paths are JSON 404s, never the app's shell.
        .route(
            "/api/{*rest}",
            axum::routing::any(|| async { ApiError::NotFound }),
        )
        .layer(DefaultBodyLimit::max(state.policy.max_body_bytes))
        // A body that stops arriving (a stalled upload) is refused instead of holding the
        // connection and its handler.
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(
            std::time::Duration::from_secs(state.policy.body_idle_seconds.max(1)),
        ))
        // Devices gzip large request bodies (a push batch); the size limit above applies to the
        // decompressed body, so a small bomb is refused like a large body.
        .layer(RequestDecompressionLayer::new())
        // Errors are localized first and compressed after, so the body and its encoding agree.
        .layer(axum::middleware::from_fn(error::localize))
        .layer(compression());
    let mut router = Router::new().merge(api);
    if let Some(dist) = &state.dist {
        router = router.merge(static_files::router(dist));
    }
    let hsts = state.policy.hsts;
    router
        .layer(axum::middleware::from_fn(static_files::headers))
        .layer(axum::middleware::map_response(
            move |mut response: axum::response::Response| async move {
                if hsts {
                    // A year, as the HSTS preload list asks; subdomains are the province's to decide.
                    response.headers_mut().insert(
                        axum::http::header::STRICT_TRANSPORT_SECURITY,
                        axum::http::HeaderValue::from_static("max-age=31536000"),
                    );
                }
                response
            },
        ))
        .with_state(state)
}
