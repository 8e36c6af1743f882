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
use crate::session::{use_session, SessionStore, SignedOut};

/// How long a call may take, answer read included, before it counts as unanswered: a link that
/// hangs must not hold a page or a sync run for ever.
const CALL_MS: u32 = 45_000;
/// The same for a file sent or fetched (an import, a report), which may be large on a slow link.
const TRANSFER_MS: u32 = 180_000;
/// The same for the liveness probe, which must tell the truth within seconds.
const PROBE_MS: u32 = 4_000;
/// The same for the store key's share, which a reload waits on.
const VAULT_MS: u32 = 6_000;

/// Aborts a call's fetch once its time is up; dropping it (the call done) cancels the timer.
struct Deadline {
    controller: Option<web_sys::AbortController>,
    _timer: Option<gloo_timers::callback::Timeout>,
}

impl Deadline {
    fn new(ms: u32) -> Deadline {
        let controller = web_sys::AbortController::new().ok();
        let timer = controller
            .clone()
            .map(|controller| gloo_timers::callback::Timeout::new(ms, move || controller.abort()));
        Deadline {
            controller,
            _timer: timer,
        }
    }

    fn signal(&self) -> Option<web_sys::AbortSignal> {
        self.controller.as_ref().map(|c| c.signal())
    }
}

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
            ApiFailure::Unreachable => i18n.texts().network_error.to_string(),
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

    /// A POST that counts as unanswered after `ms` (sign-in on a device that can sign in offline:
    /// a link that hangs must not keep the user waiting for the full deadline).
    pub async fn post_within<B: Serialize, T: DeserializeOwned>(
        self,
        path: &str,
        body: &B,
        ms: u32,
    ) -> Result<T, ApiFailure> {
        let deadline = Deadline::new(ms);
        let builder = Request::post(path).abort_signal(deadline.signal().as_ref());
        let response = self.exchange(builder, Some(body)).await?;
        let response = self.check(response).await?;
        self.parse(response).await
    }

    pub async fn patch<B: Serialize, T: DeserializeOwned>(
        self,
        path: &str,
        body: &B,
    ) -> Result<T, ApiFailure> {
        self.send(Request::patch(path), Some(body)).await
    }

    /// Whether our server answers at all, within a few seconds (any status counts: a server that
    /// refuses is reachable; a reverse proxy's 502 without our version header is not). Cheap: a
    /// small unauthenticated GET.
    pub async fn probe(self) -> bool {
        let deadline = Deadline::new(PROBE_MS);
        let request = Request::get("/api/health")
            .header("x-lang", self.i18n.0.get_untracked().tag())
            .abort_signal(deadline.signal().as_ref());
        match request.send().await {
            Ok(response) => {
                self.note_version(&response);
                response
                    .headers()
                    .get(shared::api::VERSION_HEADER)
                    .is_some()
            }
            Err(_) => false,
        }
    }

    /// Downloads a file the server makes (a report) and offers it to the user under the name the
    /// server gives (or `fallback`).
    pub async fn download(self, path: &str, fallback: &str) -> Result<(), ApiFailure> {
        let deadline = Deadline::new(TRANSFER_MS);
        let request = Request::get(path).abort_signal(deadline.signal().as_ref());
        let response = self.exchange(request, None::<&()>).await?;
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
        let deadline = Deadline::new(CALL_MS);
        let request = Request::post(path).abort_signal(deadline.signal().as_ref());
        let response = self.exchange(request, None::<&()>).await?;
        self.check(response).await.map(|_| ())
    }

    /// A DELETE whose answer has no body.
    pub async fn delete_empty(self, path: &str) -> Result<(), ApiFailure> {
        let deadline = Deadline::new(CALL_MS);
        let request = Request::delete(path).abort_signal(deadline.signal().as_ref());
        let response = self.exchange(request, None::<&()>).await?;
        self.check(response).await.map(|_| ())
    }

    /// This device's share of its store key (`crate::vault`), asked with `token` at sign-in,
    /// before the session starts, or else with the session's.
    pub async fn vault_share(
        self,
        token: Option<&str>,
        device: uuid::Uuid,
    ) -> Result<shared::api::VaultKey, ApiFailure> {
        // Short: a reload waits on it, and offline the password opens the store instead.
        let deadline = Deadline::new(VAULT_MS);
        let token = token.map(str::to_string).or_else(|| self.session.token());
        let mut builder = Request::post("/api/auth/vault")
            .header("x-lang", self.i18n.0.get_untracked().tag())
            .header("content-type", "application/json")
            .abort_signal(deadline.signal().as_ref());
        if let Some(token) = token {
            builder = builder.header("authorization", &format!("Bearer {token}"));
        }
        let body = serde_json::to_string(&shared::api::VaultRequest { device })
            .map_err(|_| ApiFailure::Unreachable)?;
        let request = builder.body(body).map_err(|_| ApiFailure::Unreachable)?;
        let response = request.send().await.map_err(|_| ApiFailure::Unreachable)?;
        self.note_version(&response);
        let response = self.check(response).await?;
        self.parse(response).await
    }

    /// Sends a file as the body (an import) and reads the JSON answer.
    pub async fn upload<T: DeserializeOwned>(
        self,
        path: &str,
        file: &js_sys::Uint8Array,
        content_type: &str,
    ) -> Result<T, ApiFailure> {
        let deadline = Deadline::new(TRANSFER_MS);
        let builder = self
            .headers(Request::post(path))
            .header("content-type", content_type)
            .abort_signal(deadline.signal().as_ref());
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
        let deadline = Deadline::new(CALL_MS);
        let builder = builder.abort_signal(deadline.signal().as_ref());
        let response = self.exchange(builder, body).await?;
        let response = self.check(response).await?;
        self.parse(response).await
    }

    async fn parse<T: DeserializeOwned>(self, response: Response) -> Result<T, ApiFailure> {
        // A body cut off (the deadline, the link gone) is no answer; one that is not what was
        // asked is the server's fault.
        let text = response.text().await.map_err(|_| ApiFailure::Unreachable)?;
        serde_json::from_str::<T>(&text).map_err(|error| ApiFailure::Refused {
            status: 0,
            body: ErrorBody {
                code: "unreadable_response".into(),
                message: format!("{} ({error})", self.i18n.texts().network_error),
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
                message: self.i18n.texts().network_error.into(),
                fields: None,
                retry_after_seconds: None,
            });
        if status == 401 && self.session.token().is_some() {
            self.session.end(Some(SignedOut::SessionEnded));
        }
        // The facility was closed in the directory: the session ends (what is on this device
        // stays, and the server keeps the facility's records).
        if status == 403 && body.code == "facility_inactive" && self.session.token().is_some() {
            self.session.end(Some(SignedOut::FacilityClosed));
        }
        Err(ApiFailure::Refused { status, body })
    }
}
