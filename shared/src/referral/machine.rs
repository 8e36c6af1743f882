//! The referral life cycle (domain.md §5) as one state machine, pure, for the device and the
//! server alike.
//!
//! `sent` → `received` → `accepted` (or `declined`) → `attended` → `completed`; the sender may
//! cancel before `attended`; `no_show` after a missed appointment (the child may still come:
//! `attended` follows). Both ends act offline, so every transition is an event; the server applies
//! events in its order, and [`apply`] decides each one against the status it finds. A status
//! never moves backwards: an event that is no longer valid when it arrives (accepted after the
//! sender cancelled) is refused with a [`Refusal`] its author sees.
//!
//! Due times per urgency are configuration ([`DueTimes`], defaults from domain.md §5); a referral
//! past its due time is overdue on both sides.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

coded! {
    #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum Status {
        #[default]
        Sent = "sent",
        Received = "received",
        Accepted = "accepted",
        Declined = "declined",
        NoShow = "no_show",
        Attended = "attended",
        Completed = "completed",
        Cancelled = "cancelled",
    }
}

impl Status {
    /// How far along the referral is; a transition always goes to a higher rank.
    fn rank(self) -> u8 {
        match self {
            Status::Sent => 0,
            Status::Received => 1,
            Status::Accepted => 2,
            Status::NoShow => 3,
            Status::Attended => 4,
            Status::Declined | Status::Completed | Status::Cancelled => 9,
        }
    }

    pub fn label(self, lang: crate::lang::Lang) -> &'static str {
        use crate::lang::Lang::{En, Vi};
        match (self, lang) {
            (Status::Sent, Vi) => "Đã gửi",
            (Status::Sent, En) => "Sent",
            (Status::Received, Vi) => "Đã nhận",
            (Status::Received, En) => "Received",
            (Status::Accepted, Vi) => "Đã tiếp nhận",
            (Status::Accepted, En) => "Accepted",
            (Status::Declined, Vi) => "Từ chối",
            (Status::Declined, En) => "Declined",
            (Status::NoShow, Vi) => "Không đến",
            (Status::NoShow, En) => "No-show",
            (Status::Attended, Vi) => "Đã đến khám",
            (Status::Attended, En) => "Attended",
            (Status::Completed, Vi) => "Đã hoàn tất",
            (Status::Completed, En) => "Completed",
            (Status::Cancelled, Vi) => "Đã hủy",
            (Status::Cancelled, En) => "Cancelled",
        }
    }

    /// Nothing follows these.
    pub fn is_final(self) -> bool {
        self.rank() == 9
    }
}

/// Which end of the referral acts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Sender,
    Receiver,
}

coded! {
    /// What an event asks for.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum Action {
        /// The receiving facility opened it.
        Receive = "receive",
        Accept = "accept",
        Decline = "decline",
        Attend = "attend",
        Complete = "complete",
        NoShow = "no_show",
        Cancel = "cancel",
    }
}

impl Action {
    pub fn side(self) -> Side {
        match self {
            Action::Cancel => Side::Sender,
            _ => Side::Receiver,
        }
    }

    /// The status the action leads to.
    pub fn target(self) -> Status {
        match self {
            Action::Receive => Status::Received,
            Action::Accept => Status::Accepted,
            Action::Decline => Status::Declined,
            Action::Attend => Status::Attended,
            Action::Complete => Status::Completed,
            Action::NoShow => Status::NoShow,
            Action::Cancel => Status::Cancelled,
        }
    }

    /// The statuses the action may start from.
    fn from(self) -> &'static [Status] {
        match self {
            Action::Receive => &[Status::Sent],
            Action::Accept | Action::Decline => &[Status::Sent, Status::Received],
            Action::Cancel => &[
                Status::Sent,
                Status::Received,
                Status::Accepted,
                Status::NoShow,
            ],
            Action::NoShow => &[Status::Accepted],
            Action::Attend => &[Status::Received, Status::Accepted, Status::NoShow],
            Action::Complete => &[Status::Attended],
        }
    }

    /// Declining and cancelling need a reason the other side reads.
    pub fn needs_reason(self) -> bool {
        matches!(self, Action::Decline | Action::Cancel)
    }
}

