//! The server's one error type. Every handler returns `Result<_, ApiError>`; every error leaves as
//! JSON `{ code, message, fields?, retry_after_seconds? }` with the matching status.
//!
//! Messages are chosen per language: `IntoResponse` stores the error in the response's extensions
//! and [`localize`] (a middleware that knows the request's language) writes the body. Internal
//! errors are logged there and never shown in detail.

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use shared::api::ErrorBody;
use shared::lang::Lang;
use shared::validate::{FieldErrors, Problem};

#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    /// 400: the body is not valid JSON of the right shape; the text says what serde found.
    #[error("malformed request: {0}")]
    Malformed(String),
    /// 413: the body is larger than the configured limit.
    #[error("request body too large")]
    TooLarge,
    /// 413: a sync push with more changes than one batch may carry.
    #[error("too many changes in one push")]
    TooManyChanges { max: usize },
    /// 415: the body is not `application/json`.
    #[error("expected a JSON body")]
    NotJson,
    /// 422: well-formed but invalid; problems per field.
    #[error("invalid input")]
    Invalid(FieldErrors),
    /// 401: no session, or an expired or revoked one.
    #[error("not signed in")]
    Unauthorized,
    /// 401: wrong username or password (deliberately the same answer for both).
    #[error("wrong username or password")]
    BadCredentials,
    /// 403: the account is disabled.
    #[error("account disabled")]
    AccountDisabled,
    /// 403: the user's facility has been closed in the directory (their records are kept).
    #[error("facility inactive")]
    FacilityInactive,
    /// 403: the user must choose a new password before anything else.
    #[error("password change required")]
    PasswordChangeRequired,
    /// 403: signed in, but the role or facility does not allow this.
    #[error("forbidden")]
    Forbidden,
    /// 404.
    #[error("not found")]
    NotFound,
    /// 429: too many failed sign-ins; try again after this many seconds.
    #[error("too many attempts")]
    TooManyAttempts { retry_after_seconds: u64 },
    /// 503: the server is at its limit for this kind of work (a rush of sign-ins); try again
    /// after this many seconds.
    #[error("busy")]
    Busy { retry_after_seconds: u64 },
    /// 503: the database cannot be written (the disk is full, or the file or its folder is
    /// read-only); reads go on. Logged once when it starts, not per request.
    #[error("storage: {0:?}")]
    Storage(StorageProblem),
    /// 500: logged, shown as a generic sentence.
    #[error("internal error: {0}")]
    Internal(String),
}

/// Why the database cannot be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageProblem {
    Full,
    ReadOnly,
    /// The database file at the configured path is not the one the server opened (the data
    /// folder was replaced under it): nothing is read or written until a restart.
    Replaced,
}

impl StorageProblem {
    pub fn code(self) -> &'static str {
        match self {
            StorageProblem::Full => "storage_full",
            StorageProblem::ReadOnly => "storage_read_only",
            StorageProblem::Replaced => "storage_replaced",
        }
    }
}

/// Seconds a client is told to wait when the disk cannot be written (someone must act first).
const STORAGE_RETRY_SECONDS: u64 = 60;

