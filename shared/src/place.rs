//! Places: administrative areas and facilities (domain.md §3).
//!
//! Since 1 July 2025 local government has two tiers, province → commune/ward. Districts were
//! abolished; a legacy district is kept only so that older records keep their history, and every
//! legacy district maps to the commune that replaced it.

use serde::{Deserialize, Serialize};

use crate::lang::Lang;

coded! {
    /// The level of an administrative area.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub enum AreaLevel {
        /// Tỉnh / thành phố.
        Province = "province",
        /// Xã / phường / đặc khu.
        Commune = "commune",
        /// Huyện (abolished 1 July 2025): kept for old records only.
        LegacyDistrict = "legacy_district",
    }
}

impl AreaLevel {
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (AreaLevel::Province, Lang::Vi) => "Tỉnh",
            (AreaLevel::Province, Lang::En) => "Province",
            (AreaLevel::Commune, Lang::Vi) => "Xã/phường",
            (AreaLevel::Commune, Lang::En) => "Commune/ward",
            (AreaLevel::LegacyDistrict, Lang::Vi) => "Huyện (cũ)",
            (AreaLevel::LegacyDistrict, Lang::En) => "District (legacy)",
        }
    }

    /// The level an area's parent must have; `None` for a province (no parent).
    pub fn parent_level(self) -> Option<AreaLevel> {
        match self {
            AreaLevel::Province => None,
            AreaLevel::Commune | AreaLevel::LegacyDistrict => Some(AreaLevel::Province),
        }
    }
}

coded! {
    /// The kind of a facility in the network.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub enum FacilityType {
        Kindergarten = "kindergarten",
        PrimarySchool = "primary_school",
        LowerSecondarySchool = "lower_secondary_school",
        UpperSecondarySchool = "upper_secondary_school",
        CommuneHealthStation = "commune_health_station",
        RegionalHealthCentre = "regional_health_centre",
        PsychiatricHospital = "psychiatric_hospital",
        PaediatricHospital = "paediatric_hospital",
        GeneralHospital = "general_hospital",
        SocialAssistanceFacility = "social_assistance_facility",
        ChildProtectionService = "child_protection_service",
        CommunePeoplesCommittee = "commune_peoples_committee",
        /// Tổng đài 111: the national child-protection line. A referral to it is a phone call.
        Hotline111 = "hotline_111",
    }
}

impl FacilityType {
    pub fn is_school(self) -> bool {
        matches!(
            self,
            FacilityType::Kindergarten
                | FacilityType::PrimarySchool
                | FacilityType::LowerSecondarySchool
                | FacilityType::UpperSecondarySchool
        )
    }

    pub fn label(self, lang: Lang) -> &'static str {
        use FacilityType as F;
        match (self, lang) {
            (F::Kindergarten, Lang::Vi) => "Trường mầm non",
            (F::Kindergarten, Lang::En) => "Kindergarten",
            (F::PrimarySchool, Lang::Vi) => "Trường tiểu học",
            (F::PrimarySchool, Lang::En) => "Primary school",
            (F::LowerSecondarySchool, Lang::Vi) => "Trường trung học cơ sở",
            (F::LowerSecondarySchool, Lang::En) => "Lower-secondary school",
            (F::UpperSecondarySchool, Lang::Vi) => "Trường trung học phổ thông",
            (F::UpperSecondarySchool, Lang::En) => "Upper-secondary school",
            (F::CommuneHealthStation, Lang::Vi) => "Trạm y tế xã",
            (F::CommuneHealthStation, Lang::En) => "Commune health station",
            (F::RegionalHealthCentre, Lang::Vi) => "Trung tâm y tế khu vực",
            (F::RegionalHealthCentre, Lang::En) => "Regional health centre",
            (F::PsychiatricHospital, Lang::Vi) => "Bệnh viện tâm thần",
            (F::PsychiatricHospital, Lang::En) => "Psychiatric hospital",
            (F::PaediatricHospital, Lang::Vi) => "Bệnh viện nhi",
            (F::PaediatricHospital, Lang::En) => "Paediatric hospital",
            (F::GeneralHospital, Lang::Vi) => "Bệnh viện đa khoa",
            (F::GeneralHospital, Lang::En) => "General hospital",
            (F::SocialAssistanceFacility, Lang::Vi) => "Cơ sở trợ giúp xã hội",
            (F::SocialAssistanceFacility, Lang::En) => "Social-assistance facility",
            (F::ChildProtectionService, Lang::Vi) => "Cơ sở cung cấp dịch vụ bảo vệ trẻ em",
            (F::ChildProtectionService, Lang::En) => "Child-protection service",
            (F::CommunePeoplesCommittee, Lang::Vi) => "UBND xã",
            (F::CommunePeoplesCommittee, Lang::En) => "Commune people's committee",
            (F::Hotline111, Lang::Vi) => "Tổng đài 111",
            (F::Hotline111, Lang::En) => "Hotline 111",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facility_codes_round_trip_and_match_serde() {
        for facility_type in FacilityType::ALL {
            assert_eq!(
                FacilityType::from_code(facility_type.code()),
                Some(facility_type)
            );
            let json = serde_json::to_string(&facility_type).unwrap();
            assert_eq!(json, format!("\"{}\"", facility_type.code()));
        }
        assert_eq!(FacilityType::from_code("district_hospital"), None);
    }

    #[test]
    fn communes_hang_under_provinces_and_provinces_under_nothing() {
        assert_eq!(AreaLevel::Province.parent_level(), None);
        assert_eq!(AreaLevel::Commune.parent_level(), Some(AreaLevel::Province));
        assert_eq!(
            AreaLevel::LegacyDistrict.parent_level(),
            Some(AreaLevel::Province)
        );
        assert_eq!(AreaLevel::from_code("commune"), Some(AreaLevel::Commune));
        assert_eq!(AreaLevel::from_code("district"), None);
    }

    #[test]
    fn only_the_four_school_types_are_schools() {
        let schools: Vec<_> = FacilityType::ALL
            .into_iter()
            .filter(|t| t.is_school())
            .collect();
        assert_eq!(schools.len(), 4);
        assert!(!FacilityType::CommuneHealthStation.is_school());
    }
}
