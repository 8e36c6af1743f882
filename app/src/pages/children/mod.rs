//! The child registry: list and search, register and edit, a child's page. Everything reads and
//! writes the local store through [`crate::sync::SyncState`]; nothing waits for the network.

pub mod detail;
pub mod form;
pub mod list;

use chrono::{NaiveDate, Utc};
use shared::api::Area;
use shared::child::Child;
use shared::lang::vietnam_offset;
use shared::place::AreaLevel;
use shared::sync::RecordType;
use uuid::Uuid;

use crate::api::Api;
use crate::store::{self, LocalRecord};

/// Today in Vietnam (ages and date checks use it).
pub fn today() -> NaiveDate {
    Utc::now().with_timezone(&vietnam_offset()).date_naive()
}

/// The typed child behind a local record, if it is one.
pub fn child_of(record: &LocalRecord) -> Option<Child> {
    (record.record_type == RecordType::Child)
        .then(|| Child::from_fields(&record.fields))
        .flatten()
}

/// The communes, from the device's copy, kept fresh by the first sync run of each opening of
/// the store; from the server only while the device has none (a page never waits on a link that
/// hangs for what it already has).
pub async fn communes(api: Api) -> Vec<Area> {
    let kept = store::get_meta::<Vec<Area>>("areas").await.ok().flatten();
    let areas = match kept {
        Some(areas) if !areas.is_empty() => areas,
        _ => fetch_areas(api).await.unwrap_or_default(),
    };
    only_communes(areas)
}

/// Fetches the areas from the server and keeps them on the device; `None` offline.
pub async fn fetch_areas(api: Api) -> Option<Vec<Area>> {
    let areas = api.get::<Vec<Area>>("/api/areas").await.ok()?;
    let _ = store::put_meta("areas", &areas).await;
    Some(areas)
}

fn only_communes(areas: Vec<Area>) -> Vec<Area> {
    areas
        .into_iter()
        .filter(|area| area.active && area.level == AreaLevel::Commune)
        .collect()
}

pub fn area_name(areas: &[Area], id: Uuid) -> String {
    areas
        .iter()
        .find(|area| area.id == id)
        .map(|area| area.name.clone())
        .unwrap_or_default()
}
