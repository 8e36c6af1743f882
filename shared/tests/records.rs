//! Properties of every record type's fields, on variations of its sample (fields dropped,
//! nulled, or given values of another kind): what reads as the type writes back to fields that
//! read as the same value, and a device's edit carried as a change (`diff`) and shown on top of
//! the record (`overlay`) is the edit itself.

use std::fmt::Debug;

use chrono::Utc;
use proptest::prelude::*;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use shared::sync::{diff, from_fields, overlay, to_fields, Fields, RecordType};
use uuid::Uuid;

mod samples;
use samples::{for_type, ForType};

/// How one field of a sample is varied.
#[derive(Debug, Clone)]
enum Vary {
    Keep,
    Drop,
    Null,
    Text(String),
    Number(i64),
    Flag(bool),
}

fn vary() -> impl Strategy<Value = Vary> {
    prop_oneof![
        16 => Just(Vary::Keep),
        1 => Just(Vary::Drop),
        1 => Just(Vary::Null),
        1 => "\\PC{0,12}".prop_map(Vary::Text),
        1 => any::<i64>().prop_map(Vary::Number),
        1 => any::<bool>().prop_map(Vary::Flag),
    ]
}

/// The sample of `record_type` with its fields varied by `how` (one entry per field, in order).
fn varied(record_type: RecordType, how: &[Vary]) -> Fields {
    let Value::Object(sample) = samples::record(record_type) else {
        panic!("a sample is an object")
    };
    let mut fields = Fields::new();
    for ((key, value), how) in sample.into_iter().zip(how.iter().cycle()) {
        let value = match how {
            Vary::Keep => value,
            Vary::Drop => continue,
            Vary::Null => Value::Null,
            Vary::Text(text) => Value::String(text.clone()),
            Vary::Number(n) => Value::from(*n),
            Vary::Flag(b) => Value::Bool(*b),
        };
        fields.insert(key, value);
    }
    fields
}

fn record_type() -> impl Strategy<Value = RecordType> {
    prop::sample::select(RecordType::ALL.to_vec())
}

/// Fields without the null ones (a null field reads as absent).
fn present(fields: &Fields) -> Fields {
    fields
        .iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// Typed → fields → typed is the identity, for whatever the fields read as.
struct RoundTrip(Fields);

impl ForType for RoundTrip {
    /// Whether the fields read as the type at all.
    type Out = bool;
    fn run<T: Serialize + DeserializeOwned + PartialEq + Debug>(self) -> bool {
        let Some(typed) = from_fields::<T>(&self.0) else {
            return false;
        };
        let written = to_fields(&typed);
        assert_eq!(from_fields::<T>(&written).as_ref(), Some(&typed));
        assert_eq!(to_fields(&from_fields::<T>(&written).unwrap()), written);
        true
    }
}

/// The fields as a device holds them: a record of the type, written by the type (`None` when the
/// fields do not read as it).
struct Held(Fields);

impl ForType for Held {
    type Out = Option<Fields>;
    fn run<T: Serialize + DeserializeOwned + PartialEq + Debug>(self) -> Option<Fields> {
        from_fields::<T>(&self.0).map(|typed| to_fields(&typed))
    }
}

/// The edit shown through `overlay` reads as the same record as the edit itself.
struct SameRecord(Fields, Fields);

impl ForType for SameRecord {
    type Out = ();
    fn run<T: Serialize + DeserializeOwned + PartialEq + Debug>(self) {
        assert_eq!(from_fields::<T>(&self.0), from_fields::<T>(&self.1));
    }
}

#[test]
fn every_sample_reads_as_its_type() {
    for record_type in RecordType::ALL {
        let fields = varied(record_type, &[Vary::Keep]);
        assert!(
            for_type(record_type, RoundTrip(fields)),
            "{record_type:?}'s sample does not read"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn fields_round_trip_through_the_type(
        record_type in record_type(),
        how in prop::collection::vec(vary(), 1..24),
    ) {
        for_type(record_type, RoundTrip(varied(record_type, &how)));
    }

    #[test]
    fn an_edit_overlaid_on_its_record_is_the_edit(
        record_type in record_type(),
        was in prop::collection::vec(vary(), 1..24),
        now in prop::collection::vec(vary(), 1..24),
    ) {
        // What a device holds was written by the type (never a null in place of a list); the
        // edit may be anything the page or a bug puts in the fields.
        let before = for_type(record_type, Held(varied(record_type, &was)))
            .unwrap_or_else(|| varied(record_type, &[Vary::Keep]));
        let after = varied(record_type, &now);
        let change = diff(record_type, Uuid::now_v7(), Uuid::now_v7(), Some(&before), &after, Utc::now());
        let shown = match &change {
            Some(change) => overlay(Some(&before), &[change]),
            None => before.clone(),
        };
        prop_assert_eq!(present(&shown), present(&after));
        for_type(record_type, SameRecord(shown, after.clone()));
        // Every base is what the device had before.
        if let Some(change) = change {
            for (field, base) in &change.base {
                prop_assert_eq!(before.get(field), Some(base));
            }
        }
    }
}

#[test]
fn the_variations_reach_records_that_read() {
    // The round trip proves something only if many variations still read as their type.
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let strategy = (record_type(), prop::collection::vec(vary(), 1..24));
    let mut read = 0;
    for _ in 0..1_000 {
        let (record_type, how) = strategy.new_tree(&mut runner).unwrap().current();
        if for_type(record_type, RoundTrip(varied(record_type, &how))) {
            read += 1;
        }
    }
    assert!(read >= 100, "only {read} of 1,000 variations read");
}
