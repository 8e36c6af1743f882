//! Per-record-type rules applied by the server to a merged record before it is stored.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{params, OptionalExtension, Transaction};
use shared::activity::Activity;
use shared::care::{AboutChild, CareArrangement, Circumstance, Session};
use shared::child::Child;
use shared::consent::Consent;
use shared::health_condition::HealthCondition;
use shared::lang::Lang;
use shared::referral::{Referral, ReferralEvent};
use shared::screening::Screening;
use shared::sync::{Fields, Outcome, RecordType};
use shared::validate::{FieldErrors, Problem};
use uuid::Uuid;

use super::referrals;
use crate::error::ApiError;

/// Why a change was not stored, in the user's language.
pub fn rejected(
    code: &str,
    lang: Lang,
    fields: std::collections::BTreeMap<String, String>,
) -> Outcome {
    let vi = lang == Lang::Vi;
    let message = match code {
        "forbidden_facility" if vi => "Bạn không có quyền ghi hồ sơ của cơ sở này.",
        "forbidden_facility" => "You may not write records of this facility.",
        "facility_mismatch" if vi => "Hồ sơ này thuộc một cơ sở khác.",
        "facility_mismatch" => "This record belongs to another facility.",
        "change_id_reused" if vi => "Mã thay đổi này đã được dùng cho một nội dung khác.",
        "change_id_reused" => "This change id was already used for different content.",
        "referral_refused" if vi => "Giấy chuyển tuyến không cho phép thao tác này.",
        "referral_refused" => "The referral does not allow this.",
        "invalid_record" if vi => "Hồ sơ không đúng cấu trúc: xem các trường được nêu.",
        "invalid_record" => "The record is malformed: see the fields named.",
        _ if vi => "Vui lòng sửa các ô được đánh dấu.",
        _ => "Please correct the marked fields.",
    };
    Outcome::Rejected {
        code: code.into(),
        message: message.into(),
        fields,
    }
}

/// The largest opaque payload accepted in benchmark mode, in bytes of JSON.
const OPAQUE_MAX: usize = 16 * 1024;

/// A record that passed its rules: its normalised fields, the child it is about (if any), what
/// storing it does to other records, and (for a referral event no longer possible) the refusal
/// its author is answered with although the event is kept.
pub struct Checked {
    pub fields: Fields,
    pub child_id: Option<Uuid>,
    pub effects: Vec<Effect>,
    pub refused: Option<Outcome>,
}

impl Checked {
    pub(super) fn plain(fields: Fields, child_id: Option<Uuid>) -> Checked {
        Checked {
            fields,
            child_id,
            effects: Vec::new(),
            refused: None,
        }
    }
}

/// What storing a record does to others, in the same change (and under the same sequence number).
pub enum Effect {
    /// Another facility may read the record from now on.
    Share {
        record_type: RecordType,
        id: Uuid,
        facility_id: Uuid,
    },
    /// The server's own update of another record (a referral's status).
    Update {
        record_type: RecordType,
        id: Uuid,
        fields: Fields,
    },
}

/// What a check may look up: the other records of the same facility.
pub struct Context<'a> {
    pub transaction: &'a Transaction<'a>,
    /// The facility that writes (and owns) the record.
    pub facility_id: Uuid,
    pub record_id: Uuid,
    /// When the user acted (device clock), never later than now.
    pub made_at: DateTime<Utc>,
    pub today: NaiveDate,
    pub now: DateTime<Utc>,
    pub lang: Lang,
    pub accept_opaque: bool,
    /// Who acted: the signed-in user, as the server knows them (never a name the device sent).
    pub actor: &'a shared::sync::Actor,
}

