//! The referral packet: the minimum another facility needs (domain.md §5), built from the sender's
//! records by the same function on the device and on the server.
//!
//! A receiving facility sees the child only through this packet: name, date of birth, sex, the
//! guardian's contact, a summary of the attached screenings (instrument, date, scores, band,
//! flags) and which sharing purposes the family consented to. Item-level answers to sensitive
//! questions (self-harm) travel in [`Packet::sensitive`], which the server strips for every role
//! that is not clinical.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::child::{Child, GuardianRelation, Sex};
use crate::consent::{Consent, Purpose};
use crate::instrument::{find_version, RaisedFlag, ScoreValue};
use crate::screening::Screening;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChildSummary {
    pub full_name: String,
    pub date_of_birth: NaiveDate,
    pub sex: Sex,
    pub guardian_name: String,
    pub guardian_relation: GuardianRelation,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guardian_phone: Option<String>,
}

/// One attached screening, without its answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScreeningSummary {
    pub screening_id: Uuid,
    pub instrument_id: String,
    pub instrument_version: String,
    pub screened_on: NaiveDate,
    pub valid: bool,
    pub scores: BTreeMap<String, ScoreValue>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub band: Option<String>,
    pub positive: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<RaisedFlag>,
}

/// One answer to a sensitive question (for clinical roles only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SensitiveAnswer {
    pub screening_id: Uuid,
    pub instrument_id: String,
    pub instrument_version: String,
    pub item_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Packet {
    pub child: ChildSummary,
    #[serde(default)]
    pub screenings: Vec<ScreeningSummary>,
    /// The sharing purposes a valid consent covered when the referral was made, so an onward
    /// referral can be checked by a facility that does not hold the consent records.
    #[serde(default)]
    pub consented: Vec<Purpose>,
    /// Clinical roles only; the server removes it for everyone else.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sensitive: Vec<SensitiveAnswer>,
}

impl Packet {
    /// The packet for `child` with the chosen screenings and the consents valid on `on`.
    pub fn build(
        child: &Child,
        screenings: &[(Uuid, Screening)],
        consents: &[Consent],
        on: NaiveDate,
    ) -> Packet {
        let mut packet = Packet {
            child: ChildSummary {
                full_name: child.full_name.clone(),
                date_of_birth: child.date_of_birth,
                sex: child.sex,
                guardian_name: child.guardian_name.clone(),
                guardian_relation: child.guardian_relation,
                guardian_phone: child.guardian_phone.clone(),
            },
            screenings: Vec::new(),
            consented: [Purpose::ShareHealth, Purpose::ShareSocial]
                .into_iter()
                .filter(|p| {
                    consents
                        .iter()
                        .any(|c| c.covers(*p, on, child.date_of_birth))
                })
                .collect(),
            sensitive: Vec::new(),
        };
        for (id, screening) in screenings {
            packet.add_screening(*id, screening);
        }
        packet
    }

    fn add_screening(&mut self, id: Uuid, screening: &Screening) {
        let result = &screening.result;
        self.screenings.push(ScreeningSummary {
            screening_id: id,
            instrument_id: screening.instrument_id.clone(),
            instrument_version: screening.instrument_version.clone(),
            screened_on: screening.screened_on,
            valid: result.valid,
            scores: result.scores.clone(),
            band: result.band.clone(),
            positive: result.positive,
            flags: result.flags.clone(),
        });
        let Some(instrument) =
            find_version(&screening.instrument_id, &screening.instrument_version)
        else {
            return;
        };
        for item in instrument.sensitive_items() {
            let value = screening.answers.values.get(item).copied();
            let text = screening.answers.texts.get(item).cloned();
            if value.is_some() || text.is_some() {
                self.sensitive.push(SensitiveAnswer {
                    screening_id: id,
                    instrument_id: screening.instrument_id.clone(),
                    instrument_version: screening.instrument_version.clone(),
                    item_id: item.to_string(),
                    value,
                    text,
                });
            }
        }
    }

    /// Whether the family's consent covers sharing with a facility that needs `purpose`.
    pub fn consent_covers(&self, purpose: Purpose) -> bool {
        self.consented.contains(&purpose)
    }
}
