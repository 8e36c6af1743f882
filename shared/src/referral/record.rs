//! The two synced records of the referral network: the [`Referral`] the sender makes (never
//! edited after it is sent; the server keeps its status) and the [`ReferralEvent`]s either side
//! adds (accept, decline, attended, complete with feedback, no-show, cancel). Events are never
//! edited either: an event the state machine refuses when it reaches the server is kept with its
//! [`Refusal`], so both sides see it in the timeline.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::machine::{apply, Action, Refusal, Side, Status, Urgency};
use super::packet::Packet;
use crate::consent::Purpose;
use crate::lang::Lang;
use crate::place::FacilityType;
use crate::sync::Fields;
use crate::validate::{collapse_spaces, FieldErrors, Problem};

const TEXT_MAX: usize = 1000;

/// The consent purpose a referral to this kind of facility needs; `None` when it is not a target
/// of digital referrals (schools; hotline 111, which is called, not sent a packet).
pub fn sharing_purpose(facility_type: FacilityType) -> Option<Purpose> {
    use FacilityType::*;
    match facility_type {
        CommuneHealthStation | RegionalHealthCentre | PsychiatricHospital | PaediatricHospital
        | GeneralHospital => Some(Purpose::ShareHealth),
        SocialAssistanceFacility | ChildProtectionService | CommunePeoplesCommittee => {
            Some(Purpose::ShareSocial)
        }
        Kindergarten | PrimarySchool | LowerSecondarySchool | UpperSecondarySchool | Hotline111 => {
            None
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Referral {
    pub child_id: Uuid,
    pub to_facility: Uuid,
    pub urgency: Urgency,
    pub reason: String,
    /// What the sender already did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub done_already: Option<String>,
    #[serde(default)]
    pub screening_ids: Vec<Uuid>,
    /// Why the data is shared without a sharing consent (an emergency to protect life or health).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emergency_reason: Option<String>,
    /// The referral this one continues (onward referral); the chain is visible to every party.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub onward_from: Option<Uuid>,
    pub sent_at: DateTime<Utc>,
    /// The sender's name as shown to the receiver: set by the server from the signed-in user
    /// (what a device writes here is replaced).
    pub sent_by: String,
    /// Set by the server: who sent it (user, role, facility).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<crate::sync::Actor>,
    pub packet: Packet,
    /// Kept by the server from the events it accepted.
    #[serde(default)]
    pub status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_at: Option<DateTime<Utc>>,
    /// Set by the server: the slip's signature (see [`super::slip`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
}

fn clean_text(
    errors: &mut FieldErrors,
    field: &'static str,
    text: &Option<String>,
) -> Option<String> {
    let text = text
        .as_deref()
        .map(collapse_spaces)
        .filter(|t| !t.is_empty());
    if text.as_ref().is_some_and(|t| t.chars().count() > TEXT_MAX) {
        errors.add(field, Problem::TooLong { max: TEXT_MAX });
    }
    text
}

impl Referral {
    pub fn to_fields(&self) -> Fields {
        crate::sync::to_fields(self)
    }

    pub fn from_fields(fields: &Fields) -> Option<Referral> {
        crate::sync::from_fields(fields)
    }

    /// Checks a new referral from `sender` to a facility of `target` type (`None`: unknown or
    /// inactive). Returns it cleaned, as sent: status `sent`, no signature.
    pub fn check_new(
        &self,
        sender: Uuid,
        target: Option<FacilityType>,
    ) -> Result<Referral, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut clean = self.clone();
        match target.and_then(sharing_purpose) {
            None => errors.add("to_facility", Problem::UnknownReference),
            Some(_) if self.to_facility == sender => {
                errors.add("to_facility", Problem::UnknownReference)
            }
            Some(purpose) => {
                clean.emergency_reason =
                    clean_text(&mut errors, "emergency_reason", &self.emergency_reason);
                if !self.packet.consent_covers(purpose) && clean.emergency_reason.is_none() {
                    errors.add("emergency_reason", Problem::NoConsent);
                }
            }
        }
        clean.reason = collapse_spaces(&self.reason);
        if clean.reason.is_empty() {
            errors.add("reason", Problem::Required);
        } else if clean.reason.chars().count() > TEXT_MAX {
            errors.add("reason", Problem::TooLong { max: TEXT_MAX });
        }
        clean.done_already = clean_text(&mut errors, "done_already", &self.done_already);
        clean.sent_by = collapse_spaces(&self.sent_by);
        if clean.sent_by.is_empty() {
            errors.add("sent_by", Problem::Required);
        }
        clean.screening_ids.sort();
        clean.screening_ids.dedup();
        if clean.screening_ids.len() > 10 {
            errors.add("screening_ids", Problem::TooLong { max: 10 });
        }
        clean.status = Status::Sent;
        clean.status_at = None;
        clean.signature = None;
        errors.into_result().map(|()| clean)
    }

    /// The fields the sender wrote, to tell an edit (refused) from the same referral sent again.
    pub fn as_sent(&self) -> Referral {
        Referral {
            status: Status::Sent,
            status_at: None,
            signature: None,
            actor: None,
            packet: Packet {
                sensitive: Vec::new(),
                ..self.packet.clone()
            },
            ..self.clone()
        }
    }
}

/// What the receiving facility found and advises, for the sender (in plain terms).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Feedback {
    pub found: String,
    #[serde(default)]
    pub services: Vec<Service>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub for_school: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub for_family: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_up_on: Option<NaiveDate>,
}

coded! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
    pub enum Service {
        Assessment = "assessment",
        Counselling = "counselling",
        Medication = "medication",
        FamilySupport = "family_support",
        SocialSupport = "social_support",
        SafetyPlan = "safety_plan",
    }
}

