//! The server's rules for referrals and their events, and who else may read them.
//!
//! A referral is owned by the sending facility and shared with the receiving one; an onward
//! referral is shared with every party of the chain before it, and the chain with its new
//! receiver. An event is owned by the facility that acted and shared with every party of its
//! referral. The packet is rebuilt here from the server's own records, the slip is signed with
//! the server's key, and every event is decided by [`shared::referral::apply`] against the status
//! the server holds when it arrives.

use hmac::{Hmac, Mac};
use rand::RngCore;
use rusqlite::{params, OptionalExtension};
use sha2::Sha256;
use shared::place::FacilityType;
use shared::referral::{apply, slip, Packet, Referral, ReferralEvent, Refusal, Status};
use shared::screening::Screening;
use shared::sync::{Fields, RecordType};
use shared::validate::{FieldErrors, Problem};
use uuid::Uuid;

use super::records::{child_of, consents_of, rejected, ApiOrOutcome, Checked, Context, Effect};
use crate::error::ApiError;

/// The most screenings one referral attaches.
const MAX_SCREENINGS: usize = 10;

fn invalid(context: &Context<'_>, field: &'static str, problem: Problem) -> ApiOrOutcome {
    let mut errors = FieldErrors::default();
    errors.add(field, problem);
    rejected("invalid_input", context.lang, errors.messages(context.lang)).into()
}

/// A new referral: the target is a referral target, the child is the sender's (or was referred
/// to the sender, for an onward referral), consent covers the sharing or an emergency reason is
/// given. Stored with the packet built here, status `sent` and the slip's signature.
pub fn check_referral(
    context: &Context<'_>,
    before: Option<&Fields>,
    referral: Referral,
) -> Result<Checked, ApiOrOutcome> {
    if before.is_some() {
        return Err(invalid(context, "referral", Problem::Immutable));
    }
    let target = facility_type(context, referral.to_facility)?;
    let mut referral = referral;
    referral.screening_ids.sort();
    referral.screening_ids.dedup();
    if referral.screening_ids.len() > MAX_SCREENINGS {
        return Err(invalid(
            context,
            "screening_ids",
            Problem::TooLong {
                max: MAX_SCREENINGS,
            },
        ));
    }
    let mut chain = Vec::new();
    referral.packet = match referral.onward_from {
        None => build_packet(context, &referral)?,
        Some(previous_id) => {
            let (_, previous) = stored_referral(context, previous_id)?
                .filter(|(_, previous)| {
                    previous.to_facility == context.facility_id
                        && previous.child_id == referral.child_id
                        // Only a referral this facility took on is passed on.
                        && matches!(
                            previous.status,
                            Status::Accepted | Status::Attended | Status::Completed
                        )
                })
                .ok_or_else(|| invalid(context, "onward_from", Problem::UnknownReference))?;
            referral.screening_ids = previous.screening_ids.clone();
            chain = chain_of(context, previous_id)?;
            // The onward referral passes the same packet on: child, screenings, consent.
            previous.packet
        }
    };
    let mut checked = referral
        .check_new(context.facility_id, target)
        .map_err(|errors| rejected("invalid_input", context.lang, errors.messages(context.lang)))?;
    // Sent when the user acted (an offline device may send it days later), give or take a day of
    // device clock; never in the future. Who sent it is the signed-in user.
    let earliest = context.made_at - chrono::Duration::days(1);
    checked.sent_at = checked.sent_at.clamp(earliest, context.now);
    checked.status_at = Some(checked.sent_at);
    checked.sent_by = context.actor.name.clone();
    checked.actor = Some(context.actor.clone());
    checked.signature = Some(slip_signature(context.transaction, context.record_id)?);

    let mut effects = vec![Effect::Share {
        record_type: RecordType::Referral,
        id: context.record_id,
        facility_id: checked.to_facility,
    }];
    // The chain before: its parties see this referral, and the new receiver sees the chain.
    let mut parties = Vec::new();
    for previous in &chain {
        for party in parties_of(context, *previous)? {
            if !parties.contains(&party) {
                parties.push(party);
            }
        }
    }
    for party in parties {
        effects.push(Effect::Share {
            record_type: RecordType::Referral,
            id: context.record_id,
            facility_id: party,
        });
    }
    for previous in chain {
        effects.push(Effect::Share {
            record_type: RecordType::Referral,
            id: previous,
            facility_id: checked.to_facility,
        });
        for event in events_of(context, previous)? {
            effects.push(Effect::Share {
                record_type: RecordType::ReferralEvent,
                id: event,
                facility_id: checked.to_facility,
            });
        }
    }
    Ok(Checked {
        child_id: Some(checked.child_id),
        fields: checked.to_fields(),
        effects,
        refused: None,
    })
}

