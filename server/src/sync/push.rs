//! `POST /api/sync/push`: answers every change of a batch, in order, in one transaction.

use std::collections::HashSet;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Transaction};
use sha2::{Digest, Sha256};
use shared::api::ErrorBody;
use shared::lang::{vietnam_offset, Lang};
use shared::referral::{Referral, ReferralEvent};
use shared::sync::{
    holds_current, merge, stamps, Actor as RecordActor, Change, ChangeResult, Fields, Outcome,
    PushRequest, PushResponse, RecordType, PUSH_MAX_CHANGES,
};
use shared::validate::Problem;
use uuid::Uuid;

use super::records::{check, rejected, ApiOrOutcome, Checked, Context, Effect};
use crate::access;
use crate::audit::{self, Actor, Event};
use crate::error::{lang_of, ApiError};
use crate::extract::{AppJson, AuthUser, SignedIn};
use crate::AppState;

/// Sends local changes. Each gets `applied`, `superseded` (another device's value won) or
/// `rejected` (with the reason); a repeated push returns the stored answers.
#[utoipa::path(post, path = "/api/sync/push", tag = "sync", security(("bearer" = [])), request_body = PushRequest,
    responses((status = 200, body = PushResponse), (status = 400, body = ErrorBody), (status = 413, body = ErrorBody)))]
pub async fn push(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    AppJson(request): AppJson<PushRequest>,
) -> Result<Json<PushResponse>, ApiError> {
    if request.changes.len() > PUSH_MAX_CHANGES {
        return Err(ApiError::TooManyChanges {
            max: PUSH_MAX_CHANGES,
        });
    }
    let mut ids = HashSet::new();
    if let Some(repeated) = request.changes.iter().find(|change| !ids.insert(change.id)) {
        return Err(ApiError::Malformed(format!(
            "change {} appears twice in one push",
            repeated.id
        )));
    }
    let rules = Rules::of(&state, lang_of(&headers));
    let results = state
        .db
        .write(move |transaction| {
            let from = Sender::Device(user.session_key());
            answer_all(transaction, &user, from, &request.changes, &rules)
        })
        .await?;
    Ok(Json(PushResponse { results }))
}

/// Where a batch of changes comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sender {
    /// A device's push, under its session's key: it may settle on what is stored.
    Device(i64),
    /// The server itself on a user's behalf (an import): no device holds the records.
    Server,
}

impl Sender {
    fn device(self) -> Option<i64> {
        match self {
            Sender::Device(key) => Some(key),
            Sender::Server => None,
        }
    }
}

/// Answers changes in order, as a push does (imports send theirs the same way).
pub fn answer_all(
    transaction: &Transaction<'_>,
    user: &SignedIn,
    from: Sender,
    changes: &[Change],
    rules: &Rules,
) -> Result<Vec<ChangeResult>, ApiError> {
    let mut seq: i64 =
        transaction.query_row("SELECT COALESCE(MAX(seq), 0) FROM changes", [], |row| {
            row.get(0)
        })?;
    let actor = actor_of(transaction, user)?;
    let mut results = Vec::with_capacity(changes.len());
    for change in changes {
        let outcome = answer(transaction, user, from, &actor, change, &mut seq, rules)?;
        results.push(ChangeResult {
            change_id: change.id,
            outcome,
        });
    }
    Ok(results)
}

/// What every change of one push is judged by.
pub struct Rules {
    accept_opaque: bool,
    /// How long before the server receives a change the device may say it was made.
    offline_window: chrono::Duration,
    lang: Lang,
    /// When the server received the request.
    pub now: DateTime<Utc>,
}

impl Rules {
    /// The server's rules for a request in this language, now.
    pub fn of(state: &AppState, lang: Lang) -> Rules {
        Rules {
            accept_opaque: state.policy.accept_opaque_records,
            offline_window: chrono::Duration::days(state.policy.offline_window_days),
            lang,
            now: state.clock.now(),
        }
    }

    /// The server's day in Vietnam.
    pub fn today(&self) -> chrono::NaiveDate {
        self.now.with_timezone(&vietnam_offset()).date_naive()
    }

    /// When the user acted, as the server accepts it: the device's clock, but never after the
    /// server received the change and never more than the offline window before.
    fn bounded(&self, made_at: DateTime<Utc>) -> DateTime<Utc> {
        made_at.clamp(self.now - self.offline_window, self.now)
    }
}

