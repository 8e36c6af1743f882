//! `POST /api/reports/submissions`, `GET /api/reports/submissions` and
//! `GET /api/reports/submissions/{id}`: a unit submits its report for a period to the province,
//! and the province sees which of its units have submitted and which are late.
//!
//! The unit is the submitter's own: a facility's staff submit the facility's report, a commune's
//! officer the commune's (a province officer receives, and does not submit). The report is
//! computed by the one report function and frozen as an aggregate (small counts hidden), with who
//! sent it and when from the session; a unit may submit again (a correction), and the latest
//! counts. Every submission is audited.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Deserialize;
use shared::api::ErrorBody;
use shared::indicators::{IndicatorsView, Span};
use shared::lang::vietnam_offset;
use shared::submission::{
    is_late, reporting_unit, Submission, SubmissionsView, SubmitReport, UnitKind, UnitStatus,
};
use shared::validate::Problem;
use uuid::Uuid;

use crate::audit::{self, Actor, Event};
use crate::error::ApiError;
use crate::extract::{AppJson, AuthUser, SignedIn};
use crate::indicators::{ScopeQuery, Settings};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/reports/submissions", get(list).post(submit))
        .route("/api/reports/submissions/{id}", get(frozen))
}

/// The unit a user reports for ([`reporting_unit`]), with its name: an officer's only when
/// placed on a commune.
fn own_unit(
    connection: &Connection,
    user: &SignedIn,
) -> Result<(Uuid, String, UnitKind), ApiError> {
    let (unit, kind) =
        reporting_unit(user.role, user.facility_id, user.area_id).ok_or(ApiError::Forbidden)?;
    let (name, commune): (String, bool) = match kind {
        UnitKind::Facility => connection.query_row(
            "SELECT name, 1 FROM facilities WHERE id = ?1",
            [unit],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?,
        UnitKind::Commune => connection.query_row(
            "SELECT name, level = 'commune' FROM areas WHERE id = ?1",
            [unit],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?,
    };
    if !commune {
        return Err(ApiError::Forbidden);
    }
    Ok((unit, name, kind))
}

fn vietnam_day(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&vietnam_offset()).date_naive()
}

/// Submits the user's unit's report for the period.
#[utoipa::path(post, path = "/api/reports/submissions", tag = "indicators", security(("bearer" = [])), request_body = SubmitReport,
    responses((status = 200, body = Submission), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn submit(
    State(state): State<AppState>,
    user: AuthUser,
    AppJson(request): AppJson<SubmitReport>,
) -> Result<Json<Submission>, ApiError> {
    let span = request.span().map_err(ApiError::Invalid)?;
    let signed_in = user.0.clone();
    let (unit_id, unit_name, unit_kind) = state.db.read(move |c| own_unit(c, &signed_in)).await?;
    let query = ScopeQuery {
        year: None,
        period: Some(span.code()),
        area: None,
        facility: None,
    };
    let (scope, report) = crate::indicators::compute(&state, user.0.clone(), query).await?;
    let suppression = Settings::of(&state).suppression;
    // What goes to the province is an aggregate, whoever made it.
    let report = if scope.aggregate {
        report
    } else {
        report.suppressed(suppression)
    };
    let frozen = IndicatorsView {
        scope: scope.name.clone(),
        year: span.year(),
        report,
        suppress_below: suppression.below,
        aggregate: true,
    };
    let frozen = serde_json::to_string(&frozen)
        .map_err(|e| ApiError::Internal(format!("frozen report: {e}")))?;
    let now = state.clock.now();
    let today = vietnam_day(now);
    let id = Uuid::now_v7();
    let actor = Actor::user(&user);
    let user_id = user.id;
    let code = span.code();
    let name = unit_name.clone();
    let submitted_by = state
        .db
        .write(move |transaction| {
            let full_name: String =
                transaction.query_row("SELECT full_name FROM users WHERE id = ?1", [user_id], |row| row.get(0))?;
            transaction.execute(
                "INSERT INTO report_submissions (id, unit_id, unit_kind, unit_name, period, user_id, submitted_by, submitted_at, report)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![id, unit_id, unit_kind.code(), name, code, user_id, full_name, now, frozen],
            )?;
            audit::record(
                transaction,
                now,
                &actor,
                Event::new("report.submit").on("report_submission", id).detail(format!("unit={name}; period={code}")),
            )?;
            Ok(full_name)
        })
        .await?;
    Ok(Json(Submission {
        id,
        unit_id,
        unit_name,
        unit_kind,
        period: span.code(),
        submitted_by,
        submitted_at: now,
        late: is_late(span.due_on(), Some(today), today),
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SubmissionsQuery {
    /// The period (a report span code, `2027-H1`); default: the report due next.
    pub period: Option<String>,
}

/// The units a reader sees: a facility's staff their facility; a commune's officer the commune
/// and its facilities; a province's officers and administrators the communes with facilities and
/// every facility.
fn units_in_reach(
    connection: &Connection,
    user: &SignedIn,
) -> Result<Vec<(Uuid, String, UnitKind)>, ApiError> {
    if let Some(facility) = user.facility_id {
        let name = connection.query_row(
            "SELECT name FROM facilities WHERE id = ?1",
            [facility],
            |row| row.get(0),
        )?;
        return Ok(vec![(facility, name, UnitKind::Facility)]);
    }
    if !user.role.belongs_to_area() {
        return Err(ApiError::Forbidden);
    }
    let mut units = Vec::new();
    let mut communes = connection.prepare_cached(
        "SELECT a.id, a.name FROM areas a
         WHERE (a.id = ?1 OR a.parent_id = ?1) AND a.level = 'commune'
           AND EXISTS (SELECT 1 FROM facilities f WHERE f.area_id = a.id AND f.active)
         ORDER BY a.name",
    )?;
    for row in communes.query_map([user.area_id], |row| Ok((row.get(0)?, row.get(1)?)))? {
        let (id, name) = row?;
        units.push((id, name, UnitKind::Commune));
    }
    let mut facilities = connection.prepare_cached(
        "SELECT f.id, f.name FROM facilities f JOIN areas a ON a.id = f.area_id
         WHERE (a.id = ?1 OR a.parent_id = ?1) AND f.active AND f.facility_type != 'hotline_111'
         ORDER BY f.name",
    )?;
    for row in facilities.query_map([user.area_id], |row| Ok((row.get(0)?, row.get(1)?)))? {
        let (id, name) = row?;
        units.push((id, name, UnitKind::Facility));
    }
    Ok(units)
}

/// Each unit in the reader's reach and its latest report for the period.
#[utoipa::path(get, path = "/api/reports/submissions", tag = "indicators", security(("bearer" = [])), params(SubmissionsQuery),
    responses((status = 200, body = SubmissionsView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    user: AuthUser,
    Query(query): Query<SubmissionsQuery>,
) -> Result<Json<SubmissionsView>, ApiError> {
    let today = Settings::of(&state).today;
    let span = match &query.period {
        None => Span::due_next(today),
        Some(code) => Span::parse(code)
            .ok_or_else(|| ApiError::field("period", Problem::UnknownValue(code.clone())))?,
    };
    let due_on = span.due_on();
    let signed_in = user.0.clone();
    let code = span.code();
    let units = state
        .db
        .read(move |connection| {
            let units = units_in_reach(connection, &signed_in)?;
            let mut latest: HashMap<Uuid, Submission> = HashMap::new();
            let mut statement = connection.prepare_cached(
                "SELECT id, unit_id, unit_name, unit_kind, submitted_by, submitted_at
                 FROM report_submissions WHERE period = ?1 ORDER BY submitted_at",
            )?;
            let rows = statement.query_map([&code], |row| {
                let kind: String = row.get(3)?;
                let at: DateTime<Utc> = row.get(5)?;
                Ok(Submission {
                    id: row.get(0)?,
                    unit_id: row.get(1)?,
                    unit_name: row.get(2)?,
                    unit_kind: UnitKind::from_code(&kind).unwrap_or(UnitKind::Facility),
                    period: code.clone(),
                    submitted_by: row.get(4)?,
                    submitted_at: at,
                    late: is_late(due_on, Some(vietnam_day(at)), today),
                })
            })?;
            for submission in rows {
                let submission = submission?;
                latest.insert(submission.unit_id, submission);
            }
            Ok(units
                .into_iter()
                .map(|(unit_id, unit_name, unit_kind)| {
                    let submission = latest.remove(&unit_id);
                    let late = submission
                        .as_ref()
                        .map_or(is_late(due_on, None, today), |s| s.late);
                    UnitStatus {
                        unit_id,
                        unit_name,
                        unit_kind,
                        submission,
                        late,
                    }
                })
                .collect())
        })
        .await?;
    Ok(Json(SubmissionsView {
        period: span.code(),
        due_on,
        units,
    }))
}

/// A submitted report as it was sent (the frozen aggregate), for a reader whose reach holds its
/// unit.
#[utoipa::path(get, path = "/api/reports/submissions/{id}", tag = "indicators", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = IndicatorsView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn frozen(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    let signed_in = user.0.clone();
    let report = state
        .db
        .read(move |connection| {
            let found: Option<(Uuid, String)> = connection
                .query_row(
                    "SELECT unit_id, report FROM report_submissions WHERE id = ?1",
                    [id],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .optional()?;
            let (unit, report) = found.ok_or(ApiError::NotFound)?;
            let reach = units_in_reach(connection, &signed_in)?;
            if reach.iter().any(|(u, _, _)| *u == unit) {
                Ok(report)
            } else {
                Err(ApiError::NotFound)
            }
        })
        .await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], report).into_response())
}
