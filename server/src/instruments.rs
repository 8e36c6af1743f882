//! `GET /api/instruments` and `POST /api/instruments/{id}/score`: the built-in screening
//! instrument definitions and the scoring engine, for integrators (nothing is stored). The app
//! has the same definitions built in (`shared::instrument`) and scores offline.

use axum::extract::Path;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use shared::api::ErrorBody;
use shared::instrument::{self, Answers, Instrument, ScreeningResult};
use shared::validate::{FieldErrors, Problem};

use crate::error::ApiError;
use crate::extract::{AppJson, AuthUser};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/instruments", get(list))
        .route("/api/instruments/{id}/score", post(score))
}

/// Every built-in definition (all versions), with items, scoring rules, bands, flags, licence
/// and attribution.
#[utoipa::path(get, path = "/api/instruments", tag = "screening", security(("bearer" = [])),
    responses((status = 200, body = Vec<Instrument>), (status = 401, body = ErrorBody)))]
pub async fn list(_user: AuthUser) -> Json<&'static [Instrument]> {
    Json(instrument::catalogue())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoreRequest {
    /// The version to score with (default: the newest).
    #[serde(default)]
    pub version: Option<String>,
    pub answers: Answers,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ScoreResponse {
    pub instrument_id: String,
    pub instrument_version: String,
    pub result: ScreeningResult,
}

/// Scores answers with the same engine the app and the sync check use. Nothing is stored.
#[utoipa::path(post, path = "/api/instruments/{id}/score", tag = "screening", security(("bearer" = [])),
    params(("id" = String, Path, description = "Instrument id, e.g. `phqa`")),
    request_body = ScoreRequest,
    responses((status = 200, body = ScoreResponse), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn score(
    _user: AuthUser,
    Path(id): Path<String>,
    AppJson(request): AppJson<ScoreRequest>,
) -> Result<Json<ScoreResponse>, ApiError> {
    let definition = match &request.version {
        Some(version) => instrument::find_version(&id, version),
        None => instrument::find(&id),
    }
    .ok_or(ApiError::NotFound)?;
    if let Err(problems) = instrument::check_answers(definition, &request.answers) {
        let mut errors = FieldErrors::default();
        errors.add("answers", Problem::Answer(problems[0].clone()));
        return Err(ApiError::Invalid(errors));
    }
    Ok(Json(ScoreResponse {
        instrument_id: definition.id.clone(),
        instrument_version: definition.version.clone(),
        result: instrument::score(definition, &request.answers),
    }))
}
