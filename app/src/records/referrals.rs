//! The device's referrals folded from its records: each referral with its events in the
//! server's order and the status it shows ([`items`]), and the notices each side is owed
//! ([`notices`]). Pure: the pages and the navigation badge read them through a memo.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};
use shared::referral::{shown_status, Action, DueTimes, Referral, ReferralEvent, Side, Status};
use shared::sync::RecordType;
use uuid::Uuid;

use crate::store::LocalRecord;

/// One event as the device shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct EventItem {
    pub id: Uuid,
    /// The facility that acted.
    pub facility_id: Uuid,
    pub event: ReferralEvent,
    /// Not answered by the server yet.
    pub pending: bool,
    /// The server's order of it, once pulled.
    pub seq: Option<i64>,
}

/// One referral as the device shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub id: Uuid,
    /// The sending facility.
    pub sender: Uuid,
    pub referral: Referral,
    pub status: Status,
    /// Oldest first.
    pub events: Vec<EventItem>,
    /// My facility's end of it; `None` for a party further along an onward chain.
    pub side: Option<Side>,
}

impl Item {
    pub fn due(&self, times: &DueTimes) -> Option<DateTime<Utc>> {
        times.due(self.referral.urgency, self.status, self.referral.sent_at)
    }

    pub fn is_overdue(&self, times: &DueTimes, now: DateTime<Utc>) -> bool {
        times.is_overdue(
            self.referral.urgency,
            self.status,
            self.referral.sent_at,
            now,
        )
    }

    pub fn is_due_soon(&self, times: &DueTimes, now: DateTime<Utc>) -> bool {
        self.due(times)
            .is_some_and(|due| now <= due && due - now <= Duration::hours(24))
    }

    /// The feedback of the completing event, if any.
    pub fn feedback(&self) -> Option<&EventItem> {
        self.events
            .iter()
            .rev()
            .find(|e| e.event.action == Action::Complete && e.event.refusal.is_none())
    }

    pub fn child_name(&self) -> &str {
        &self.referral.packet.child.full_name
    }
}

/// Every referral on this device with its events, newest first.
pub fn items(records: &[LocalRecord], my_facility: Option<Uuid>) -> Vec<Item> {
    let mut events: std::collections::HashMap<Uuid, Vec<EventItem>> = Default::default();
    for record in records
        .iter()
        .filter(|r| r.record_type == RecordType::ReferralEvent)
    {
        if let Some(event) = ReferralEvent::from_fields(&record.fields) {
            events
                .entry(event.referral_id)
                .or_default()
                .push(EventItem {
                    id: record.id,
                    facility_id: record.facility_id,
                    event,
                    pending: record.server.is_none(),
                    seq: record.seq,
                });
        }
    }
    let mut items: Vec<Item> = records
        .iter()
        .filter(|r| r.record_type == RecordType::Referral)
        .filter_map(|record| {
            let referral = Referral::from_fields(&record.fields)?;
            let mut events = events.remove(&record.id).unwrap_or_default();
            // In the order the server decided (its sequence), not by the devices' clocks; steps
            // not yet answered by the server come last, in the order they were made.
            events.sort_by_key(|e| (e.seq.unwrap_or(i64::MAX), e.event.at, e.id));
            let side = match my_facility {
                Some(mine) if mine == record.facility_id => Some(Side::Sender),
                Some(mine) if mine == referral.to_facility => Some(Side::Receiver),
                _ => None,
            };
            let pending = events
                .iter()
                .filter(|e| e.pending)
                .filter_map(|e| side.map(|side| (&e.event, side)));
            let status = shown_status(referral.status, pending);
            Some(Item {
                id: record.id,
                sender: record.facility_id,
                referral,
                status,
                events,
                side,
            })
        })
        .collect();
    items.sort_by_key(|item| std::cmp::Reverse((item.referral.sent_at, item.id)));
    items
}

/// A notice for the user: its key (to mark it seen), the referral, and what happened.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub key: String,
    pub referral_id: Uuid,
    pub kind: NoticeKind,
    pub child: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    /// A referral for my facility not opened yet.
    New,
    Feedback,
    Declined,
    /// The sender cancelled a referral this facility received.
    Cancelled,
    /// The receiver accepted, with an appointment the family must be told of.
    Accepted,
    /// The child did not come to the appointment: the sender follows up.
    NoShow,
    /// One of my facility's events arrived too late and was refused.
    Refused,
}

