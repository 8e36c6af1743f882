//! Pure queries over the device's records, for every page that shows them: what a child's file
//! holds ([`child`]) and the referral network as the device sees it ([`referrals`]). They know
//! no page and no store; they take the records the sync engine keeps.

pub mod child;
pub mod referrals;
