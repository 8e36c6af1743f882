//! The referral packet's minimum necessary, the records' own rules, and the status a device shows
//! with its own events still on the way. (The state machine's tables are in `referral::machine`.)

use chrono::{NaiveDate, TimeZone, Utc};
use shared::child::{Child, GuardianRelation, Sex};
use shared::consent::{Consent, ConsentMethod, Purpose};
use shared::instrument::{find, score, Answers};
use shared::referral::{
    shown_status, Action, Feedback, Packet, Referral, ReferralEvent, Side, Status, Urgency,
};
use shared::screening::Screening;
use uuid::Uuid;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn child() -> Child {
    Child {
        full_name: "Lý Văn Tài".into(),
        date_of_birth: day(2012, 3, 7),
        sex: Sex::Male,
        ethnicity: "nung".into(),
        commune_id: Uuid::nil(),
        school_class: Some("8A".into()),
        guardian_name: "Lý Thị Hoa".into(),
        guardian_relation: GuardianRelation::Mother,
        guardian_phone: Some("0912345678".into()),
        personal_id: Some("020212000123".into()),
        voided_reason: None,
        registered_on: None,
        registered_elsewhere: false,
        pupil_code: None,
        former_address: None,
    }
}

fn screening(instrument: &str, values: &[(&str, i32)]) -> Screening {
    let mut answers = Answers::default();
    for (item, value) in values {
        answers.values.insert(item.to_string(), *value);
    }
    let definition = find(instrument).unwrap();
    Screening {
        child_id: Uuid::nil(),
        instrument_id: instrument.into(),
        instrument_version: definition.version.clone(),
        informant: shared::instrument::Informant::Child,
        screened_on: day(2026, 11, 1),
        result: score(definition, &answers),
        answers,
        outside_age_reason: None,
        consent_override: None,
        safety_action: None,
        voided_reason: None,
    }
}

fn consent(purposes: Vec<Purpose>, withdrawn_on: Option<NaiveDate>) -> Consent {
    Consent {
        child_id: Uuid::nil(),
        guardian_name: "Lý Thị Hoa".into(),
        guardian_relation: GuardianRelation::Mother,
        child_agreed: true,
        given_on: day(2026, 9, 5),
        purposes,
        method: ConsentMethod::SignedForm,
        witness: None,
        withdrawn_on,
    }
}

#[test]
fn sensitive_items_are_those_the_flags_read_and_their_follow_ups() {
    let phqa = find("phqa").unwrap().sensitive_items();
    assert_eq!(
        phqa,
        ["phqa_9", "phqa_past_month_thoughts", "phqa_ever_attempt"]
    );
    let asq = find("asq").unwrap().sensitive_items();
    assert_eq!(
        asq.len(),
        7,
        "every ASQ question and its follow-ups: {asq:?}"
    );
    assert!(find("gad7").unwrap().sensitive_items().is_empty());
}

#[test]
fn the_packet_carries_the_minimum_and_sensitive_answers_apart() {
    let items: Vec<(String, i32)> = (1..=9)
        .map(|i| (format!("phqa_{i}"), i32::from(i % 2 == 1)))
        .collect();
    let items: Vec<(&str, i32)> = items.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    let phq = screening("phqa", &items);
    let id = Uuid::now_v7();
    let consents = [
        consent(vec![Purpose::Screening, Purpose::ShareHealth], None),
        consent(vec![Purpose::ShareSocial], Some(day(2026, 10, 1))),
    ];
    let packet = Packet::build(&child(), &[(id, phq)], &consents, day(2026, 11, 2));
    let json = serde_json::to_string(&packet).unwrap();
    assert!(!json.contains("020212000123"), "no personal id");
    assert!(!json.contains("8A"), "no class");
    assert!(!json.contains("phqa_1\""), "no ordinary item answers");
    assert_eq!(packet.child.guardian_phone.as_deref(), Some("0912345678"));
    assert_eq!(packet.screenings.len(), 1);
    assert_eq!(packet.screenings[0].scores["total"].value, 5);
    assert_eq!(packet.screenings[0].flags[0].id, "suicide_risk");
    assert_eq!(
        packet.consented,
        [Purpose::ShareHealth],
        "the withdrawn one does not count"
    );
    assert_eq!(packet.sensitive.len(), 1);
    assert_eq!(packet.sensitive[0].item_id, "phqa_9");
    assert_eq!(packet.sensitive[0].value, Some(1));
}

