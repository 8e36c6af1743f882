//! The official list shipped with the server: which provinces it has, loading one (first start
//! from the administrator's screen, or again to add what an earlier list lacked), and mapping a
//! written place name to a commune.

use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use rusqlite::{params, OptionalExtension};
use serde::Deserialize;
use shared::api::{ErrorBody, LoadProvince, OfficialProvince, PlaceMatch, ProvinceLoaded};
use shared::role::Capability;
use shared::validate::Problem;

use super::resolve::Places;
use crate::access;
use crate::audit::{self, Actor, Event};
use crate::error::ApiError;
use crate::extract::{AppJson, AuthUser};
use crate::{gazetteer, seed, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/areas/official",
            get(list_official).post(load_official),
        )
        .route("/api/areas/resolve", get(resolve))
}

/// The 34 provinces of the shipped list (since 1 July 2025), with their number of communes.
#[utoipa::path(get, path = "/api/areas/official", tag = "directory", security(("bearer" = [])),
    responses((status = 200, body = Vec<OfficialProvince>), (status = 403, body = ErrorBody)))]
pub async fn list_official(user: AuthUser) -> Result<Json<Vec<OfficialProvince>>, ApiError> {
    access::require(&user, Capability::ManageFacilities)?;
    Ok(Json(
        gazetteer::provinces()
            .into_iter()
            .map(|(code, name)| OfficialProvince {
                code: code.into(),
                name: name.into(),
                communes: gazetteer::communes_of(code).len(),
            })
            .collect(),
    ))
}

/// Loads a province's communes, abolished districts and old communes from the shipped list.
/// Idempotent: what exists (by code, or by name under a corrected code) is left as it is. An
/// installation started without `--province` has a placeholder province, which becomes this one.
#[utoipa::path(post, path = "/api/areas/official", tag = "directory", security(("bearer" = [])),
    request_body = LoadProvince,
    responses((status = 200, body = ProvinceLoaded), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn load_official(
    State(state): State<AppState>,
    user: AuthUser,
    AppJson(request): AppJson<LoadProvince>,
) -> Result<Json<ProvinceLoaded>, ApiError> {
    access::require(&user, Capability::ManageFacilities)?;
    let code = request.province_code.trim().to_string();
    let Some(name) = gazetteer::province_name(&code) else {
        return Err(ApiError::field("province_code", Problem::UnknownReference));
    };
    let now = state.clock.now();
    let loaded = state
        .db
        .write(move |transaction| {
            let other: Option<String> = transaction
                .query_row(
                    "SELECT code FROM areas WHERE level = 'province' AND code NOT IN (?1, ?2) LIMIT 1",
                    params![code, seed::PLACEHOLDER_PROVINCE],
                    |row| row.get(0),
                )
                .optional()?;
            if other.is_some() {
                return Err(ApiError::field("province_code", Problem::OtherProvince));
            }
            transaction.execute(
                "UPDATE areas SET code = ?1, name = ?2, updated_at = ?3 WHERE level = 'province' AND code = ?4",
                params![code, name, now, seed::PLACEHOLDER_PROVINCE],
            )?;
            let installed = gazetteer::install(transaction, &code, now)?;
            let detail = format!(
                "province={code}; communes_added={}; districts_added={}",
                installed.communes_added, installed.districts_added
            );
            let province_id = installed
                .province
                .ok_or_else(|| ApiError::Internal("province not installed".into()))?;
            audit::record(
                transaction,
                now,
                &Actor::user(&user),
                Event::new("area.load_official").on("area", province_id).detail(detail),
            )?;
            Ok(ProvinceLoaded {
                province_id,
                communes_added: installed.communes_added,
                districts_added: installed.districts_added,
                legacy_communes: installed.legacy_communes,
            })
        })
        .await?;
    Ok(Json(loaded))
}

/// A written place name.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ResolveQuery {
    /// A commune's code or name, today's or from before the 2025 reform, optionally followed by
    /// a comma and the old district ("Xã Quang Trung, huyện Trùng Khánh").
    pub q: String,
}

/// The communes a place name may mean: none, one, or (an old commune that was split) several.
#[utoipa::path(get, path = "/api/areas/resolve", tag = "directory", security(("bearer" = [])),
    params(ResolveQuery), responses((status = 200, body = Vec<PlaceMatch>)))]
pub async fn resolve(
    State(state): State<AppState>,
    _user: AuthUser,
    Query(query): Query<ResolveQuery>,
) -> Result<Json<Vec<PlaceMatch>>, ApiError> {
    if query.q.chars().count() > 200 {
        return Err(ApiError::field("q", Problem::TooLong { max: 200 }));
    }
    let matches = state
        .db
        .read(move |connection| Ok(Places::load(connection)?.resolve(&query.q)))
        .await?;
    Ok(Json(matches))
}
