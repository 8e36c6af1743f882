//! A child's records on the device: the child itself, its screenings, consents and other care
//! records, and the urgent flag that stands ([`urgent_flag`], [`flagged_children`]: the one
//! rule of `shared::urgent::standing`, read from the local records). Pure.

use std::collections::HashMap;

use chrono::NaiveDate;
use shared::care::AboutChild;
use shared::child::Child;
use shared::consent::{Consent, Purpose};
use shared::screening::Screening;
use shared::sync::RecordType;
use shared::urgent::{standing, Standing, UrgentFlag};
use uuid::Uuid;

use crate::store::LocalRecord;

/// The typed child behind a local record, if it is one.
pub fn child_of(record: &LocalRecord) -> Option<Child> {
    (record.record_type == RecordType::Child)
        .then(|| Child::from_fields(&record.fields))
        .flatten()
}

/// A child's screenings on this device, newest first (by screening date, then creation).
pub fn screenings_of(records: &[LocalRecord], child_id: Uuid) -> Vec<(Uuid, Screening)> {
    let mut found: Vec<(Uuid, Screening)> = records
        .iter()
        .filter(|r| r.record_type == RecordType::Screening)
        .filter_map(|r| Screening::from_fields(&r.fields).map(|s| (r.id, s)))
        .filter(|(_, s)| s.child_id == child_id)
        .collect();
    found.sort_by_key(|(id, s)| std::cmp::Reverse((s.screened_on, *id)));
    found
}

/// The records of one type about a child on this device: (record id, facility id, record).
pub fn about<T: AboutChild>(
    records: &[LocalRecord],
    record_type: RecordType,
    child_id: Uuid,
) -> Vec<(Uuid, Uuid, T)> {
    records
        .iter()
        .filter(|r| r.record_type == record_type)
        .filter_map(|r| T::from_fields(&r.fields).map(|x| (r.id, r.facility_id, x)))
        .filter(|(_, _, x)| x.child_id() == child_id)
        .collect()
}

/// A child's consents on this device, newest first.
pub fn consents_of(records: &[LocalRecord], child_id: Uuid) -> Vec<(Uuid, Uuid, Consent)> {
    let mut found: Vec<(Uuid, Uuid, Consent)> = about(records, RecordType::Consent, child_id);
    found.sort_by_key(|(id, _, c)| std::cmp::Reverse((c.given_on, *id)));
    found
}

/// Whether some consent covers screening this child on this date.
pub fn may_screen(records: &[LocalRecord], child: &Child, child_id: Uuid, on: NaiveDate) -> bool {
    consents_of(records, child_id)
        .iter()
        .any(|(_, _, c)| c.covers(Purpose::Screening, on, child.date_of_birth))
}

/// The child's urgent flags on this device, with their record ids.
pub fn flags_of(records: &[LocalRecord], child_id: Uuid) -> Vec<(Uuid, UrgentFlag)> {
    let mut found: Vec<(Uuid, UrgentFlag)> = records
        .iter()
        .filter(|r| r.record_type == RecordType::UrgentFlag)
        .filter_map(|r| UrgentFlag::from_fields(&r.fields).map(|f| (r.id, f)))
        .filter(|(_, f)| f.child_id == child_id)
        .collect();
    found.sort_by_key(|(id, f)| std::cmp::Reverse((f.raised_at, *id)));
    found
}

/// The child's flag that stands now ([`shared::urgent::standing`]).
pub fn urgent_flag(records: &[LocalRecord], child_id: Uuid) -> Option<Standing> {
    standing(
        &flags_of(records, child_id),
        &screenings_of(records, child_id),
    )
}