/// Why an event was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "refusal")]
pub enum Refusal {
    /// This end of the referral may not do this (a school cannot accept its own referral).
    WrongSide,
    /// The referral is already further along, or closed (accepted after the sender cancelled).
    NoLongerPossible {
        status: Status,
    },
    ReasonRequired,
}

impl Refusal {
    pub fn message(self, lang: crate::lang::Lang) -> String {
        use crate::lang::Lang::{En, Vi};
        match (self, lang) {
            (Refusal::WrongSide, Vi) => "Phía bạn không thể thực hiện thao tác này.".into(),
            (Refusal::WrongSide, En) => "Your side of the referral cannot do this.".into(),
            (Refusal::NoLongerPossible { status }, Vi) => format!(
                "Không còn thực hiện được: giấy chuyển tuyến đã ở trạng thái \u{201c}{}\u{201d}.",
                status.label(Vi)
            ),
            (Refusal::NoLongerPossible { status }, En) => format!(
                "No longer possible: the referral is already \u{201c}{}\u{201d}.",
                status.label(En)
            ),
            (Refusal::ReasonRequired, Vi) => "Cần ghi lý do.".into(),
            (Refusal::ReasonRequired, En) => "A reason is required.".into(),
        }
    }
}

/// Decides one event against the status the referral has when the event arrives.
pub fn apply(status: Status, action: Action, side: Side, reason: &str) -> Result<Status, Refusal> {
    if action.side() != side {
        return Err(Refusal::WrongSide);
    }
    if !action.from().contains(&status) || action.target().rank() <= status.rank() {
        return Err(Refusal::NoLongerPossible { status });
    }
    if action.needs_reason() && reason.trim().is_empty() {
        return Err(Refusal::ReasonRequired);
    }
    Ok(action.target())
}

coded! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub enum Urgency {
        Emergency = "emergency",
        Urgent = "urgent",
        Routine = "routine",
    }
}

impl Urgency {
    pub fn label(self, lang: crate::lang::Lang) -> &'static str {
        use crate::lang::Lang::{En, Vi};
        match (self, lang) {
            (Urgency::Emergency, Vi) => "Cấp cứu",
            (Urgency::Emergency, En) => "Emergency",
            (Urgency::Urgent, Vi) => "Khẩn",
            (Urgency::Urgent, En) => "Urgent",
            (Urgency::Routine, Vi) => "Thường quy",
            (Urgency::Routine, En) => "Routine",
        }
    }
}

/// How long the receiving side has, per urgency: to open the referral, and (if set) to see the
/// child. Configuration; [`DueTimes::default`] is domain.md §5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DueTimes {
    pub received_hours: [i64; 3],
    pub attended_hours: [Option<i64>; 3],
}

impl Default for DueTimes {
    fn default() -> Self {
        DueTimes {
            // emergency, urgent, routine
            received_hours: [24, 48, 7 * 24],
            attended_hours: [None, Some(7 * 24), Some(30 * 24)],
        }
    }
}

impl DueTimes {
    fn index(urgency: Urgency) -> usize {
        match urgency {
            Urgency::Emergency => 0,
            Urgency::Urgent => 1,
            Urgency::Routine => 2,
        }
    }

    /// When the next step is due, for a referral sent at `sent_at` that now has `status`.
    pub fn due(
        &self,
        urgency: Urgency,
        status: Status,
        sent_at: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        let i = DueTimes::index(urgency);
        match status {
            Status::Sent => Some(sent_at + Duration::hours(self.received_hours[i])),
            Status::Received | Status::Accepted | Status::NoShow => {
                self.attended_hours[i].map(|h| sent_at + Duration::hours(h))
            }
            _ => None,
        }
    }

