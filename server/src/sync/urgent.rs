//! The server's rules for an urgent flag (`shared::urgent`): the shared checks, then what only
//! the server knows: who raised it, recorded its action or ended it (the signed-in user, never a
//! name the device sent), when (the server's bounded time), and that the screening and the
//! completed referral it names are this child's, at this facility.

use shared::referral::{Referral, Status};
use shared::screening::Screening;
use shared::sync::{Fields, RecordType};
use shared::urgent::{FlagEnd, UrgentFlag};
use shared::validate::{FieldErrors, Problem};
use uuid::Uuid;

use super::records::{child_of, own_fields, parse, rejected, ApiOrOutcome, Checked, Context};

pub(super) fn check_flag(
    context: &Context<'_>,
    before: Option<&Fields>,
    fields: &Fields,
) -> Result<Checked, ApiOrOutcome> {
    let lang = context.lang;
    let invalid = |errors: FieldErrors| rejected("invalid_input", lang, errors.messages(lang));
    let mut flag: UrgentFlag = parse(context, fields)?;
    let before = before
        .map(|b| parse::<UrgentFlag>(context, b))
        .transpose()?;
    if before.is_none() {
        // Raised when the answer was given, give or take the server's bound on device clocks: a
        // clock running ahead bounds the time, it never loses the flag.
        flag.raised_at = flag
            .raised_at
            .clamp(context.made_at - chrono::Duration::days(1), context.now);
    }
    let child = child_of(context, flag.child_id)?;
    let mut checked = flag
        .check(before.as_ref(), child.date_of_birth, context.now)
        .map_err(invalid)?;
    let mut errors = FieldErrors::default();
    // The stamps: what was stored stays, a new step gets the user and the time of this change.
    let stamp = Some(context.actor.clone());
    let at = Some(context.made_at);
    match &before {
        Some(before) => {
            checked.raised_by = before.raised_by.clone();
            (checked.action_by, checked.action_at) = match before.action {
                Some(_) => (before.action_by.clone(), before.action_at),
                None if checked.action.is_some() => (stamp.clone(), at),
                None => (None, None),
            };
            (checked.ended_by, checked.ended_at) = match before.ended {
                Some(_) => (before.ended_by.clone(), before.ended_at),
                None if checked.ended.is_some() => (stamp, at),
                None => (None, None),
            };
        }
        None => {
            checked.raised_by = stamp.clone();
            let acted = checked.action.is_some();
            (checked.action_by, checked.action_at) = if acted {
                (stamp.clone(), at)
            } else {
                (None, None)
            };
            let ended = checked.ended.is_some();
            (checked.ended_by, checked.ended_at) = if ended { (stamp, at) } else { (None, None) };
        }
    }
    let screening_is_new = before.as_ref().is_none_or(|b| b.screening_id.is_none());
    if let (Some(id), true) = (checked.screening_id, screening_is_new) {
        if !screening_fits(context, id, &checked)? {
            errors.add("screening_id", Problem::UnknownReference);
        }
    }
    let ending_is_new = before.as_ref().is_none_or(|b| b.ended.is_none());
    if let (Some(ending), true) = (&checked.ended, ending_is_new) {
        if ending.how == FlagEnd::ReferralCompleted {
            let id = ending.referral_id.unwrap_or_default();
            if !referral_completed(context, id, checked.child_id)? {
                errors.add("ended.referral_id", Problem::UnknownReference);
            }
        }
    }
    errors.into_result().map_err(invalid)?;
    let child_id = checked.child_id;
    Ok(Checked::plain(checked.to_fields(), Some(child_id)))
}

/// A screening of the same child at this facility, with the same instrument.
fn screening_fits(
    context: &Context<'_>,
    id: Uuid,
    flag: &UrgentFlag,
) -> Result<bool, ApiOrOutcome> {
    Ok(own_fields(context, RecordType::Screening, id)?
        .and_then(|fields| Screening::from_fields(&fields))
        .is_some_and(|s| s.child_id == flag.child_id && s.instrument_id == flag.instrument_id))
}

/// A referral this facility made for the child, completed (its feedback received).
fn referral_completed(
    context: &Context<'_>,
    id: Uuid,
    child_id: Uuid,
) -> Result<bool, ApiOrOutcome> {
    Ok(own_fields(context, RecordType::Referral, id)?
        .and_then(|fields| Referral::from_fields(&fields))
        .is_some_and(|r| r.child_id == child_id && r.status == Status::Completed))
}
