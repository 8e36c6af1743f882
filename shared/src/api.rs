//! The JSON wire contract between the app and the server: one struct per request and response,
//! named per action. Request structs reject unknown fields so that a typo is an error, not a no-op.
//! Each request has a `clean` method that applies the [`crate::validate`] rules and returns the
//! normalised request or the problems per field; the app runs it before sending, the server again
//! on receipt.
//!
//! Do not rename fields casually: a deployed app and server must agree on them.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::place::{AreaLevel, FacilityType};
use crate::role::Role;
use crate::validate::{self, FieldErrors};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// The body of every error response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ErrorBody {
    /// A stable machine-readable code, e.g. `invalid_input`, `unauthorized`, `too_many_attempts`.
    pub code: String,
    /// A sentence for the user, in the language asked for (Vietnamese by default).
    pub message: String,
    /// Problems per request field, when the input was invalid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<BTreeMap<String, String>>,
    /// Seconds to wait before trying again (with `too_many_attempts`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_seconds: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Health {
    /// `ok`, or `degraded` when the database can be read but not written.
    pub status: String,
    pub version: String,
    /// Why it is degraded (`storage_full`, `storage_read_only`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
    /// What will soon be a problem (`storage_low`: the data folder's disk is nearly full).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

// ---------------------------------------------------------------------------------------------
// Sign-in and the current user
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
    /// The token this device got at its last sign-in to this account: a known device is not
    /// slowed down by others' failed guesses on the account or its address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_token: Option<String>,
}

/// A device asks for its share of the key that opens its local store (`POST /api/auth/vault`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct VaultRequest {
    /// The device's own random id for this account's store (made by the device, never reused).
    pub device: Uuid,
}

/// The server's share: 32 random bytes as 64 hex digits, the same for this account and device
/// until the device signs out (`DELETE /api/auth/vault/{device}` erases it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct VaultKey {
    pub key: String,
}

/// A signed-in session. The token goes in `Authorization: Bearer …` on every later request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Session {
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub user: CurrentUser,
    /// To send with this account's next sign-in from this device (see [`LoginRequest`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_token: Option<String>,
}

/// The signed-in user, with the names of their workplace, as the app needs them for its header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CurrentUser {
    pub id: Uuid,
    pub username: String,
    pub full_name: String,
    pub role: Role,
    pub facility_id: Option<Uuid>,
    pub facility_name: Option<String>,
    pub area_id: Uuid,
    pub area_name: String,
    /// Set for a new user or after a password reset: the app asks for a new password first.
    pub must_change_password: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ChangePassword {
    pub current_password: String,
    pub new_password: String,
}

impl ChangePassword {
    pub fn clean(self) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        errors.check("new_password", validate::new_password(&self.new_password));
        if self.new_password == self.current_password {
            errors.add("new_password", validate::Problem::PasswordUnchanged);
        }
        errors.into_result().map(|()| self)
    }
}

// ---------------------------------------------------------------------------------------------
// Users (administrators)
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct User {
    pub id: Uuid,
    pub username: String,
    pub full_name: String,
    pub role: Role,
    /// The workplace of every role but officer and administrator.
    pub facility_id: Option<Uuid>,
    /// The area: the facility's area, or the officer's or administrator's own.
    pub area_id: Uuid,
    pub active: bool,
    pub must_change_password: bool,
    pub created_at: DateTime<Utc>,
    pub last_sign_in_at: Option<DateTime<Utc>>,
}

/// Either a facility (for facility roles) or an area (for officers and administrators).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct NewUser {
    pub username: String,
    pub full_name: String,
    pub role: Role,
    #[serde(default)]
    pub facility_id: Option<Uuid>,
    #[serde(default)]
    pub area_id: Option<Uuid>,
}

impl NewUser {
    pub fn clean(self) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        let username = errors.check("username", validate::username(&self.username));
        let full_name = errors.check("full_name", validate::name(&self.full_name));
        check_placement(&mut errors, self.role, self.facility_id, self.area_id);
        errors.into_result()?;
        Ok(NewUser {
            username: username.unwrap_or_default(),
            full_name: full_name.unwrap_or_default(),
            ..self
        })
    }
}

/// A new user and the one-time password to hand over; it is shown this once and never stored in clear.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct UserWithPassword {
    pub user: User,
    pub one_time_password: String,
}

/// Changes to a user; absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct UpdateUser {
    #[serde(default)]
    pub full_name: Option<String>,
    #[serde(default)]
    pub role: Option<Role>,
    #[serde(default)]
    pub facility_id: Option<Uuid>,
    #[serde(default)]
    pub area_id: Option<Uuid>,
    #[serde(default)]
    pub active: Option<bool>,
}

impl UpdateUser {
    /// Checks the changed fields; placement is checked by the server against the merged result.
    pub fn clean(self) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        let full_name = match &self.full_name {
            Some(value) => errors.check("full_name", validate::name(value)),
            None => None,
        };
        errors.into_result()?;
        Ok(UpdateUser { full_name, ..self })
    }
}