    pub fn is_overdue(
        &self,
        urgency: Urgency,
        status: Status,
        sent_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> bool {
        self.due(urgency, status, sent_at)
            .is_some_and(|due| now > due)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action::*;
    use Status::*;

    /// Every allowed transition, by the side allowed to make it. Everything else is refused.
    const ALLOWED: [(Status, Action, Status); 14] = [
        (Sent, Receive, Received),
        (Sent, Accept, Accepted),
        (Sent, Decline, Declined),
        (Sent, Cancel, Cancelled),
        (Received, Accept, Accepted),
        (Received, Decline, Declined),
        (Received, Cancel, Cancelled),
        (Received, Attend, Attended),
        (Accepted, Attend, Attended),
        (Accepted, Action::NoShow, Status::NoShow),
        (Accepted, Cancel, Cancelled),
        (Status::NoShow, Attend, Attended),
        (Status::NoShow, Cancel, Cancelled),
        (Attended, Complete, Completed),
    ];

    fn allowed(status: Status, action: Action) -> Option<Status> {
        ALLOWED
            .iter()
            .find(|(s, a, _)| *s == status && *a == action)
            .map(|(_, _, to)| *to)
    }

    #[test]
    fn every_status_and_action_against_the_table() {
        for status in Status::ALL {
            for action in Action::ALL {
                let by_right_side = apply(status, action, action.side(), "lý do");
                match allowed(status, action) {
                    Some(to) => assert_eq!(by_right_side, Ok(to), "{status:?} + {action:?}"),
                    None => assert_eq!(
                        by_right_side,
                        Err(Refusal::NoLongerPossible { status }),
                        "{status:?} + {action:?}"
                    ),
                }
                let other = match action.side() {
                    Side::Sender => Side::Receiver,
                    Side::Receiver => Side::Sender,
                };
                assert_eq!(
                    apply(status, action, other, "lý do"),
                    Err(Refusal::WrongSide)
                );
            }
        }
    }

    #[test]
    fn declining_and_cancelling_need_a_reason() {
        assert_eq!(
            apply(Sent, Decline, Side::Receiver, "  "),
            Err(Refusal::ReasonRequired)
        );
        assert_eq!(
            apply(Sent, Cancel, Side::Sender, ""),
            Err(Refusal::ReasonRequired)
        );
        assert_eq!(apply(Sent, Accept, Side::Receiver, ""), Ok(Accepted));
    }

    #[test]
    fn concurrent_events_in_either_order_never_move_backwards() {
        // Two events made offline from the same status, applied in both server orders.
        for start in Status::ALL {
            for first in Action::ALL {
                for second in Action::ALL {
                    let mut status = start;
                    let mut history = vec![status];
                    for action in [first, second] {
                        if let Ok(next) = apply(status, action, action.side(), "lý do") {
                            assert!(next.rank() > status.rank(), "{status:?} -> {next:?}");
                            status = next;
                            history.push(status);
                        }
                    }
                    // A final status is never left.
                    if let Some(at) = history.iter().position(|s| s.is_final()) {
                        assert_eq!(at, history.len() - 1, "{history:?}");
                    }
                }
            }
        }
        // The classic race: the sender cancels while the station accepts offline.
        let cancelled = apply(
            Received,
            Cancel,
            Side::Sender,
            "Gia đình đã đưa trẻ đi khám nơi khác",
        )
        .unwrap();
        assert_eq!(
            apply(cancelled, Accept, Side::Receiver, ""),
            Err(Refusal::NoLongerPossible { status: Cancelled })
        );
        let accepted = apply(Received, Accept, Side::Receiver, "").unwrap();
        assert_eq!(
            apply(accepted, Cancel, Side::Sender, "lý do"),
            Ok(Cancelled)
        );
    }

    #[test]
    fn due_times_follow_urgency_and_status() {
        let sent = DateTime::parse_from_rfc3339("2026-11-02T01:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let times = DueTimes::default();
        let hours = |h| sent + Duration::hours(h);
        assert_eq!(times.due(Urgency::Emergency, Sent, sent), Some(hours(24)));
        assert_eq!(times.due(Urgency::Urgent, Sent, sent), Some(hours(48)));
        assert_eq!(
            times.due(Urgency::Routine, Accepted, sent),
            Some(hours(30 * 24))
        );
        assert_eq!(times.due(Urgency::Emergency, Accepted, sent), None);
        assert_eq!(times.due(Urgency::Urgent, Completed, sent), None);
        assert!(!times.is_overdue(Urgency::Urgent, Sent, sent, hours(48)));
        assert!(times.is_overdue(Urgency::Urgent, Sent, sent, hours(49)));
        assert!(!times.is_overdue(Urgency::Urgent, Declined, sent, hours(500)));
    }
}
