//! Sync endpoints: `POST /api/sync/push` and `GET /api/sync/pull` (protocol: `shared::sync`).
//!
//! Push applies a batch in one transaction, in order: each change is answered once and the answer
//! is kept under its id, so a repeated push applies nothing twice and gets the same answers.
//! Pull returns the records the user may see, in server order, a bounded page at a time.

pub mod pull;
pub mod push;
mod records;
pub mod referrals;
mod urgent;

use axum::routing::{get, post};
use axum::Router;

use crate::AppState;

pub use pull::{pull, PullQuery};
pub use push::push;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/sync/push", post(push))
        .route("/api/sync/pull", get(pull))
}
