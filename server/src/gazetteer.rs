//! The official administrative units, shipped with the server (`server/data/`, see its README):
//! the 34 provinces and 3,321 communes in force since 1 July 2025, and the 10,040 communes before
//! the reform with the new commune that took each over. Read once, on first use; never fetched.
//!
//! [`install`] puts one province into the directory: the province, its communes with their
//! official codes, its abolished districts (kept so that old records keep their place) and its
//! old communes (for mapping legacy addresses). It is idempotent and never renames what an
//! administrator has corrected.

use std::collections::HashMap;
use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Transaction};
use shared::place::AreaLevel;
use shared::text::fold;
use uuid::Uuid;

use crate::directory::resolve::bare;
use crate::error::ApiError;

const COMMUNES_CSV: &str = include_str!("../data/communes-2025.csv");
const LEGACY_CSV: &str = include_str!("../data/communes-legacy.csv");

/// A commune or ward in force since 1 July 2025.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commune {
    pub province_code: &'static str,
    pub province_name: &'static str,
    pub code: &'static str,
    pub name: &'static str,
}

/// A commune or ward from before the reform, and the new ones that took it over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegacyCommune {
    pub district_code: &'static str,
    pub district_name: &'static str,
    pub code: &'static str,
    pub name: &'static str,
    /// The new communes: the default one first, then the others it was split among.
    pub successors: Vec<&'static str>,
}

fn communes() -> &'static [Commune] {
    static COMMUNES: OnceLock<Vec<Commune>> = OnceLock::new();
    COMMUNES.get_or_init(|| {
        rows(COMMUNES_CSV)
            .filter_map(|cells| match cells[..] {
                [province_code, province_name, code, name, ..] => Some(Commune {
                    province_code,
                    province_name,
                    code,
                    name,
                }),
                _ => None,
            })
            .collect()
    })
}

fn legacy() -> &'static [LegacyCommune] {
    static LEGACY: OnceLock<Vec<LegacyCommune>> = OnceLock::new();
    LEGACY.get_or_init(|| {
        rows(LEGACY_CSV)
            .filter_map(|cells| match cells[..] {
                [_, _, district_code, district_name, code, name, successor, split, ..] => {
                    let mut successors: Vec<&str> = Vec::new();
                    for code in std::iter::once(successor).chain(split.split(' ')) {
                        if !code.is_empty() && !successors.contains(&code) {
                            successors.push(code);
                        }
                    }
                    Some(LegacyCommune {
                        district_code,
                        district_name,
                        code,
                        name,
                        successors,
                    })
                }
                _ => None,
            })
            .collect()
    })
}

/// The data rows of a shipped file (no quoted fields; CRLF or LF), header skipped.
fn rows(text: &'static str) -> impl Iterator<Item = Vec<&'static str>> {
    text.lines()
        .skip(1)
        .map(|line| line.trim_end_matches('\r'))
        .filter(|line| !line.is_empty())
        .map(|line| line.split(',').collect())
}

/// Every province: (code, name), in code order.
pub fn provinces() -> Vec<(&'static str, &'static str)> {
    let mut provinces: Vec<_> = communes()
        .iter()
        .map(|c| (c.province_code, c.province_name))
        .collect();
    provinces.dedup();
    provinces
}

/// The province's name, if the code is one of the 34.
pub fn province_name(code: &str) -> Option<&'static str> {
    provinces()
        .into_iter()
        .find(|(c, _)| *c == code)
        .map(|(_, name)| name)
}

/// The communes and wards of a province, in code order.
pub fn communes_of(province_code: &str) -> Vec<&'static Commune> {
    communes()
        .iter()
        .filter(|c| c.province_code == province_code)
        .collect()
}

/// The old communes that some commune of this province took over (an old commune split across
/// two provinces is listed by both).
pub fn legacy_of(province_code: &str) -> Vec<&'static LegacyCommune> {
    let codes: Vec<&str> = communes_of(province_code).iter().map(|c| c.code).collect();
    legacy()
        .iter()
        .filter(|l| l.successors.iter().any(|s| codes.contains(s)))
        .collect()
}

/// What [`install`] did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Installed {
    pub province: Option<Uuid>,
    pub communes_added: usize,
    pub districts_added: usize,
    pub legacy_communes: usize,
}

