use chrono::{Duration, Utc};

use super::*;
use crate::instrument::{find, score, Answers, Informant};
use crate::screening::{SafetyStep, Screening};

fn born() -> NaiveDate {
    crate::lang::vietnam_day(Utc::now()) - Duration::days(14 * 365)
}

fn raised() -> UrgentFlag {
    UrgentFlag::raise(
        Uuid::now_v7(),
        "phqa",
        FlagLevel::NonAcute,
        Utc::now() - Duration::minutes(5),
    )
}

fn action() -> SafetyAction {
    SafetyAction {
        steps: vec![SafetyStep::StayedWithChild, SafetyStep::StayedWithChild],
        note: "  Đã gọi   cho mẹ ".into(),
    }
}

fn flagged_screening(child_id: Uuid, days_ago: i64) -> Screening {
    let phqa = find("phqa").unwrap();
    let mut answers = Answers::default();
    answers.values.insert("phqa_9".into(), 2);
    Screening {
        child_id,
        instrument_id: "phqa".into(),
        instrument_version: phqa.version.clone(),
        informant: Informant::Child,
        screened_on: crate::lang::vietnam_day(Utc::now()) - Duration::days(days_ago),
        result: score(phqa, &answers),
        answers,
        outside_age_reason: None,
        consent_override: None,
        safety_action: None,
        voided_reason: None,
    }
}

#[test]
fn a_new_flag_is_checked_against_the_clock_and_the_catalogue() {
    let now = Utc::now();
    assert!(raised().check(None, born(), now).is_ok());
    let mut later = raised();
    later.raised_at = now + Duration::minutes(1);
    let errors = later.check(None, born(), now).unwrap_err();
    assert_eq!(errors.get("raised_at"), Some(&Problem::DateOutOfRange));
    let mut unknown = raised();
    unknown.instrument_id = "nope".into();
    let errors = unknown.check(None, born(), now).unwrap_err();
    assert_eq!(
        errors.get("instrument_id"),
        Some(&Problem::UnknownReference)
    );
}

#[test]
fn each_step_is_set_once_and_cleaned() {
    let now = Utc::now();
    let stored = raised();
    let mut acted = stored.clone();
    acted.action = Some(action());
    let checked = acted.check(Some(&stored), born(), now).unwrap();
    let kept = checked.action.clone().unwrap();
    assert_eq!(kept.steps, vec![SafetyStep::StayedWithChild]);
    assert_eq!(kept.note, "Đã gọi cho mẹ");
    assert_eq!(checked.state(), FlagState::Acted);

    // The action stored is not rewritten, nor the level lowered.
    let mut rewritten = checked.clone();
    rewritten.action.as_mut().unwrap().note = "Khác".into();
    rewritten.level = FlagLevel::Acute;
    let errors = rewritten.check(Some(&checked), born(), now).unwrap_err();
    assert_eq!(errors.get("action"), Some(&Problem::Immutable));
    assert_eq!(errors.get("level"), Some(&Problem::Immutable));
}

#[test]
fn an_ending_needs_the_action_a_note_and_for_a_referral_its_id() {
    let now = Utc::now();
    let stored = raised();
    let mut ended = stored.clone();
    ended.ended = Some(Ending {
        how: FlagEnd::ReferralCompleted,
        note: " ".into(),
        referral_id: None,
    });
    let errors = ended.check(Some(&stored), born(), now).unwrap_err();
    assert_eq!(errors.get("action"), Some(&Problem::SafetyActionRequired));
    assert_eq!(errors.get("ended.note"), Some(&Problem::Required));
    assert_eq!(errors.get("ended.referral_id"), Some(&Problem::Required));

    ended.action = Some(action());
    ended.ended = Some(Ending {
        how: FlagEnd::SafetyPlan,
        note: "Kế hoạch an toàn cùng mẹ".into(),
        referral_id: None,
    });
    let checked = ended.check(Some(&stored), born(), now).unwrap();
    assert_eq!(checked.state(), FlagState::Ended);
    assert!(!checked.is_open());
}

#[test]
fn the_standing_flag_prefers_the_urgent_and_the_unacted_and_forgets_voided_screenings() {
    let child = Uuid::now_v7();
    let old_id = Uuid::now_v7();
    let legacy = flagged_screening(child, 30);
    // A flagged screening from before flags were records stands on its own.
    let found = standing(&[], &[(old_id, legacy.clone())]).unwrap();
    assert_eq!(
        (found.flag_id, found.screening_id, found.awaiting_action),
        (None, Some(old_id), true)
    );

    // A flag that names it takes over; once ended, neither stands.
    let flag_id = Uuid::now_v7();
    let mut flag = raised();
    flag.child_id = child;
    flag.screening_id = Some(old_id);
    let flags = vec![(flag_id, flag.clone())];
    let found = standing(&flags, &[(old_id, legacy.clone())]).unwrap();
    assert_eq!(found.flag_id, Some(flag_id));
    let mut ended = flag.clone();
    ended.action = Some(action());
    ended.ended = Some(Ending {
        how: FlagEnd::SafetyPlan,
        note: "Kế hoạch".into(),
        referral_id: None,
    });
    assert_eq!(
        standing(&[(flag_id, ended)], &[(old_id, legacy.clone())]),
        None
    );

    // Voiding the screening a flag came from takes the flag down with it.
    let mut voided = legacy.clone();
    voided.voided_reason = Some("Nhầm học sinh".into());
    assert_eq!(standing(&flags, &[(old_id, voided)]), None);

    // An acute flag outranks a non-acute one; an unacted one outranks an acted one.
    let mut acute = raised();
    acute.level = FlagLevel::Acute;
    acute.action = Some(action());
    let acute_id = Uuid::now_v7();
    let unacted_id = Uuid::now_v7();
    let mut acted = raised();
    acted.action = Some(action());
    let both = vec![(unacted_id, raised()), (acute_id, acute)];
    assert_eq!(standing(&both, &[]).unwrap().flag_id, Some(acute_id));
    let two = vec![(Uuid::now_v7(), acted), (unacted_id, raised())];
    assert_eq!(standing(&two, &[]).unwrap().flag_id, Some(unacted_id));
}
