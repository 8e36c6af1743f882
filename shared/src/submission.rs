//! A unit's report submitted to the province: a commune's or a facility's report for a period,
//! frozen as it was sent (the aggregate, small counts hidden), with who sent it and when; and
//! what the province sees of its units for a period (submitted, missing, late).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::indicators::Span;
use crate::role::{Capability, Role};
use crate::validate::{FieldErrors, Problem};

/// The request: submit my unit's report for this period (a [`Span`] code).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SubmitReport {
    pub period: String,
}

impl SubmitReport {
    pub fn span(&self) -> Result<Span, FieldErrors> {
        Span::parse(&self.period).ok_or_else(|| {
            let mut errors = FieldErrors::default();
            errors.add("period", Problem::UnknownValue(self.period.clone()));
            errors
        })
    }
}

coded! {
    /// Which kind of unit reports.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub enum UnitKind {
        /// A commune or ward (its officer reports for it).
        Commune = "commune",
        /// A school, station, hospital or social-assistance facility.
        Facility = "facility",
    }
}

/// One submitted report (the frozen copy is read apart).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Submission {
    pub id: Uuid,
    pub unit_id: Uuid,
    pub unit_name: String,
    pub unit_kind: UnitKind,
    /// The [`Span`] code.
    pub period: String,
    /// The submitter's full name (from the session).
    pub submitted_by: String,
    pub submitted_at: DateTime<Utc>,
    /// Sent after the period's due date.
    pub late: bool,
}

/// A unit and its report for the period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitStatus {
    pub unit_id: Uuid,
    pub unit_name: String,
    pub unit_kind: UnitKind,
    /// The latest submission, if any.
    pub submission: Option<Submission>,
    /// Not submitted and past due, or submitted after the due date.
    pub late: bool,
}

/// What a reader sees of its units for a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubmissionsView {
    pub period: String,
    /// When the period's report is due (none for quarters, months and ranges).
    pub due_on: Option<NaiveDate>,
    pub units: Vec<UnitStatus>,
}

/// The unit a user would report for: the facility of its staff, or the area an officer is placed
/// on (the server also requires that area to be a commune: a province receives reports).
pub fn reporting_unit(
    role: Role,
    facility_id: Option<Uuid>,
    area_id: Uuid,
) -> Option<(Uuid, UnitKind)> {
    match facility_id {
        Some(facility) if role.can(Capability::KeepChildRecords) => {
            Some((facility, UnitKind::Facility))
        }
        _ if role == Role::Officer => Some((area_id, UnitKind::Commune)),
        _ => None,
    }
}

/// Whether a unit is late: it submitted after the due date, or it has not and the due date has
/// passed. A period without a due date is never late.
pub fn is_late(
    due_on: Option<NaiveDate>,
    submitted_on: Option<NaiveDate>,
    today: NaiveDate,
) -> bool {
    match (due_on, submitted_on) {
        (None, _) => false,
        (Some(due), Some(on)) => on > due,
        (Some(due), None) => today > due,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn lateness_follows_the_due_date() {
        let due = Some(day("2027-05-20"));
        assert!(!is_late(due, Some(day("2027-05-20")), day("2027-06-01")));
        assert!(is_late(due, Some(day("2027-05-21")), day("2027-06-01")));
        assert!(!is_late(due, None, day("2027-05-20")));
        assert!(is_late(due, None, day("2027-05-21")));
        assert!(!is_late(None, None, day("2030-01-01")));
    }

    #[test]
    fn staff_report_for_their_facility_and_officers_for_their_area() {
        let (facility, area) = (Uuid::now_v7(), Uuid::now_v7());
        assert_eq!(
            reporting_unit(Role::Counsellor, Some(facility), area),
            Some((facility, UnitKind::Facility))
        );
        assert_eq!(
            reporting_unit(Role::Officer, None, area),
            Some((area, UnitKind::Commune))
        );
        assert_eq!(reporting_unit(Role::Admin, None, area), None);
        assert_eq!(reporting_unit(Role::Integrator, Some(facility), area), None);
    }

    #[test]
    fn a_request_names_a_period() {
        let bad = SubmitReport {
            period: "2027-H3".into(),
        }
        .span()
        .unwrap_err();
        assert!(bad.messages(crate::lang::Lang::Vi).contains_key("period"));
        assert_eq!(
            SubmitReport {
                period: "2027-H1".into()
            }
            .span()
            .unwrap(),
            Span::Half(2027, 1)
        );
        for kind in [UnitKind::Commune, UnitKind::Facility] {
            assert_eq!(UnitKind::from_code(kind.code()), Some(kind));
            assert_eq!(
                serde_json::to_string(&kind).unwrap(),
                format!("\"{}\"", kind.code())
            );
        }
    }
}
