//! `GET /api/fhir/…`: the records of the caller's area as FHIR R4 (JSON), read-only, for
//! integration systems (the `integrator` role): read by id, search (paged), a child's whole file
//! (`Patient/{id}/$everything`) and a bulk export as NDJSON per resource type, paged and
//! resumable by cursor (`$export`, after the Bulk Data manifest's shape).
//!
//! Every read is audited with the children and referrals it returned. Answers to sensitive
//! questions follow the rule of every other path (`access::sees_sensitive_answers`).

pub mod bulk;
mod people;
pub mod read;
mod referral;
mod screening;
pub mod systems;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use shared::api::ErrorBody;
use shared::role::Capability;
use shared::sync::RecordType;
use shared::validate::Problem;
use uuid::Uuid;

pub use self::bulk::{everything, export, export_page};
use self::read::{Row, Window};
use crate::access;
use crate::audit::Actor;
use crate::error::ApiError;
use crate::exchange::places::Places;
use crate::extract::AuthUser;
use crate::AppState;

pub const FHIR_JSON: &str = "application/fhir+json";
pub const FHIR_NDJSON: &str = "application/fhir+ndjson";
/// Lines in one page of an export, and the most a search may ask for.
pub const PAGE_MAX: usize = 1000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/fhir/metadata", get(metadata))
        .route("/api/fhir/$export", get(export))
        .route("/api/fhir/$export/{resource_type}", get(export_page))
        .route("/api/fhir/Patient/{id}/$everything", get(everything))
        .route("/api/fhir/{resource_type}", get(search))
        .route("/api/fhir/{resource_type}/{id}", get(read_one))
}

fn fhir_json(value: &Value) -> Response {
    ([(header::CONTENT_TYPE, FHIR_JSON)], value.to_string()).into_response()
}

/// What the server can do, for clients that ask first.
#[utoipa::path(get, path = "/api/fhir/metadata", tag = "fhir",
    responses((status = 200, description = "CapabilityStatement", content_type = "application/fhir+json", body = Object)))]
pub async fn metadata(State(state): State<AppState>) -> Response {
    let types: Vec<Value> = read::FROM_RECORDS
        .iter()
        .map(|(name, _)| *name)
        .chain(read::FROM_DIRECTORY)
        .map(|name| {
            json!({ "type": name, "interaction": [{ "code": "read" }, { "code": "search-type" }] })
        })
        .collect();
    fhir_json(&json!({
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": state.clock.now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "kind": "instance",
        "software": { "name": "Tâm An", "version": env!("CARGO_PKG_VERSION") },
        "implementation": { "description": "Tâm An: sàng lọc, chuyển tuyến và báo cáo sức khỏe tâm thần trẻ em" },
        "fhirVersion": "4.0.1",
        "format": ["json"],
        "rest": [{
            "mode": "server",
            "security": { "description": "Bearer token of an account with the integrator role (POST /api/auth/login)." },
            "resource": types,
            "operation": [
                { "name": "export", "definition": "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export" },
                { "name": "everything", "definition": "http://hl7.org/fhir/OperationDefinition/Patient-everything" }
            ]
        }]
    }))
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    /// Changed at or after: a date (Vietnam's day) or an instant (RFC 3339).
    #[serde(rename = "_since", skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
    /// Changed before: a date (up to the end of that day) or an instant.
    #[serde(rename = "_until", skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
    /// One facility of the caller's area.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub facility: Option<Uuid>,
    /// Where the previous page ended (from its `next` link).
    #[serde(rename = "_cursor", skip_serializing_if = "Option::is_none")]
    pub cursor: Option<i64>,
    /// Resources in a page, 1 to 1000 (default 1000).
    #[serde(rename = "_count", skip_serializing_if = "Option::is_none")]
    pub count: Option<usize>,
    /// Resource types, comma-separated (the manifest only; default all).
    #[serde(rename = "_type", skip_serializing_if = "Option::is_none")]
    pub types: Option<String>,
    /// Patient search only: `system|value` or a bare value, the personal id
    /// (`urn:tam-an:sid:vn-personal-id`) or the pupil code (`urn:tam-an:sid:vn-pupil-code`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identifier: Option<String>,
}

fn instant(field: &'static str, text: &str, end_of_day: bool) -> Result<DateTime<Utc>, ApiError> {
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(at.with_timezone(&Utc));
    }
    let day = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| ApiError::field(field, Problem::DateFormat))?;
    let day = if end_of_day {
        day.succ_opt().unwrap_or(day)
    } else {
        day
    };
    let local = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    Ok(local
        .and_local_timezone(shared::lang::vietnam_offset())
        .single()
        .map(|at| at.with_timezone(&Utc))
        .unwrap_or_default())
}

