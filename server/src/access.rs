//! Authorization, decided here and nowhere else.
//!
//! What a role may do comes from [`shared::role::Role::can`], the same table the app uses to build
//! its navigation. An installation serves one province, so an administrator's reach is the whole
//! installation. Here too: which records a user reads and writes, who receives the answers to
//! sensitive questions, which side of a referral a facility is on, and how far a user's
//! indicators reach. `server/tests/api/access.rs` walks role × action × own or other facility.

use shared::role::Capability;

use crate::error::ApiError;
use crate::extract::SignedIn;

/// Fails with 403 unless the user's role has the capability.
pub fn require(user: &SignedIn, capability: Capability) -> Result<(), ApiError> {
    if user.role.can(capability) {
        Ok(())
    } else {
        tracing::debug!(user = %user.username, ?capability, "forbidden");
        Err(ApiError::Forbidden)
    }
}

/// Which synced records a user may read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordScope {
    /// The records owned by this facility, and those shared with it (`record_shares`: a
    /// referral it received, its events, an onward chain).
    Facility(uuid::Uuid),
    /// None: officers see aggregates, administrators the directory.
    Nothing,
}

pub fn record_scope(user: &SignedIn) -> RecordScope {
    match user.facility_id {
        Some(facility_id) if user.role.can(Capability::KeepChildRecords) => {
            RecordScope::Facility(facility_id)
        }
        _ => RecordScope::Nothing,
    }
}

/// Whether the user may write a record owned by `facility_id`: only their own facility's.
pub fn may_write_record(user: &SignedIn, facility_id: uuid::Uuid) -> bool {
    record_scope(user) == RecordScope::Facility(facility_id)
}

/// Whether the user receives item-level answers to sensitive questions (self-harm) in a
/// referral's packet: clinical roles only.
pub fn sees_sensitive_answers(user: &SignedIn) -> bool {
    user.role.is_clinical()
}

/// The side of a referral the acting facility is on: the sender (the referral's owner), the
/// receiver, or neither (`None`: it may not act on it).
pub fn referral_side(
    facility_id: uuid::Uuid,
    owner: uuid::Uuid,
    receiver: uuid::Uuid,
) -> Option<shared::referral::Side> {
    if facility_id == owner {
        Some(shared::referral::Side::Sender)
    } else if facility_id == receiver {
        Some(shared::referral::Side::Receiver)
    } else {
        None
    }
}

/// How far a user's indicators reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndicatorReach {
    /// Facility staff: their own facility's figures, with names.
    OwnFacility(uuid::Uuid),
    /// Officers and administrators: aggregates for their area and the areas under it.
    Area(uuid::Uuid),
}

/// The reach of a request for indicators: facility staff may not ask for another facility or
/// for an area; officers may ask for their area or one directly under it (`parent` is the
/// asked area's parent).
pub fn indicator_reach(
    user: &SignedIn,
    area: Option<uuid::Uuid>,
    facility: Option<uuid::Uuid>,
) -> Result<IndicatorReach, ApiError> {
    if user.role.placed_on_area(user.facility_id.is_some()) {
        return Ok(IndicatorReach::Area(area.unwrap_or(user.area_id)));
    }
    let own = user.facility_id.ok_or(ApiError::Forbidden)?;
    if area.is_some() || facility.is_some_and(|f| f != own) {
        return Err(ApiError::Forbidden);
    }
    Ok(IndicatorReach::OwnFacility(own))
}

/// Whether an officer may see an area: their own, or one directly under it.
pub fn may_see_area(user: &SignedIn, area: uuid::Uuid, parent: Option<uuid::Uuid>) -> bool {
    area == user.area_id || parent == Some(user.area_id)
}
