//! Screening as FHIR R4: each instrument definition a `Questionnaire`, each screening a
//! `QuestionnaireResponse` and its result an `Observation` (score, band, positive, flags).
//! LOINC codes come from the instrument's definition where it has verified ones (GAD-7 panel,
//! total and items; PHQ-A panel and total); other instruments (ASQ, PSC-17, PPSC, the concern
//! note) are coded in our own systems.
//!
//! Answers to sensitive questions (self-harm) reach clinical roles only (`access`); a response
//! without them says so with the security label `REDACTED`.

use serde_json::{json, Map, Value};
use shared::instrument::{FlagLevel, Instrument};
use shared::screening::Screening;
use uuid::Uuid;

use super::people::{put, reference};
use super::systems;

/// The resource id of an instrument version's questionnaire (`gad7-1`).
pub fn questionnaire_id(instrument: &Instrument) -> String {
    format!("{}-{}", instrument.id, instrument.version)
}

fn loinc_code(instrument: &Instrument, item: &str) -> Option<Value> {
    let code = instrument.loinc.as_ref()?.items.get(item)?;
    Some(json!([{ "system": systems::LOINC, "code": code }]))
}

pub fn questionnaire(instrument: &Instrument) -> Value {
    let mut items = Vec::new();
    for item in &instrument.items {
        let mut out = Map::new();
        out.insert("linkId".into(), json!(item.id));
        if let Some(code) = loinc_code(instrument, &item.id) {
            out.insert("code".into(), code);
        }
        out.insert("text".into(), json!(item.text.vi));
        match instrument.options(item) {
            Some(set) => {
                out.insert("type".into(), json!("choice"));
                let options: Vec<Value> = set
                    .options
                    .iter()
                    .map(|choice| {
                        json!({ "valueCoding": {
                            "system": systems::answers(&instrument.id, &set.id),
                            "code": choice.value.to_string(),
                            "display": choice.label.vi,
                        }})
                    })
                    .collect();
                out.insert("answerOption".into(), json!(options));
            }
            None => {
                out.insert("type".into(), json!("text"));
            }
        }
        items.push(Value::Object(out));
    }
    let mut questionnaire = Map::new();
    questionnaire.insert("resourceType".into(), json!("Questionnaire"));
    questionnaire.insert("id".into(), json!(questionnaire_id(instrument)));
    questionnaire.insert("url".into(), json!(systems::questionnaire(&instrument.id)));
    questionnaire.insert("version".into(), json!(instrument.version));
    questionnaire.insert(
        "name".into(),
        json!(format!("TamAn_{}", instrument.id.replace('-', "_"))),
    );
    questionnaire.insert("title".into(), json!(instrument.name.vi));
    questionnaire.insert("status".into(), json!("active"));
    questionnaire.insert("subjectType".into(), json!(["Patient"]));
    questionnaire.insert("language".into(), json!("vi"));
    put(
        &mut questionnaire,
        "description",
        json!(format!(
            "{} {}",
            instrument.purpose.vi, instrument.instructions.vi
        )),
    );
    put(
        &mut questionnaire,
        "copyright",
        json!(format!(
            "{} {}",
            instrument.licence.en, instrument.attribution.en
        )),
    );
    if let Some(loinc) = &instrument.loinc {
        questionnaire.insert(
            "code".into(),
            json!([{ "system": systems::LOINC, "code": loinc.panel }]),
        );
    }
    questionnaire.insert("item".into(), json!(items));
    Value::Object(questionnaire)
}

/// A screening's answers. `sensitive` says whether the reader may receive the answers to
/// sensitive questions.
pub fn response(
    id: Uuid,
    screening: &Screening,
    instrument: &Instrument,
    sensitive: bool,
    updated: &str,
) -> Value {
    let hidden = instrument.sensitive_items();
    let mut redacted = false;
    let mut items = Vec::new();
    for item in &instrument.items {
        let value = screening.answers.values.get(&item.id);
        let text = screening.answers.texts.get(&item.id);
        if value.is_none() && text.is_none() {
            continue;
        }
        if !sensitive && hidden.contains(&item.id.as_str()) {
            redacted = true;
            continue;
        }
        let answer = match (value, instrument.options(item)) {
            (Some(value), Some(set)) => {
                let display = set
                    .options
                    .iter()
                    .find(|c| c.value == *value)
                    .map(|c| c.label.vi.clone());
                let mut coding = Map::new();
                coding.insert(
                    "system".into(),
                    json!(systems::answers(&instrument.id, &set.id)),
                );
                coding.insert("code".into(), json!(value.to_string()));
                if let Some(display) = display {
                    coding.insert("display".into(), json!(display));
                }
                json!({ "valueCoding": coding })
            }
            (Some(value), None) => json!({ "valueInteger": value }),
            (None, _) => json!({ "valueString": text }),
        };
        items.push(json!({ "linkId": item.id, "answer": [answer] }));
    }
    let mut response = Map::new();
    response.insert("resourceType".into(), json!("QuestionnaireResponse"));
    response.insert("id".into(), json!(id));
    let mut meta = Map::new();
    meta.insert("lastUpdated".into(), json!(updated));
    if redacted {
        meta.insert(
            "security".into(),
            json!([{ "system": systems::OBSERVATION_VALUE, "code": "REDACTED" }]),
        );
    }
    response.insert("meta".into(), Value::Object(meta));
    response.insert(
        "questionnaire".into(),
        json!(format!(
            "{}|{}",
            systems::questionnaire(&instrument.id),
            instrument.version
        )),
    );
    response.insert("status".into(), json!(status(screening)));
    response.insert("subject".into(), reference("Patient", screening.child_id));
    response.insert("authored".into(), json!(screening.screened_on.to_string()));
    put(&mut response, "item", json!(items));
    Value::Object(response)
}

