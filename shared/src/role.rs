//! Who uses the product (domain.md §2) and what each role may do.
//!
//! What each role may do is decided here, once, as pure functions of the role ([`Role::can`]);
//! the server's `access.rs` applies them to every request together with the user's facility or
//! area, and the app uses the same answers to show only the navigation a user can use.

use serde::{Deserialize, Serialize};

use crate::lang::Lang;
use crate::place::FacilityType;

coded! {
    /// A user's role. Every user has exactly one.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub enum Role {
        /// Giáo viên / nhân viên tư vấn tâm lý học đường: works at a school.
        Counsellor = "counsellor",
        /// Nhân viên trạm y tế xã: works at a commune health station.
        HealthWorker = "health_worker",
        /// Bác sĩ: works at a hospital or health centre.
        Clinician = "clinician",
        /// Cán bộ công tác xã hội / bảo vệ trẻ em.
        SocialWorker = "social_worker",
        /// Cán bộ quản lý: sees aggregates for an area (commune or province).
        Officer = "officer",
        /// Quản trị viên: the facility directory, users and roles for the province.
        Admin = "admin",
        /// Hệ thống tích hợp: another system (the provincial health information system, a
        /// hospital's, DHIS2) reading the standard exchanges (FHIR R4, ADX) for an area. It keeps no
        /// records and signs in like a person, with an account an administrator makes.
        Integrator = "integrator",
    }
}

/// Something a role may do; the app's navigation follows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Capability {
    /// Create, edit and disable users; reset passwords.
    ManageUsers,
    /// Create, edit and deactivate areas and facilities.
    ManageFacilities,
    /// Read the audit log.
    ViewAudit,
    /// Read the facility directory (everyone signed in: needed to pick a referral target).
    ListFacilities,
    /// Register children and keep their records, for the user's own facility.
    KeepChildRecords,
    /// Read the area's records as FHIR resources and its figures as ADX (names included, so
    /// only a role made for systems: officers and administrators see no names).
    ExchangeRecords,
}

impl Role {
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Role::Counsellor, Lang::Vi) => "Tư vấn tâm lý học đường",
            (Role::Counsellor, Lang::En) => "School counsellor",
            (Role::HealthWorker, Lang::Vi) => "Nhân viên trạm y tế",
            (Role::HealthWorker, Lang::En) => "Health worker",
            (Role::Clinician, Lang::Vi) => "Bác sĩ",
            (Role::Clinician, Lang::En) => "Clinician",
            (Role::SocialWorker, Lang::Vi) => "Cán bộ công tác xã hội",
            (Role::SocialWorker, Lang::En) => "Social worker",
            (Role::Officer, Lang::Vi) => "Cán bộ quản lý",
            (Role::Officer, Lang::En) => "Programme officer",
            (Role::Admin, Lang::Vi) => "Quản trị viên",
            (Role::Admin, Lang::En) => "Administrator",
            (Role::Integrator, Lang::Vi) => "Hệ thống tích hợp (FHIR, ADX)",
            (Role::Integrator, Lang::En) => "Integration system (FHIR, ADX)",
        }
    }

    pub fn can(self, capability: Capability) -> bool {
        match capability {
            Capability::ManageUsers | Capability::ManageFacilities | Capability::ViewAudit => {
                self == Role::Admin
            }
            Capability::ListFacilities => true,
            // Officers see aggregates only and administrators run the directory: neither keeps
            // children's records (domain.md §2).
            Capability::KeepChildRecords => !self.may_belong_to_area(),
            Capability::ExchangeRecords => self == Role::Integrator,
        }
    }

    /// Health workers and clinicians: the only roles that receive item-level answers to
    /// sensitive questions (self-harm) in a referral packet.
    pub fn is_clinical(self) -> bool {
        matches!(self, Role::HealthWorker | Role::Clinician)
    }

    /// Officers and administrators belong to an area; an integration system to an area or to
    /// one facility; every other role to a facility.
    pub fn belongs_to_area(self) -> bool {
        matches!(self, Role::Officer | Role::Admin)
    }

    /// Whether a user of this role may be placed on an area (province or commune) rather than
    /// at a facility: officers and administrators always, integration systems when chosen.
    pub fn may_belong_to_area(self) -> bool {
        self.belongs_to_area() || self == Role::Integrator
    }

    /// Whether a user of this role, with or without a facility, is placed on an area (and so
    /// sees aggregates over it rather than one facility).
    pub fn placed_on_area(self, has_facility: bool) -> bool {
        self.belongs_to_area() || (self.may_belong_to_area() && !has_facility)
    }

    /// Whether a user of this role may be placed at a facility of the given type.
    pub fn fits_facility(self, facility_type: FacilityType) -> bool {
        use FacilityType as F;
        match self {
            Role::Counsellor => facility_type.is_school(),
            Role::HealthWorker => matches!(
                facility_type,
                F::CommuneHealthStation | F::RegionalHealthCentre
            ),
            Role::Clinician => matches!(
                facility_type,
                F::RegionalHealthCentre
                    | F::PsychiatricHospital
                    | F::PaediatricHospital
                    | F::GeneralHospital
            ),
            Role::SocialWorker => matches!(
                facility_type,
                F::SocialAssistanceFacility
                    | F::ChildProtectionService
                    | F::CommunePeoplesCommittee
            ),
            // A system of any facility: a hospital's, a school's, a station's.
            Role::Integrator => true,
            Role::Officer | Role::Admin => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_match_serde() {
        for role in Role::ALL {
            assert_eq!(Role::from_code(role.code()), Some(role));
            let json = serde_json::to_string(&role).unwrap();
            assert_eq!(json, format!("\"{}\"", role.code()));
        }
        assert_eq!(Role::from_code("superuser"), None);
    }

    #[test]
    fn only_administrators_manage_the_directory() {
        for role in Role::ALL {
            let is_admin = role == Role::Admin;
            assert_eq!(role.can(Capability::ManageUsers), is_admin, "{role:?}");
            assert_eq!(role.can(Capability::ManageFacilities), is_admin, "{role:?}");
            assert_eq!(role.can(Capability::ViewAudit), is_admin, "{role:?}");
            assert!(role.can(Capability::ListFacilities));
            assert_eq!(
                role.can(Capability::KeepChildRecords),
                !matches!(role, Role::Officer | Role::Admin | Role::Integrator),
                "{role:?}"
            );
            assert_eq!(
                role.can(Capability::ExchangeRecords),
                role == Role::Integrator,
                "{role:?}"
            );
        }
    }

    #[test]
    fn roles_fit_their_workplaces() {
        assert!(Role::Counsellor.fits_facility(FacilityType::LowerSecondarySchool));
        assert!(!Role::Counsellor.fits_facility(FacilityType::CommuneHealthStation));
        assert!(Role::HealthWorker.fits_facility(FacilityType::CommuneHealthStation));
        assert!(Role::Clinician.fits_facility(FacilityType::PsychiatricHospital));
        assert!(!Role::Clinician.fits_facility(FacilityType::Kindergarten));
        assert!(Role::SocialWorker.fits_facility(FacilityType::SocialAssistanceFacility));
        for facility_type in FacilityType::ALL {
            assert!(!Role::Officer.fits_facility(facility_type));
            assert!(!Role::Admin.fits_facility(facility_type));
            assert!(Role::Integrator.fits_facility(facility_type));
        }
        assert!(Role::Integrator.may_belong_to_area() && !Role::Integrator.belongs_to_area());
    }
}