/// The signed-in user as the records show them.
fn actor_of(transaction: &Transaction<'_>, user: &SignedIn) -> Result<RecordActor, ApiError> {
    let name: String = transaction
        .prepare_cached("SELECT full_name FROM users WHERE id = ?1")?
        .query_row([user.id], |row| row.get(0))?;
    Ok(RecordActor {
        user_id: user.id,
        name,
        role: user.role,
        facility_id: user.facility_id,
    })
}

/// The answer for one change: the stored one if it was seen before, else a new one (stored).
fn answer(
    transaction: &Transaction<'_>,
    user: &SignedIn,
    from: Sender,
    actor: &RecordActor,
    change: &Change,
    seq: &mut i64,
    rules: &Rules,
) -> Result<Outcome, ApiError> {
    let (now, lang) = (rules.now, rules.lang);
    let body_hash: [u8; 32] = Sha256::digest(change.identity()).into();
    let seen: Option<(Uuid, Vec<u8>, String, Option<i64>)> = transaction
        .prepare_cached(
            "SELECT user_id, body_hash, outcome, session_key FROM changes WHERE change_id = ?1",
        )?
        .query_row([change.id], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
        })
        .optional()?;
    if let Some((by, hash, outcome, first)) = seen {
        if by == user.id && hash == body_hash {
            let mut outcome: Outcome = serde_json::from_str(&outcome)
                .map_err(|e| ApiError::Internal(format!("stored outcome: {e}")))?;
            if let Outcome::Applied { server_fields, .. } = &mut outcome {
                if first != from.device() {
                    // Sent again from another device (a file of waiting changes): what the first
                    // device vouched for does not hold for this one, which pulls the record.
                    *server_fields = None;
                }
            }
            return Ok(outcome);
        }
        return Ok(rejected("change_id_reused", lang, Default::default()));
    }

    *seq += 1;
    let outcome = decide(transaction, user, from, actor, change, *seq, rules)?;
    let stored = serde_json::to_string(&outcome).map_err(|e| ApiError::Internal(e.to_string()))?;
    transaction
        .prepare_cached(
            "INSERT INTO changes (seq, change_id, user_id, record_type, record_id, facility_id, body_hash, outcome,
                                  made_at, received_at, session_key)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )?
        .execute(params![
            *seq,
            change.id,
            user.id,
            change.record_type.code(),
            change.record_id,
            change.facility_id,
            body_hash.as_slice(),
            stored,
            change.made_at,
            now,
            from.device()
        ])?;
    let action = match &outcome {
        Outcome::Applied { .. } => "update",
        Outcome::Superseded { .. } => "superseded",
        Outcome::Rejected { .. } => "rejected",
    };
    let action = format!("{}.{action}", change.record_type.code());
    let event = Event::new(&action)
        .on(change.record_type.code(), change.record_id)
        .with("change", change.id);
    audit::record(transaction, now, &Actor::user(user), event)?;
    Ok(outcome)
}

/// Authorizes, merges, checks and stores one new change.
fn decide(
    transaction: &Transaction<'_>,
    user: &SignedIn,
    from: Sender,
    actor: &RecordActor,
    change: &Change,
    seq: i64,
    rules: &Rules,
) -> Result<Outcome, ApiError> {
    let (now, lang) = (rules.now, rules.lang);
    if let Some(refusal) = refuse_unread(user, change, lang) {
        return Ok(refusal);
    }
    let (current, position) = match stored(transaction, change, lang)? {
        Ok(Some(Stored {
            fields,
            seq,
            pushed_by,
        })) => (Some(fields), Some((seq, pushed_by))),
        Ok(None) => (None, None),
        Err(refusal) => return Ok(refusal),
    };
    let holds = from
        .device()
        .filter(|device| holds_current(change, position, *device));
    if let Some(refusal) = refuse_if_immutable(change, current.as_ref(), lang) {
        return Ok(refusal);
    }
    let merged = merge(current.as_ref(), change);
    // The change's own day (in Vietnam) decides ages, so an offline edit made before a birthday
    // is judged as of when it was made, within the bounds the server sets on a device's clock.
    let made_at = rules.bounded(change.made_at);
    let context = Context {
        transaction,
        facility_id: change.facility_id,
        record_id: change.record_id,
        made_at,
        today: made_at.with_timezone(&vietnam_offset()).date_naive(),
        now,
        lang,
        accept_opaque: rules.accept_opaque,
        actor,
    };
    if !merged.superseded.is_empty() {
        // The record as it would be had every proposed value been applied must pass its rules:
        // a conflict only ever holds a value that would have been valid.
        let mut proposed = current.clone().unwrap_or_default();
        proposed.extend(change.set.clone());
        if let Err(refusal) = checked(&context, change, current.as_ref(), &proposed)? {
            return Ok(refusal);
        }
    }
    let mut server_fields = None;
    if !merged.applied.is_empty() {
        let checked = match checked(&context, change, current.as_ref(), &merged.fields)? {
            Ok(checked) => checked,
            Err(refusal) => return Ok(refusal),
        };
        // The sender settles on the stored record when it held the current one and nothing of
        // its change was superseded; its pulls then leave the record out.
        let own = holds.filter(|_| merged.superseded.is_empty() && checked.refused.is_none());
        store(transaction, change, seq, now, &checked, own)?;
        if let Some(refusal) = checked.refused {
            return Ok(refusal);
        }
        server_fields = own.map(|_| stamps(&merged.fields, &checked.fields));
    }
    keep_conflicts(transaction, user, change, seq, &merged.superseded)?;
    let superseded = merged
        .superseded
        .iter()
        .map(|(field, _, _)| field.clone())
        .collect();
    if merged.applied.is_empty() {
        Ok(Outcome::Superseded { seq, superseded })
    } else {
        Ok(Outcome::Applied {
            seq,
            superseded,
            server_fields,
        })
    }
}