/// Puts a province's official units into the directory. Areas are matched by code; a commune an
/// administrator renamed keeps its name, and one whose name exists under another (corrected)
/// code is not added twice.
pub fn install(
    transaction: &Transaction<'_>,
    province_code: &str,
    now: DateTime<Utc>,
) -> Result<Installed, ApiError> {
    let name = province_name(province_code)
        .ok_or_else(|| ApiError::field("province", shared::validate::Problem::UnknownReference))?;
    let mut installed = Installed::default();
    let (province, _) = ensure_area(
        transaction,
        province_code,
        name,
        AreaLevel::Province,
        None,
        now,
    )?;
    installed.province = Some(province);
    let mut commune_ids: HashMap<&str, Uuid> = HashMap::new();
    for commune in communes_of(province_code) {
        let (id, added) = ensure_area(
            transaction,
            commune.code,
            commune.name,
            AreaLevel::Commune,
            Some(province),
            now,
        )?;
        installed.communes_added += usize::from(added);
        commune_ids.insert(commune.code, id);
    }
    let legacy = legacy_of(province_code);
    // Each abolished district maps to one new commune: the one of the same name ("Huyện Văn Quan"
    // → "Xã Văn Quan"), else the one its seat (thị trấn) went to, else the one most of its old
    // communes went to.
    let names: HashMap<&str, String> = communes_of(province_code)
        .into_iter()
        .map(|c| (c.code, bare(c.name)))
        .collect();
    let mut districts: Vec<District> = Vec::new();
    for old in &legacy {
        let Some(successor) = old.successors.iter().find(|s| commune_ids.contains_key(*s)) else {
            continue;
        };
        let index = match districts.iter().position(|d| d.code == old.district_code) {
            Some(index) => index,
            None => {
                districts.push(District::new(old.district_code, old.district_name));
                districts.len() - 1
            }
        };
        let district = &mut districts[index];
        *district.votes.entry(successor).or_default() += 1;
        if names.get(successor) == Some(&bare(old.district_name)) {
            district.same_name = Some(successor);
        }
        if fold(old.name).starts_with("thi tran") {
            district.seat.get_or_insert(successor);
        }
        let successors: Vec<String> = old
            .successors
            .iter()
            .filter_map(|s| commune_ids.get(s))
            .map(|id| id.simple().to_string())
            .collect();
        installed.legacy_communes += transaction
            .prepare_cached(
                "INSERT INTO legacy_communes (code, name, district_name, folded, successors)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (code) DO UPDATE SET successors = excluded.successors",
            )?
            .execute(params![
                old.code,
                old.name,
                old.district_name,
                fold(&format!("{} {}", old.name, old.district_name)),
                successors.join(" ")
            ])?;
    }
    for district in districts {
        let successor = district
            .successor()
            .and_then(|code| commune_ids.get(code))
            .copied();
        let name = format!("{} (cũ)", district.name);
        let (id, added) = ensure_area(
            transaction,
            district.code,
            &name,
            AreaLevel::LegacyDistrict,
            Some(province),
            now,
        )?;
        if added {
            transaction.execute(
                "UPDATE areas SET successor_id = ?1 WHERE id = ?2",
                params![successor, id],
            )?;
        }
        installed.districts_added += usize::from(added);
    }
    Ok(installed)
}

/// An abolished district while its successor is chosen.
struct District {
    code: &'static str,
    name: &'static str,
    votes: HashMap<&'static str, usize>,
    same_name: Option<&'static str>,
    seat: Option<&'static str>,
}

impl District {
    fn new(code: &'static str, name: &'static str) -> District {
        District {
            code,
            name,
            votes: HashMap::new(),
            same_name: None,
            seat: None,
        }
    }

    fn successor(&self) -> Option<&'static str> {
        self.same_name.or(self.seat).or_else(|| {
            self.votes
                .iter()
                .max_by_key(|(code, count)| (**count, std::cmp::Reverse(**code)))
                .map(|(code, _)| *code)
        })
    }
}

/// The area with this code, added if missing (then `true`). A name already used at this level in
/// the province under another code is that area: an administrator corrected its code.
fn ensure_area(
    transaction: &Transaction<'_>,
    code: &str,
    name: &str,
    level: AreaLevel,
    parent_id: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<(Uuid, bool), ApiError> {
    let existing: Option<Uuid> = transaction
        .prepare_cached("SELECT id FROM areas WHERE code = ?1")?
        .query_row([code], |row| row.get(0))
        .optional()?;
    if let Some(id) = existing {
        return Ok((id, false));
    }
    let folded = fold(name);
    let mut same_name = transaction
        .prepare_cached("SELECT id, name FROM areas WHERE level = ?1 AND parent_id IS ?2")?;
    let renamed = same_name
        .query_map(params![level.code(), parent_id], |row| {
            Ok((row.get::<_, Uuid>(0)?, row.get::<_, String>(1)?))
        })?
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .find(|(_, other)| fold(other) == folded);
    if let Some((id, _)) = renamed {
        return Ok((id, false));
    }
    let id = Uuid::now_v7();
    transaction
        .prepare_cached(
            "INSERT INTO areas (id, code, name, level, parent_id, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
        )?
        .execute(params![id, code, name, level.code(), parent_id, now])?;
    Ok((id, true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_lists_are_complete() {
        assert_eq!(provinces().len(), 34);
        assert_eq!(communes().len(), 3321);
        assert_eq!(legacy().len(), 10040);
        assert_eq!(communes_of("20").len(), 65);
        assert_eq!(province_name("04"), Some("Tỉnh Cao Bằng"));
        assert_eq!(province_name("99"), None);
    }

    #[test]
    fn an_old_commune_leads_to_the_new_ones() {
        let quang_trung = legacy_of("04")
            .into_iter()
            .find(|l| l.name == "Xã Quang Trung" && l.district_name == "Huyện Trùng Khánh")
            .unwrap();
        let new = communes_of("04")
            .into_iter()
            .find(|c| c.code == quang_trung.successors[0])
            .unwrap();
        assert_eq!(new.province_code, "04");
        let split = legacy().iter().find(|l| l.successors.len() > 1).unwrap();
        assert!(split.successors.iter().all(|s| !s.is_empty()));
    }
}
