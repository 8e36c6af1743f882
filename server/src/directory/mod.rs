//! The facility directory: areas (province → commune; legacy districts for old records) and
//! facilities. Everyone signed in may read it (a referral needs a target); administrators change it.

use axum::extract::{Path, Query, State};
use axum::routing::{get, patch};
use axum::{Json, Router};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::Deserialize;
use shared::api::{Area, ErrorBody, Facility, NewArea, NewFacility, UpdateArea, UpdateFacility};
use shared::place::{AreaLevel, FacilityType};
use shared::role::Capability;
use shared::validate::{FieldErrors, Problem};
use uuid::Uuid;

use crate::access;
use crate::audit::{self, Actor, Event};
use crate::error::ApiError;
use crate::extract::{AppJson, AuthUser};
use crate::AppState;

pub mod official;
pub mod resolve;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/areas", get(list_areas).post(create_area))
        .route("/api/areas/{id}", patch(update_area))
        .route(
            "/api/facilities",
            get(list_facilities).post(create_facility),
        )
        .merge(official::router())
        .route(
            "/api/facilities/{id}",
            get(get_facility).patch(update_facility),
        )
}

const AREA_COLUMNS: &str = "id, code, name, level, parent_id, successor_id, active";
const FACILITY_COLUMNS: &str = "id, name, facility_type, area_id, address, phone, active, code";

/// All areas, provinces first, then by name.
#[utoipa::path(get, path = "/api/areas", tag = "directory", security(("bearer" = [])),
    responses((status = 200, body = Vec<Area>)))]
pub async fn list_areas(
    State(state): State<AppState>,
    _user: AuthUser,
) -> Result<Json<Vec<Area>>, ApiError> {
    let areas = state
        .db
        .read(|connection| {
            let sql = format!(
                "SELECT {AREA_COLUMNS} FROM areas
                 ORDER BY CASE level WHEN 'province' THEN 0 WHEN 'commune' THEN 1 ELSE 2 END, name"
            );
            let mut statement = connection.prepare(&sql)?;
            let rows = statement.query_map([], area_from_row)?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await?;
    Ok(Json(areas))
}

#[utoipa::path(post, path = "/api/areas", tag = "directory", security(("bearer" = [])), request_body = NewArea,
    responses((status = 200, body = Area), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_area(
    State(state): State<AppState>,
    user: AuthUser,
    AppJson(request): AppJson<NewArea>,
) -> Result<Json<Area>, ApiError> {
    access::require(&user, Capability::ManageFacilities)?;
    let request = request.clean().map_err(ApiError::Invalid)?;
    let now = state.clock.now();
    let area = state
        .db
        .write(move |transaction| {
            let mut errors = FieldErrors::default();
            let code_taken: bool =
                transaction.query_row("SELECT EXISTS (SELECT 1 FROM areas WHERE code = ?1)", [&request.code], |row| row.get(0))?;
            if code_taken {
                errors.add("code", Problem::Taken);
            }
            check_area_links(transaction, &mut errors, request.level, request.parent_id, request.successor_id)?;
            errors.into_result().map_err(ApiError::Invalid)?;
            let id = Uuid::now_v7();
            transaction.execute(
                "INSERT INTO areas (id, code, name, level, parent_id, successor_id, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
                params![id, request.code, request.name, request.level.code(), request.parent_id, request.successor_id, now],
            )?;
            audit::record(transaction, now, &Actor::user(&user), Event::new("area.create").on("area", id))?;
            load_area(transaction, id)
        })
        .await?;
    Ok(Json(area))
}

#[utoipa::path(patch, path = "/api/areas/{id}", tag = "directory", security(("bearer" = [])), request_body = UpdateArea,
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Area), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_area(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
    AppJson(request): AppJson<UpdateArea>,
) -> Result<Json<Area>, ApiError> {
    access::require(&user, Capability::ManageFacilities)?;
    let request = request.clean().map_err(ApiError::Invalid)?;
    let now = state.clock.now();
    let area = state
        .db
        .write(move |transaction| {
            let current = load_area(transaction, id)?;
            let mut errors = FieldErrors::default();
            let code = request.code.unwrap_or(current.code);
            let code_taken: bool = transaction.query_row(
                "SELECT EXISTS (SELECT 1 FROM areas WHERE code = ?1 AND id <> ?2)",
                params![code, id],
                |row| row.get(0),
            )?;
            if code_taken {
                errors.add("code", Problem::Taken);
            }
            let successor_id = request.successor_id.or(current.successor_id);
            check_area_links(transaction, &mut errors, current.level, current.parent_id, successor_id)?;
            errors.into_result().map_err(ApiError::Invalid)?;
            transaction.execute(
                "UPDATE areas SET name = ?1, successor_id = ?2, active = ?3, updated_at = ?4, code = ?6 WHERE id = ?5",
                params![
                    request.name.unwrap_or(current.name),
                    successor_id,
                    request.active.unwrap_or(current.active),
                    now,
                    id,
                    code
                ],
            )?;
            audit::record(transaction, now, &Actor::user(&user), Event::new("area.update").on("area", id))?;
            load_area(transaction, id)
        })
        .await?;
    Ok(Json(area))
}

/// Filters for the facility list.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct FacilityQuery {
    /// Only facilities in this area.
    pub area_id: Option<Uuid>,
    /// Only facilities of this type.
    pub facility_type: Option<FacilityType>,
    /// Only facilities whose code starts with this, or whose name has these words (accents and
    /// case ignored).
    pub q: Option<String>,
    /// Include deactivated facilities (administrators only).
    #[serde(default)]
    pub include_inactive: bool,
}

#[utoipa::path(get, path = "/api/facilities", tag = "directory", security(("bearer" = [])), params(FacilityQuery),
    responses((status = 200, body = Vec<Facility>)))]