/// A role's placement rule: facility roles need a facility, area roles an area and no facility,
/// and an integration system one of the two. Whether the facility's type fits the role needs the
/// directory and is checked by the server.
pub fn check_placement(
    errors: &mut FieldErrors,
    role: Role,
    facility_id: Option<Uuid>,
    area_id: Option<Uuid>,
) {
    if role.may_belong_to_area() && !role.belongs_to_area() {
        match (facility_id, area_id) {
            (Some(_), Some(_)) => errors.add("facility_id", validate::Problem::RoleMismatch),
            (None, None) => errors.add("facility_id", validate::Problem::Required),
            _ => {}
        }
    } else if role.belongs_to_area() {
        if area_id.is_none() {
            errors.add("area_id", validate::Problem::Required);
        }
        if facility_id.is_some() {
            errors.add("facility_id", validate::Problem::RoleMismatch);
        }
    } else if facility_id.is_none() {
        errors.add("facility_id", validate::Problem::Required);
    }
}

// ---------------------------------------------------------------------------------------------
// Facility directory
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Area {
    pub id: Uuid,
    /// The official administrative code.
    pub code: String,
    pub name: String,
    pub level: AreaLevel,
    pub parent_id: Option<Uuid>,
    /// For a legacy district: the commune its records map to.
    pub successor_id: Option<Uuid>,
    pub active: bool,
}

/// A commune a place name may mean (`GET /api/areas/resolve`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PlaceMatch {
    pub area_id: Uuid,
    /// The commune's name today.
    pub name: String,
    /// The old commune and district the text named, when it named one from before the 2025 reform.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub former: Option<String>,
}

/// Load a province's official units from the list shipped with the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LoadProvince {
    /// The province's official code (two digits; 20 is Lạng Sơn).
    pub province_code: String,
}

/// What loading a province's official list did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ProvinceLoaded {
    pub province_id: Uuid,
    pub communes_added: usize,
    pub districts_added: usize,
    pub legacy_communes: usize,
}

/// A province of the shipped list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct OfficialProvince {
    pub code: String,
    pub name: String,
    pub communes: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct NewArea {
    pub code: String,
    pub name: String,
    pub level: AreaLevel,
    #[serde(default)]
    pub parent_id: Option<Uuid>,
    #[serde(default)]
    pub successor_id: Option<Uuid>,
}

