//! Pure queries over the device's records, for every page that shows them: what a child's file
//! holds ([`child`]), the referral network as the device sees it ([`referrals`]) and the unit's
//! programme activities ([`activities`]). They know no page and no store; they take the records
//! the sync engine keeps.

pub mod activities;
pub mod child;
pub mod referrals;
