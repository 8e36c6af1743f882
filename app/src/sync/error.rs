//! Why a sync run did not finish, told apart by what to do about it: wait for the network, wait
//! for the server, or stop retrying (the user must act). One type for the whole engine, so a
//! failure of the device's own store is never shown as "cannot reach the server".

use shared::retry::Retry;

use crate::api::ApiFailure;
use crate::i18n::I18n;
use crate::store::StoreError;

#[derive(Debug, Clone, PartialEq)]
pub enum SyncError {
    /// No answer: offline, the server down, or a link that hangs past its deadline. Retried as
    /// soon as a probe gets an answer.
    Unreachable,
    /// The server answered but cannot take it now (overloaded, starting, its disk full): retried
    /// after a pause that grows, or when the server says.
    Busy {
        message: String,
        retry_after_seconds: Option<u32>,
    },
    /// The server refused the request itself (the session, the facility): retrying will not help
    /// until something changes; retried rarely.
    Refused { status: u16, message: String },
    /// The browser's own store failed (quota, a closed database).
    LocalStore(String),
}

impl SyncError {
    /// The sentence the sync page and the header show.
    pub fn message(&self, i18n: I18n) -> String {
        match self {
            SyncError::Unreachable => i18n.texts().network_error.to_string(),
            SyncError::Busy { message, .. } | SyncError::Refused { message, .. } => message.clone(),
            SyncError::LocalStore(detail) => {
                format!("{} ({detail})", i18n.texts().local_store_error)
            }
        }
    }

    /// Whether the request was refused for what it carries (too large, malformed), so that
    /// sending its changes in smaller parts can get the good ones through.
    pub fn splits(&self) -> bool {
        matches!(self, SyncError::Refused { status, .. } if Retry::of(*status) == Retry::Split)
    }

    pub fn code(&self) -> &'static str {
        match self {
            SyncError::Unreachable => "unreachable",
            SyncError::Busy { .. } => "busy",
            SyncError::Refused { status: 413, .. } => "too_large",
            SyncError::Refused { .. } => "refused",
            SyncError::LocalStore(_) => "local_store",
        }
    }
}

impl From<ApiFailure> for SyncError {
    fn from(failure: ApiFailure) -> Self {
        match failure {
            ApiFailure::Unreachable => SyncError::Unreachable,
            ApiFailure::Refused { status, body } => match Retry::of(status) {
                Retry::Later => SyncError::Busy {
                    message: body.message,
                    retry_after_seconds: body.retry_after_seconds.map(|s| s.min(3600) as u32),
                },
                Retry::Split | Retry::Stop => SyncError::Refused {
                    status,
                    message: body.message,
                },
            },
        }
    }
}

impl From<StoreError> for SyncError {
    fn from(error: StoreError) -> Self {
        SyncError::LocalStore(error.0)
    }
}