/// Checks a merged record (`before` is the stored one) with the same rules as the app's forms,
/// and returns it normalised. Referrals and their events follow [`referrals`].
pub fn check(
    context: &Context<'_>,
    record_type: RecordType,
    before: Option<&Fields>,
    fields: &Fields,
) -> Result<Checked, ApiOrOutcome> {
    let lang = context.lang;
    let invalid = |errors: FieldErrors| rejected("invalid_input", lang, errors.messages(lang));
    match record_type {
        RecordType::Child => {
            let child: Child = parse(context, fields)?;
            let mut checked = child.check(context.today).map_err(invalid)?;
            commune_exists(context, checked.commune_id)?;
            // Voiding is the one field the form does not edit; keep it as merged.
            checked.voided_reason = child
                .voided_reason
                .filter(|reason| !reason.trim().is_empty());
            // The registration day is the server's: the (bounded) day of the change that first
            // stored the child, never changed after.
            checked.registered_on = before
                .and_then(Child::from_fields)
                .and_then(|stored| stored.registered_on)
                .or(Some(context.today));
            checked.registered_elsewhere = match &checked.personal_id {
                Some(personal_id) => registered_elsewhere(context, personal_id)?,
                None => false,
            };
            Ok(Checked::plain(checked.to_fields(), None))
        }
        RecordType::Screening => {
            let screening: Screening = match opaque(context, fields) {
                Some(stored) => return Ok(stored),
                None => parse(context, fields)?,
            };
            let before = before.map(|b| parse::<Screening>(context, b)).transpose()?;
            let child = child_of(context, screening.child_id)?;
            let consents = consents_of(context, screening.child_id)?;
            let checked = screening
                .check(
                    before.as_ref(),
                    child.date_of_birth,
                    &consents,
                    context.today,
                )
                .map_err(invalid)?;
            Ok(Checked::plain(checked.to_fields(), Some(checked.child_id)))
        }
        RecordType::Consent => about_child::<Consent>(context, before, fields),
        RecordType::Session => about_child::<Session>(context, before, fields),
        RecordType::Circumstance => about_child::<Circumstance>(context, before, fields),
        RecordType::CareArrangement => about_child::<CareArrangement>(context, before, fields),
        RecordType::Referral => match opaque(context, fields) {
            Some(stored) => Ok(stored),
            None => referrals::check_referral(context, before, parse(context, fields)?),
        },
        RecordType::ReferralEvent => {
            let event: ReferralEvent = parse(context, fields)?;
            referrals::check_event(context, before, event)
        }
        RecordType::UrgentFlag => super::urgent::check_flag(context, before, fields),
        RecordType::HealthCondition => about_child::<HealthCondition>(context, before, fields),
        RecordType::Activity => {
            // A facility's own record, about no child: its rules are the form's.
            let activity: Activity = parse(context, fields)?;
            let checked = activity.check(context.today).map_err(invalid)?;
            Ok(Checked::plain(checked.to_fields(), None))
        }
    }
}

/// A record about one child of the same facility (consent, session, circumstance, care), checked
/// with its own rules; the child it is about never changes.
fn about_child<T: AboutChild>(
    context: &Context<'_>,
    before: Option<&Fields>,
    fields: &Fields,
) -> Result<Checked, ApiOrOutcome> {
    let lang = context.lang;
    let invalid = |errors: FieldErrors| rejected("invalid_input", lang, errors.messages(lang));
    let record: T = parse(context, fields)?;
    if let Some(before) = before.and_then(T::from_fields) {
        if before.child_id() != record.child_id() {
            let mut errors = FieldErrors::default();
            errors.add("child_id", Problem::Immutable);
            return Err(invalid(errors).into());
        }
    }
    let child = child_of(context, record.child_id())?;
    let checked = record
        .check(child.date_of_birth, context.today)
        .map_err(invalid)?;
    Ok(Checked::plain(
        checked.to_fields(),
        Some(checked.child_id()),
    ))
}

/// Benchmark mode only (the server's `bench-opaque` feature): a payload that is not yet a typed
/// record, stored as sent when small enough.
fn opaque(context: &Context<'_>, fields: &Fields) -> Option<Checked> {
    if !context.accept_opaque {
        return None;
    }
    let typed = Screening::from_fields(fields).is_some() || Referral::from_fields(fields).is_some();
    let size = serde_json::to_string(fields).map_or(usize::MAX, |json| json.len());
    (!typed && size <= OPAQUE_MAX).then(|| Checked::plain(fields.clone(), None))
}

/// The typed record, or a rejection naming the field that does not fit (a missing field, a
/// value of the wrong kind, a field the type does not have).
pub(super) fn parse<T: serde::de::DeserializeOwned>(
    context: &Context<'_>,
    fields: &Fields,
) -> Result<T, ApiOrOutcome> {
    // A null field reads as an absent one (`shared::sync::present`), as on the device.
    serde_path_to_error::deserialize(shared::sync::present(fields)).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.inner().to_string();
        // A missing or unknown field is reported at the record itself, named in the message.
        let named = inner.split('`').nth(1).map(str::to_string);
        let (field, problem) = match (path.as_str(), named) {
            (".", Some(name)) if inner.starts_with("missing field") => (name, Problem::Required),
            (".", Some(name)) if inner.starts_with("unknown field") => {
                (name, Problem::UnknownField)
            }
            (".", _) => ("record".to_string(), Problem::Malformed),
            (path, _) => (path.to_string(), Problem::Malformed),
        };
        let mut named = std::collections::BTreeMap::new();
        named.insert(field, problem.message(context.lang));
        rejected("invalid_record", context.lang, named).into()
    })
}