/// The notices not yet marked seen, newest referral first.
pub fn notices(items: &[Item], my_facility: Option<Uuid>, seen: &BTreeSet<String>) -> Vec<Notice> {
    let mut found = Vec::new();
    for item in items {
        let mut add = |key: String, kind| {
            if !seen.contains(&key) {
                found.push(Notice {
                    key,
                    referral_id: item.id,
                    kind,
                    child: item.child_name().to_string(),
                });
            }
        };
        if item.side == Some(Side::Receiver) && item.status == Status::Sent {
            add(format!("new:{}", item.id), NoticeKind::New);
        }
        for e in item.events.iter().filter(|e| !e.pending) {
            let mine = Some(e.facility_id) == my_facility;
            if e.event.refusal.is_some() {
                if mine {
                    add(format!("refused:{}", e.id), NoticeKind::Refused);
                }
                continue;
            }
            if mine {
                continue;
            }
            // The other side's steps that change what this side must do.
            match (item.side, e.event.action) {
                (Some(Side::Sender), Action::Complete) => {
                    add(format!("feedback:{}", e.id), NoticeKind::Feedback)
                }
                (Some(Side::Sender), Action::Decline) => {
                    add(format!("declined:{}", e.id), NoticeKind::Declined)
                }
                (Some(Side::Sender), Action::Accept) => {
                    add(format!("accepted:{}", e.id), NoticeKind::Accepted)
                }
                (Some(Side::Sender), Action::NoShow) => {
                    add(format!("no-show:{}", e.id), NoticeKind::NoShow)
                }
                // A cancellation reaches the receiver whether or not it had accepted: an
                // appointment it keeps may no longer exist.
                (Some(Side::Receiver), Action::Cancel) => {
                    add(format!("cancelled:{}", e.id), NoticeKind::Cancelled)
                }
                _ => {}
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeZone};
    use shared::child::{Child, GuardianRelation, Sex};
    use shared::referral::{Packet, Refusal, Urgency};

    fn child() -> Child {
        Child {
            full_name: "Lục Văn Minh".into(),
            date_of_birth: NaiveDate::from_ymd_opt(2012, 3, 7).unwrap(),
            sex: Sex::Male,
            ethnicity: "tay".into(),
            commune_id: Uuid::nil(),
            school_class: None,
            guardian_name: "Lục Thị Hoa".into(),
            guardian_relation: GuardianRelation::Mother,
            guardian_phone: None,
            personal_id: None,
            voided_reason: None,
            registered_on: None,
            registered_elsewhere: false,
            pupil_code: None,
            former_address: None,
        }
    }

    fn at(minutes: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 2, 1, 0, 0).unwrap() + Duration::minutes(minutes)
    }

    struct Network {
        school: Uuid,
        station: Uuid,
        referral: Uuid,
        records: Vec<LocalRecord>,
    }

    impl Network {
        fn new() -> Network {
            let (school, station, referral) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
            let packet = Packet::build(&child(), &[], &[], at(0).date_naive());
            let sent = Referral {
                child_id: Uuid::now_v7(),
                to_facility: station,
                urgency: Urgency::Urgent,
                reason: "Mất ngủ kéo dài".into(),
                done_already: None,
                screening_ids: vec![],
                emergency_reason: None,
                onward_from: None,
                sent_at: at(0),
                sent_by: "Hoàng Thị Mai".into(),
                actor: None,
                packet,
                status: Status::Sent,
                status_at: None,
                signature: None,
            };
            let fields = sent.to_fields();
            Network {
                school,
                station,
                referral,
                records: vec![LocalRecord {
                    record_type: RecordType::Referral,
                    id: referral,
                    facility_id: school,
                    server: Some(fields.clone()),
                    fields,
                    updated_at: at(0),
                    seq: Some(1),
                }],
            }
        }

        /// An event by `by`, with the server's sequence once it has answered (`None`: pending).
        fn event(&mut self, by: Uuid, action: Action, minutes: i64, seq: Option<i64>) -> Uuid {
            let event = ReferralEvent {
                referral_id: self.referral,
                action,
                at: at(minutes),
                by: "someone".into(),
                actor: None,
                reason: Some("lý do".into()),
                appointment: None,
                attended_on: None,
                feedback: None,
                refusal: None,
            };
            self.push(by, event, seq)
        }

        fn push(&mut self, by: Uuid, event: ReferralEvent, seq: Option<i64>) -> Uuid {
            let id = Uuid::now_v7();
            let fields = event.to_fields();
            self.records.push(LocalRecord {
                record_type: RecordType::ReferralEvent,
                id,
                facility_id: by,
                server: seq.map(|_| fields.clone()),
                fields,
                updated_at: at(0),
                seq,
            });
            id
        }

        /// The status the server keeps on the referral after an accepted step.
        fn status(&mut self, status: Status) {
            let record = &mut self.records[0];
            let mut referral = Referral::from_fields(&record.fields).unwrap();
            referral.status = status;
            record.fields = referral.to_fields();
            record.server = Some(record.fields.clone());
        }

        fn kinds(&self, me: Uuid, seen: &BTreeSet<String>) -> Vec<NoticeKind> {
            notices(&items(&self.records, Some(me)), Some(me), seen)
                .into_iter()
                .map(|n| n.kind)
                .collect()
        }
    }

    #[test]
    fn the_timeline_follows_the_servers_order_not_the_devices_clocks() {
        let mut net = Network::new();
        let (school, station) = (net.school, net.station);
        // The school's clock runs an hour behind: its cancel says 01:30, the accept 02:00, but
        // the server took the accept first. A step not yet answered comes last.
        let accept = net.event(station, Action::Accept, 60, Some(5));
        let cancel = net.event(school, Action::Cancel, 30, Some(6));
        let pending = net.event(school, Action::Cancel, -600, None);
        let shown = items(&net.records, Some(school));
        let order: Vec<Uuid> = shown[0].events.iter().map(|e| e.id).collect();
        assert_eq!(order, vec![accept, cancel, pending]);
    }

    #[test]
    fn each_side_is_told_what_the_other_did_that_changes_its_work() {
        let mut net = Network::new();
        let (school, station) = (net.school, net.station);
        let none = BTreeSet::new();
        // A new referral for the station, nothing yet for the school.
        assert_eq!(net.kinds(station, &none), vec![NoticeKind::New]);
        assert!(net.kinds(school, &none).is_empty());

        net.event(station, Action::Receive, 10, Some(2));
        net.event(station, Action::Accept, 20, Some(3));
        net.status(Status::Accepted);
        // The school's cancel after the station's accept reaches the station; the accept (an
        // appointment the family must hear of) reaches the school. Nobody hears of their own.
        net.event(school, Action::Cancel, 30, Some(4));
        net.status(Status::Cancelled);
        assert_eq!(
            net.kinds(school, &none),
            vec![NoticeKind::Accepted],
            "the receive step asks nothing of the school"
        );
        assert_eq!(net.kinds(station, &none), vec![NoticeKind::Cancelled]);

        // A no-show and the feedback reach the sender; a refusal of the station's own late step
        // reaches the station.
        net.event(station, Action::NoShow, 40, Some(5));
        net.event(station, Action::Complete, 50, Some(6));
        let mut late = ReferralEvent {
            referral_id: net.referral,
            action: Action::Attend,
            at: at(60),
            by: "someone".into(),
            actor: None,
            reason: None,
            appointment: None,
            attended_on: None,
            feedback: None,
            refusal: Some(Refusal::NoLongerPossible {
                status: Status::Cancelled,
            }),
        };
        net.push(station, late.clone(), Some(7));
        assert_eq!(
            net.kinds(school, &none),
            vec![
                NoticeKind::Accepted,
                NoticeKind::NoShow,
                NoticeKind::Feedback
            ]
        );
        assert_eq!(
            net.kinds(station, &none),
            vec![NoticeKind::Cancelled, NoticeKind::Refused]
        );
        // The school is never told of the station's refused step.
        late.action = Action::Decline;
        net.push(station, late, Some(8));
        assert!(!net.kinds(school, &none).contains(&NoticeKind::Declined));

        // A pending step tells nobody yet; a notice marked seen is not shown again.
        net.event(station, Action::Decline, 70, None);
        assert!(!net.kinds(school, &none).contains(&NoticeKind::Declined));
        let seen: BTreeSet<String> =
            notices(&items(&net.records, Some(school)), Some(school), &none)
                .into_iter()
                .map(|n| n.key)
                .collect();
        assert!(net.kinds(school, &seen).is_empty());
    }
}