/// An event by either side: decided by the state machine against the stored status. An event
/// that is no longer possible is kept, with its refusal, and answered as rejected.
pub fn check_event(
    context: &Context<'_>,
    before: Option<&Fields>,
    event: ReferralEvent,
) -> Result<Checked, ApiOrOutcome> {
    if before.is_some() {
        return Err(invalid(context, "referral_event", Problem::Immutable));
    }
    let (owner, referral) = stored_referral(context, event.referral_id)?
        .ok_or_else(|| invalid(context, "referral_id", Problem::UnknownReference))?;
    let Some(side) = crate::access::referral_side(context.facility_id, owner, referral.to_facility)
    else {
        return Err(rejected("forbidden_facility", context.lang, Default::default()).into());
    };
    let sent_on = referral
        .sent_at
        .with_timezone(&shared::lang::vietnam_offset())
        .date_naive();
    let mut event = event
        .check(sent_on, context.today)
        .map_err(|errors| rejected("invalid_input", context.lang, errors.messages(context.lang)))?;
    // The step happened when the user acted, give or take a day of device clock, never before the
    // referral was sent and never in the future; whoever acted is the signed-in user.
    let earliest = (context.made_at - chrono::Duration::days(1)).max(referral.sent_at);
    event.at = event.at.clamp(earliest, context.now.max(earliest));
    event.by = context.actor.name.clone();
    event.actor = Some(context.actor.clone());
    let reason = event.reason.clone().unwrap_or_default();
    let mut effects = Vec::new();
    let mut refused = None;
    match apply(referral.status, event.action, side, &reason) {
        Ok(status) => {
            let mut updated = referral.clone();
            updated.status = status;
            updated.status_at = Some(context.now);
            effects.push(Effect::Update {
                record_type: RecordType::Referral,
                id: event.referral_id,
                fields: updated.to_fields(),
            });
        }
        Err(Refusal::WrongSide) => {
            return Err(refusal_outcome(context, Refusal::WrongSide));
        }
        Err(refusal) => {
            event.refusal = Some(refusal);
            refused = Some(refusal);
        }
    }
    for party in parties_of(context, event.referral_id)? {
        if party != context.facility_id {
            effects.push(Effect::Share {
                record_type: RecordType::ReferralEvent,
                id: context.record_id,
                facility_id: party,
            });
        }
    }
    Ok(Checked {
        child_id: Some(referral.child_id),
        fields: event.to_fields(),
        effects,
        refused: refused.map(|refusal| match refusal_outcome(context, refusal) {
            ApiOrOutcome::Outcome(outcome) => outcome,
            ApiOrOutcome::Api(_) => unreachable!("a refusal is an outcome"),
        }),
    })
}

fn refusal_outcome(context: &Context<'_>, refusal: Refusal) -> ApiOrOutcome {
    let mut outcome = rejected("referral_refused", context.lang, Default::default());
    if let shared::sync::Outcome::Rejected { message, .. } = &mut outcome {
        *message = refusal.message(context.lang);
    }
    outcome.into()
}

/// The packet from the sender's own records: its child, the attached screenings of that child
/// (not voided), and the consents valid on the day it is sent.
fn build_packet(context: &Context<'_>, referral: &Referral) -> Result<Packet, ApiOrOutcome> {
    let child = child_of(context, referral.child_id)?;
    let mut screenings = Vec::new();
    for id in &referral.screening_ids {
        let stored: Option<String> = context
            .transaction
            .prepare_cached(
                "SELECT fields FROM records WHERE record_type = 'screening' AND id = ?1
                 AND facility_id = ?2 AND child_id = ?3",
            )?
            .query_row(params![id, context.facility_id, referral.child_id], |row| {
                row.get(0)
            })
            .optional()?;
        let screening = stored
            .and_then(|json| serde_json::from_str::<Fields>(&json).ok())
            .and_then(|fields| Screening::from_fields(&fields))
            .filter(|s| !s.is_voided())
            .ok_or_else(|| invalid(context, "screening_ids", Problem::UnknownReference))?;
        screenings.push((*id, screening));
    }
    let consents = consents_of(context, referral.child_id)?;
    // Consent is judged on the day the data is shared: when it reaches the server.
    let today = context
        .now
        .with_timezone(&shared::lang::vietnam_offset())
        .date_naive();
    Ok(Packet::build(&child, &screenings, &consents, today))
}

/// An active facility's type; refused when unknown or inactive.
fn facility_type(context: &Context<'_>, id: Uuid) -> Result<Option<FacilityType>, ApiOrOutcome> {
    let code: Option<String> = context
        .transaction
        .prepare_cached("SELECT facility_type FROM facilities WHERE id = ?1 AND active = 1")?
        .query_row([id], |row| row.get(0))
        .optional()?;
    Ok(code.and_then(|code| FacilityType::from_code(&code)))
}

