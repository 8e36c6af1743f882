//! First-start data: the demo province, or a lone administrator with a one-time password.
//!
//! The demo is the real Lạng Sơn (province 20) with its 65 official communes, abolished districts
//! and old communes (see [`crate::gazetteer`]); its schools, stations and people are illustrative,
//! placed in real communes, so that a person can sign in with every role.

use chrono::{DateTime, Utc};
use rusqlite::{params, Transaction};
use shared::place::{AreaLevel, FacilityType};
use shared::role::Role;
use uuid::Uuid;

use crate::audit::{self, Actor, Event};
use crate::auth::password;
use crate::db::Db;
use crate::error::ApiError;

/// The code of the placeholder province of an installation started without `--province`.
pub const PLACEHOLDER_PROVINCE: &str = "00";

/// The demo province (Lạng Sơn).
pub const DEMO_PROVINCE: &str = "20";

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "demo";

/// What the first start created, for printing once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seeded {
    /// The database already had users: nothing was done.
    Nothing,
    /// The demo province with one user per role (`username`, role), all with [`DEMO_PASSWORD`].
    Demo(Vec<(String, Role)>),
    /// Only an administrator, with this one-time password.
    Admin {
        username: String,
        one_time_password: String,
    },
}

/// Seeds an empty database. Safe to call on every start.
/// The first start: the demo, or (`province` given, or no demo) an administrator alone, in the
/// named province with its official communes (or in a placeholder province the administrator
/// replaces with the real one from the directory page).
pub async fn seed(
    db: &Db,
    demo: bool,
    province: Option<String>,
    now: DateTime<Utc>,
) -> Result<Seeded, ApiError> {
    let has_users: bool = db
        .read(|c| Ok(c.query_row("SELECT EXISTS (SELECT 1 FROM users)", [], |r| r.get(0))?))
        .await?;
    if has_users {
        return Ok(Seeded::Nothing);
    }
    if let Some(code) = &province {
        if crate::gazetteer::province_name(code).is_none() {
            return Err(ApiError::Internal(format!(
                "--province {code}: not one of the 34 provinces (codes: {})",
                crate::gazetteer::provinces()
                    .iter()
                    .map(|(c, _)| *c)
                    .collect::<Vec<_>>()
                    .join(" ")
            )));
        }
    }
    if demo && province.is_none() {
        let mut hashes = Vec::new();
        for _ in DEMO_USERS {
            hashes.push(password::hash_async(DEMO_PASSWORD.into()).await?);
        }
        return db
            .write(move |transaction| seed_demo(transaction, &hashes, now))
            .await;
    }
    let one_time_password = password::one_time();
    let hash = password::hash_async(one_time_password.clone()).await?;
    db.write(move |transaction| {
        let province = match &province {
            Some(code) => crate::gazetteer::install(transaction, code, now)?
                .province
                .ok_or_else(|| ApiError::Internal("province not installed".into()))?,
            None => insert_area(
                transaction,
                PLACEHOLDER_PROVINCE,
                "Tỉnh (chọn tỉnh trong Quản trị)",
                AreaLevel::Province,
                None,
                now,
            )?,
        };
        insert_user(
            transaction,
            "admin",
            "Quản trị viên",
            Role::Admin,
            None,
            province,
            &hash,
            true,
            now,
        )?;
        audit::record(transaction, now, &Actor::system(), Event::new("seed.admin"))?;
        Ok(Seeded::Admin {
            username: "admin".into(),
            one_time_password,
        })
    })
    .await
}

/// (username, full name, role, index into the demo facilities or `None` for the province).
const DEMO_USERS: [(&str, &str, Role, Option<usize>); 7] = [
    ("admin", "Nông Văn Quản", Role::Admin, None),
    ("counsellor", "Hoàng Thị Mai", Role::Counsellor, Some(0)),
    ("health", "Lường Văn Sơn", Role::HealthWorker, Some(3)),
    ("clinician", "BS. Vi Thị Hạnh", Role::Clinician, Some(5)),
    ("social", "Lộc Văn Hùng", Role::SocialWorker, Some(6)),
    ("officer", "Triệu Thị Lan", Role::Officer, None),
    (
        "integrator",
        "Hệ thống thông tin Sở Y tế",
        Role::Integrator,
        None,
    ),
];

