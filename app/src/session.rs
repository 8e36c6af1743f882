//! The signed-in session on this device.
//!
//! The session (token and the user's own profile, nothing about children) is kept in
//! `localStorage` so a reload stays signed in; sign-out removes it. Offline sign-in is
//! `offline_auth`'s. Why a session ended (the server ended it, the facility was closed) is kept
//! too, until the next sign-in: a reload, or a sign-out that lands just before one, must not
//! leave a person at the sign-in page without the reason.

use leptos::prelude::*;
use shared::api::{CurrentUser, Session};

const SESSION_KEY: &str = "tam-an.session";
const SIGNED_OUT_KEY: &str = "tam-an.signed-out";

/// Why the server ended a session, as the sign-in page explains it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignedOut {
    /// The token expired or was revoked.
    SessionEnded,
    /// The user's facility was closed in the directory.
    FacilityClosed,
    /// The page was reloaded without a network: the device's data waits for the password.
    Locked,
}

impl SignedOut {
    fn code(self) -> &'static str {
        match self {
            SignedOut::SessionEnded => "session_ended",
            SignedOut::FacilityClosed => "facility_closed",
            SignedOut::Locked => "store_locked",
        }
    }

    fn from_code(code: &str) -> Option<SignedOut> {
        [
            SignedOut::SessionEnded,
            SignedOut::FacilityClosed,
            SignedOut::Locked,
        ]
        .into_iter()
        .find(|reason| reason.code() == code)
    }

    /// The explanation in the page's language.
    pub fn text(self, texts: &crate::i18n::Texts) -> &'static str {
        match self {
            SignedOut::SessionEnded => texts.session_ended,
            SignedOut::FacilityClosed => texts.facility_closed,
            SignedOut::Locked => texts.store_locked,
        }
    }
}

#[derive(Clone, Copy)]
pub struct SessionStore {
    session: RwSignal<Option<Session>>,
    /// Why the last session ended, for the sign-in page; `None` after a sign-out by hand.
    pub notice: RwSignal<Option<SignedOut>>,
}

impl SessionStore {
    pub fn get(self) -> Option<Session> {
        self.session.get()
    }

    pub fn get_untracked(self) -> Option<Session> {
        self.session.get_untracked()
    }

    pub fn user(self) -> Option<CurrentUser> {
        self.session
            .with(|session| session.as_ref().map(|s| s.user.clone()))
    }

    pub fn user_untracked(self) -> Option<CurrentUser> {
        self.session
            .with_untracked(|session| session.as_ref().map(|s| s.user.clone()))
    }

    pub fn token(self) -> Option<String> {
        self.session
            .with_untracked(|session| session.as_ref().map(|s| s.token.clone()))
    }

    pub fn is_signed_in(self) -> bool {
        self.session.with(Option::is_some)
    }

    pub fn start(self, session: Session) {
        if let (Some(storage), Ok(json)) = (storage(), serde_json::to_string(&session)) {
            let _ = storage.set_item(SESSION_KEY, &json);
            let _ = storage.remove_item(SIGNED_OUT_KEY);
        }
        self.notice.set(None);
        self.session.set(Some(session));
    }

    /// Replaces the user's profile (after a password change), keeping the token.
    pub fn update_user(self, user: CurrentUser) {
        let Some(mut session) = self.session.get_untracked() else {
            return;
        };
        session.user = user;
        self.start(session);
    }

    /// Forgets the session on this device.
    pub fn end(self, notice: Option<SignedOut>) {
        if let Some(storage) = storage() {
            let _ = storage.remove_item(SESSION_KEY);
            let _ = match notice {
                Some(reason) => storage.set_item(SIGNED_OUT_KEY, reason.code()),
                None => storage.remove_item(SIGNED_OUT_KEY),
            };
        }
        self.session.set(None);
        self.notice.set(notice);
    }
}

fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

pub fn provide_session() -> SessionStore {
    let remembered = storage()
        .and_then(|storage| storage.get_item(SESSION_KEY).ok().flatten())
        .and_then(|json| serde_json::from_str::<Session>(&json).ok())
        .filter(|session| session.expires_at > chrono::Utc::now());
    let notice = match remembered {
        Some(_) => None,
        None => storage()
            .and_then(|storage| storage.get_item(SIGNED_OUT_KEY).ok().flatten())
            .and_then(|code| SignedOut::from_code(&code)),
    };
    let store = SessionStore {
        session: RwSignal::new(remembered),
        notice: RwSignal::new(notice),
    };
    provide_context(store);
    store
}

pub fn use_session() -> SessionStore {
    expect_context::<SessionStore>()
}
