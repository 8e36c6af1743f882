//! `GET /api/sync/pull?since=CURSOR`: what changed since the cursor, that the user may see.

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use shared::api::ErrorBody;
use shared::sync::{Conflict, PullResponse, RecordType, PULL_PAGE_BYTES, PULL_PAGE_MAX};
use uuid::Uuid;

use crate::access::{self, RecordScope};
use crate::audit::Actor;
use crate::error::ApiError;
use crate::extract::AuthUser;
use crate::AppState;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PullQuery {
    /// The cursor from the previous pull (0 for everything).
    #[serde(default)]
    pub since: i64,
    /// Page size, 1 to 2000 (default 2000).
    pub limit: Option<usize>,
    /// Leave out the records this session's own pushes last wrote and were answered with their
    /// server fields: the device settled on them when it stored the answers. A device whose store
    /// was emptied starts a new session, so nothing it lacks is ever left out.
    #[serde(default)]
    pub skip_own: bool,
}

/// Records and conflicts changed after `since`, in server order, one bounded page at a time.
/// Store the page and the returned cursor together; pull again while `more` is true.
#[utoipa::path(get, path = "/api/sync/pull", tag = "sync", security(("bearer" = [])), params(PullQuery),
    responses((status = 200, body = PullResponse), (status = 401, body = ErrorBody)))]
pub async fn pull(
    State(state): State<AppState>,
    user: AuthUser,
    Query(query): Query<PullQuery>,
) -> Result<Response, ApiError> {
    let limit = query.limit.unwrap_or(PULL_PAGE_MAX).clamp(1, PULL_PAGE_MAX);
    let since = query.since.max(0);
    let scope = access::record_scope(&user);
    let clinical = access::sees_sensitive_answers(&user);
    let reader = Reader {
        scope,
        clinical,
        skip: query.skip_own.then(|| user.session_key()),
    };
    let mut page = state
        .db
        .read(move |connection| read_page(connection, &reader, since, limit))
        .await?;
    page.server_time = Some(state.clock.now());
    page.due_times = Some(state.policy.due_times());
    if !page.records.is_empty() {
        // Reading children's records is audited: who received which range of server order, and
        // which children and referral packets it held (noted now, written within
        // `read_log::FLUSH_EVERY`; see `read_log` for the bound).
        let detail = format!(
            "records={}; from={}; to={}",
            page.records.len(),
            since,
            page.cursor
        );
        state.read_log.note(
            &state.db,
            state.clock.now(),
            Actor::user(&user),
            "child.sync_read",
            detail,
            read_ids(&page.records),
        )?;
    }
    let body =
        serde_json::to_vec(&page).map_err(|e| ApiError::Internal(format!("pull page: {e}")))?;
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

/// A pull page as sent: the wire shape of [`PullResponse`], with each record's stored fields passed
/// through as raw JSON rather than parsed and written again.
#[derive(Serialize)]
struct Page {
    records: Vec<RawRecord>,
    conflicts: Vec<Conflict>,
    cursor: i64,
    more: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    server_time: Option<chrono::DateTime<chrono::Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    due_times: Option<shared::referral::DueTimes>,
}

#[derive(Serialize)]
struct RawRecord {
    record_type: RecordType,
    id: Uuid,
    facility_id: Uuid,
    fields: Box<RawValue>,
    seq: i64,
    /// The child the record is about (for the read audit; not sent).
    #[serde(skip)]
    child_id: Option<Uuid>,
}

/// Which records a page shows, for the read audit: each child, and each referral (a packet
/// opened by the facility it was sent to).
fn read_ids(records: &[RawRecord]) -> Vec<Uuid> {
    let mut ids: Vec<Uuid> = records
        .iter()
        .flat_map(|r| {
            let own =
                matches!(r.record_type, RecordType::Child | RecordType::Referral).then_some(r.id);
            own.into_iter().chain(r.child_id)
        })
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Who reads a page: the records they may see, whether sensitive answers are among them, and
/// the session whose settled records are left out.
struct Reader {
    scope: RecordScope,
    clinical: bool,
    skip: Option<i64>,
}

fn read_page(
    connection: &Connection,
    reader: &Reader,
    since: i64,
    limit: usize,
) -> Result<Page, ApiError> {
    // One read transaction: the page, its conflicts and the high-water mark are one snapshot.
    let snapshot = connection.unchecked_transaction()?;
    let high_water: i64 =
        snapshot.query_row("SELECT COALESCE(MAX(seq), 0) FROM changes", [], |row| {
            row.get(0)
        })?;
    let RecordScope::Facility(facility_id) = reader.scope else {
        return Ok(Page {
            records: Vec::new(),
            conflicts: Vec::new(),
            cursor: high_water,
            more: false,
            server_time: None,
            due_times: None,
        });
    };
    let (mut records, past_budget) = page_records(
        &snapshot,
        facility_id,
        reader,
        since,
        i64::MAX,
        limit + 1,
        PULL_PAGE_BYTES,
    )?;
    // The page ends before the first record it cannot hold: the one past `limit`, or the one
    // that took it past the byte budget (a busy facility's records are large: referral packets
    // with their screenings), so that a page on a slow link is short and a broken pull resumes
    // after the last page stored.
    let end = if records.len() > limit {
        limit
    } else if past_budget {
        records.len() - 1
    } else {
        records.len()
    };
    let more = end < records.len();
    if more {
        // Records touched by one change share its sequence number: never split them over two
        // pages, or the next page (after the cursor) would miss the rest.
        let boundary = records[end].seq;
        let whole = records
            .iter()
            .take(end)
            .filter(|r| r.seq < boundary)
            .count();
        if whole > 0 {
            records.truncate(whole);
        } else {
            // One change touched more records than a page holds: send them all together.
            (records, _) = page_records(
                &snapshot,
                facility_id,
                reader,
                since,
                boundary,
                usize::MAX,
                usize::MAX,
            )?;
        }
    }
    let cursor = if more {
        records.last().map_or(since, |r| r.seq)
    } else {
        high_water.max(since)
    };
    let conflicts = read_conflicts(&snapshot, facility_id, since, cursor)?;
    Ok(Page {
        records,
        conflicts,
        cursor,
        more,
        server_time: None,
        due_times: None,
    })
}

/// The records after `since` (up to `until`) the facility reads, in server order, at most `limit`,
/// and none after the one whose fields take the total past `budget` bytes; whether one did.
fn page_records(
    snapshot: &Connection,
    facility_id: Uuid,
    reader: &Reader,
    since: i64,
    until: i64,
    limit: usize,
    budget: usize,
) -> Result<(Vec<RawRecord>, bool), ApiError> {
    // ?5 is the session whose settled records are left out (NULL: none).
    let mut statement = snapshot.prepare_cached(
        "SELECT record_type, id, facility_id, fields, seq, child_id FROM records
         WHERE facility_id = ?1 AND seq > ?2 AND seq <= ?4 AND (?5 IS NULL OR pushed_by IS NOT ?5)
         UNION ALL
         SELECT r.record_type, r.id, r.facility_id, r.fields, r.seq, r.child_id
         FROM record_shares s JOIN records r ON r.record_type = s.record_type AND r.id = s.record_id
         WHERE s.facility_id = ?1 AND r.seq > ?2 AND r.seq <= ?4 AND (?5 IS NULL OR r.pushed_by IS NOT ?5)
         ORDER BY 5 LIMIT ?3",
    )?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let clinical = reader.clinical;
    let rows = statement.query_map(
        params![facility_id, since, limit, until, reader.skip],
        |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, Uuid>(1)?,
                row.get::<_, Uuid>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, i64>(4)?,
                row.get::<_, Option<Uuid>>(5)?,
            ))
        },
    )?;
    let (mut records, mut bytes) = (Vec::new(), 0);
    for row in rows {
        if bytes > budget {
            break;
        }
        let (record_type, id, facility_id, fields, seq, child_id) = row?;
        let record_type = RecordType::from_code(&record_type)
            .ok_or_else(|| ApiError::Internal(format!("record type {record_type}")))?;
        let fields = if record_type == RecordType::Referral && !clinical {
            without_sensitive_answers(fields)?
        } else {
            fields
        };
        bytes += fields.len();
        let fields = RawValue::from_string(fields)
            .map_err(|e| ApiError::Internal(format!("stored record: {e}")))?;
        records.push(RawRecord {
            record_type,
            id,
            facility_id,
            fields,
            seq,
            child_id,
        });
    }
    Ok((records, bytes > budget))
}

