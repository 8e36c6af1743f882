//! The child, the places and consents as FHIR R4 resources: `Patient`, `Organization`,
//! `Location` and `Consent`. Pure: typed records and the directory in, JSON out.

use serde_json::{json, Map, Value};
use shared::child::{Child, GuardianRelation, Sex};
use shared::consent::Consent;
use shared::lang::Lang;
use shared::place::FacilityType;
use uuid::Uuid;

use super::systems;
use crate::exchange::places::{Area, Facility, Places};

/// A reference to another resource of the exchange.
pub fn reference(resource_type: &str, id: impl std::fmt::Display) -> Value {
    json!({ "reference": format!("{resource_type}/{id}") })
}

/// Puts `value` under `key` unless it is empty (FHIR forbids empty strings, arrays and objects).
pub fn put(object: &mut Map<String, Value>, key: &str, value: Value) {
    let empty = match &value {
        Value::Null => true,
        Value::String(text) => text.trim().is_empty(),
        Value::Array(items) => items.is_empty(),
        Value::Object(fields) => fields.is_empty(),
        _ => false,
    };
    if !empty {
        object.insert(key.to_string(), value);
    }
}

/// A Vietnamese name is written family name first: "Nguyễn Văn An" → family "Nguyễn", given
/// "Văn", "An".
fn human_name(full_name: &str) -> Value {
    let mut words = full_name.split_whitespace();
    let mut name = Map::new();
    name.insert("use".into(), json!("official"));
    name.insert("text".into(), json!(full_name));
    if let Some(family) = words.next() {
        name.insert("family".into(), json!(family));
    }
    put(&mut name, "given", json!(words.collect::<Vec<_>>()));
    Value::Object(name)
}

fn address(places: &Places, area: Uuid, text: Option<&str>) -> Value {
    let (commune, province) = places.commune_and_province(area);
    let mut address = Map::new();
    let line: Vec<&str> = [
        text,
        commune.map(|c| c.name.as_str()),
        province.map(|p| p.name.as_str()),
    ]
    .into_iter()
    .flatten()
    .collect();
    put(&mut address, "text", json!(line.join(", ")));
    if let Some(commune) = commune {
        address.insert("city".into(), json!(commune.name));
    }
    if let Some(province) = province {
        address.insert("state".into(), json!(province.name));
    }
    address.insert("country".into(), json!("VN"));
    Value::Object(address)
}

/// The guardian's relation as an HL7 role code where one fits, always with its Vietnamese text.
fn relationship(relation: GuardianRelation) -> Value {
    let code = match relation {
        GuardianRelation::Mother => Some("MTH"),
        GuardianRelation::Father => Some("FTH"),
        GuardianRelation::Grandparent => Some("GRPRN"),
        GuardianRelation::Sibling => Some("SIB"),
        GuardianRelation::OtherRelative => Some("FAMMEMB"),
        GuardianRelation::LegalGuardian => Some("GUARD"),
        GuardianRelation::Other => None,
    };
    let mut concept = Map::new();
    if let Some(code) = code {
        concept.insert(
            "coding".into(),
            json!([{ "system": systems::ROLE_CODE, "code": code }]),
        );
    }
    concept.insert("text".into(), json!(relation.label(Lang::Vi)));
    Value::Object(concept)
}

pub fn patient(id: Uuid, facility: Uuid, child: &Child, places: &Places, updated: &str) -> Value {
    let mut patient = Map::new();
    patient.insert("resourceType".into(), json!("Patient"));
    patient.insert("id".into(), json!(id));
    patient.insert("meta".into(), json!({ "lastUpdated": updated }));
    let mut identifiers = Vec::new();
    if let Some(personal_id) = &child.personal_id {
        identifiers.push(
            json!({ "use": "official", "system": systems::PERSONAL_ID, "value": personal_id }),
        );
    }
    if let Some(code) = &child.pupil_code {
        identifiers
            .push(json!({ "use": "secondary", "system": systems::PUPIL_CODE, "value": code }));
    }
    put(&mut patient, "identifier", json!(identifiers));
    patient.insert("active".into(), json!(!child.is_voided()));
    patient.insert("name".into(), json!([human_name(&child.full_name)]));
    let gender = match child.sex {
        Sex::Male => "male",
        Sex::Female => "female",
    };
    patient.insert("gender".into(), json!(gender));
    patient.insert("birthDate".into(), json!(child.date_of_birth.to_string()));
    let mut home = address_fields(places, child.commune_id);
    home.insert("use".into(), json!("home"));
    patient.insert("address".into(), json!([home]));
    let mut contact = Map::new();
    contact.insert(
        "relationship".into(),
        json!([relationship(child.guardian_relation)]),
    );
    contact.insert("name".into(), json!({ "text": child.guardian_name }));
    if let Some(phone) = &child.guardian_phone {
        contact.insert(
            "telecom".into(),
            json!([{ "system": "phone", "value": phone }]),
        );
    }
    patient.insert("contact".into(), json!([contact]));
    patient.insert(
        "managingOrganization".into(),
        reference("Organization", facility),
    );
    Value::Object(patient)
}