impl Service {
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Service::Assessment, Lang::Vi) => "Khám, đánh giá",
            (Service::Assessment, Lang::En) => "Assessment",
            (Service::Counselling, Lang::Vi) => "Tư vấn, trị liệu tâm lý",
            (Service::Counselling, Lang::En) => "Counselling or therapy",
            (Service::Medication, Lang::Vi) => "Điều trị bằng thuốc",
            (Service::Medication, Lang::En) => "Medication",
            (Service::FamilySupport, Lang::Vi) => "Hỗ trợ gia đình",
            (Service::FamilySupport, Lang::En) => "Family support",
            (Service::SocialSupport, Lang::Vi) => "Trợ giúp xã hội",
            (Service::SocialSupport, Lang::En) => "Social support",
            (Service::SafetyPlan, Lang::Vi) => "Kế hoạch an toàn",
            (Service::SafetyPlan, Lang::En) => "Safety plan",
        }
    }
}

/// One step in a referral's life, by either side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReferralEvent {
    pub referral_id: Uuid,
    pub action: Action,
    /// When the user acted (device clock, bounded by the server: see ARCHITECTURE.md).
    pub at: DateTime<Utc>,
    /// Who acted, as shown: set by the server from the signed-in user.
    pub by: String,
    /// Set by the server: who acted (user, role, facility).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<crate::sync::Actor>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Accept: the appointment, in Vietnam's local time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appointment: Option<NaiveDateTime>,
    /// Attended: the first contact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attended_on: Option<NaiveDate>,
    /// Complete: required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback: Option<Feedback>,
    /// Set by the server when the event was no longer possible on arrival.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refusal: Option<Refusal>,
}

impl ReferralEvent {
    pub fn to_fields(&self) -> Fields {
        crate::sync::to_fields(self)
    }

    pub fn from_fields(fields: &Fields) -> Option<ReferralEvent> {
        crate::sync::from_fields(fields)
    }

    /// The event's own rules (its fields), as of `today`, for a referral sent on `sent_on`.
    /// Whether it fits the referral's status is [`apply`]'s question.
    pub fn check(
        &self,
        sent_on: NaiveDate,
        today: NaiveDate,
    ) -> Result<ReferralEvent, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut clean = self.clone();
        clean.refusal = None;
        clean.by = collapse_spaces(&self.by);
        if clean.by.is_empty() {
            errors.add("by", Problem::Required);
        }
        clean.reason = clean_text(&mut errors, "reason", &self.reason);
        if self.action.needs_reason() && clean.reason.is_none() {
            errors.add("reason", Problem::Required);
        }
        clean.appointment = self.appointment.filter(|_| self.action == Action::Accept);
        if clean.appointment.is_some_and(|a| a.date() < sent_on) {
            errors.add("appointment", Problem::DateOutOfRange);
        }
        clean.attended_on = self.attended_on.filter(|_| self.action == Action::Attend);
        match clean.attended_on {
            None if self.action == Action::Attend => errors.add("attended_on", Problem::Required),
            Some(day) if day < sent_on || day > today => {
                errors.add("attended_on", Problem::DateOutOfRange)
            }
            _ => {}
        }
        clean.feedback = match (&self.feedback, self.action) {
            (Some(feedback), Action::Complete) => Some(Feedback {
                found: collapse_spaces(&feedback.found),
                services: {
                    let mut services = feedback.services.clone();
                    services.sort();
                    services.dedup();
                    services
                },
                for_school: clean_text(&mut errors, "for_school", &feedback.for_school),
                for_family: clean_text(&mut errors, "for_family", &feedback.for_family),
                note: clean_text(&mut errors, "note", &feedback.note),
                follow_up_on: feedback.follow_up_on,
            }),
            _ => None,
        };
        if self.action == Action::Complete {
            match &clean.feedback {
                Some(f) if f.found.is_empty() => errors.add("found", Problem::Required),
                Some(f) if f.found.chars().count() > TEXT_MAX => {
                    errors.add("found", Problem::TooLong { max: TEXT_MAX })
                }
                Some(_) => {}
                None => errors.add("found", Problem::Required),
            }
        }
        errors.into_result().map(|()| clean)
    }
}

/// The status a device shows: the server's, with this device's events not yet answered applied
/// on top in the order they were made (those the machine refuses change nothing).
pub fn shown_status<'a>(
    server: Status,
    pending: impl IntoIterator<Item = (&'a ReferralEvent, Side)>,
) -> Status {
    let mut pending: Vec<_> = pending.into_iter().collect();
    pending.sort_by_key(|(event, _)| event.at);
    pending.into_iter().fold(server, |status, (event, side)| {
        apply(
            status,
            event.action,
            side,
            event.reason.as_deref().unwrap_or(""),
        )
        .unwrap_or(status)
    })
}

impl Action {
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Action::Receive, Lang::Vi) => "Đã mở, xác nhận nhận",
            (Action::Receive, Lang::En) => "Opened (received)",
            (Action::Accept, Lang::Vi) => "Tiếp nhận",
            (Action::Accept, Lang::En) => "Accepted",
            (Action::Decline, Lang::Vi) => "Từ chối",
            (Action::Decline, Lang::En) => "Declined",
            (Action::Attend, Lang::Vi) => "Trẻ đã đến",
            (Action::Attend, Lang::En) => "Attended",
            (Action::Complete, Lang::Vi) => "Hoàn tất, gửi phản hồi",
            (Action::Complete, Lang::En) => "Completed with feedback",
            (Action::NoShow, Lang::Vi) => "Không đến theo hẹn",
            (Action::NoShow, Lang::En) => "Did not come",
            (Action::Cancel, Lang::Vi) => "Hủy chuyển tuyến",
            (Action::Cancel, Lang::En) => "Cancelled",
        }
    }
}
