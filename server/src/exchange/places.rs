//! What an exchange reads of the directory: the areas and facilities of the caller's reach, with
//! their official codes, loaded once per request (a province holds a few thousand).

use std::collections::HashMap;

use rusqlite::Connection;
use uuid::Uuid;

use crate::error::ApiError;
use crate::extract::SignedIn;

#[derive(Debug, Clone)]
pub struct Area {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    /// `province` or `commune` (abolished districts are not exchanged).
    pub level: String,
    pub parent: Option<Uuid>,
    pub active: bool,
}

#[derive(Debug, Clone)]
pub struct Facility {
    pub id: Uuid,
    pub code: Option<String>,
    pub name: String,
    pub facility_type: String,
    pub area: Uuid,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub active: bool,
}

/// The caller's reach: the area it belongs to and everything under it.
#[derive(Debug, Clone)]
pub struct Places {
    pub root: Uuid,
    /// The one facility the reach is narrowed to, if any.
    pub only: Option<Uuid>,
    pub areas: HashMap<Uuid, Area>,
    pub facilities: HashMap<Uuid, Facility>,
}

impl Places {
    /// The user's area and the communes under it, with their facilities; `facility` narrows the
    /// facilities to one of them (404 when it is not within reach). A user placed at a facility
    /// reaches that facility alone (its commune and province are still named).
    pub fn load(
        connection: &Connection,
        user: &SignedIn,
        facility: Option<Uuid>,
    ) -> Result<Places, ApiError> {
        let facility = match (user.facility_id, facility) {
            (Some(own), Some(asked)) if own != asked => return Err(ApiError::NotFound),
            (Some(own), _) => Some(own),
            (None, asked) => asked,
        };
        let root = user.area_id;
        let mut statement = connection.prepare_cached(
            "SELECT id, code, name, level, parent_id, active FROM areas
             WHERE (id = ?1 OR parent_id = ?1 OR id = (SELECT parent_id FROM areas WHERE id = ?1))
               AND level != 'legacy_district'",
        )?;
        let areas = statement
            .query_map([root], |row| {
                Ok(Area {
                    id: row.get(0)?,
                    code: row.get(1)?,
                    name: row.get(2)?,
                    level: row.get(3)?,
                    parent: row.get(4)?,
                    active: row.get(5)?,
                })
            })?
            .map(|area| area.map(|a| (a.id, a)))
            .collect::<Result<HashMap<_, _>, _>>()?;
        let mut statement = connection.prepare_cached(
            "SELECT f.id, f.code, f.name, f.facility_type, f.area_id, f.address, f.phone, f.active
             FROM facilities f JOIN areas a ON a.id = f.area_id
             WHERE a.id = ?1 OR a.parent_id = ?1",
        )?;
        let mut facilities = statement
            .query_map([root], |row| {
                Ok(Facility {
                    id: row.get(0)?,
                    code: row.get(1)?,
                    name: row.get(2)?,
                    facility_type: row.get(3)?,
                    area: row.get(4)?,
                    address: row.get(5)?,
                    phone: row.get(6)?,
                    active: row.get(7)?,
                })
            })?
            .map(|facility| facility.map(|f| (f.id, f)))
            .collect::<Result<HashMap<_, _>, _>>()?;
        if let Some(wanted) = facility {
            facilities.retain(|id, _| *id == wanted);
            if facilities.is_empty() {
                return Err(ApiError::NotFound);
            }
        }
        Ok(Places {
            root,
            only: facility,
            areas,
            facilities,
        })
    }

    /// The commune (and its province) a facility or a child's home is in, as names.
    pub fn commune_and_province(&self, area: Uuid) -> (Option<&Area>, Option<&Area>) {
        let commune = self.areas.get(&area);
        let province = commune
            .and_then(|c| c.parent)
            .and_then(|p| self.areas.get(&p))
            .or_else(|| self.areas.get(&self.root).filter(|a| a.level == "province"));
        (commune.filter(|c| c.level == "commune"), province)
    }

    /// The facility ids in reach, for a query's `IN (…)` list.
    pub fn facility_ids(&self) -> Vec<Uuid> {
        let mut ids: Vec<Uuid> = self.facilities.keys().copied().collect();
        ids.sort_unstable();
        ids
    }
}