/// Whether another facility registered a child with this personal id (not voided).
fn registered_elsewhere(context: &Context<'_>, personal_id: &str) -> Result<bool, ApiOrOutcome> {
    let found: Option<i64> = context
        .transaction
        .prepare_cached(
            "SELECT 1 FROM fact_children WHERE personal_id = ?1 AND facility_id != ?2 AND voided = 0 LIMIT 1",
        )?
        .query_row(params![personal_id, context.facility_id], |row| row.get(0))
        .optional()?;
    Ok(found.is_some())
}

/// A child's commune: an area of this installation at commune level.
fn commune_exists(context: &Context<'_>, commune_id: Uuid) -> Result<(), ApiOrOutcome> {
    let found: Option<i64> = context
        .transaction
        .prepare_cached("SELECT 1 FROM areas WHERE id = ?1 AND level = 'commune'")?
        .query_row([commune_id], |row| row.get(0))
        .optional()?;
    if found.is_some() {
        return Ok(());
    }
    let mut errors = FieldErrors::default();
    errors.add("commune_id", Problem::UnknownReference);
    Err(rejected("invalid_input", context.lang, errors.messages(context.lang)).into())
}

/// The stored fields of a record of this type owned by the writing facility.
pub(super) fn own_fields(
    context: &Context<'_>,
    record_type: RecordType,
    id: Uuid,
) -> Result<Option<Fields>, ApiOrOutcome> {
    let stored: Option<String> = context
        .transaction
        .prepare_cached(
            "SELECT fields FROM records WHERE record_type = ?1 AND id = ?2 AND facility_id = ?3",
        )?
        .query_row(
            params![record_type.code(), id, context.facility_id],
            |row| row.get(0),
        )
        .optional()?;
    Ok(stored.and_then(|json| serde_json::from_str::<Fields>(&json).ok()))
}

/// The child a record is about: a child of the same facility, not voided.
pub(super) fn child_of(context: &Context<'_>, child_id: Uuid) -> Result<Child, ApiOrOutcome> {
    let child = own_fields(context, RecordType::Child, child_id)?
        .and_then(|fields| Child::from_fields(&fields))
        .filter(|child| !child.is_voided());
    child.ok_or_else(|| {
        let mut errors = FieldErrors::default();
        errors.add("child_id", Problem::UnknownReference);
        rejected("invalid_input", context.lang, errors.messages(context.lang)).into()
    })
}

/// The child's consents recorded at this facility.
pub(super) fn consents_of(
    context: &Context<'_>,
    child_id: Uuid,
) -> Result<Vec<Consent>, ApiOrOutcome> {
    let mut statement = context.transaction.prepare_cached(
        "SELECT fields FROM records WHERE child_id = ?1 AND record_type = 'consent' AND facility_id = ?2",
    )?;
    let rows = statement.query_map(params![child_id, context.facility_id], |row| {
        row.get::<_, String>(0)
    })?;
    let mut consents = Vec::new();
    for json in rows {
        let fields: Fields = serde_json::from_str(&json?)
            .map_err(|e| ApiError::Internal(format!("stored consent: {e}")))?;
        consents.extend(Consent::from_fields(&fields));
    }
    Ok(consents)
}

/// A check's failure: the change's rejection, or a server fault (which aborts the push).
pub enum ApiOrOutcome {
    Outcome(Outcome),
    Api(ApiError),
}

impl From<Outcome> for ApiOrOutcome {
    fn from(outcome: Outcome) -> Self {
        ApiOrOutcome::Outcome(outcome)
    }
}

impl From<rusqlite::Error> for ApiOrOutcome {
    fn from(error: rusqlite::Error) -> Self {
        ApiOrOutcome::Api(error.into())
    }
}

impl From<ApiError> for ApiOrOutcome {
    fn from(error: ApiError) -> Self {
        ApiOrOutcome::Api(error)
    }
}
