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
use shared::indicators::{self, Period};
use shared::role::Capability;
use shared::validate::Problem;
use uuid::Uuid;

use self::mapping::Mapping;
use crate::audit::{self, Actor, Event};
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
    /// A reporting year (`2026`: 1 December 2025 to 30 November 2026) or a month (`2026-03`);
    /// default: the current reporting year. DHIS2 JSON takes months only.
    pub period: Option<String>,
}

/// The period asked: a reporting year or a month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asked {
    Year(i32),
    Month(i32, u32),
}

impl Asked {
    pub fn parse(text: Option<&str>, today: NaiveDate) -> Result<Asked, ApiError> {
        let bad = || {
            ApiError::field(
                "period",
                Problem::UnknownValue(text.unwrap_or_default().to_string()),
            )
        };
        let Some(text) = text else {
            return Ok(Asked::Year(Period::year_of(today)));
        };
        let asked = match text.split_once('-') {
            None => Asked::Year(text.parse().map_err(|_| bad())?),
            Some((year, month)) if month.len() == 2 => {
                let month: u32 = month.parse().map_err(|_| bad())?;
                if !(1..=12).contains(&month) {
                    return Err(bad());
                }
                Asked::Month(year.parse().map_err(|_| bad())?, month)
            }
            Some(_) => return Err(bad()),
        };
        let year = match asked {
            Asked::Year(y) | Asked::Month(y, _) => y,
        };
        if !(2000..=2100).contains(&year) {
            return Err(bad());
        }
        Ok(asked)
    }

    pub fn period(self) -> Period {
        match self {
            Asked::Year(year) => Period::reporting_year(year),
            Asked::Month(year, month) => {
                let from = NaiveDate::from_ymd_opt(year, month, 1).unwrap_or_default();
                let next = if month == 12 {
                    NaiveDate::from_ymd_opt(year + 1, 1, 1)
                } else {
                    NaiveDate::from_ymd_opt(year, month + 1, 1)
                };
                Period {
                    from,
                    to: next.and_then(|d| d.pred_opt()).unwrap_or(from),
                }
            }
        }
    }

    /// ADX's period: the start date and an ISO 8601 duration.
    pub fn iso(self) -> String {
        let period = self.period();
        match self {
            Asked::Year(_) => format!("{}/P1Y", period.from),
            Asked::Month(..) => format!("{}/P1M", period.from),
        }
    }

    /// DHIS2's period id: months only (DHIS2 has no year starting on 1 December).
    pub fn dhis2(self) -> Option<String> {
        match self {
            Asked::Month(year, month) => Some(format!("{year}{month:02}")),
            Asked::Year(_) => None,
        }
    }
}

/// Computes the groups of an export: the caller's area first, then each commune under it that
/// has facilities, each with its figures.
async fn groups(
    state: &AppState,
    user: &AuthUser,
    asked: Asked,
) -> Result<(Vec<Group>, Settings), ApiError> {
    let exact = user.role.can(Capability::ExchangeRecords);
    if !exact && !user.role.belongs_to_area() {
        return Err(ApiError::Forbidden);
    }
    let settings = Settings::of(state);
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
    Ok((groups, settings))
}

async fn audited(state: &AppState, user: &AuthUser, detail: String) -> Result<(), ApiError> {
    let now = state.clock.now();
    let actor = Actor::user(user);
    state
        .db
        .write(move |transaction| {
            audit::record(
                transaction,
                now,
                &actor,
                Event::new("adx.export").detail(detail),
            )
        })
        .await
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
    let today = Settings::of(&state).today;
    let asked = Asked::parse(query.period.as_deref(), today)?;
    let (groups, _) = groups(&state, &user, asked).await?;
    let mapping = mapping(&state);
    let (xml, values) = adx_xml(&mapping, &groups, &asked.iso(), state.clock.now());
    audited(
        &state,
        &user,
        format!(
            "format=adx; period={}; org_units={}; values={values}",
            asked.iso(),
            groups.len()
        ),
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
    let today = Settings::of(&state).today;
    let default_month = format!("{}-{:02}", today.year(), today.month());
    let asked = Asked::parse(
        Some(query.period.as_deref().unwrap_or(&default_month)),
        today,
    )?;
    let period = asked.dhis2().ok_or_else(|| {
        ApiError::field(
            "period",
            Problem::UnknownValue(query.period.clone().unwrap_or_default()),
        )
    })?;
    let (groups, _) = groups(&state, &user, asked).await?;
    let mapping = mapping(&state);
    let body = data_value_sets(&mapping, &groups, &period);
    let values = body["dataValues"].as_array().map_or(0, Vec::len);
    audited(
        &state,
        &user,
        format!(
            "format=dhis2; period={period}; org_units={}; values={values}",
            groups.len()
        ),
    )
    .await?;
    Ok((
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response())
}
