//! Bulk import: `POST /api/import/{kind}?dry_run=true|false` takes an `.xlsx` or CSV file as the
//! body and answers an [`ImportReport`]; `GET /api/import/{kind}/template` gives the template.
//!
//! A preview runs exactly what applying runs, in a transaction that is rolled back
//! ([`crate::db::Db::rehearse`]), so it names every problem the real import would meet. Applying
//! is idempotent: rows are matched to what exists (per kind), so the same file twice creates
//! nothing new. Pupils go in as sync changes through the same rules and audit as a device's push.

mod children;
mod facilities;
mod sheet;
mod table;
pub mod template;
mod users;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use shared::api::ErrorBody;
use shared::import::{ImportKind, ImportReport};
use shared::role::{Capability, Role};
use shared::validate::Problem;

use crate::access;
use crate::audit::{self, Actor, Event};
use crate::error::{lang_of, ApiError};
use crate::extract::AuthUser;
use crate::sync::push::Rules;
use crate::AppState;
use sheet::Sheet;
use table::Table;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/import/{kind}", post(import))
        .route("/api/import/{kind}/template", get(template::template))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    /// `true` (the default): only report what would be done. `false`: do it.
    #[serde(default = "yes")]
    pub dry_run: bool,
}

fn yes() -> bool {
    true
}

/// The kind named in the path, and whether this user may import it.
pub(crate) fn kind_for(user: &AuthUser, kind: &str) -> Result<ImportKind, ApiError> {
    let kind = ImportKind::from_code(kind).ok_or(ApiError::NotFound)?;
    let capability = match kind {
        ImportKind::Facilities => Capability::ManageFacilities,
        ImportKind::Users => Capability::ManageUsers,
        ImportKind::Children => Capability::KeepChildRecords,
    };
    access::require(user, capability)?;
    // A class list is a school's: its counsellor imports it, into the school of their session.
    if kind == ImportKind::Children && (user.role != Role::Counsellor || user.facility_id.is_none())
    {
        return Err(ApiError::Forbidden);
    }
    Ok(kind)
}

/// Imports a file of facilities, users or pupils (kind), or previews the import.
#[utoipa::path(post, path = "/api/import/{kind}", tag = "import", security(("bearer" = [])),
    params(("kind" = ImportKind, Path), ImportQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream",
        description = "The file as the body: an .xlsx workbook, or CSV (UTF-8, with or without BOM, `;` or `,`). \
            The format is read from the bytes, so the xlsx and text/csv media types are accepted too."),
    responses((status = 200, body = ImportReport), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn import(
    State(state): State<AppState>,
    user: AuthUser,
    Path(kind): Path<String>,
    Query(query): Query<ImportQuery>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<ImportReport>, ApiError> {
    let kind = kind_for(&user, &kind)?;
    let body = body.map_err(|rejection| match rejection.status() {
        axum::http::StatusCode::PAYLOAD_TOO_LARGE => ApiError::TooLarge,
        _ => ApiError::Malformed(rejection.body_text()),
    })?;
    if body.is_empty() {
        return Err(ApiError::field("file", Problem::Required));
    }
    let sheet = Sheet::read(&body)?;
    let lang = lang_of(&headers);
    let table = Table::of(sheet, kind.columns(), lang)?;
    let dry_run = query.dry_run;
    // New accounts' passwords are hashed before the import's transaction, not inside it: the
    // writer is not held while argon2 works (one per row that names a person; unused ones are
    // dropped).
    let mut credentials = Vec::new();
    if kind == ImportKind::Users && !dry_run {
        let people = table
            .rows()
            .filter(|row| !row.text("full_name").is_empty())
            .count();
        if people > users::MAX_ROWS {
            return Err(ApiError::field(
                "file",
                Problem::TooManyRows {
                    max: users::MAX_ROWS,
                },
            ));
        }
        for _ in 0..people {
            let one_time = crate::auth::password::one_time();
            let hash = state.hasher.hash(one_time.clone()).await?;
            credentials.push((one_time, hash));
        }
    }
    let rules = Rules::of(&state, lang);
    let now = rules.now;
    let work = move |transaction: &rusqlite::Transaction<'_>| {
        let (rows, passwords) = match kind {
            ImportKind::Children => (
                children::run(transaction, &user, &table, &rules)?,
                Vec::new(),
            ),
            ImportKind::Facilities => (
                facilities::run(transaction, &user, &table, &rules)?,
                Vec::new(),
            ),
            ImportKind::Users => users::run(transaction, &user, &table, &rules, credentials)?,
        };
        let report = ImportReport::new(kind, dry_run, table.found(), rows, passwords);
        if !dry_run {
            audit_import(transaction, &user, now, &report)?;
        }
        Ok((report, user))
    };
    let report = if dry_run {
        // The preview's own writes are undone; that it was made (and by whom) is kept.
        let (report, user) = state.db.rehearse(work).await?;
        let summary = report.clone();
        state
            .db
            .write(move |transaction| audit_import(transaction, &user, now, &summary))
            .await?;
        report
    } else {
        state.db.write(work).await?.0
    };
    Ok(Json(report))
}

fn audit_import(
    transaction: &rusqlite::Transaction<'_>,
    user: &AuthUser,
    now: chrono::DateTime<chrono::Utc>,
    report: &ImportReport,
) -> Result<(), ApiError> {
    let detail = format!(
        "dry_run={}; rows={}; created={}; updated={}; skipped={}",
        report.dry_run,
        report.rows.len(),
        report.created,
        report.updated,
        report.skipped
    );
    let action = format!("import.{}", report.kind.code());
    audit::record(
        transaction,
        now,
        &Actor::user(user),
        Event::new(&action).detail(detail),
    )
}

/// A row that goes in as nothing, with why (problems) and what to know (notes).
fn skip(
    row: usize,
    label: String,
    problems: Vec<shared::import::CellProblem>,
    notes: Vec<shared::import::CellProblem>,
) -> shared::import::ImportRow {
    shared::import::ImportRow {
        row,
        outcome: shared::import::RowOutcome::Skip,
        label,
        problems,
        notes,
    }
}
