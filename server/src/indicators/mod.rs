//! `GET /api/indicators`, `/api/indicators/rows` and `/api/indicators/export`: the programme's
//! indicators for an area or a facility and a reporting year, the rows behind a figure, and the
//! annual report as an Excel workbook or CSV.
//!
//! Officers and administrators see their area (a province officer any commune of it) as
//! aggregates: small counts are suppressed before they leave the server, and rows carry no names.
//! Facility staff see their own facility's figures, with names in the rows. Every read is audited.

pub mod export;

use std::collections::HashSet;

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use shared::api::ErrorBody;
use shared::indicators::{
    self, AgeBand, Indicator, IndicatorRow, IndicatorsView, Listed, Part, Period, Report, RowsView,
    Span, Suppression, ROWS_MAX,
};
use shared::lang::{vietnam_offset, Lang};
use uuid::Uuid;

use crate::access;
use crate::audit::{self, Actor, Event};
use crate::error::{lang_of, ApiError};
use crate::extract::{AuthUser, SignedIn};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/indicators", get(report))
        .route("/api/indicators/rows", get(rows))
        .route("/api/indicators/export", get(export::export))
}

#[derive(Debug, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ScopeQuery {
    /// The reporting year: 1 December of the year before to 30 November (default: the current).
    pub year: Option<i32>,
    /// Any period instead of a year: `2027-H1` (December–May), `2027-H2`, `2027-Q1`…`Q4`
    /// (quarters from December), a month `2027-03`, or `2026-12-01..2027-01-15`.
    pub period: Option<String>,
    /// An area (default: the officer's own); officers and administrators only.
    pub area: Option<Uuid>,
    /// One facility of the area.
    pub facility: Option<Uuid>,
}

/// Who and what a request reads.
pub(crate) struct Scope {
    pub name: String,
    /// The unit's official code (an area's administrative code, a facility's sector code).
    pub code: Option<String>,
    pub span: Span,
    pub facilities: HashSet<Uuid>,
    pub aggregate: bool,
    pub year: i32,
    pub period: Period,
    pub today: NaiveDate,
}