pub async fn list_facilities(
    State(state): State<AppState>,
    user: AuthUser,
    Query(query): Query<FacilityQuery>,
) -> Result<Json<Vec<Facility>>, ApiError> {
    if query.include_inactive {
        access::require(&user, Capability::ManageFacilities)?;
    }
    let facilities = state
        .db
        .read(move |connection| {
            let sql = format!(
                "SELECT {FACILITY_COLUMNS} FROM facilities
                 WHERE (?1 IS NULL OR area_id = ?1) AND (?2 IS NULL OR facility_type = ?2) AND (?3 OR active)
                 ORDER BY name"
            );
            let mut statement = connection.prepare(&sql)?;
            let facility_type = query.facility_type.map(FacilityType::code);
            let rows = statement.query_map(params![query.area_id, facility_type, query.include_inactive], facility_from_row)?;
            let facilities = rows.collect::<Result<Vec<_>, _>>()?;
            Ok(match query.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
                Some(q) => facilities.into_iter().filter(|f| facility_matches(f, q)).collect(),
                None => facilities,
            })
        })
        .await?;
    Ok(Json(facilities))
}

#[utoipa::path(get, path = "/api/facilities/{id}", tag = "directory", security(("bearer" = [])),
    params(("id" = Uuid, Path)), responses((status = 200, body = Facility), (status = 404, body = ErrorBody)))]
pub async fn get_facility(
    State(state): State<AppState>,
    _user: AuthUser,
    Path(id): Path<Uuid>,
) -> Result<Json<Facility>, ApiError> {
    Ok(Json(
        state
            .db
            .read(move |connection| load_facility(connection, id))
            .await?,
    ))
}

