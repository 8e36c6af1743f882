//! Liveness and the API description.

use axum::extract::State;
use axum::Json;
use shared::api::{ErrorBody, Health};

use crate::error::ApiError;
use crate::AppState;

/// 200 when the database answers.
#[utoipa::path(get, path = "/api/health", tag = "meta",
    responses((status = 200, body = Health), (status = 500, body = ErrorBody)))]
pub async fn health(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    state
        .db
        .read(|connection| Ok(connection.query_row("SELECT 1", [], |row| row.get::<_, i64>(0))?))
        .await?;
    Ok(Json(Health {
        status: "ok".into(),
        version: env!("CARGO_PKG_VERSION").into(),
    }))
}

/// The OpenAPI document, generated from the handlers' annotations.
pub async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(crate::openapi::document())
}
