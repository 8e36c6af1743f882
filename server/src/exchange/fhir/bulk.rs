//! The bulk exchanges: a child's whole file as one Bundle (`Patient/{id}/$everything`) and the
//! export of a facility's or area's records for a period, one NDJSON file per resource type,
//! each paged and resumable by its cursor (`$export` answers the manifest at once: every file is
//! a plain GET, so an interrupted transfer starts again from its last `next` link).

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use shared::role::Capability;
use shared::sync::RecordType;
use uuid::Uuid;

use super::read::{self, FROM_DIRECTORY, FROM_RECORDS};
use super::{base, fhir_json, load_page, not_here, people, shown_id, PageQuery, FHIR_NDJSON};
use crate::access;
use crate::error::ApiError;
use crate::exchange::places::Places;
use crate::extract::AuthUser;
use crate::AppState;
use shared::api::ErrorBody;

/// The export's manifest: one output file per resource type asked (`_type`), each a link to its
/// first page with the same period and facility.
#[utoipa::path(get, path = "/api/fhir/$export", tag = "fhir", security(("bearer" = [])), params(PageQuery),
    responses((status = 200, description = "Bulk Data manifest", content_type = "application/json", body = Object),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn export(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    Query(query): Query<PageQuery>,
) -> Result<Response, ApiError> {
    access::require(&user, Capability::ExchangeRecords)?;
    query.window()?;
    if let Some(identifier) = &query.identifier {
        return Err(not_here("identifier", identifier));
    }
    if query.cursor.is_some() {
        return Err(not_here("_cursor", "_cursor"));
    }
    let all: Vec<&str> = FROM_RECORDS
        .iter()
        .map(|(name, _)| *name)
        .chain(FROM_DIRECTORY)
        .collect();
    let types: Vec<&str> = match &query.types {
        None => all.clone(),
        Some(list) => {
            let asked: Vec<&str> = list
                .split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .collect();
            if let Some(unknown) = asked.iter().find(|t| !all.contains(t)) {
                return Err(not_here("_type", unknown));
            }
            asked
        }
    };
    let base = base(&headers);
    let first_query = query.from(None);
    let output: Vec<serde_json::Value> = types
        .iter()
        .map(|t| {
            let url = if first_query.is_empty() {
                format!("{base}/$export/{t}")
            } else {
                format!("{base}/$export/{t}?{first_query}")
            };
            json!({ "type": t, "url": url })
        })
        .collect();
    let manifest = json!({
        "transactionTime": state.clock.now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "request": format!("{base}/$export"),
        "requiresAccessToken": true,
        "output": output,
        "error": [],
    });
    Ok((
        [(header::CONTENT_TYPE, "application/json")],
        manifest.to_string(),
    )
        .into_response())
}

/// One page of one resource type as NDJSON, a resource per line, oldest change first. While more
/// remain, `Link: <…>; rel="next"` and `X-Next-Cursor` say where the next page starts.
#[utoipa::path(get, path = "/api/fhir/$export/{resource_type}", tag = "fhir", security(("bearer" = [])),
    params(("resource_type" = String, Path), PageQuery),
    responses((status = 200, description = "NDJSON, one resource per line", content_type = "application/fhir+ndjson", body = String),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn export_page(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    Path(resource_type): Path<String>,
    Query(query): Query<PageQuery>,
) -> Result<Response, ApiError> {
    if let Some(types) = &query.types {
        return Err(not_here("_type", types));
    }
    if let Some(identifier) = &query.identifier {
        return Err(not_here("identifier", identifier));
    }
    let page = load_page(&state, &user, resource_type.clone(), &query).await?;
    let lines = page.resources.len();
    super::audit(
        &state,
        &user,
        "fhir.export",
        format!(
            "type={resource_type}; resources={lines}; from={}",
            query.cursor.unwrap_or(0)
        ),
        page.shown,
    )?;
    let mut body = String::new();
    for resource in &page.resources {
        body.push_str(&resource.to_string());
        body.push('\n');
    }
    let mut response = ([(header::CONTENT_TYPE, FHIR_NDJSON)], body).into_response();
    if let Some(cursor) = page.next {
        let next = format!(
            "{}/$export/{resource_type}?{}",
            base(&headers),
            query.from(Some(cursor))
        );
        if let Ok(link) = HeaderValue::from_str(&format!("<{next}>; rel=\"next\"")) {
            response.headers_mut().insert(header::LINK, link);
        }
        response
            .headers_mut()
            .insert("x-next-cursor", HeaderValue::from(cursor));
    }
    Ok(response)
}

/// A child's whole file within the caller's area: the Patient, the facility keeping it, and its
/// consents, screenings (responses and results), referrals and their tasks.
#[utoipa::path(get, path = "/api/fhir/Patient/{id}/$everything", tag = "fhir", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, description = "searchset Bundle", content_type = "application/fhir+json", body = Object),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn everything(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    access::require(&user, Capability::ExchangeRecords)?;
    let sensitive = access::sees_sensitive_answers(&user);
    let signed_in = user.0.clone();
    let (resources, shown) = state
        .db
        .read(move |connection| {
            let places = Places::load(connection, &signed_in, None)?;
            let child =
                read::one(connection, &places, RecordType::Child, id)?.ok_or(ApiError::NotFound)?;
            let mut resources = Vec::new();
            let mut shown = vec![id];
            if let Some(patient) = read::resource("Patient", &child, &places, sensitive, &[]) {
                resources.push(patient);
            }
            if let Some(facility) = places.facilities.get(&child.facility) {
                resources.push(people::organization(facility, &places));
            }
            let records = read::of_child(connection, &places, id)?;
            let events = read::events_of(connection, [id])?;
            for (record_type, row) in &records {
                let types: &[&str] = match record_type {
                    RecordType::Consent => &["Consent"],
                    RecordType::Screening => &["QuestionnaireResponse", "Observation"],
                    RecordType::Referral => &["ServiceRequest", "Task"],
                    _ => &[],
                };
                for resource_type in types {
                    let steps = events.get(&row.id).map(Vec::as_slice).unwrap_or(&[]);
                    if let Some(resource) =
                        read::resource(resource_type, row, &places, sensitive, steps)
                    {
                        resources.push(resource);
                    }
                }
                if *record_type == RecordType::Referral {
                    shown.push(shown_id(*record_type, row));
                }
            }
            Ok((resources, shown))
        })
        .await?;
    super::audit(
        &state,
        &user,
        "fhir.everything",
        format!("resources={}", resources.len()),
        shown,
    )?;
    let base = base(&headers);
    let entries = super::entries(&base, resources);
    let total = entries.len();
    Ok(fhir_json(&json!({
        "resourceType": "Bundle",
        "id": Uuid::now_v7(),
        "type": "searchset",
        "total": total,
        "link": [{ "relation": "self", "url": format!("{base}/Patient/{id}/$everything") }],
        "entry": entries,
    })))
}