fn referral(packet: Packet) -> Referral {
    Referral {
        child_id: Uuid::nil(),
        to_facility: Uuid::now_v7(),
        urgency: Urgency::Urgent,
        reason: "  PHQ-A   dương tính ".into(),
        done_already: Some(" ".into()),
        screening_ids: vec![],
        emergency_reason: None,
        onward_from: None,
        sent_at: Utc.with_ymd_and_hms(2026, 11, 2, 1, 0, 0).unwrap(),
        sent_by: "Hoàng Thị Mai".into(),
        actor: None,
        packet,
        status: Status::Completed,
        status_at: None,
        signature: Some("forged".into()),
    }
}

#[test]
fn a_new_referral_needs_a_target_a_reason_and_consent_or_an_emergency() {
    use shared::place::FacilityType::*;
    let consents = [consent(vec![Purpose::ShareHealth], None)];
    let packet = Packet::build(&child(), &[], &consents, day(2026, 11, 2));
    let sender = Uuid::now_v7();
    let sent = referral(packet.clone())
        .check_new(sender, Some(CommuneHealthStation))
        .unwrap();
    assert_eq!(sent.reason, "PHQ-A dương tính");
    assert_eq!(sent.done_already, None);
    assert_eq!(sent.status, Status::Sent, "a device cannot set the status");
    assert_eq!(sent.signature, None, "nor the signature");

    let errors = referral(packet.clone())
        .check_new(sender, Some(SocialAssistanceFacility))
        .unwrap_err();
    assert!(
        errors.0.contains_key("emergency_reason"),
        "no consent to share socially"
    );
    let mut emergency = referral(packet.clone());
    emergency.emergency_reason = Some("Nguy cơ bạo hành".into());
    assert!(emergency
        .check_new(sender, Some(SocialAssistanceFacility))
        .is_ok());

    for target in [None, Some(Hotline111), Some(PrimarySchool)] {
        let errors = referral(packet.clone())
            .check_new(sender, target)
            .unwrap_err();
        assert!(errors.0.contains_key("to_facility"), "{target:?}");
    }
    let mut to_self = referral(packet.clone());
    to_self.to_facility = sender;
    assert!(to_self.check_new(sender, Some(GeneralHospital)).is_err());
    let mut blank = referral(packet);
    blank.reason = " ".into();
    assert!(blank
        .check_new(sender, Some(GeneralHospital))
        .unwrap_err()
        .0
        .contains_key("reason"));
}

fn event(action: Action) -> ReferralEvent {
    ReferralEvent {
        referral_id: Uuid::nil(),
        action,
        at: Utc.with_ymd_and_hms(2026, 11, 3, 1, 0, 0).unwrap(),
        by: "Lường Văn Sơn".into(),
        actor: None,
        reason: None,
        appointment: None,
        attended_on: None,
        feedback: None,
        refusal: None,
    }
}

#[test]
fn events_carry_what_their_action_needs() {
    let sent = day(2026, 11, 2);
    let today = day(2026, 11, 5);
    assert!(event(Action::Decline)
        .check(sent, today)
        .unwrap_err()
        .0
        .contains_key("reason"));
    assert!(event(Action::Attend)
        .check(sent, today)
        .unwrap_err()
        .0
        .contains_key("attended_on"));
    let mut attend = event(Action::Attend);
    attend.attended_on = Some(day(2026, 11, 6));
    assert!(attend.check(sent, today).is_err(), "not in the future");
    attend.attended_on = Some(day(2026, 11, 4));
    assert!(attend.check(sent, today).is_ok());
    assert!(event(Action::Complete)
        .check(sent, today)
        .unwrap_err()
        .0
        .contains_key("found"));
    let mut complete = event(Action::Complete);
    complete.feedback = Some(Feedback {
        found: " Lo âu  mức độ nhẹ ".into(),
        services: vec![],
        for_school: None,
        for_family: None,
        note: None,
        follow_up_on: None,
    });
    complete.appointment = Some(day(2026, 11, 9).and_hms_opt(8, 0, 0).unwrap());
    let clean = complete.check(sent, today).unwrap();
    assert_eq!(clean.feedback.unwrap().found, "Lo âu mức độ nhẹ");
    assert_eq!(
        clean.appointment, None,
        "only an acceptance has an appointment"
    );
}

#[test]
fn a_device_shows_its_own_events_on_top_of_the_servers_status() {
    let mut accept = event(Action::Accept);
    accept.at = Utc.with_ymd_and_hms(2026, 11, 3, 1, 0, 0).unwrap();
    let mut attend = event(Action::Attend);
    attend.at = Utc.with_ymd_and_hms(2026, 11, 4, 1, 0, 0).unwrap();
    let pending = [(&attend, Side::Receiver), (&accept, Side::Receiver)];
    assert_eq!(shown_status(Status::Sent, pending), Status::Attended);
    // The sender cancelled meanwhile: the device's own events no longer move it.
    assert_eq!(shown_status(Status::Cancelled, pending), Status::Cancelled);
}
