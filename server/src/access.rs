//! Authorization, decided here and nowhere else.
//!
//! What a role may do comes from [`shared::role::Role::can`], the same table the app uses to build
//! its navigation. An installation serves one province, so an administrator's reach is the whole
//! installation; what a facility's staff may read of children is added here with the child registry.

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
    /// The records owned by this facility (later: also those referred to it).
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
