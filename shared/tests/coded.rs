//! Every coded enum's code is its serde name, both ways, and unique; and every enum declared
//! with `coded!` is checked here (a new one that is not fails `every_coded_enum_is_checked`).

use std::collections::BTreeSet;
use std::path::Path;

use serde::de::DeserializeOwned;
use serde::Serialize;
use shared::coded::Coded;

fn check<T: Coded + Serialize + DeserializeOwned>() {
    let mut seen = BTreeSet::new();
    assert!(!T::all().is_empty());
    for &value in T::all() {
        let code = value.code();
        assert!(seen.insert(code), "{code} twice in {value:?}'s enum");
        assert_eq!(
            serde_json::to_value(value).unwrap(),
            serde_json::Value::String(code.to_string()),
            "{value:?} travels as its code"
        );
        let read: T = serde_json::from_value(serde_json::json!(code)).unwrap();
        assert_eq!(read, value);
        assert_eq!(T::from_code(code), Some(value));
    }
    assert_eq!(T::from_code("not-a-code"), None);
}

/// Checks each type and returns the names checked.
macro_rules! checked {
    ($($path:path),+ $(,)?) => {{
        $( check::<$path>(); )+
        [$(stringify!($path).rsplit("::").next().unwrap().trim().to_string()),+]
            .into_iter()
            .collect::<BTreeSet<String>>()
    }};
}

fn declared(dir: &Path, found: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            declared(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            for block in text.split("coded! {").skip(1) {
                let name = block
                    .split("enum ")
                    .nth(1)
                    .and_then(|rest| rest.split_whitespace().next())
                    .expect("a coded! block declares an enum");
                found.insert(name.to_string());
            }
        }
    }
}

#[test]
fn every_coded_enum_is_checked() {
    use shared::*;
    let checked = checked![
        activity::ActivityKind,
        activity::Trainee,
        care::CareKind,
        care::SessionKind,
        child::GuardianRelation,
        health_condition::ConditionKind,
        health_condition::ConditionSource,
        child::Sex,
        consent::Purpose,
        import::ImportKind,
        indicators::Indicator,
        indicators::Route,
        instrument::Informant,
        place::AreaLevel,
        place::FacilityType,
        referral::Action,
        referral::Service,
        referral::Status,
        referral::Urgency,
        role::Role,
        screening::SafetyStep,
        submission::UnitKind,
        sync::RecordType,
    ];
    let mut found = BTreeSet::new();
    declared(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut found,
    );
    assert_eq!(
        found, checked,
        "each enum declared with coded! is listed in this test"
    );
}
