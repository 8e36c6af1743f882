//! The audit log: who did what to which record, when and from where.
//!
//! Entries are written with [`record`] inside the same transaction as the change they describe,
//! so a change never lands without its entry. Reads that a pull serves are noted in
//! [`crate::read_log`] and written in batches, off the writer's path. Administrators read the
//! log through [`list`].

use axum::extract::{Query, State};
use axum::Json;
use chrono::{DateTime, Utc};
use rusqlite::types::Value;
use rusqlite::{params, Transaction};
use serde::Deserialize;
use shared::api::{AuditEntry, AuditPage};
use shared::role::Capability;
use uuid::Uuid;

use crate::access;
use crate::error::ApiError;
use crate::extract::{AuthUser, SignedIn};
use crate::AppState;

/// Who acted: a signed-in user, or nobody yet (a failed sign-in, the server itself).
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: Option<Uuid>,
    pub username: Option<String>,
    pub client_addr: Option<String>,
}

impl Actor {
    pub fn user(user: &SignedIn) -> Actor {
        Actor {
            user_id: Some(user.id),
            username: Some(user.username.clone()),
            client_addr: Some(user.client_addr.clone()),
        }
    }

    pub fn system() -> Actor {
        Actor {
            user_id: None,
            username: Some("system".into()),
            client_addr: None,
        }
    }
}

/// What happened, to which record.
#[derive(Debug, Clone)]
pub struct Event<'a> {
    pub action: &'a str,
    pub record_type: Option<&'a str>,
    pub record_id: Option<String>,
    pub detail: Option<String>,
}

impl<'a> Event<'a> {
    pub fn new(action: &'a str) -> Event<'a> {
        Event {
            action,
            record_type: None,
            record_id: None,
            detail: None,
        }
    }

    pub fn on(mut self, record_type: &'a str, record_id: impl ToString) -> Event<'a> {
        self.record_type = Some(record_type);
        self.record_id = Some(record_id.to_string());
        self
    }

    /// Sets the detail to pairs already joined (see [`Event::with`]).
    pub fn detail(mut self, detail: impl Into<String>) -> Event<'a> {
        self.detail = Some(detail.into());
        self
    }

    /// Adds one fact to the entry's detail. Details are `key=value` pairs joined by "; ", the
    /// same in every language: the app words each known key and value in the reader's
    /// language (`app/src/i18n/audit.rs`) and shows an unknown one as written.
    pub fn with(mut self, key: &str, value: impl std::fmt::Display) -> Event<'a> {
        let pair = format!("{key}={value}");
        self.detail = Some(match self.detail.take() {
            Some(detail) => format!("{detail}; {pair}"),
            None => pair,
        });
        self
    }
}

pub fn record(
    transaction: &Transaction<'_>,
    at: DateTime<Utc>,
    actor: &Actor,
    event: Event<'_>,
) -> Result<(), ApiError> {
    // Cached: a sync push writes one entry per change.
    transaction
        .prepare_cached(
            "INSERT INTO audit_log (at, user_id, username, client_addr, action, record_type, record_id, detail)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?
        .execute(params![
            at,
            actor.user_id,
            actor.username,
            actor.client_addr,
            event.action,
            event.record_type,
            event.record_id,
            event.detail
        ])?;
    Ok(())
}

/// Records a read and which records (by id) it returned.
pub fn record_read(
    transaction: &Transaction<'_>,
    at: DateTime<Utc>,
    actor: &Actor,
    event: Event<'_>,
    ids: &[Uuid],
) -> Result<(), ApiError> {
    record(transaction, at, actor, event)?;
    let audit_id = transaction.last_insert_rowid();
    let mut insert = transaction.prepare_cached(
        "INSERT OR IGNORE INTO audit_reads (record_id, audit_id) VALUES (?1, ?2)",
    )?;
    for id in ids {
        insert.execute(params![id, audit_id])?;
    }
    Ok(())
}

/// Filters for the audit log; all optional.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// Only entries by this username.
    pub username: Option<String>,
    /// Only this action, or actions starting with it when it ends in `.` (e.g. `user.`).
    pub action: Option<String>,
    pub record_type: Option<String>,
    /// Entries about this record, and every read that returned it ("who saw this child").
    pub record_id: Option<String>,
    /// From this instant (inclusive).
    pub from: Option<DateTime<Utc>>,
    /// Up to this instant (exclusive).
    pub to: Option<DateTime<Utc>>,
    /// Entries older than this id (the previous page's `next_before`).
    pub before: Option<i64>,
    /// Page size, 1 to 500 (default 100).
    pub limit: Option<u32>,
}

#[utoipa::path(get, path = "/api/audit", tag = "audit", security(("bearer" = [])), params(AuditQuery),
    responses((status = 200, body = AuditPage), (status = 403, body = shared::api::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    user: AuthUser,
    Query(query): Query<AuditQuery>,
) -> Result<Json<AuditPage>, ApiError> {
    access::require(&user, Capability::ViewAudit)?;
    // Reads noted but not yet written are written first: the log is never behind its page.
    state.read_log.flush(&state.db).await?;
    let limit = query.limit.unwrap_or(100).clamp(1, 500) as usize;
    let mut sql = String::from(
        "SELECT id, at, user_id, username, client_addr, action, record_type, record_id, detail
         FROM audit_log WHERE 1 = 1",
    );
    let mut values: Vec<Value> = Vec::new();
    // Each clause names its value as `?`, numbered in order here.
    let mut filter = |clause: &str, value: Value| {
        values.push(value);
        sql.push_str(" AND ");
        sql.push_str(&clause.replace('?', &format!("?{}", values.len())));
    };
    if let Some(username) = query.username {
        filter("username = ?", Value::Text(username));
    }
    match query.action {
        Some(action) if action.ends_with('.') => {
            filter("1 = instr(action, ?)", Value::Text(action))
        }
        Some(action) => filter("action = ?", Value::Text(action)),
        None => {}
    }
    if let Some(record_type) = query.record_type {
        filter("record_type = ?", Value::Text(record_type));
    }
    if let Some(record_id) = query.record_id {
        // Entries about the record, or reads that returned it (stored as its 16 bytes).
        filter(
            "(record_id = ? OR id IN (SELECT audit_id FROM audit_reads \
              WHERE record_id = unhex(replace(?, '-', ''))))",
            Value::Text(record_id),
        );
    }
    if let Some(from) = query.from {
        filter("at >= ?", Value::Text(crate::db::timestamp(from)));
    }
    if let Some(to) = query.to {
        filter("at < ?", Value::Text(crate::db::timestamp(to)));
    }
    if let Some(before) = query.before {
        filter("id < ?", Value::Integer(before));
    }
    sql.push_str(&format!(" ORDER BY id DESC LIMIT {}", limit + 1));
    let mut entries = state
        .db
        .read(move |connection| {
            let mut statement = connection.prepare(&sql)?;
            let rows = statement.query_map(rusqlite::params_from_iter(values), |row| {
                Ok(AuditEntry {
                    id: row.get(0)?,
                    at: row.get(1)?,
                    user_id: row.get(2)?,
                    username: row.get(3)?,
                    client_addr: row.get(4)?,
                    action: row.get(5)?,
                    record_type: row.get(6)?,
                    record_id: row.get(7)?,
                    detail: row.get(8)?,
                })
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await?;
    let next_before = if entries.len() > limit {
        entries.truncate(limit);
        entries.last().map(|entry| entry.id)
    } else {
        None
    };
    Ok(Json(AuditPage {
        entries,
        next_before,
    }))
}