/// [`address`] as an object's fields, to add `use` beside them.
fn address_fields(places: &Places, area: Uuid) -> Map<String, Value> {
    match address(places, area, None) {
        Value::Object(fields) => fields,
        _ => Map::new(),
    }
}

pub fn organization(facility: &Facility, places: &Places) -> Value {
    let mut organization = Map::new();
    organization.insert("resourceType".into(), json!("Organization"));
    organization.insert("id".into(), json!(facility.id));
    if let Some(code) = &facility.code {
        put(
            &mut organization,
            "identifier",
            json!([{ "use": "official", "system": systems::FACILITY_CODE, "value": code }]),
        );
    }
    organization.insert("active".into(), json!(facility.active));
    let label = FacilityType::from_code(&facility.facility_type)
        .map(|t| t.label(Lang::Vi))
        .unwrap_or(&facility.facility_type);
    organization.insert(
        "type".into(),
        json!([{ "coding": [{ "system": systems::FACILITY_TYPE, "code": facility.facility_type, "display": label }], "text": label }]),
    );
    organization.insert("name".into(), json!(facility.name));
    if let Some(phone) = &facility.phone {
        put(
            &mut organization,
            "telecom",
            json!([{ "system": "phone", "value": phone, "use": "work" }]),
        );
    }
    organization.insert(
        "address".into(),
        json!([address(places, facility.area, facility.address.as_deref())]),
    );
    Value::Object(organization)
}

/// A province or commune as a jurisdiction, with its official code.
pub fn location(area: &Area) -> Value {
    let mut location = Map::new();
    location.insert("resourceType".into(), json!("Location"));
    location.insert("id".into(), json!(area.id));
    location.insert(
        "identifier".into(),
        json!([{ "use": "official", "system": systems::AREA_CODE, "value": area.code }]),
    );
    location.insert(
        "status".into(),
        json!(if area.active { "active" } else { "inactive" }),
    );
    location.insert("name".into(), json!(area.name));
    location.insert("mode".into(), json!("instance"));
    location.insert(
        "physicalType".into(),
        json!({ "coding": [{ "system": systems::LOCATION_TYPE, "code": "jdn", "display": "Jurisdiction" }],
                "text": if area.level == "province" { "Tỉnh/thành phố" } else { "Xã/phường" } }),
    );
    if let Some(parent) = area.parent {
        location.insert("partOf".into(), reference("Location", parent));
    }
    Value::Object(location)
}

/// A consent to process the child's data: who gave it and how related, the child's own
/// agreement (as a verification by the child), the purposes and the period until withdrawal.
pub fn consent(id: Uuid, facility: Uuid, consent: &Consent, updated: &str) -> Value {
    let mut provision = Map::new();
    provision.insert("type".into(), json!("permit"));
    let mut period = Map::new();
    period.insert("start".into(), json!(consent.given_on.to_string()));
    if let Some(withdrawn) = consent.withdrawn_on {
        period.insert("end".into(), json!(withdrawn.to_string()));
    }
    provision.insert("period".into(), Value::Object(period));
    let purposes: Vec<Value> = consent
        .purposes
        .iter()
        .map(|p| json!({ "system": systems::CONSENT_PURPOSE, "code": p.code() }))
        .collect();
    put(&mut provision, "purpose", json!(purposes));
    json!({
        "resourceType": "Consent",
        "id": id,
        "meta": { "lastUpdated": updated },
        "status": if consent.withdrawn_on.is_some() { "inactive" } else { "active" },
        "scope": { "coding": [{ "system": systems::CONSENT_SCOPE, "code": "patient-privacy" }] },
        "category": [{ "coding": [{ "system": systems::LOINC, "code": "59284-0" }], "text": "Đồng ý xử lý dữ liệu cá nhân của trẻ em" }],
        "patient": reference("Patient", consent.child_id),
        "dateTime": consent.given_on.to_string(),
        "performer": [{ "display": format!("{} ({})", consent.guardian_name, consent.guardian_relation.label(Lang::Vi)) }],
        "organization": [reference("Organization", facility)],
        "policyRule": { "text": "Nghị định 13/2023/NĐ-CP; Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15" },
        "verification": [{
            "verified": consent.child_agreed,
            "verifiedWith": reference("Patient", consent.child_id),
            "verificationDate": consent.given_on.to_string(),
        }],
        "provision": Value::Object(provision),
    })
}
