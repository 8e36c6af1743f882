//! `GET /api/referrals/{id}/slip?s=SIGNATURE`: is a printed referral slip genuine?
//!
//! The slip's QR code links to the app with the referral id and the signature the server gave it
//! (`shared::referral::slip`). Any signed-in user holding a slip may ask; the answer says only
//! whether the signature is the server's and whether the user's facility can open the referral.
//! Every check is audited; a genuine slip names a child on paper, so its check is also among
//! the reads of that child ("who saw this child", `GET /api/audit?record_id=`).

use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use rusqlite::{params, OptionalExtension};
use serde::Deserialize;
use shared::api::ErrorBody;
use shared::referral::slip::{self, SlipCheck};
use uuid::Uuid;

use crate::audit::{self, Actor, Event};
use crate::error::ApiError;
use crate::extract::AuthUser;
use crate::sync::referrals::slip_signature_matches;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/referrals/{id}/slip", get(check))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SlipQuery {
    /// The signature printed in the slip's QR code.
    pub s: String,
}

#[utoipa::path(get, path = "/api/referrals/{id}/slip", tag = "referrals", security(("bearer" = [])),
    params(("id" = Uuid, Path), SlipQuery),
    responses((status = 200, body = SlipCheck), (status = 401, body = ErrorBody)))]
pub async fn check(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<Uuid>,
    Query(query): Query<SlipQuery>,
) -> Result<Json<SlipCheck>, ApiError> {
    let facility = user.facility_id;
    let now = state.clock.now();
    let answer = state
        .db
        .write(move |transaction| {
            let found: Option<(Uuid, Option<Uuid>)> = transaction
                .query_row(
                    "SELECT facility_id, child_id FROM records WHERE record_type = 'referral' AND id = ?1",
                    [id],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .optional()?;
            let exists = found.map(|(owner, _)| owner);
            let genuine = exists.is_some() && slip_signature_matches(transaction, id, &query.s)?;
            let can_open = match (exists, facility) {
                (Some(owner), Some(mine)) if owner == mine => true,
                (Some(_), Some(mine)) => transaction
                    .query_row(
                        "SELECT 1 FROM record_shares WHERE facility_id = ?1 AND record_type = 'referral'
                         AND record_id = ?2",
                        params![mine, id],
                        |_| Ok(()),
                    )
                    .optional()?
                    .is_some(),
                _ => false,
            };
            let event = Event::new("referral.slip_check")
                .on("referral", id)
                .with("genuine", genuine);
            let read: Vec<Uuid> = match found {
                Some((_, Some(child))) if genuine => vec![id, child],
                _ => Vec::new(),
            };
            audit::record_read(transaction, now, &Actor::user(&user), event, &read)?;
            Ok(SlipCheck {
                genuine,
                can_open: genuine && can_open,
                short_code: slip::short_code(id),
            })
        })
        .await?;
    Ok(Json(answer))
}
