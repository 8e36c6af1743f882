//! What the device knows of the network besides records: the communes and facilities of the
//! directory (kept for offline use), the server's clock and the referral due times learnt at each
//! pull, and the notices the user has seen. The sync engine keeps it fresh; pages read it.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};
use leptos::prelude::*;
use shared::api::{Area, Facility};
use shared::place::AreaLevel;
use shared::referral::DueTimes;
use shared::sync::PullResponse;
use uuid::Uuid;

use crate::api::Api;
use crate::store;

/// A change of the measured clock error smaller than this (network delay) is not worth keeping.
const SKEW_TOLERANCE_MS: i64 = 2_000;

/// What the referral pages know beyond the records. `Copy`: every field is a signal.
#[derive(Clone, Copy)]
pub struct Network {
    /// Active facilities, kept for offline use.
    pub facilities: RwSignal<Vec<Facility>>,
    /// Server clock minus device clock, in milliseconds, as of the last pull.
    pub skew_ms: RwSignal<i64>,
    pub due_times: RwSignal<DueTimes>,
    /// Notices the user has marked as seen (their keys).
    pub seen: RwSignal<BTreeSet<String>>,
}

impl Default for Network {
    fn default() -> Self {
        Network {
            facilities: RwSignal::new(Vec::new()),
            skew_ms: RwSignal::new(0),
            due_times: RwSignal::new(DueTimes::default()),
            seen: RwSignal::new(BTreeSet::new()),
        }
    }
}

impl Network {
    /// Now, by the server's clock as last measured (a device's clock may be far off).
    pub fn now(self) -> DateTime<Utc> {
        Utc::now() + Duration::milliseconds(self.skew_ms.get_untracked())
    }

    /// Takes the server's clock and due times from a pulled page (kept on the device only when
    /// they changed: a pull has several pages).
    pub async fn learn(self, page: &PullResponse) {
        if let Some(server) = page.server_time {
            let skew = (server - Utc::now()).num_milliseconds();
            if (skew - self.skew_ms.get_untracked()).abs() > SKEW_TOLERANCE_MS {
                self.skew_ms.set(skew);
                let _ = store::put_meta("clock_skew_ms", &skew).await;
            }
        }
        if let Some(due) = page.due_times {
            if due != self.due_times.get_untracked() {
                self.due_times.set(due);
                let _ = store::put_meta("due_times", &due).await;
            }
        }
    }

    /// Refreshes the kept facility directory from the server.
    pub async fn keep_facilities(self, api: Api) {
        if let Ok(list) = api.get::<Vec<Facility>>("/api/facilities").await {
            let _ = store::put_meta("facilities", &list).await;
            self.facilities.set(list);
        }
    }

    /// Loads what the signed-in user's store kept (nothing of another user's stays).
    pub async fn reload(self) {
        async fn kept<T: serde::de::DeserializeOwned>(name: &str) -> Option<T> {
            store::get_meta::<T>(name).await.ok().flatten()
        }
        self.facilities
            .set(kept("facilities").await.unwrap_or_default());
        self.skew_ms.set(kept("clock_skew_ms").await.unwrap_or(0));
        self.due_times
            .set(kept("due_times").await.unwrap_or_default());
        self.seen
            .set(kept("notices_seen").await.unwrap_or_default());
    }

    pub fn facility_name(self, id: Uuid) -> String {
        self.facilities.with(|list| {
            list.iter()
                .find(|f| f.id == id)
                .map_or_else(|| "—".to_string(), |f| f.name.clone())
        })
    }

    /// Marks notices seen, on this device (erased with the user's store at sign-out).
    pub fn mark_seen(self, keys: Vec<String>) {
        self.seen.update(|seen| seen.extend(keys));
        let seen = self.seen.get_untracked();
        leptos::task::spawn_local(async move {
            let _ = store::put_meta("notices_seen", &seen).await;
        });
    }
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
