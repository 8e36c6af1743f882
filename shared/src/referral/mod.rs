//! The referral network (domain.md §5): the life cycle as one pure state machine ([`machine`]),
//! the records that travel through sync ([`record`]), the minimum-necessary packet the receiver
//! sees ([`packet`]) and what the printed slip carries to prove itself ([`slip`]).

mod machine;
mod packet;
mod record;
pub mod slip;

pub use machine::{apply, Action, DueTimes, Refusal, Side, Status, Urgency};
pub use packet::{ChildSummary, Packet, ScreeningSummary, SensitiveAnswer};
pub use record::{sharing_purpose, shown_status, Feedback, Referral, ReferralEvent, Service};