impl ApiError {
    /// One field is invalid.
    pub fn field(field: &'static str, problem: Problem) -> ApiError {
        let mut errors = FieldErrors::default();
        errors.add(field, problem);
        ApiError::Invalid(errors)
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Malformed(_) => StatusCode::BAD_REQUEST,
            ApiError::TooLarge | ApiError::TooManyChanges { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::NotJson => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unauthorized | ApiError::BadCredentials => StatusCode::UNAUTHORIZED,
            ApiError::AccountDisabled
            | ApiError::FacilityInactive
            | ApiError::PasswordChangeRequired
            | ApiError::Forbidden => StatusCode::FORBIDDEN,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Busy { .. } | ApiError::Storage(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Seconds to wait before trying again, for the errors that have it.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            ApiError::TooManyAttempts {
                retry_after_seconds,
            }
            | ApiError::Busy {
                retry_after_seconds,
            } => Some(*retry_after_seconds),
            ApiError::Storage(_) => Some(STORAGE_RETRY_SECONDS),
            _ => None,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Malformed(_) => "malformed_request",
            ApiError::TooLarge => "body_too_large",
            ApiError::TooManyChanges { .. } => "too_many_changes",
            ApiError::NotJson => "expected_json",
            ApiError::Invalid(_) => "invalid_input",
            ApiError::Unauthorized => "unauthorized",
            ApiError::BadCredentials => "bad_credentials",
            ApiError::AccountDisabled => "account_disabled",
            ApiError::FacilityInactive => "facility_inactive",
            ApiError::PasswordChangeRequired => "password_change_required",
            ApiError::Forbidden => "forbidden",
            ApiError::NotFound => "not_found",
            ApiError::TooManyAttempts { .. } => "too_many_attempts",
            ApiError::Busy { .. } => "busy",
            ApiError::Storage(problem) => problem.code(),
            ApiError::Internal(_) => "internal",
        }
    }

    pub fn body(&self, lang: Lang) -> ErrorBody {
        let vi = lang == Lang::Vi;
        let message = match self {
            ApiError::Malformed(detail) if vi => {
                format!("Dữ liệu gửi lên không đúng định dạng: {detail}")
            }
            ApiError::Malformed(detail) => format!("The request is malformed: {detail}"),
            ApiError::TooLarge if vi => "Dữ liệu gửi lên quá lớn.".into(),
            ApiError::TooLarge => "The request body is too large.".into(),
            ApiError::TooManyChanges { max } if vi => format!("Mỗi lần gửi tối đa {max} thay đổi."),
            ApiError::TooManyChanges { max } => format!("Send at most {max} changes at a time."),
            ApiError::NotJson if vi => {
                "Dữ liệu phải ở dạng JSON (Content-Type: application/json).".into()
            }
            ApiError::NotJson => "Send JSON (Content-Type: application/json).".into(),
            ApiError::Invalid(_) if vi => "Vui lòng sửa các ô được đánh dấu.".into(),
            ApiError::Invalid(_) => "Please correct the marked fields.".into(),
            ApiError::Unauthorized if vi => "Phiên làm việc đã hết hạn hoặc chưa đăng nhập.".into(),
            ApiError::Unauthorized => "Your session has ended or you are not signed in.".into(),
            ApiError::BadCredentials if vi => "Sai tên đăng nhập hoặc mật khẩu.".into(),
            ApiError::BadCredentials => "Wrong username or password.".into(),
            ApiError::AccountDisabled if vi => {
                "Tài khoản đã bị khóa. Vui lòng liên hệ quản trị viên.".into()
            }
            ApiError::AccountDisabled => {
                "This account is disabled. Please contact your administrator.".into()
            }
            ApiError::FacilityInactive if vi => {
                "Cơ sở của bạn đã ngừng hoạt động trên hệ thống; dữ liệu vẫn được giữ. Vui lòng liên hệ quản trị viên.".into()
            }
            ApiError::FacilityInactive => {
                "Your facility has been closed in the directory; its data is kept. Please contact your administrator.".into()
            }
            ApiError::PasswordChangeRequired if vi => {
                "Vui lòng đổi mật khẩu trước khi tiếp tục.".into()
            }
            ApiError::PasswordChangeRequired => {
                "Please change your password before continuing.".into()
            }
            ApiError::Forbidden if vi => "Bạn không có quyền thực hiện thao tác này.".into(),
            ApiError::Forbidden => "You are not allowed to do this.".into(),
            ApiError::NotFound if vi => "Không tìm thấy.".into(),
            ApiError::NotFound => "Not found.".into(),
            ApiError::TooManyAttempts {
                retry_after_seconds,
            } if vi => format!(
                "Nhập sai mật khẩu nhiều lần: vui lòng chờ {} rồi thử lại. Trên máy đã từng đăng \
                 nhập, mật khẩu đúng vẫn được nhận; quản trị viên cũng có thể mở khóa.",
                wait_text(*retry_after_seconds, true)
            ),
            ApiError::TooManyAttempts {
                retry_after_seconds,
            } => format!(
                "Too many wrong passwords: please wait {} and try again. On a device that signed \
                 in before, the right password is still accepted; an administrator can also unlock.",
                wait_text(*retry_after_seconds, false)
            ),
            ApiError::Busy {
                retry_after_seconds,
            } if vi => format!(
                "Máy chủ đang bận (nhiều người đăng nhập cùng lúc). Vui lòng thử lại sau {retry_after_seconds} giây."
            ),
            ApiError::Busy {
                retry_after_seconds,
            } => format!(
                "The server is busy (many sign-ins at once). Please try again in {retry_after_seconds} seconds."
            ),
            ApiError::Storage(StorageProblem::Full) if vi => {
                "Máy chủ hết dung lượng đĩa nên chưa lưu được; dữ liệu vẫn giữ trên máy này. Báo quản trị viên.".into()
            }
            ApiError::Storage(StorageProblem::Full) => {
                "The server's disk is full, so nothing could be saved; your data stays on this device. Tell the administrator.".into()
            }
            ApiError::Storage(StorageProblem::ReadOnly) if vi => {
                "Máy chủ không ghi được dữ liệu (đĩa chỉ đọc); dữ liệu vẫn giữ trên máy này. Báo quản trị viên.".into()
            }
            ApiError::Storage(StorageProblem::ReadOnly) => {
                "The server cannot write (its disk is read-only); your data stays on this device. Tell the administrator.".into()
            }
            ApiError::Storage(StorageProblem::Replaced) if vi => {
                "Tệp dữ liệu của máy chủ đã bị thay khi đang chạy; máy chủ tạm dừng để không trộn hai bộ dữ liệu. Báo quản trị viên khởi động lại.".into()
            }
            ApiError::Storage(StorageProblem::Replaced) => {
                "The server's database file was replaced while it ran; it stops rather than mix two databases. Ask the administrator to restart it.".into()
            }
            ApiError::Internal(_) if vi => "Đã có lỗi ở máy chủ. Vui lòng thử lại sau.".into(),
            ApiError::Internal(_) => {
                "Something went wrong on the server. Please try again later.".into()
            }
        };
        ErrorBody {
            code: self.code().into(),
            message,
            fields: match self {
                ApiError::Invalid(errors) => Some(errors.messages(lang)),
                _ => None,
            },
            retry_after_seconds: self.retry_after(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status(), Json(self.body(Lang::Vi))).into_response();
        if let Some(retry_after_seconds) = self.retry_after() {
            if let Ok(value) = HeaderValue::from_str(&retry_after_seconds.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
        }
        response.extensions_mut().insert(self);
        response
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(error: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        match error.sqlite_error_code() {
            Some(ErrorCode::DiskFull) => ApiError::Storage(StorageProblem::Full),
            Some(ErrorCode::ReadOnly) => ApiError::Storage(StorageProblem::ReadOnly),
            _ => ApiError::Internal(format!("database: {error}")),
        }
    }
}

/// The request's language: `X-Lang` (set by the app) or else `Accept-Language`; Vietnamese by default.
pub fn request_lang(request: &Request) -> Lang {
    lang_of(request.headers())
}

pub fn lang_of(headers: &axum::http::HeaderMap) -> Lang {
    headers
        .get("x-lang")
        .or_else(|| headers.get(header::ACCEPT_LANGUAGE))
        .and_then(|value| value.to_str().ok())
        .map(Lang::from_tag)
        .unwrap_or_default()
}

/// Writes error bodies in the request's language and logs internal errors.
/// A framework rejection (a query or path that does not parse, a wrong method) answers in plain
/// text; the API answers every error with its JSON body.
fn is_plain_text(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/plain"))
}

async fn plain_rejection(response: Response, lang: Lang) -> Response {
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 4096)
        .await
        .unwrap_or_default();
    let detail = String::from_utf8_lossy(&bytes).trim().to_string();
    let error = match status {
        StatusCode::METHOD_NOT_ALLOWED | StatusCode::NOT_FOUND => ApiError::NotFound,
        _ => ApiError::Malformed(detail),
    };
    let mut body = error.body(lang);
    body.code = match status {
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed".into(),
        _ => body.code,
    };
    (status, Json(body)).into_response()
}

pub async fn localize(request: Request, next: Next) -> Response {
    let lang = request_lang(&request);
    let api = request.uri().path().starts_with("/api/");
    let mut response = next.run(request).await;
    let Some(error) = response.extensions_mut().remove::<ApiError>() else {
        if api && response.status().is_client_error() && is_plain_text(&response) {
            return plain_rejection(response, lang).await;
        }
        return response;
    };
    if let ApiError::Internal(detail) = &error {
        tracing::error!(%detail, "internal error");
    }
    let mut localized = (error.status(), Json(error.body(lang))).into_response();
    for (name, value) in response.headers() {
        let describes_old_body = [
            header::CONTENT_LENGTH,
            header::CONTENT_TYPE,
            header::CONTENT_ENCODING,
        ]
        .contains(name);
        if !describes_old_body {
            localized.headers_mut().insert(name.clone(), value.clone());
        }
    }
    localized
}

/// A wait in seconds or, from a minute on, whole minutes.
fn wait_text(seconds: u64, vi: bool) -> String {
    match (seconds < 60, vi) {
        (true, true) => format!("{seconds} giây"),
        (true, false) => format!("{seconds} seconds"),
        (false, true) => format!("{} phút", seconds.div_ceil(60)),
        (false, false) => format!("{} minutes", seconds.div_ceil(60)),
    }
}