/// (illustrative sector code, name, type, official code of its commune or `None` for the
/// province, phone). The communes are real; the facilities and their codes are not.
const DEMO_FACILITIES: [(&str, &str, FacilityType, Option<&str>, &str); 8] = [
    (
        "20THCS001",
        "Trường THCS Tam Thanh",
        FacilityType::LowerSecondarySchool,
        Some("05986"),
        "02053812345",
    ),
    (
        "20TH0002",
        "Trường Tiểu học Văn Quan",
        FacilityType::PrimarySchool,
        Some("06253"),
        "02053830123",
    ),
    (
        "20THPT003",
        "Trường THPT Việt Bắc",
        FacilityType::UpperSecondarySchool,
        Some("05977"),
        "02053870456",
    ),
    (
        "20TYT05986",
        "Trạm y tế phường Tam Thanh",
        FacilityType::CommuneHealthStation,
        Some("05986"),
        "02053812999",
    ),
    (
        "20TYT06253",
        "Trạm y tế xã Văn Quan",
        FacilityType::CommuneHealthStation,
        Some("06253"),
        "02053830999",
    ),
    (
        "20BVDK001",
        "Bệnh viện Đa khoa tỉnh Lạng Sơn",
        FacilityType::GeneralHospital,
        None,
        "02053870115",
    ),
    (
        "20CTXH001",
        "Trung tâm Công tác xã hội tỉnh Lạng Sơn",
        FacilityType::SocialAssistanceFacility,
        Some("05977"),
        "02053811222",
    ),
    (
        "111",
        "Tổng đài quốc gia bảo vệ trẻ em 111",
        FacilityType::Hotline111,
        None,
        "111",
    ),
];

fn seed_demo(
    transaction: &Transaction<'_>,
    hashes: &[String],
    now: DateTime<Utc>,
) -> Result<Seeded, ApiError> {
    let province = crate::gazetteer::install(transaction, DEMO_PROVINCE, now)?
        .province
        .ok_or_else(|| ApiError::Internal("demo province not installed".into()))?;
    let mut facilities = Vec::new();
    for (code, name, facility_type, commune, phone) in DEMO_FACILITIES {
        let area: Uuid = match commune {
            Some(commune) => {
                transaction.query_row("SELECT id FROM areas WHERE code = ?1", [commune], |row| {
                    row.get(0)
                })?
            }
            None => province,
        };
        let id = Uuid::now_v7();
        transaction.execute(
            "INSERT INTO facilities (id, code, name, facility_type, area_id, phone, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
            params![id, code, name, facility_type.code(), area, phone, now],
        )?;
        facilities.push((id, area));
    }

    let mut created = Vec::new();
    for ((username, full_name, role, facility), hash) in DEMO_USERS.iter().zip(hashes) {
        let (facility_id, area_id) = match facility {
            Some(index) => (Some(facilities[*index].0), facilities[*index].1),
            None => (None, province),
        };
        insert_user(
            transaction,
            username,
            full_name,
            *role,
            facility_id,
            area_id,
            hash,
            false,
            now,
        )?;
        created.push((username.to_string(), *role));
    }
    audit::record(transaction, now, &Actor::system(), Event::new("seed.demo"))?;
    Ok(Seeded::Demo(created))
}

fn insert_area(
    transaction: &Transaction<'_>,
    code: &str,
    name: &str,
    level: AreaLevel,
    parent_id: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<Uuid, ApiError> {
    let id = Uuid::now_v7();
    transaction.execute(
        "INSERT INTO areas (id, code, name, level, parent_id, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
        params![id, code, name, level.code(), parent_id, now],
    )?;
    Ok(id)
}

#[allow(clippy::too_many_arguments)]
fn insert_user(
    transaction: &Transaction<'_>,
    username: &str,
    full_name: &str,
    role: Role,
    facility_id: Option<Uuid>,
    area_id: Uuid,
    password_hash: &str,
    must_change_password: bool,
    now: DateTime<Utc>,
) -> Result<Uuid, ApiError> {
    let id = Uuid::now_v7();
    transaction.execute(
        "INSERT INTO users (id, username, full_name, role, facility_id, area_id, password_hash, must_change_password,
                            created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
        params![id, username, full_name, role.code(), facility_id, area_id, password_hash, must_change_password, now],
    )?;
    Ok(id)
}
