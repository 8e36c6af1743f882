//! The identifier and code systems our FHIR resources state. Where an international system fits
//! (LOINC, HL7 terminology) it is used; the rest are ours, under `urn:tam-an:`, until the
//! Ministry of Health publishes naming systems for them (then only these constants change).

/// The 12-digit personal identification number (số định danh cá nhân, Law on Identification
/// 2023), which is also the citizen identity card number.
pub const PERSONAL_ID: &str = "urn:tam-an:sid:vn-personal-id";
/// A pupil's code in the education database (mã học sinh), from a class list.
pub const PUPIL_CODE: &str = "urn:tam-an:sid:vn-pupil-code";
/// A facility's code in its sector (school, health facility), as the directory holds it.
pub const FACILITY_CODE: &str = "urn:tam-an:sid:facility-code";
/// The official code of a province or commune (the administrative-unit list since 1 July 2025).
pub const AREA_CODE: &str = "urn:tam-an:sid:vn-administrative-unit";
/// Our record ids (UUIDv7), for a resource that keeps another's id.
pub const RECORD_ID: &str = "urn:ietf:rfc:3986";

pub const FACILITY_TYPE: &str = "urn:tam-an:cs:facility-type";
pub const CONSENT_PURPOSE: &str = "urn:tam-an:cs:consent-purpose";
pub const REFERRAL_STATUS: &str = "urn:tam-an:cs:referral-status";
pub const SERVICE: &str = "urn:tam-an:cs:referral-service";
pub const INSTRUMENT: &str = "urn:tam-an:cs:instrument";
/// A score of an instrument: `{instrument}.{score}` (`gad7.total`).
pub const SCORE: &str = "urn:tam-an:cs:instrument-score";
/// A result band of an instrument: `{instrument}.{band}`.
pub const BAND: &str = "urn:tam-an:cs:instrument-band";
/// A critical-answer flag: `{flag}` with the level as the value.
pub const FLAG: &str = "urn:tam-an:cs:safety-flag";
/// An instrument's answer values: `urn:tam-an:cs:answers:{instrument}:{option set}`.
pub fn answers(instrument: &str, option_set: &str) -> String {
    format!("urn:tam-an:cs:answers:{instrument}:{option_set}")
}
/// A questionnaire's canonical URL (its version travels apart, `url|version`).
pub fn questionnaire(instrument: &str) -> String {
    format!("urn:tam-an:Questionnaire:{instrument}")
}

pub const LOINC: &str = "http://loinc.org";
pub const ROLE_CODE: &str = "http://terminology.hl7.org/CodeSystem/v3-RoleCode";
pub const LOCATION_TYPE: &str = "http://terminology.hl7.org/CodeSystem/location-physical-type";
pub const CONSENT_SCOPE: &str = "http://terminology.hl7.org/CodeSystem/consentscope";
pub const OBSERVATION_CATEGORY: &str = "http://terminology.hl7.org/CodeSystem/observation-category";
pub const INTERPRETATION: &str =
    "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation";
pub const DATA_ABSENT: &str = "http://terminology.hl7.org/CodeSystem/data-absent-reason";
/// Security labels: `REDACTED` marks a response whose sensitive answers were left out.
pub const OBSERVATION_VALUE: &str = "http://terminology.hl7.org/CodeSystem/v3-ObservationValue";