/// Refusals decided before anything is read: another facility's change, or a value that breaks
/// the rules every synced value keeps. The whole change is judged, whatever its outcome would be
/// (a superseded value is kept as a conflict others may apply).
fn refuse_unread(user: &SignedIn, change: &Change, lang: Lang) -> Option<Outcome> {
    if !access::may_write_record(user, change.facility_id) {
        return Some(rejected("forbidden_facility", lang, Default::default()));
    }
    let problems = shared::shape::check_set(&change.set);
    if problems.is_empty() {
        return None;
    }
    let fields = problems
        .into_iter()
        .map(|(field, problem)| (field, problem.message(lang)))
        .collect();
    Some(rejected("invalid_input", lang, fields))
}

/// A record as stored: its fields, its position in server order, and the session whose push
/// last wrote it and settled on it.
struct Stored {
    fields: Fields,
    seq: i64,
    pushed_by: Option<i64>,
}

/// The record as stored (`None`: a new one), or the refusal of a change to another facility's
/// record or of a new record with nothing in it.
fn stored(
    transaction: &Transaction<'_>,
    change: &Change,
    lang: Lang,
) -> Result<Result<Option<Stored>, Outcome>, ApiError> {
    let current: Option<(Uuid, String, i64, Option<i64>)> = transaction
        .prepare_cached(
            "SELECT facility_id, fields, seq, pushed_by FROM records WHERE record_type = ?1 AND id = ?2",
        )?
        .query_row(
            params![change.record_type.code(), change.record_id],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
        )
        .optional()?;
    Ok(match current {
        Some((facility_id, ..)) if facility_id != change.facility_id => {
            Err(rejected("facility_mismatch", lang, Default::default()))
        }
        Some((_, json, seq, pushed_by)) => Ok(Some(Stored {
            fields: serde_json::from_str(&json)
                .map_err(|e| ApiError::Internal(format!("stored record: {e}")))?,
            seq,
            pushed_by,
        })),
        None if change.set.is_empty() => Err(rejected(
            "invalid_input",
            lang,
            [("set".to_string(), Problem::Required.message(lang))].into(),
        )),
        None => Ok(None),
    })
}

/// A referral and its events are never edited once stored: refused before merging, so that no
/// field of theirs is ever kept as a conflict (a packet's sensitive answers included).
fn refuse_if_immutable(change: &Change, current: Option<&Fields>, lang: Lang) -> Option<Outcome> {
    let current = current?;
    let referral_record = matches!(
        change.record_type,
        RecordType::Referral | RecordType::ReferralEvent
    );
    let typed =
        Referral::from_fields(current).is_some() || ReferralEvent::from_fields(current).is_some();
    (referral_record && typed).then(|| {
        let field = change.record_type.code().to_string();
        rejected(
            "invalid_input",
            lang,
            [(field, Problem::Immutable.message(lang))].into(),
        )
    })
}

