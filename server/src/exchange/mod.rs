//! The standard exchanges: FHIR R4 for records and instrument definitions (`fhir/`), ADX and
//! DHIS2 `dataValueSets` for the programme's figures (`adx/`). Read-only; a caller reaches the
//! area its account belongs to (`places.rs`), never more.

pub mod adx;
pub mod fhir;
pub mod places;

use axum::Router;

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().merge(fhir::router()).merge(adx::router())
}