pub(crate) fn resolve(
    connection: &Connection,
    user: &SignedIn,
    query: &ScopeQuery,
    today: NaiveDate,
) -> Result<Scope, ApiError> {
    let span = match &query.period {
        Some(code) => Span::parse(code).ok_or_else(|| {
            ApiError::field(
                "period",
                shared::validate::Problem::UnknownValue(code.clone()),
            )
        })?,
        None => {
            let year = query.year.unwrap_or_else(|| Period::year_of(today));
            if !(2000..=2100).contains(&year) {
                return Err(ApiError::Malformed(format!("year {year}")));
            }
            Span::Year(year)
        }
    };
    let (year, period) = (span.year(), span.period());
    let reach = access::indicator_reach(user, query.area, query.facility)?;
    let mut scope = Scope {
        name: String::new(),
        code: None,
        span,
        facilities: HashSet::new(),
        aggregate: matches!(reach, access::IndicatorReach::Area(_)),
        year,
        period,
        today,
    };
    let area = match reach {
        access::IndicatorReach::OwnFacility(own) => {
            (scope.name, scope.code) = connection.query_row(
                "SELECT name, code FROM facilities WHERE id = ?1",
                [own],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )?;
            scope.facilities.insert(own);
            return Ok(scope);
        }
        access::IndicatorReach::Area(area) => area,
    };
    let (name, parent, code): (String, Option<Uuid>, String) = connection
        .query_row(
            "SELECT name, parent_id, code FROM areas WHERE id = ?1",
            [area],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .optional()?
        .ok_or(ApiError::NotFound)?;
    if !access::may_see_area(user, area, parent) {
        return Err(ApiError::Forbidden);
    }
    scope.name = name;
    scope.code = Some(code);
    let mut statement = connection.prepare_cached(
        "SELECT f.id, f.name, f.code FROM facilities f JOIN areas a ON a.id = f.area_id
         WHERE a.id = ?1 OR a.parent_id = ?1",
    )?;
    let rows = statement.query_map([area], |row| {
        Ok((
            row.get::<_, Uuid>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, Option<String>>(2)?,
        ))
    })?;
    for row in rows {
        let (id, name, code) = row?;
        match query.facility {
            Some(wanted) if wanted != id => {}
            Some(_) => {
                scope.name = name;
                scope.code = code;
                scope.facilities.insert(id);
            }
            None => {
                scope.facilities.insert(id);
            }
        }
    }
    if query.facility.is_some() && scope.facilities.is_empty() {
        return Err(ApiError::NotFound);
    }
    Ok(scope)
}

/// What every indicator request reads from the server's state.
pub(crate) struct Settings {
    /// Today in Vietnam, by the server's clock.
    pub today: NaiveDate,
    pub due: shared::referral::DueTimes,
    /// For aggregate views.
    pub suppression: Suppression,
}

impl Settings {
    pub fn of(state: &AppState) -> Settings {
        Settings {
            today: state
                .clock
                .now()
                .with_timezone(&vietnam_offset())
                .date_naive(),
            due: state.policy.due_times(),
            suppression: Suppression {
                below: state.policy.suppress_below,
            },
        }
    }
}

/// The scope's report, suppressed for aggregate views.
pub(crate) async fn compute(
    state: &AppState,
    user: SignedIn,
    query: ScopeQuery,
) -> Result<(Scope, Report), ApiError> {
    let Settings {
        today,
        due,
        suppression,
    } = Settings::of(state);
    state
        .db
        .read(move |connection| {
            let scope = resolve(connection, &user, &query, today)?;
            let window = Period {
                from: scope.period.from,
                to: scope.period.to.min(today),
            };
            let data = crate::facts::load(connection, &scope.facilities, due, window)?;
            let report = indicators::compute(&data, scope.period, today);
            let report = if scope.aggregate {
                report.suppressed(suppression)
            } else {
                report
            };
            Ok((scope, report))
        })
        .await
}

/// Records a read of figures (and of the records behind them, `ids`) in the audit log.
pub(crate) async fn audited(
    state: &AppState,
    user: &SignedIn,
    action: &'static str,
    detail: String,
    ids: Vec<Uuid>,
) -> Result<(), ApiError> {
    let now = state.clock.now();
    let actor = Actor::user(user);
    state
        .db
        .write(move |transaction| {
            audit::record_read(
                transaction,
                now,
                &actor,
                Event::new(action).detail(detail),
                &ids,
            )
        })
        .await
}

/// The indicators for the scope and reporting year.
#[utoipa::path(get, path = "/api/indicators", tag = "indicators", security(("bearer" = [])), params(ScopeQuery),
    responses((status = 200, body = IndicatorsView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn report(
    State(state): State<AppState>,
    user: AuthUser,
    Query(query): Query<ScopeQuery>,
) -> Result<Json<IndicatorsView>, ApiError> {
    let (scope, report) = compute(&state, user.0.clone(), query).await?;
    audited(
        &state,
        &user,
        "indicators.read",
        format!("scope={}; period={}", scope.name, scope.span.code()),
        Vec::new(),
    )
    .await?;
    Ok(Json(IndicatorsView {
        scope: scope.name,
        year: scope.year,
        report,
        suppress_below: if scope.aggregate {
            state.policy.suppress_below
        } else {
            0
        },
        aggregate: scope.aggregate,
    }))
}

#[derive(Debug, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RowsQuery {
    /// I1 to I5.
    pub indicator: String,
    pub year: Option<i32>,
    /// Any period instead of a year (see [`ScopeQuery::period`]).
    pub period: Option<String>,
    pub area: Option<Uuid>,
    pub facility: Option<Uuid>,
}

/// A row's label in an aggregate view: the same within one report (scope, year, indicator), and
/// not linkable across reports or to the id without the server's salt.
fn pseudonym(salt: &[u8], scope: &Scope, indicator: Indicator, id: Uuid) -> String {
    let mut hash = Sha256::new();
    hash.update(salt);
    hash.update(
        format!(
            "\n{}\n{}\n{}\n{id}",
            scope.name,
            scope.span.code(),
            indicator.code()
        )
        .as_bytes(),
    );
    let digest = hash.finalize();
    format!(
        "#{:02x}{:02x}{:02x}{:02x}",
        digest[0], digest[1], digest[2], digest[3]
    )
}

/// The rows behind one indicator's figure.
#[utoipa::path(get, path = "/api/indicators/rows", tag = "indicators", security(("bearer" = [])), params(RowsQuery),
    responses((status = 200, body = RowsView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn rows(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    Query(query): Query<RowsQuery>,
) -> Result<Json<RowsView>, ApiError> {
    let indicator = Indicator::parse(&query.indicator)
        .ok_or_else(|| ApiError::Malformed(format!("indicator {}", query.indicator)))?;
    let lang = lang_of(&headers);
    let Settings {
        today,
        due,
        suppression,
    } = Settings::of(&state);
    let signed_in = user.0.clone();
    let scope_query = ScopeQuery {
        year: query.year,
        period: query.period.clone(),
        area: query.area,
        facility: query.facility,
    };
    let (view, ids) = state
        .db
        .read(move |connection| {
            let scope = resolve(connection, &signed_in, &scope_query, today)?;
            let window = Period {
                from: scope.period.from,
                to: scope.period.to.min(today),
            };
            let data = crate::facts::load(connection, &scope.facilities, due, window)?;
            let mut found = indicators::rows(&data, scope.period, today, indicator);
            found.sort_by_key(|(_, part, _)| *part != Part::Numerator);
            let total = found.len();
            let mut listing = None;
            if scope.aggregate {
                let report =
                    indicators::compute(&data, scope.period, today).suppressed(suppression);
                if total_hidden(&report, indicator) {
                    return Ok((
                        RowsView {
                            indicator,
                            total: 0,
                            rows: Vec::new(),
                            hidden: true,
                        },
                        Vec::new(),
                    ));
                }
                let listed: Vec<Listed> = found
                    .iter()
                    .map(|(key, part, _)| listed(&data, &scope, indicator, *key, *part))
                    .collect();
                let shown = indicators::listing(&report, indicator, &listed, ROWS_MAX, suppression);
                let mut keep = shown.keep.iter();
                found.retain(|_| keep.next().copied().unwrap_or(false));
                listing = Some(shown);
            }
            found.truncate(ROWS_MAX);
            let salt = row_salt(connection)?;
            let mut rows = Vec::with_capacity(found.len());
            let mut ids = Vec::with_capacity(found.len());
            for (key, part, date) in found {
                ids.extend(id_of(&data, indicator, key));
                let mut row =
                    describe(connection, &data, &scope, indicator, key, part, date, lang)?;
                if let Some(listing) = &listing {
                    if indicator != Indicator::I3 {
                        row.label.clear();
                        row.child_id = None;
                        row.date = None;
                    }
                    row.age_band = row.age_band.filter(|_| listing.age_band);
                    row.sex = row.sex.filter(|_| listing.sex);
                }
                if row.label.is_empty() {
                    if let Some(id) = id_of(&data, indicator, key) {
                        row.label = pseudonym(&salt, &scope, indicator, id);
                    }
                }
                rows.push(row);
            }
            let view = RowsView {
                indicator,
                total,
                rows,
                hidden: false,
            };
            Ok::<_, ApiError>((view, ids))
        })
        .await?;
    audited(
        &state,
        &user,
        "indicators.rows",
        format!("indicator={}; rows={}", indicator.code(), view.total),
        ids,
    )
    .await?;
    Ok(Json(view))
}

/// The figure itself is hidden in the report: nothing behind it is listed.
fn total_hidden(report: &indicators::Report, indicator: Indicator) -> bool {
    match indicator {
        Indicator::I1 => report.i1.is_hidden(),
        Indicator::I2 => report.i2.is_hidden(),
        Indicator::I3 => false,
        Indicator::I4 => report.i4.is_hidden(),
        Indicator::I5 => {
            report
                .hidden
                .iter()
                .chain(&report.guarded)
                .any(|k| k == "i5.sent")
                || report.i5.declined.is_hidden()
                || report.i5.feedback.is_hidden()
        }
    }
}

/// What the listing policy reads of a row.
fn listed(
    data: &indicators::Dataset,
    scope: &Scope,
    indicator: Indicator,
    key: u32,
    part: Part,
) -> Listed {
    let (facility, child) = match indicator {
        Indicator::I5 => {
            let referral = data.referrals[key as usize];
            (referral.from, data.children.get(referral.child as usize))
        }
        Indicator::I3 => (key, None),
        _ => (
            data.children[key as usize].facility,
            data.children.get(key as usize),
        ),
    };
    let facility = &data.facilities[facility as usize];
    Listed {
        facility: facility.id,
        area: facility.area_id,
        counted: part == Part::Numerator,
        age_band: child.map(|c| AgeBand::of(c.born, scope.period.to.min(scope.today))),
        sex: child.map(|c| c.sex),
    }
}

/// The record a row stands for (a child; a referral when its child is out of scope).
fn id_of(data: &indicators::Dataset, indicator: Indicator, key: u32) -> Option<Uuid> {
    match indicator {
        Indicator::I3 => None,
        Indicator::I5 => {
            let referral = data.referrals[key as usize];
            data.child_ids
                .get(referral.child as usize)
                .or_else(|| data.referral_ids.get(key as usize))
                .copied()
        }
        _ => data.child_ids.get(key as usize).copied(),
    }
}

fn row_salt(connection: &Connection) -> Result<Vec<u8>, ApiError> {
    Ok(connection.query_row(
        "SELECT value FROM server_secrets WHERE name = 'row_salt'",
        [],
        |row| row.get(0),
    )?)
}

#[allow(clippy::too_many_arguments)]
fn describe(
    connection: &Connection,
    data: &indicators::Dataset,
    scope: &Scope,
    indicator: Indicator,
    key: u32,
    part: Part,
    date: Option<NaiveDate>,
    lang: Lang,
) -> Result<IndicatorRow, ApiError> {
    let counted = part == Part::Numerator;
    let facility_name = |k: u32| {
        data.facilities
            .get(k as usize)
            .map_or_else(String::new, |f| f.name.clone())
    };
    let child_row = |child: u32, date| -> Result<IndicatorRow, ApiError> {
        let fact = data.children[child as usize];
        let id = data.child_ids[child as usize];
        let label = if scope.aggregate {
            String::new()
        } else {
            let json: Option<String> = connection
                .query_row(
                    "SELECT fields FROM records WHERE record_type = 'child' AND id = ?1",
                    params![id],
                    |row| row.get(0),
                )
                .optional()?;
            json.and_then(|j| serde_json::from_str::<serde_json::Value>(&j).ok())
                .and_then(|v| v["full_name"].as_str().map(str::to_string))
                .unwrap_or_default()
        };
        Ok(IndicatorRow {
            label,
            // Taken out again (into the pseudonym) for an aggregate view.
            child_id: Some(id),
            age_band: Some(AgeBand::of(fact.born, scope.period.to.min(scope.today))),
            sex: Some(fact.sex.label(lang).to_string()),
            // Ethnicity with age, sex and school can single a child out: not in aggregate rows.
            ethnicity: (!scope.aggregate)
                .then(|| shared::ethnicity::ETHNIC_GROUPS.get(fact.ethnicity as usize))
                .flatten()
                .map(|(_, name)| name.to_string()),
            facility: facility_name(fact.facility),
            date,
            counted,
        })
    };
    match indicator {
        Indicator::I3 => Ok(IndicatorRow {
            label: facility_name(key),
            child_id: None,
            age_band: None,
            sex: None,
            ethnicity: None,
            facility: facility_name(key),
            date,
            counted,
        }),
        Indicator::I5 => {
            let referral = data.referrals[key as usize];
            let mut row = if (referral.child as usize) < data.children.len() {
                child_row(referral.child, date)?
            } else {
                IndicatorRow {
                    label: String::new(),
                    child_id: None,
                    age_band: None,
                    sex: None,
                    ethnicity: None,
                    facility: String::new(),
                    date,
                    counted,
                }
            };
            row.facility = facility_name(referral.from);
            Ok(row)
        }
        _ => child_row(key, date),
    }
}

/// The response for a file download.
pub(crate) fn file(content_type: &'static str, name: &str, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        body,
    )
        .into_response()
}
