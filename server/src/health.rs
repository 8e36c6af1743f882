//! Liveness and the API description.

use axum::extract::State;
use axum::Json;
use shared::api::{ErrorBody, Health};

use crate::error::ApiError;
use crate::AppState;

/// 200 when the database answers: `ok`, or `degraded` with the reasons when it can be read but
/// not written (the last write found the disk full or read-only; reads go on).
#[utoipa::path(get, path = "/api/health", tag = "meta",
    responses((status = 200, body = Health), (status = 500, body = ErrorBody)))]
pub async fn health(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    let problem = state.db.storage_problem();
    if problem != Some(crate::error::StorageProblem::Replaced) {
        state
            .db
            .read(
                |connection| Ok(connection.query_row("SELECT 1", [], |row| row.get::<_, i64>(0))?),
            )
            .await?;
    }
    let problems: Vec<String> = problem
        .map(|problem| problem.code().to_string())
        .into_iter()
        .collect();
    Ok(Json(Health {
        status: if problems.is_empty() {
            "ok"
        } else {
            "degraded"
        }
        .into(),
        version: env!("CARGO_PKG_VERSION").into(),
        problems,
        warnings: state
            .db
            .path()
            .parent()
            .and_then(crate::disk::low_space)
            .map(|_| "storage_low".to_string())
            .into_iter()
            .collect(),
    }))
}

/// The OpenAPI document, generated from the handlers' annotations.
pub async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(crate::openapi::document())
}
