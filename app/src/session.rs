//! The signed-in session on this device.
//!
//! For now the session (token and the user's own profile, nothing about children) is kept in
//! `localStorage` so a reload stays signed in; sign-out removes it. The offline-first data layer
//! moves it into IndexedDB next to the user's records and adds offline sign-in.

use leptos::prelude::*;
use shared::api::{CurrentUser, Session};

const SESSION_KEY: &str = "tam-an.session";

#[derive(Clone, Copy)]
pub struct SessionStore {
    session: RwSignal<Option<Session>>,
    /// A notice for the sign-in page, e.g. "your session has ended".
    pub notice: RwSignal<Option<&'static str>>,
}

impl SessionStore {
    pub fn get(self) -> Option<Session> {
        self.session.get()
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
    pub fn end(self, notice: Option<&'static str>) {
        if let Some(storage) = storage() {
            let _ = storage.remove_item(SESSION_KEY);
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
    let store = SessionStore {
        session: RwSignal::new(remembered),
        notice: RwSignal::new(None),
    };
    provide_context(store);
    store
}

pub fn use_session() -> SessionStore {
    expect_context::<SessionStore>()
}