/// Every child with a standing flag, in one pass over the records: the registry list, home and
/// the navigation mark them.
pub fn flagged_children(records: &[LocalRecord]) -> HashMap<Uuid, Standing> {
    type Both = (Vec<(Uuid, UrgentFlag)>, Vec<(Uuid, Screening)>);
    let mut by_child: HashMap<Uuid, Both> = Default::default();
    for record in records {
        match record.record_type {
            RecordType::UrgentFlag => {
                if let Some(flag) = UrgentFlag::from_fields(&record.fields) {
                    by_child
                        .entry(flag.child_id)
                        .or_default()
                        .0
                        .push((record.id, flag));
                }
            }
            RecordType::Screening => {
                // Only a flagged screening, or one a flag may name, matters here.
                if let Some(s) = Screening::from_fields(&record.fields) {
                    by_child
                        .entry(s.child_id)
                        .or_default()
                        .1
                        .push((record.id, s));
                }
            }
            _ => {}
        }
    }
    by_child
        .into_iter()
        .filter_map(|(child, (flags, screenings))| {
            standing(&flags, &screenings).map(|found| (child, found))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Duration, Utc};
    use shared::instrument::{find, score, Answers, FlagLevel, Informant};
    use shared::screening::{SafetyAction, SafetyStep};
    use shared::sync::Fields;

    use super::*;

    fn record(record_type: RecordType, id: Uuid, fields: Fields) -> LocalRecord {
        LocalRecord {
            record_type,
            id,
            facility_id: Uuid::nil(),
            server: None,
            fields,
            updated_at: Utc::now(),
            seq: None,
        }
    }

    fn hours_ago(hours: i64) -> DateTime<Utc> {
        Utc::now() - Duration::hours(hours)
    }

    /// A PHQ-A screening whose item 9 answer (2) flags it, `days_ago`.
    fn flagged(child_id: Uuid, days_ago: i64) -> Screening {
        let phqa = find("phqa").expect("phqa ships");
        let mut answers = Answers::default();
        answers.values.insert("phqa_9".into(), 2);
        Screening {
            child_id,
            instrument_id: "phqa".into(),
            instrument_version: phqa.version.clone(),
            informant: Informant::Child,
            screened_on: shared::lang::vietnam_day(Utc::now()) - Duration::days(days_ago),
            result: score(phqa, &answers),
            answers,
            outside_age_reason: None,
            consent_override: None,
            safety_action: None,
            voided_reason: None,
        }
    }

    struct File {
        records: Vec<LocalRecord>,
    }

    impl File {
        fn flag(&mut self, flag: &UrgentFlag) -> Uuid {
            let id = Uuid::now_v7();
            let fields = flag.to_fields();
            self.records
                .push(record(RecordType::UrgentFlag, id, fields));
            id
        }

        fn screening(&mut self, screening: &Screening) -> Uuid {
            let id = Uuid::now_v7();
            let fields = screening.to_fields();
            self.records.push(record(RecordType::Screening, id, fields));
            id
        }

        /// `urgent_flag` for one child and `flagged_children` over all must agree.
        fn standing(&self, child: Uuid) -> Option<Standing> {
            let one = urgent_flag(&self.records, child);
            assert_eq!(flagged_children(&self.records).get(&child).copied(), one);
            one
        }
    }

    #[test]
    fn a_flag_stands_from_the_critical_answer_before_the_screening_is_finished() {
        let (child, other) = (Uuid::now_v7(), Uuid::now_v7());
        let mut file = File { records: vec![] };
        assert_eq!(file.standing(child), None);
        let flag = UrgentFlag::raise(child, "phqa", FlagLevel::NonAcute, hours_ago(1));
        let id = file.flag(&flag);
        let stands = file.standing(child).expect("the raised flag stands");
        assert_eq!(stands.flag_id, Some(id));
        assert!(stands.awaiting_action);
        assert_eq!(stands.screening_id, None);
        assert_eq!(file.standing(other), None, "another child is not flagged");
        // A record that no longer reads as its type is passed over, not a panic.
        let mut broken = Fields::new();
        broken.insert("child_id".into(), serde_json::json!(child));
        file.records
            .push(record(RecordType::UrgentFlag, Uuid::now_v7(), broken));
        assert_eq!(file.standing(child).map(|s| s.flag_id), Some(Some(id)));
    }

    #[test]
    fn the_most_urgent_open_flag_stands_and_an_ended_one_never_does() {
        let child = Uuid::now_v7();
        let mut file = File { records: vec![] };
        let mut acted = UrgentFlag::raise(child, "phqa", FlagLevel::Acute, hours_ago(3));
        acted.action = Some(SafetyAction {
            steps: vec![SafetyStep::StayedWithChild],
            note: "Đã gọi cho mẹ".into(),
        });
        let acted_id = file.flag(&acted);
        let waiting = UrgentFlag::raise(child, "phqa", FlagLevel::NonAcute, hours_ago(1));
        file.flag(&waiting);
        // Acute before non-acute, even when the acute one has its action already.
        let stands = file.standing(child).unwrap();
        assert_eq!(stands.flag_id, Some(acted_id));
        assert!(!stands.awaiting_action);

        // Ending the acute flag (a later version of the same record) leaves the other.
        let mut ended = acted.clone();
        ended.ended = Some(shared::urgent::Ending {
            how: shared::urgent::FlagEnd::SafetyPlan,
            note: "Kế hoạch an toàn".into(),
            referral_id: None,
        });
        file.records
            .iter_mut()
            .find(|r| r.id == acted_id)
            .unwrap()
            .fields = ended.to_fields();
        let stands = file.standing(child).unwrap();
        assert_eq!(stands.level, FlagLevel::NonAcute);
        assert!(stands.awaiting_action);
    }

    #[test]
    fn a_flagged_screening_stands_until_a_flag_names_it_or_it_is_voided() {
        let child = Uuid::now_v7();
        let mut file = File { records: vec![] };
        // Stored before flags were records: the screening alone stands.
        let screening = flagged(child, 2);
        let screening_id = file.screening(&screening);
        let stands = file.standing(child).expect("a flagged screening stands");
        assert_eq!(
            (stands.flag_id, stands.screening_id),
            (None, Some(screening_id))
        );

        // A flag that names it and was ended takes it down with it.
        let mut flag = UrgentFlag::raise(child, "phqa", FlagLevel::NonAcute, hours_ago(48));
        flag.screening_id = Some(screening_id);
        flag.ended = Some(shared::urgent::Ending {
            how: shared::urgent::FlagEnd::SafetyPlan,
            note: "Kế hoạch an toàn".into(),
            referral_id: None,
        });
        file.flag(&flag);
        assert_eq!(file.standing(child), None);

        // A newer flagged screening that was voided stands for nothing.
        let mut voided = flagged(child, 0);
        voided.voided_reason = Some("Nhập nhầm trẻ".into());
        let voided_id = file.screening(&voided);
        let mut open = UrgentFlag::raise(child, "phqa", FlagLevel::Acute, hours_ago(0));
        open.screening_id = Some(voided_id);
        file.flag(&open);
        assert_eq!(file.standing(child), None);
        assert!(
            screenings_of(&file.records, child)[0].0 == voided_id,
            "newest first"
        );
    }
}
