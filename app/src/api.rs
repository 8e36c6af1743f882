//! The HTTP client for the server's JSON API.
//!
//! Every call sends the session token and the user's language, and turns every outcome into
//! `Result<T, ApiFailure>`: the server's own error body when it answered, or a plain "cannot reach
//! the server" when it did not. A 401 on a signed-in call ends the session on this device.

use std::collections::BTreeMap;

use gloo_net::http::{Request, RequestBuilder, Response};
use leptos::prelude::*;
use serde::de::DeserializeOwned;
use serde::Serialize;
use shared::api::ErrorBody;

use crate::i18n::{use_i18n, I18n};
use crate::session::{use_session, SessionStore};

/// Why a call did not give what was asked.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiFailure {
    /// No answer: offline, or the server is down.
    Unreachable,
    /// The server said no, with its reasons.
    Refused { status: u16, body: ErrorBody },
}

impl ApiFailure {
    /// The sentence to show the user.
    pub fn message(&self, i18n: I18n) -> String {
        match self {
            ApiFailure::Unreachable => i18n.t().network_error.to_string(),
            ApiFailure::Refused { body, .. } => body.message.clone(),
        }
    }

    /// Problems per field, when the server found invalid input.
    pub fn fields(&self) -> BTreeMap<String, String> {
        match self {
            ApiFailure::Refused { body, .. } => body.fields.clone().unwrap_or_default(),
            ApiFailure::Unreachable => BTreeMap::new(),
        }
    }
}

/// Set once a server answers with a version this app cannot talk to (`shared::api::compatible`):
/// the page must be reloaded to get the server's app.
#[derive(Clone, Copy)]
pub struct ServerNewer(pub RwSignal<bool>);

/// A handle that knows the session and the language; `Copy`, so handlers capture it freely.
#[derive(Clone, Copy)]
pub struct Api {
    session: SessionStore,
    i18n: I18n,
    newer: Option<ServerNewer>,
}

pub fn use_api() -> Api {
    Api {
        session: use_session(),
        i18n: use_i18n(),
        newer: use_context::<ServerNewer>(),
    }
}

impl Api {
    pub async fn get<T: DeserializeOwned>(self, path: &str) -> Result<T, ApiFailure> {
        self.send(Request::get(path), None::<&()>).await
    }

    pub async fn post<B: Serialize, T: DeserializeOwned>(
        self,
        path: &str,
        body: &B,
    ) -> Result<T, ApiFailure> {
        self.send(Request::post(path), Some(body)).await
    }

    pub async fn patch<B: Serialize, T: DeserializeOwned>(
        self,
        path: &str,
        body: &B,
    ) -> Result<T, ApiFailure> {
        self.send(Request::patch(path), Some(body)).await
    }

    /// Downloads a file the server makes (a report) and offers it to the user under the name the
    /// server gives (or `fallback`).
    pub async fn download(self, path: &str, fallback: &str) -> Result<(), ApiFailure> {
        let response = self.exchange(Request::get(path), None::<&()>).await?;
        let response = self.check(response).await?;
        let name = response
            .headers()
            .get("content-disposition")
            .and_then(|d| {
                d.split("filename=\"")
                    .nth(1)
                    .map(|n| n.trim_end_matches('"').to_string())
            })
            .unwrap_or_else(|| fallback.to_string());
        let mime = response.headers().get("content-type").unwrap_or_default();
        let bytes = response
            .binary()
            .await
            .map_err(|_| ApiFailure::Unreachable)?;
        crate::files::save_bytes(&name, &bytes, &mime);
        Ok(())
    }

    /// A POST whose answer has no body (e.g. sign-out).
    pub async fn post_empty(self, path: &str) -> Result<(), ApiFailure> {
        let response = self.exchange(Request::post(path), None::<&()>).await?;
        self.check(response).await.map(|_| ())
    }

    /// Sends a file as the body (an import) and reads the JSON answer.
    pub async fn upload<T: DeserializeOwned>(
        self,
        path: &str,
        file: &js_sys::Uint8Array,
        content_type: &str,
    ) -> Result<T, ApiFailure> {
        let builder = self
            .headers(Request::post(path))
            .header("content-type", content_type);
        let request = builder
            .body(file.clone())
            .map_err(|_| ApiFailure::Unreachable)?;
        let response = request.send().await.map_err(|_| ApiFailure::Unreachable)?;
        self.note_version(&response);
        let response = self.check(response).await?;
        self.parse(response).await
    }

    async fn send<B: Serialize, T: DeserializeOwned>(
        self,
        builder: RequestBuilder,
        body: Option<&B>,
    ) -> Result<T, ApiFailure> {
        let response = self.exchange(builder, body).await?;
        let response = self.check(response).await?;
        self.parse(response).await
    }

    async fn parse<T: DeserializeOwned>(self, response: Response) -> Result<T, ApiFailure> {
        response
            .json::<T>()
            .await
            .map_err(|error| ApiFailure::Refused {
                status: 0,
                body: ErrorBody {
                    code: "unreadable_response".into(),
                    message: format!("{} ({error})", self.i18n.t().network_error),
                    fields: None,
                    retry_after_seconds: None,
                },
            })
    }

    async fn exchange<B: Serialize>(
        self,
        builder: RequestBuilder,
        body: Option<&B>,
    ) -> Result<Response, ApiFailure> {
        let builder = self.headers(builder);
        let sent = match body {
            Some(body) => {
                let Ok(text) = serde_json::to_string(body) else {
                    return Err(ApiFailure::Unreachable);
                };
                let builder = builder.header("content-type", "application/json");
                let request = match crate::gzip::compress(&text).await {
                    Some(bytes) => builder.header("content-encoding", "gzip").body(bytes),
                    None => builder.body(text),
                };
                match request {
                    Ok(request) => request.send().await,
                    Err(_) => return Err(ApiFailure::Unreachable),
                }
            }
            None => builder.send().await,
        };
        let response = sent.map_err(|_| ApiFailure::Unreachable)?;
        self.note_version(&response);
        Ok(response)
    }

    /// The language, and the session's token when signed in.
    fn headers(self, builder: RequestBuilder) -> RequestBuilder {
        let builder = builder.header("x-lang", self.i18n.0.get_untracked().tag());
        match self.session.token() {
            Some(token) => builder.header("authorization", &format!("Bearer {token}")),
            None => builder,
        }
    }

    /// A server this app cannot talk to asks for a reload.
    fn note_version(self, response: &Response) {
        let server = response.headers().get(shared::api::VERSION_HEADER);
        if let (Some(server), Some(newer)) = (server, self.newer) {
            if !shared::api::compatible(env!("CARGO_PKG_VERSION"), &server) {
                newer.0.set(true);
            }
        }
    }

    async fn check(self, response: Response) -> Result<Response, ApiFailure> {
        if response.ok() {
            return Ok(response);
        }
        let status = response.status();
        let body = response
            .json::<ErrorBody>()
            .await
            .unwrap_or_else(|_| ErrorBody {
                code: "unexpected".into(),
                message: self.i18n.t().network_error.into(),
                fields: None,
                retry_after_seconds: None,
            });
        if status == 401 && self.session.token().is_some() {
            self.session.end(Some(self.i18n.t().session_ended));
        }
        // The facility was closed in the directory: the session ends (what is on this device
        // stays, and the server keeps the facility's records).
        if status == 403 && body.code == "facility_inactive" && self.session.token().is_some() {
            self.session.end(Some(self.i18n.t().facility_closed));
        }
        Err(ApiFailure::Refused { status, body })
    }
}