fn status(screening: &Screening) -> &'static str {
    if screening.is_voided() {
        "entered-in-error"
    } else {
        "completed"
    }
}

fn score_code(instrument: &Instrument, score: &str) -> Value {
    let mut coding =
        vec![json!({ "system": systems::SCORE, "code": format!("{}.{score}", instrument.id) })];
    if let Some(code) = instrument.loinc.as_ref().and_then(|l| l.scores.get(score)) {
        coding.insert(0, json!({ "system": systems::LOINC, "code": code }));
    }
    json!({ "coding": coding })
}

/// The screening's result: the band score as the value (when the instrument has one), the band,
/// positive or negative, each score and each critical flag as components.
pub fn observation(
    id: Uuid,
    screening: &Screening,
    instrument: &Instrument,
    updated: &str,
) -> Value {
    let result = &screening.result;
    let mut observation = Map::new();
    observation.insert("resourceType".into(), json!("Observation"));
    observation.insert("id".into(), json!(id));
    observation.insert("meta".into(), json!({ "lastUpdated": updated }));
    observation.insert(
        "status".into(),
        json!(if screening.is_voided() {
            "entered-in-error"
        } else {
            "final"
        }),
    );
    observation.insert(
        "category".into(),
        json!([{ "coding": [{ "system": systems::OBSERVATION_CATEGORY, "code": "survey" }] }]),
    );
    let main = instrument.band_score.as_deref().unwrap_or("total");
    let mut code = score_code(instrument, main);
    if instrument.band_score.is_none() {
        code = json!({ "coding": [{ "system": systems::INSTRUMENT, "code": instrument.id }] });
    }
    code["text"] = json!(instrument.name.vi);
    observation.insert("code".into(), code);
    observation.insert("subject".into(), reference("Patient", screening.child_id));
    observation.insert(
        "effectiveDateTime".into(),
        json!(screening.screened_on.to_string()),
    );
    observation.insert(
        "derivedFrom".into(),
        json!([reference("QuestionnaireResponse", id)]),
    );
    match result.scores.get(main).filter(|_| result.valid) {
        Some(score) if instrument.band_score.is_some() => {
            observation.insert("valueInteger".into(), json!(score.value));
        }
        _ if !result.valid => {
            let reason = if screening.answers.declined {
                "asked-declined"
            } else {
                "not-performed"
            };
            observation.insert(
                "dataAbsentReason".into(),
                json!({ "coding": [{ "system": systems::DATA_ABSENT, "code": reason }] }),
            );
        }
        _ => {}
    }
    let mut interpretation = vec![json!({ "coding": [{
        "system": systems::INTERPRETATION,
        "code": if result.positive { "POS" } else { "NEG" },
    }] })];
    if let Some(band) = &result.band {
        let label = instrument
            .bands
            .iter()
            .find(|b| &b.id == band)
            .map(|b| b.label.vi.clone());
        let mut coding = Map::new();
        coding.insert("system".into(), json!(systems::BAND));
        coding.insert("code".into(), json!(format!("{}.{band}", instrument.id)));
        if let Some(label) = label {
            coding.insert("display".into(), json!(label));
        }
        interpretation.push(json!({ "coding": [coding] }));
    }
    observation.insert("interpretation".into(), json!(interpretation));
    let mut components = Vec::new();
    for (score, value) in &result.scores {
        components
            .push(json!({ "code": score_code(instrument, score), "valueInteger": value.value }));
    }
    for flag in &result.flags {
        let level = match flag.level {
            FlagLevel::Acute => "acute",
            FlagLevel::NonAcute => "non_acute",
        };
        components.push(json!({
            "code": { "coding": [{ "system": systems::FLAG, "code": flag.id }] },
            "valueCodeableConcept": { "coding": [{ "system": systems::FLAG, "code": level }] },
        }));
    }
    put(&mut observation, "component", json!(components));
    Value::Object(observation)
}