impl PageQuery {
    fn window(&self) -> Result<Window, ApiError> {
        let count = self.count.unwrap_or(PAGE_MAX);
        if !(1..=PAGE_MAX).contains(&count) {
            return Err(ApiError::field(
                "_count",
                Problem::UnknownValue(count.to_string()),
            ));
        }
        Ok(Window {
            after_seq: self.cursor.unwrap_or(0).max(0),
            since: self
                .since
                .as_deref()
                .map(|t| instant("_since", t, false))
                .transpose()?,
            until: self
                .until
                .as_deref()
                .map(|t| instant("_until", t, true))
                .transpose()?,
            facility: self.facility,
            limit: count,
        })
    }

    /// The query string of the same request from `cursor` on (`None`: from the start).
    fn from(&self, cursor: Option<i64>) -> String {
        let query = PageQuery {
            cursor,
            types: None,
            ..self.clone()
        };
        serde_urlencoded::to_string(&query).unwrap_or_default()
    }
}

/// A parameter this operation does not take (422 naming it).
fn not_here(field: &'static str, value: &str) -> ApiError {
    ApiError::field(field, Problem::UnknownValue(value.to_string()))
}

/// A search Bundle's entries: each resource with its absolute URL, as a match.
fn entries(base: &str, resources: Vec<Value>) -> Vec<Value> {
    resources
        .into_iter()
        .map(|resource| {
            let url = format!(
                "{base}/{}/{}",
                resource["resourceType"].as_str().unwrap_or(""),
                resource["id"].as_str().unwrap_or("")
            );
            json!({ "fullUrl": url, "resource": resource, "search": { "mode": "match" } })
        })
        .collect()
}

/// The base URL as the client reached us (for the absolute links FHIR wants).
fn base(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let scheme = headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("http");
    format!("{scheme}://{host}/api/fhir")
}

fn known_type(resource_type: &str) -> Result<(), ApiError> {
    if read::record_type_of(resource_type).is_some()
        || read::FROM_DIRECTORY.contains(&resource_type)
    {
        Ok(())
    } else {
        Err(ApiError::NotFound)
    }
}

/// What one page of a type holds: the resources, the cursor after them, and the children and
/// referrals it showed (for the audit).
struct Page {
    resources: Vec<Value>,
    next: Option<i64>,
    shown: Vec<Uuid>,
}

async fn load_page(
    state: &AppState,
    user: &AuthUser,
    resource_type: String,
    query: &PageQuery,
) -> Result<Page, ApiError> {
    access::require(user, Capability::ExchangeRecords)?;
    known_type(&resource_type)?;
    let window = query.window()?;
    let identifier = match (&query.identifier, resource_type.as_str()) {
        (None, _) => None,
        (Some(text), "Patient") => Some(read::Identifier::parse(text)?),
        (Some(text), _) => return Err(not_here("identifier", text)),
    };
    let sensitive = access::sees_sensitive_answers(user);
    let signed_in = user.0.clone();
    let page = state
        .db
        .read(move |connection| {
            let places = Places::load(connection, &signed_in, window.facility)?;
            let Some(record_type) = read::record_type_of(&resource_type) else {
                return Ok(Page {
                    resources: directory(&resource_type, &places),
                    next: None,
                    shown: Vec::new(),
                });
            };
            let rows = match &identifier {
                Some(identifier) => read::children_by_identifier(connection, &places, identifier)?,
                None => read::page(connection, &places, record_type, &window)?,
            };
            let next = (identifier.is_none() && rows.len() == window.limit)
                .then(|| rows.last().map(|r| r.seq))
                .flatten();
            // A Task's output is its referral's feedback, kept in the referral's steps.
            let events = if resource_type == "Task" {
                read::events_of(connection, rows.iter().filter_map(Row::child_id))?
            } else {
                Default::default()
            };
            let mut resources = Vec::with_capacity(rows.len());
            let mut shown = Vec::new();
            for row in &rows {
                let steps = events.get(&row.id).map(Vec::as_slice).unwrap_or(&[]);
                if let Some(resource) =
                    read::resource(&resource_type, row, &places, sensitive, steps)
                {
                    resources.push(resource);
                    shown.push(shown_id(record_type, row));
                }
            }
            Ok(Page {
                resources,
                next,
                shown,
            })
        })
        .await?;
    Ok(page)
}

/// The child or referral a record shows, for "who saw this child".
fn shown_id(record_type: RecordType, row: &Row) -> Uuid {
    if matches!(record_type, RecordType::Child | RecordType::Referral) {
        return row.id;
    }
    row.child_id().unwrap_or(row.id)
}