/// Stores the checked record with its fact row and its effects on other records, under `seq`;
/// `pushed_by` is the sending device's session when it settles on what is stored.
fn store(
    transaction: &Transaction<'_>,
    change: &Change,
    seq: i64,
    now: DateTime<Utc>,
    checked: &Checked,
    pushed_by: Option<i64>,
) -> Result<(), ApiError> {
    let json =
        serde_json::to_string(&checked.fields).map_err(|e| ApiError::Internal(e.to_string()))?;
    transaction
        .prepare_cached(
            "INSERT INTO records (record_type, id, facility_id, fields, seq, created_at, updated_at, child_id, pushed_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7, ?8)
             ON CONFLICT (record_type, id) DO UPDATE SET fields = excluded.fields, seq = excluded.seq,
                                                         updated_at = excluded.updated_at,
                                                         pushed_by = excluded.pushed_by",
        )?
        .execute(params![
            change.record_type.code(),
            change.record_id,
            change.facility_id,
            json,
            seq,
            now,
            checked.child_id,
            pushed_by
        ])?;
    crate::facts::record(
        transaction,
        change.record_type,
        change.record_id,
        change.facility_id,
        &checked.fields,
        now,
    )?;
    for effect in &checked.effects {
        apply_effect(transaction, effect, seq, now)?;
    }
    Ok(())
}

/// Keeps each superseded value as a conflict, shown to everyone who sees the record.
fn keep_conflicts(
    transaction: &Transaction<'_>,
    user: &SignedIn,
    change: &Change,
    seq: i64,
    superseded: &[(String, serde_json::Value, Option<serde_json::Value>)],
) -> Result<(), ApiError> {
    for (field, proposed, kept) in superseded {
        transaction
            .prepare_cached(
                "INSERT INTO conflicts (seq, change_id, record_type, record_id, facility_id, field, proposed, kept,
                                        proposed_by, made_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?
            .execute(params![
                seq,
                change.id,
                change.record_type.code(),
                change.record_id,
                change.facility_id,
                field,
                proposed.to_string(),
                kept.as_ref().map(|value| value.to_string()),
                user.username,
                change.made_at
            ])?;
    }
    Ok(())
}

/// The record checked by its type's rules, or the refusal (a rule broken, or a field of the
/// change that the type does not have); a server fault is an error.
fn checked(
    context: &Context<'_>,
    change: &Change,
    before: Option<&Fields>,
    fields: &Fields,
) -> Result<Result<Checked, Outcome>, ApiError> {
    let checked = match check(context, change.record_type, before, fields) {
        Ok(checked) => checked,
        Err(ApiOrOutcome::Outcome(rejection)) => return Ok(Err(rejection)),
        Err(ApiOrOutcome::Api(error)) => return Err(error),
    };
    let unknown = shared::shape::unknown_fields(&change.set, &checked.fields);
    if !unknown.is_empty() {
        let lang = context.lang;
        let fields = unknown
            .into_iter()
            .map(|field| (field, Problem::UnknownField.message(lang)))
            .collect();
        return Ok(Err(rejected("invalid_record", lang, fields)));
    }
    if !shared::shape::record_fits(&checked.fields) {
        let mut fields = std::collections::BTreeMap::new();
        fields.insert(
            "record".to_string(),
            Problem::TooLong {
                max: shared::shape::RECORD_BYTES_MAX,
            }
            .message(context.lang),
        );
        return Ok(Err(rejected("invalid_input", context.lang, fields)));
    }
    Ok(Ok(checked))
}

/// Another record touched by a stored one, under the same sequence number so that every reader
/// pulls both together.
fn apply_effect(
    transaction: &Transaction<'_>,
    effect: &Effect,
    seq: i64,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    match effect {
        Effect::Share {
            record_type,
            id,
            facility_id,
        } => {
            let added = transaction
                .prepare_cached(
                    "INSERT OR IGNORE INTO record_shares (facility_id, record_type, record_id)
                     SELECT ?1, ?2, ?3 WHERE NOT EXISTS
                       (SELECT 1 FROM records WHERE record_type = ?2 AND id = ?3 AND facility_id = ?1)",
                )?
                .execute(params![facility_id, record_type.code(), id])?;
            if added > 0 {
                // The new reader's cursor may be past the record: bring it forward.
                transaction
                    .prepare_cached(
                        "UPDATE records SET seq = ?1 WHERE record_type = ?2 AND id = ?3",
                    )?
                    .execute(params![seq, record_type.code(), id])?;
            }
        }
        Effect::Update {
            record_type,
            id,
            fields,
        } => {
            let json =
                serde_json::to_string(fields).map_err(|e| ApiError::Internal(e.to_string()))?;
            transaction
                .prepare_cached(
                    "UPDATE records SET fields = ?1, seq = ?2, updated_at = ?3, pushed_by = NULL
                     WHERE record_type = ?4 AND id = ?5",
                )?
                .execute(params![json, seq, now, record_type.code(), id])?;
        }
    }
    Ok(())
}