#[utoipa::path(post, path = "/api/facilities", tag = "directory", security(("bearer" = [])), request_body = NewFacility,
    responses((status = 200, body = Facility), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_facility(
    State(state): State<AppState>,
    user: AuthUser,
    AppJson(request): AppJson<NewFacility>,
) -> Result<Json<Facility>, ApiError> {
    access::require(&user, Capability::ManageFacilities)?;
    let request = request.clean().map_err(ApiError::Invalid)?;
    let now = state.clock.now();
    let facility = state
        .db
        .write(move |transaction| {
            let id = insert_facility(transaction, &request, now)?;
            audit::record(
                transaction,
                now,
                &Actor::user(&user),
                Event::new("facility.create").on("facility", id),
            )?;
            load_facility(transaction, id)
        })
        .await?;
    Ok(Json(facility))
}

#[utoipa::path(patch, path = "/api/facilities/{id}", tag = "directory", security(("bearer" = [])),
    request_body = UpdateFacility, params(("id" = Uuid, Path)),
    responses((status = 200, body = Facility), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_facility(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
    AppJson(request): AppJson<UpdateFacility>,
) -> Result<Json<Facility>, ApiError> {
    access::require(&user, Capability::ManageFacilities)?;
    let request = request.clean().map_err(ApiError::Invalid)?;
    let now = state.clock.now();
    let facility = state
        .db
        .write(move |transaction| {
            let current = load_facility(transaction, id)?;
            let area_id = request.area_id.unwrap_or(current.area_id);
            if request.area_id.is_some() {
                check_facility_area(transaction, area_id)?;
            }
            let code = request.code.or(current.code).unwrap_or_default();
            check_facility_code(transaction, &code, id)?;
            transaction.execute(
                "UPDATE facilities SET name = ?1, facility_type = ?2, area_id = ?3, address = NULLIF(?4, ''),
                        phone = NULLIF(?5, ''), active = ?6, updated_at = ?7, code = NULLIF(?9, '')
                 WHERE id = ?8",
                params![
                    request.name.unwrap_or(current.name),
                    request.facility_type.unwrap_or(current.facility_type).code(),
                    area_id,
                    request.address.or(current.address).unwrap_or_default(),
                    request.phone.or(current.phone).unwrap_or_default(),
                    request.active.unwrap_or(current.active),
                    now,
                    id,
                    code
                ],
            )?;
            audit::record(transaction, now, &Actor::user(&user), Event::new("facility.update").on("facility", id))?;
            load_facility(transaction, id)
        })
        .await?;
    Ok(Json(facility))
}

pub fn load_area(connection: &Connection, id: Uuid) -> Result<Area, ApiError> {
    let sql = format!("SELECT {AREA_COLUMNS} FROM areas WHERE id = ?1");
    connection
        .query_row(&sql, [id], area_from_row)
        .optional()?
        .ok_or(ApiError::NotFound)
}

pub fn load_facility(connection: &Connection, id: Uuid) -> Result<Facility, ApiError> {
    let sql = format!("SELECT {FACILITY_COLUMNS} FROM facilities WHERE id = ?1");
    connection
        .query_row(&sql, [id], facility_from_row)
        .optional()?
        .ok_or(ApiError::NotFound)
}

/// An area's parent must be an active area of the right level; only a legacy district has a
/// successor, and it must be a commune.
fn check_area_links(
    connection: &Connection,
    errors: &mut FieldErrors,
    level: AreaLevel,
    parent_id: Option<Uuid>,
    successor_id: Option<Uuid>,
) -> Result<(), ApiError> {
    if let (Some(parent_level), Some(parent_id)) = (level.parent_level(), parent_id) {
        if active_area_level(connection, parent_id)? != Some(parent_level) {
            errors.add("parent_id", Problem::UnknownReference);
        }
    }
    if let Some(successor_id) = successor_id {
        let fits = level == AreaLevel::LegacyDistrict
            && active_area_level(connection, successor_id)? == Some(AreaLevel::Commune);
        if !fits {
            errors.add("successor_id", Problem::UnknownReference);
        }
    }
    Ok(())
}

/// Stores a new facility (a cleaned request) after the directory's checks: an active province or
/// commune, a code no other facility has. The caller audits.
pub fn insert_facility(
    connection: &Connection,
    request: &NewFacility,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Uuid, ApiError> {
    check_facility_area(connection, request.area_id)?;
    let id = Uuid::now_v7();
    check_facility_code(connection, &request.code, id)?;
    connection.execute(
        "INSERT INTO facilities (id, name, facility_type, area_id, address, phone, created_at, updated_at, code)
         VALUES (?1, ?2, ?3, ?4, NULLIF(?5, ''), NULLIF(?6, ''), ?7, ?7, NULLIF(?8, ''))",
        params![id, request.name, request.facility_type.code(), request.area_id, request.address, request.phone, now,
                request.code],
    )?;
    Ok(id)
}

/// Every facility, active or not, by name.
pub fn all_facilities(connection: &Connection) -> Result<Vec<Facility>, ApiError> {
    let sql = format!("SELECT {FACILITY_COLUMNS} FROM facilities ORDER BY name");
    let mut statement = connection.prepare(&sql)?;
    let rows = statement.query_map([], facility_from_row)?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// The installation's province (an installation serves one).
pub fn province_id(connection: &Connection) -> Result<Uuid, ApiError> {
    Ok(connection.query_row(
        "SELECT id FROM areas WHERE level = 'province' AND active ORDER BY created_at LIMIT 1",
        [],
        |row| row.get(0),
    )?)
}

/// A facility code is unique in the installation (empty: none).
pub fn check_facility_code(connection: &Connection, code: &str, id: Uuid) -> Result<(), ApiError> {
    if code.is_empty() {
        return Ok(());
    }
    let taken: bool = connection.query_row(
        "SELECT EXISTS (SELECT 1 FROM facilities WHERE code = ?1 AND id <> ?2)",
        params![code, id],
        |row| row.get(0),
    )?;
    if taken {
        return Err(ApiError::field("code", Problem::Taken));
    }
    Ok(())
}

/// The directory search: a code prefix, or every word starting a word of the name.
pub fn facility_matches(facility: &Facility, query: &str) -> bool {
    let code_hit = facility
        .code
        .as_deref()
        .is_some_and(|code| code.starts_with(&query.to_ascii_uppercase()));
    code_hit
        || shared::text::matches(
            &shared::text::fold(&facility.name),
            &shared::text::fold(query),
        )
}

/// Facilities sit in an active province or commune (never in an abolished district).
pub fn check_facility_area(connection: &Connection, area_id: Uuid) -> Result<(), ApiError> {
    match active_area_level(connection, area_id)? {
        Some(AreaLevel::Province | AreaLevel::Commune) => Ok(()),
        _ => Err(ApiError::field("area_id", Problem::UnknownReference)),
    }
}

fn active_area_level(connection: &Connection, id: Uuid) -> Result<Option<AreaLevel>, ApiError> {
    let level: Option<String> = connection
        .query_row(
            "SELECT level FROM areas WHERE id = ?1 AND active",
            [id],
            |row| row.get(0),
        )
        .optional()?;
    Ok(level.as_deref().and_then(AreaLevel::from_code))
}

fn area_from_row(row: &Row<'_>) -> rusqlite::Result<Area> {
    let level: String = row.get(3)?;
    Ok(Area {
        id: row.get(0)?,
        code: row.get(1)?,
        name: row.get(2)?,
        level: AreaLevel::from_code(&level).ok_or_else(|| bad_code(3, &level))?,
        parent_id: row.get(4)?,
        successor_id: row.get(5)?,
        active: row.get(6)?,
    })
}

fn facility_from_row(row: &Row<'_>) -> rusqlite::Result<Facility> {
    let facility_type: String = row.get(2)?;
    Ok(Facility {
        id: row.get(0)?,
        name: row.get(1)?,
        facility_type: FacilityType::from_code(&facility_type)
            .ok_or_else(|| bad_code(2, &facility_type))?,
        area_id: row.get(3)?,
        address: row.get(4)?,
        phone: row.get(5)?,
        active: row.get(6)?,
        code: row.get(7)?,
    })
}

/// A stored code this server does not know: a corrupted row or a downgrade.
pub fn bad_code(column: usize, code: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        column,
        rusqlite::types::Type::Text,
        format!("unknown code {code:?}").into(),
    )
}
