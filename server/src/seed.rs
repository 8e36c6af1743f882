//! First-start data: the demo province, or a lone administrator with a one-time password.
//!
//! The demo is a small slice of Lạng Sơn after the 2025 reform (province → commune). Names are
//! illustrative and codes are made up; it exists so that a person can sign in with every role.

use chrono::{DateTime, Utc};
use rusqlite::{params, Transaction};
use shared::place::{AreaLevel, FacilityType};
use shared::role::Role;
use uuid::Uuid;

use crate::audit::{self, Actor, Event};
use crate::auth::password;
use crate::db::Db;
use crate::error::ApiError;

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
pub async fn seed(db: &Db, demo: bool, now: DateTime<Utc>) -> Result<Seeded, ApiError> {
    let has_users: bool = db
        .read(|c| Ok(c.query_row("SELECT EXISTS (SELECT 1 FROM users)", [], |r| r.get(0))?))
        .await?;
    if has_users {
        return Ok(Seeded::Nothing);
    }
    if demo {
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
        let province = insert_area(
            transaction,
            "00",
            "Tỉnh (đổi tên trong Quản trị)",
            AreaLevel::Province,
            None,
            now,
        )?;
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
const DEMO_USERS: [(&str, &str, Role, Option<usize>); 6] = [
    ("admin", "Nông Văn Quản", Role::Admin, None),
    ("counsellor", "Hoàng Thị Mai", Role::Counsellor, Some(0)),
    ("health", "Lường Văn Sơn", Role::HealthWorker, Some(3)),
    ("clinician", "BS. Vi Thị Hạnh", Role::Clinician, Some(5)),
    ("social", "Lộc Văn Hùng", Role::SocialWorker, Some(6)),
    ("officer", "Triệu Thị Lan", Role::Officer, None),
];

/// (name, type, index into the communes or `None` for the province, phone).
const DEMO_FACILITIES: [(&str, FacilityType, Option<usize>, &str); 8] = [
    (
        "Trường THCS Tam Thanh",
        FacilityType::LowerSecondarySchool,
        Some(0),
        "02053812345",
    ),
    (
        "Trường Tiểu học Văn Quan",
        FacilityType::PrimarySchool,
        Some(2),
        "02053830123",
    ),
    (
        "Trường THPT Việt Bắc",
        FacilityType::UpperSecondarySchool,
        Some(1),
        "02053870456",
    ),
    (
        "Trạm y tế phường Tam Thanh",
        FacilityType::CommuneHealthStation,
        Some(0),
        "02053812999",
    ),
    (
        "Trạm y tế xã Văn Quan",
        FacilityType::CommuneHealthStation,
        Some(2),
        "02053830999",
    ),
    (
        "Bệnh viện Đa khoa tỉnh Lạng Sơn",
        FacilityType::GeneralHospital,
        None,
        "02053870115",
    ),
    (
        "Trung tâm Công tác xã hội tỉnh Lạng Sơn",
        FacilityType::SocialAssistanceFacility,
        Some(1),
        "02053811222",
    ),
    (
        "Tổng đài quốc gia bảo vệ trẻ em 111",
        FacilityType::Hotline111,
        None,
        "111",
    ),
];

const DEMO_COMMUNES: [(&str, &str); 4] = [
    ("06001", "Phường Tam Thanh"),
    ("06002", "Phường Đông Kinh"),
    ("06003", "Xã Văn Quan"),
    ("06004", "Xã Cao Lộc"),
];

fn seed_demo(
    transaction: &Transaction<'_>,
    hashes: &[String],
    now: DateTime<Utc>,
) -> Result<Seeded, ApiError> {
    let province = insert_area(
        transaction,
        "20",
        "Tỉnh Lạng Sơn",
        AreaLevel::Province,
        None,
        now,
    )?;
    let mut communes = Vec::new();
    for (code, name) in DEMO_COMMUNES {
        communes.push(insert_area(
            transaction,
            code,
            name,
            AreaLevel::Commune,
            Some(province),
            now,
        )?);
    }
    // A district abolished in 2025, kept so old records keep their place; it maps to Xã Văn Quan.
    let district = insert_area(
        transaction,
        "183",
        "Huyện Văn Quan (cũ)",
        AreaLevel::LegacyDistrict,
        Some(province),
        now,
    )?;
    transaction.execute(
        "UPDATE areas SET successor_id = ?1 WHERE id = ?2",
        params![communes[2], district],
    )?;

    let mut facilities = Vec::new();
    for (name, facility_type, commune, phone) in DEMO_FACILITIES {
        let area = commune.map_or(province, |index| communes[index]);
        let id = Uuid::now_v7();
        transaction.execute(
            "INSERT INTO facilities (id, name, facility_type, area_id, phone, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
            params![id, name, facility_type.code(), area, phone, now],
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