fn directory(resource_type: &str, places: &Places) -> Vec<Value> {
    match resource_type {
        "Organization" => {
            let mut facilities: Vec<_> = places.facilities.values().collect();
            facilities.sort_by_key(|f| f.id);
            facilities
                .into_iter()
                .map(|f| people::organization(f, places))
                .collect()
        }
        "Location" => {
            let mut areas: Vec<_> = places.areas.values().collect();
            areas.sort_by(|a, b| a.code.cmp(&b.code));
            areas.into_iter().map(people::location).collect()
        }
        "Questionnaire" => shared::instrument::catalogue()
            .iter()
            .map(screening::questionnaire)
            .collect(),
        _ => Vec::new(),
    }
}

fn audit(
    state: &AppState,
    user: &AuthUser,
    action: &'static str,
    detail: String,
    shown: Vec<Uuid>,
) -> Result<(), ApiError> {
    if shown.is_empty() {
        return Ok(());
    }
    state.read_log.note(
        &state.db,
        state.clock.now(),
        Actor::user(user),
        action,
        detail,
        shown,
    )
}

/// A search of one resource type in the caller's area, a page at a time (a `searchset` Bundle
/// with a `next` link while more remain).
#[utoipa::path(get, path = "/api/fhir/{resource_type}", tag = "fhir", security(("bearer" = [])),
    params(("resource_type" = String, Path, description = "Patient, Consent, QuestionnaireResponse, Observation, ServiceRequest, Task, Organization, Location or Questionnaire"), PageQuery),
    responses((status = 200, description = "searchset Bundle", content_type = "application/fhir+json", body = Object),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn search(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    Path(resource_type): Path<String>,
    Query(query): Query<PageQuery>,
) -> Result<Response, ApiError> {
    let page = load_page(&state, &user, resource_type.clone(), &query).await?;
    let total = page.resources.len();
    audit(
        &state,
        &user,
        "fhir.search",
        format!("type={resource_type}; resources={total}"),
        page.shown,
    )?;
    let base = base(&headers);
    let mut links = vec![json!({ "relation": "self", "url": format!("{base}/{resource_type}") })];
    if let Some(cursor) = page.next {
        links.push(json!({ "relation": "next", "url": format!("{base}/{resource_type}?{}", query.from(Some(cursor))) }));
    }
    let entries = entries(&base, page.resources);
    let mut bundle = json!({ "resourceType": "Bundle", "id": Uuid::now_v7(), "type": "searchset", "link": links });
    if !entries.is_empty() {
        bundle["entry"] = json!(entries);
    }
    if page.next.is_none() && query.cursor.is_none() {
        bundle["total"] = json!(total);
    }
    Ok(fhir_json(&bundle))
}

/// One resource by id, within the caller's area.
#[utoipa::path(get, path = "/api/fhir/{resource_type}/{id}", tag = "fhir", security(("bearer" = [])),
    params(("resource_type" = String, Path), ("id" = String, Path)),
    responses((status = 200, content_type = "application/fhir+json", body = Object),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn read_one(
    State(state): State<AppState>,
    user: AuthUser,
    Path((resource_type, id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    access::require(&user, Capability::ExchangeRecords)?;
    known_type(&resource_type)?;
    let sensitive = access::sees_sensitive_answers(&user);
    let signed_in = user.0.clone();
    let kind = resource_type.clone();
    let (resource, shown) = state
        .db
        .read(move |connection| {
            let places = Places::load(connection, &signed_in, None)?;
            let Some(record_type) = read::record_type_of(&kind) else {
                let found = directory(&kind, &places)
                    .into_iter()
                    .find(|r| r["id"] == json!(id));
                return Ok((found, None));
            };
            let Ok(id) = Uuid::parse_str(&id) else {
                return Ok((None, None));
            };
            let Some(row) = read::one(connection, &places, record_type, id)? else {
                return Ok((None, None));
            };
            let events = if kind == "Task" {
                read::events_of(connection, row.child_id())?
            } else {
                Default::default()
            };
            let steps = events.get(&row.id).map(Vec::as_slice).unwrap_or(&[]);
            let shown = shown_id(record_type, &row);
            Ok((
                read::resource(&kind, &row, &places, sensitive, steps),
                Some(shown),
            ))
        })
        .await?;
    let resource = resource.ok_or(ApiError::NotFound)?;
    audit(
        &state,
        &user,
        "fhir.read",
        format!("type={resource_type}"),
        shown.into_iter().collect(),
    )?;
    Ok(fhir_json(&resource))
}
