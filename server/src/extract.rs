//! Request extractors: JSON bodies in our error format, the client's address, the signed-in user.

use std::net::SocketAddr;

use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use serde::de::DeserializeOwned;
use shared::role::Role;
use uuid::Uuid;

use crate::auth::session;
use crate::error::ApiError;
use crate::AppState;

/// A JSON body; bad JSON, unknown fields, wrong types and oversized bodies become [`ApiError`]s.
pub struct AppJson<T>(pub T);

impl<T, S> FromRequest<S> for AppJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(AppJson(value)),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(ApiError::NotJson),
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(ApiError::TooLarge)
            }
            Err(JsonRejection::JsonDataError(error)) => Err(ApiError::Malformed(error.body_text())),
            Err(JsonRejection::JsonSyntaxError(error)) => {
                Err(ApiError::Malformed(error.body_text()))
            }
            Err(rejection) => Err(ApiError::Malformed(rejection.body_text())),
        }
    }
}

/// The client's address, for the audit log and sign-in throttling ("local" when unknown, as in
/// tests). Behind a trusted reverse proxy it is the last `X-Forwarded-For` entry.
#[derive(Debug, Clone)]
pub struct ClientAddr(pub String);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let forwarded = state
            .policy
            .trust_forwarded_for
            .then(|| parts.headers.get("x-forwarded-for"))
            .flatten()
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.rsplit(',').next())
            .map(|addr| addr.trim().to_string())
            .filter(|addr| !addr.is_empty());
        let addr = forwarded
            .or_else(|| {
                parts
                    .extensions
                    .get::<ConnectInfo<SocketAddr>>()
                    .map(|ConnectInfo(addr)| addr.ip().to_string())
            })
            .unwrap_or_else(|| "local".to_string());
        Ok(ClientAddr(addr))
    }
}

/// A signed-in user whose session is valid, whatever the state of their password.
/// Only sign-out, "who am I" and "change password" take this; everything else takes [`AuthUser`].
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub id: Uuid,
    pub username: String,
    pub role: Role,
    pub facility_id: Option<Uuid>,
    pub area_id: Uuid,
    pub must_change_password: bool,
    pub token_hash: [u8; 32],
    pub client_addr: String,
}

impl SignedIn {
    /// The session's key in the records it wrote (`records.pushed_by`): the first 8 bytes of
    /// its token's hash. Two sessions share one with odds of 2⁻⁶⁴.
    pub fn session_key(&self) -> i64 {
        let mut bytes = [0; 8];
        bytes.copy_from_slice(&self.token_hash[..8]);
        i64::from_le_bytes(bytes)
    }
}

/// A signed-in user who may use the product (their password is not due for a change).
#[derive(Debug, Clone)]
pub struct AuthUser(pub SignedIn);

impl std::ops::Deref for AuthUser {
    type Target = SignedIn;
    fn deref(&self) -> &SignedIn {
        &self.0
    }
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|token| !token.is_empty())
            .ok_or(ApiError::Unauthorized)?
            .to_string();
        let ClientAddr(client_addr) = ClientAddr::from_request_parts(parts, state)
            .await
            .unwrap_or_else(|e| match e {});
        session::resolve(state, &token, client_addr).await
    }
}

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let user = SignedIn::from_request_parts(parts, state).await?;
        if user.must_change_password {
            return Err(ApiError::PasswordChangeRequired);
        }
        Ok(AuthUser(user))
    }
}
