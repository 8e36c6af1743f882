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
