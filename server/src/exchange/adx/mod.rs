//! `GET /api/adx` and `GET /api/adx/dataValueSets`: the programme's figures for a period, for the
//! province and every commune of the caller's area, as an ADX message (IHE QRPH, XML) or as
//! DHIS2 `dataValueSets` JSON, named by the mapping (`mapping.rs`). The figures are the very
//! report of the dashboard and the workbook (`shared::indicators::compute`), flattened by
//! `shared::indicators::figures`.
//!
//! Integration systems receive exact counts; officers and administrators the counts their
//! dashboard shows (small ones left out rather than sent as zeros). Every export is audited.

pub mod mapping;
mod write;

use std::collections::HashSet;

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use shared::api::ErrorBody;
use shared::indicators::{self, Period, Span};
use shared::role::Capability;
use shared::validate::Problem;
use uuid::Uuid;

use self::mapping::Mapping;
use crate::error::ApiError;
use crate::exchange::places::Places;
use crate::extract::AuthUser;
use crate::indicators::Settings;
use crate::AppState;

pub use write::{adx_xml, data_value_sets, Group, ADX_NAMESPACE};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/adx", get(adx))
        .route("/api/adx/dataValueSets", get(dhis2_json))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AdxQuery {
    /// A reporting year (`2026`: 1 December 2025 to 30 November 2026), a half (`2026-H1`), a
    /// quarter (`2026-Q2`), a month (`2026-03`) or a range (`2026-01-01..2026-01-31`); default:
    /// the current reporting year. DHIS2 JSON takes months only.
    pub period: Option<String>,
}

/// The period asked, as the indicators read it ([`Span`]: a reporting year, half, quarter,
/// month or range); default the current reporting year.
fn asked(text: Option<&str>, today: NaiveDate) -> Result<Span, ApiError> {
    match text {
        None => Ok(Span::Year(Period::year_of(today))),
        Some(code) => Span::parse(code)
            .ok_or_else(|| ApiError::field("period", Problem::UnknownValue(code.to_string()))),
    }
}

/// DHIS2's period id: months only (DHIS2 has no year, half or quarter starting on 1 December).
fn dhis2_period(span: Span) -> Option<String> {
    match span {
        Span::Month(year, month) => Some(format!("{year}{month:02}")),
        _ => None,
    }
}

/// Computes the groups of an export: the caller's area first, then each commune under it that
/// has facilities, each with its figures.
async fn groups(
    state: &AppState,
    user: &AuthUser,
    asked: Span,
    settings: &Settings,
) -> Result<Vec<Group>, ApiError> {
    let exact = user.role.can(Capability::ExchangeRecords);
    if !exact && !user.role.belongs_to_area() {
        return Err(ApiError::Forbidden);
    }
    let (today, due, suppression) = (settings.today, settings.due, settings.suppression);
    let signed_in = user.0.clone();
    let groups = state
        .db
        .read(move |connection| {
            let places = Places::load(connection, &signed_in, None)?;
            let period = asked.period();
            let window = Period {
                from: period.from,
                to: period.to.min(today),
            };
            let mut areas: Vec<_> = places.areas.values().collect();
            areas.sort_by(|a, b| {
                (a.id != places.root, &a.code).cmp(&(b.id != places.root, &b.code))
            });
            let mut groups = Vec::new();
            for area in areas {
                let facilities: HashSet<Uuid> = places
                    .facilities
                    .values()
                    .filter(|f| area.id == places.root || f.area == area.id)
                    .map(|f| f.id)
                    .collect();
                if facilities.is_empty() && area.id != places.root {
                    continue;
                }
                let data = crate::facts::load(connection, &facilities, due, window)?;
                let mut report = indicators::compute(&data, period, today);
                if !exact {
                    report = report.suppressed(suppression);
                }
                groups.push(Group {
                    area_code: area.code.clone(),
                    figures: indicators::figures(&report),
                });
            }
            Ok(groups)
        })
        .await?;
    Ok(groups)
}

fn mapping(state: &AppState) -> std::sync::Arc<Mapping> {
    state
        .policy
        .dhis2_mapping
        .clone()
        .unwrap_or_else(Mapping::shipped)
}

/// The figures as an ADX message.
#[utoipa::path(get, path = "/api/adx", tag = "exchange", security(("bearer" = [])), params(AdxQuery),
    responses((status = 200, description = "ADX (urn:ihe:qrph:adx:2015)", content_type = "application/adx+xml", body = String),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn adx(
    State(state): State<AppState>,
    user: AuthUser,
    Query(query): Query<AdxQuery>,
) -> Result<Response, ApiError> {
    let settings = Settings::of(&state);
    let asked = asked(query.period.as_deref(), settings.today)?;
    let groups = groups(&state, &user, asked, &settings).await?;
    let mapping = mapping(&state);
    let (xml, values) = adx_xml(&mapping, &groups, &asked.iso(), state.clock.now());
    crate::indicators::audited(
        &state,
        &user,
        "adx.export",
        format!(
            "format=adx; period={}; org_units={}; values={values}",
            asked.iso(),
            groups.len()
        ),
        Vec::new(),
    )
    .await?;
    Ok((
        [(header::CONTENT_TYPE, "application/adx+xml; charset=utf-8")],
        xml,
    )
        .into_response())
}

/// The figures as DHIS2 `dataValueSets` JSON, for a month.
#[utoipa::path(get, path = "/api/adx/dataValueSets", tag = "exchange", security(("bearer" = [])), params(AdxQuery),
    responses((status = 200, description = "DHIS2 dataValueSets", content_type = "application/json", body = Object),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn dhis2_json(
    State(state): State<AppState>,
    user: AuthUser,
    Query(query): Query<AdxQuery>,
) -> Result<Response, ApiError> {
    let settings = Settings::of(&state);
    let asked = match query.period.as_deref() {
        None => Span::Month(settings.today.year(), settings.today.month()),
        given => asked(given, settings.today)?,
    };
    let period = dhis2_period(asked).ok_or_else(|| {
        ApiError::field(
            "period",
            Problem::UnknownValue(query.period.clone().unwrap_or_default()),
        )
    })?;
    let groups = groups(&state, &user, asked, &settings).await?;
    let mapping = mapping(&state);
    let body = data_value_sets(&mapping, &groups, &period);
    let values = body["dataValues"].as_array().map_or(0, Vec::len);
    crate::indicators::audited(
        &state,
        &user,
        "adx.export",
        format!(
            "format=dhis2; period={period}; org_units={}; values={values}",
            groups.len()
        ),
        Vec::new(),
    )
    .await?;
    Ok((
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response())
}