/// A stored referral with the facility that owns it.
fn stored_referral(
    context: &Context<'_>,
    id: Uuid,
) -> Result<Option<(Uuid, Referral)>, ApiOrOutcome> {
    let stored: Option<(Uuid, String)> = context
        .transaction
        .prepare_cached(
            "SELECT facility_id, fields FROM records WHERE record_type = 'referral' AND id = ?1",
        )?
        .query_row([id], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    Ok(stored.and_then(|(owner, json)| {
        let fields: Fields = serde_json::from_str(&json).ok()?;
        Referral::from_fields(&fields).map(|referral| (owner, referral))
    }))
}

/// The referral and the ones it continues, newest first.
fn chain_of(context: &Context<'_>, id: Uuid) -> Result<Vec<Uuid>, ApiOrOutcome> {
    let mut chain = vec![id];
    let mut next = id;
    while let Some((_, referral)) = stored_referral(context, next)? {
        match referral.onward_from {
            Some(previous) if !chain.contains(&previous) && chain.len() < 20 => {
                chain.push(previous);
                next = previous;
            }
            _ => break,
        }
    }
    Ok(chain)
}

/// Every facility that reads a referral: its owner and those it is shared with.
fn parties_of(context: &Context<'_>, referral_id: Uuid) -> Result<Vec<Uuid>, ApiOrOutcome> {
    let mut parties: Vec<Uuid> = context
        .transaction
        .prepare_cached(
            "SELECT facility_id FROM records WHERE record_type = 'referral' AND id = ?1
             UNION SELECT facility_id FROM record_shares WHERE record_type = 'referral' AND record_id = ?1",
        )?
        .query_map([referral_id], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    parties.dedup();
    Ok(parties)
}

/// The events recorded on a referral.
fn events_of(context: &Context<'_>, referral_id: Uuid) -> Result<Vec<Uuid>, ApiOrOutcome> {
    let child: Option<Uuid> = context
        .transaction
        .prepare_cached("SELECT child_id FROM records WHERE record_type = 'referral' AND id = ?1")?
        .query_row([referral_id], |row| row.get(0))
        .optional()?
        .flatten();
    let mut events = Vec::new();
    let mut statement = context.transaction.prepare_cached(
        "SELECT id, fields FROM records WHERE child_id = ?1 AND record_type = 'referral_event'",
    )?;
    let rows = statement.query_map([child], |row| {
        Ok((row.get::<_, Uuid>(0)?, row.get::<_, String>(1)?))
    })?;
    for row in rows {
        let (id, json) = row?;
        let of_this = serde_json::from_str::<Fields>(&json)
            .ok()
            .and_then(|fields| ReferralEvent::from_fields(&fields))
            .is_some_and(|event| event.referral_id == referral_id);
        if of_this {
            events.push(id);
        }
    }
    Ok(events)
}

/// The signature a genuine slip of referral `id` carries: HMAC-SHA256 with the server's key
/// (created once), its first 16 bytes in base64url.
pub fn slip_signature(connection: &rusqlite::Connection, id: Uuid) -> Result<String, ApiError> {
    use base64::Engine;
    let key = slip_key(connection)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key)
        .map_err(|e| ApiError::Internal(format!("slip key: {e}")))?;
    mac.update(slip::signed_text(id).as_bytes());
    let tag = mac.finalize().into_bytes();
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&tag[..16]))
}

/// Whether `signature` is the one a genuine slip of referral `id` carries (compared in constant
/// time).
pub fn slip_signature_matches(
    connection: &rusqlite::Connection,
    id: Uuid,
    signature: &str,
) -> Result<bool, ApiError> {
    use base64::Engine;
    let Ok(tag) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(signature) else {
        return Ok(false);
    };
    if tag.len() != 16 {
        return Ok(false);
    }
    let key = slip_key(connection)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key)
        .map_err(|e| ApiError::Internal(format!("slip key: {e}")))?;
    mac.update(slip::signed_text(id).as_bytes());
    Ok(mac.verify_truncated_left(&tag).is_ok())
}

fn slip_key(connection: &rusqlite::Connection) -> Result<Vec<u8>, ApiError> {
    let key: Option<Vec<u8>> = connection
        .query_row(
            "SELECT value FROM server_secrets WHERE name = 'slip_key'",
            [],
            |row| row.get(0),
        )
        .optional()?;
    if let Some(key) = key {
        return Ok(key);
    }
    let mut key = vec![0u8; 32];
    rand::thread_rng().fill_bytes(&mut key);
    connection.execute(
        "INSERT OR IGNORE INTO server_secrets (name, value) VALUES ('slip_key', ?1)",
        [&key],
    )?;
    Ok(connection.query_row(
        "SELECT value FROM server_secrets WHERE name = 'slip_key'",
        [],
        |row| row.get(0),
    )?)
}