/// A referral as a role that is not clinical receives it: no item-level answers to sensitive
/// questions in its packet.
fn without_sensitive_answers(json: String) -> Result<String, ApiError> {
    let mut fields: serde_json::Value = serde_json::from_str(&json)
        .map_err(|e| ApiError::Internal(format!("stored referral: {e}")))?;
    let removed = fields
        .pointer_mut("/packet")
        .and_then(|packet| packet.as_object_mut())
        .and_then(|packet| packet.remove("sensitive"));
    match removed {
        Some(_) => serde_json::to_string(&fields).map_err(|e| ApiError::Internal(e.to_string())),
        None => Ok(json),
    }
}

fn read_conflicts(
    connection: &Connection,
    facility_id: Uuid,
    since: i64,
    cursor: i64,
) -> Result<Vec<Conflict>, ApiError> {
    let mut statement = connection.prepare_cached(
        "SELECT change_id, record_type, record_id, field, proposed, kept, proposed_by, made_at, seq FROM conflicts
         WHERE facility_id = ?1 AND seq > ?2 AND seq <= ?3 ORDER BY seq",
    )?;
    let rows = statement.query_map(params![facility_id, since, cursor], |row| {
        Ok((
            row.get::<_, Uuid>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, Uuid>(2)?,
            row.get::<_, String>(3)?,
            row.get::<_, String>(4)?,
            row.get::<_, Option<String>>(5)?,
            row.get::<_, String>(6)?,
            row.get(7)?,
            row.get::<_, i64>(8)?,
        ))
    })?;
    let mut conflicts = Vec::new();
    for row in rows {
        let (change_id, record_type, record_id, field, proposed, kept, proposed_by, made_at, seq) =
            row?;
        let record_type = RecordType::from_code(&record_type)
            .ok_or_else(|| ApiError::Internal(format!("record type {record_type}")))?;
        let parse = |text: &str| {
            serde_json::from_str(text)
                .map_err(|e| ApiError::Internal(format!("stored conflict: {e}")))
        };
        let kept = match kept {
            Some(text) => Some(parse(&text)?),
            None => None,
        };
        conflicts.push(Conflict {
            change_id,
            record_type,
            record_id,
            field,
            proposed: parse(&proposed)?,
            kept,
            proposed_by,
            made_at,
            seq,
        });
    }
    Ok(conflicts)
}