impl NewArea {
    pub fn clean(self) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        let code = errors.check("code", validate::area_code(&self.code));
        let name = errors.check("name", validate::name(&self.name));
        match (self.level.parent_level(), self.parent_id) {
            (Some(_), None) => errors.add("parent_id", validate::Problem::Required),
            (None, Some(_)) => errors.add("parent_id", validate::Problem::UnknownReference),
            _ => {}
        }
        errors.into_result()?;
        Ok(NewArea {
            code: code.unwrap_or_default(),
            name: name.unwrap_or_default(),
            ..self
        })
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct UpdateArea {
    /// A corrected official code (sources disagree on some; see `server/data/README.md`).
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub successor_id: Option<Uuid>,
    #[serde(default)]
    pub active: Option<bool>,
}

impl UpdateArea {
    pub fn clean(self) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        let code = match &self.code {
            Some(value) => errors.check("code", validate::area_code(value)),
            None => None,
        };
        let name = match &self.name {
            Some(value) => errors.check("name", validate::name(value)),
            None => None,
        };
        errors.into_result()?;
        Ok(UpdateArea { code, name, ..self })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Facility {
    pub id: Uuid,
    /// The sector's code (school code of the education database, health facility code); unique.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    pub name: String,
    pub facility_type: FacilityType,
    pub area_id: Uuid,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct NewFacility {
    #[serde(default)]
    pub code: String,
    pub name: String,
    pub facility_type: FacilityType,
    pub area_id: Uuid,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub phone: String,
}

impl NewFacility {
    pub fn clean(self) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        let code = errors.check("code", validate::optional_facility_code(&self.code));
        let name = errors.check("name", validate::name(&self.name));
        let address = errors.check("address", validate::optional_text(&self.address, 200));
        let phone = errors.check("phone", validate::optional_facility_phone(&self.phone));
        errors.into_result()?;
        Ok(NewFacility {
            code: code.flatten().unwrap_or_default(),
            name: name.unwrap_or_default(),
            address: address.flatten().unwrap_or_default(),
            phone: phone.flatten().unwrap_or_default(),
            ..self
        })
    }
}

/// Changes to a facility; absent fields stay as they are. An empty address or phone clears it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct UpdateFacility {
    /// An empty code clears it.
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub facility_type: Option<FacilityType>,
    #[serde(default)]
    pub area_id: Option<Uuid>,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub active: Option<bool>,
}

impl UpdateFacility {
    pub fn clean(self) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = match &self.name {
            Some(value) => errors.check("name", validate::name(value)),
            None => None,
        };
        let code = match &self.code {
            Some(value) => errors
                .check("code", validate::optional_facility_code(value))
                .map(Option::unwrap_or_default),
            None => None,
        };
        let address = match &self.address {
            Some(value) => errors
                .check("address", validate::optional_text(value, 200))
                .map(Option::unwrap_or_default),
            None => None,
        };
        let phone = match &self.phone {
            Some(value) => errors
                .check("phone", validate::optional_facility_phone(value))
                .map(Option::unwrap_or_default),
            None => None,
        };
        errors.into_result()?;
        Ok(UpdateFacility {
            code,
            name,
            address,
            phone,
            ..self
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Audit log
// ---------------------------------------------------------------------------------------------

/// One audited action: who did what to which record, when and from where.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub user_id: Option<Uuid>,
    pub username: Option<String>,
    pub client_addr: Option<String>,
    /// e.g. `auth.sign_in`, `user.create`, `facility.update`, `child.read`.
    pub action: String,
    pub record_type: Option<String>,
    pub record_id: Option<String>,
    pub detail: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// Pass as `before` to get the next (older) page; absent on the last page.
    pub next_before: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::Problem;

    #[test]
    fn requests_reject_unknown_fields() {
        let result: Result<LoginRequest, _> =
            serde_json::from_str(r#"{"username":"a","password":"b","admin":true}"#);
        assert!(result.is_err());
    }

    #[test]
    fn a_new_counsellor_needs_a_facility_and_an_officer_an_area() {
        let counsellor = NewUser {
            username: "Lan.Tran".into(),
            full_name: " Trần  Thị Lan ".into(),
            role: Role::Counsellor,
            facility_id: None,
            area_id: None,
        };
        let errors = counsellor.clone().clean().unwrap_err();
        assert_eq!(errors.get("facility_id"), Some(&Problem::Required));

        let facility_id = Some(Uuid::now_v7());
        let cleaned = NewUser {
            facility_id,
            ..counsellor
        }
        .clean()
        .unwrap();
        assert_eq!(cleaned.username, "lan.tran");
        assert_eq!(cleaned.full_name, "Trần Thị Lan");

        let officer = NewUser {
            username: "officer2".into(),
            full_name: "Hoàng Văn Minh".into(),
            role: Role::Officer,
            facility_id,
            area_id: None,
        };
        let errors = officer.clean().unwrap_err();
        assert_eq!(errors.get("area_id"), Some(&Problem::Required));
        assert_eq!(errors.get("facility_id"), Some(&Problem::RoleMismatch));
    }

    #[test]
    fn a_commune_needs_a_parent_and_a_province_has_none() {
        let commune = NewArea {
            code: "06100".into(),
            name: "Xã Văn Quan".into(),
            level: AreaLevel::Commune,
            parent_id: None,
            successor_id: None,
        };
        assert_eq!(
            commune.clone().clean().unwrap_err().get("parent_id"),
            Some(&Problem::Required)
        );
        let province = NewArea {
            level: AreaLevel::Province,
            parent_id: Some(Uuid::now_v7()),
            ..commune
        };
        assert_eq!(
            province.clean().unwrap_err().get("parent_id"),
            Some(&Problem::UnknownReference)
        );
    }

    #[test]
    fn facility_updates_normalise_and_clear() {
        let update = UpdateFacility {
            phone: Some("+84 205 3871 234".into()),
            address: Some("   ".into()),
            ..Default::default()
        };
        let cleaned = update.clean().unwrap();
        assert_eq!(cleaned.phone.as_deref(), Some("02053871234"));
        assert_eq!(cleaned.address.as_deref(), Some(""));
        let bad = UpdateFacility {
            phone: Some("abc".into()),
            ..Default::default()
        };
        assert_eq!(
            bad.clean().unwrap_err().get("phone"),
            Some(&Problem::PhoneFormat)
        );
    }

    #[test]
    fn a_password_change_must_change_something() {
        let same = ChangePassword {
            current_password: "mật-khẩu-cũ".into(),
            new_password: "mật-khẩu-cũ".into(),
        };
        assert_eq!(
            same.clean().unwrap_err().get("new_password"),
            Some(&Problem::PasswordUnchanged)
        );
    }
}

/// The header every server answer carries with its version.
pub const VERSION_HEADER: &str = "x-tam-an-version";

/// Whether an app of version `app` can talk to a server of version `server`: the same major
/// version (for 0.x versions, the same minor one, as semantic versioning has it). A version that
/// does not parse is given the benefit of the doubt.
pub fn compatible(app: &str, server: &str) -> bool {
    let parts = |v: &str| -> Option<(u64, u64)> {
        let mut numbers = v.trim().split('.').map(|n| n.parse::<u64>().ok());
        Some((numbers.next()??, numbers.next()??))
    };
    match (parts(app), parts(server)) {
        (Some((0, a)), Some((0, s))) => a == s,
        (Some((a, _)), Some((s, _))) => a == s,
        _ => true,
    }
}

#[cfg(test)]
mod version_tests {
    use super::compatible;

    #[test]
    fn versions_are_compatible_within_a_major_and_0_x_within_a_minor() {
        assert!(compatible("1.2.0", "1.9.3"));
        assert!(!compatible("1.2.0", "2.0.0"));
        assert!(compatible("0.1.0", "0.1.7"));
        assert!(!compatible("0.1.0", "0.2.0"));
        assert!(compatible("0.1.0", "garbage"));
    }
}
