//! The audit log in words: what an action code, a record type and a detail mean, in the
//! reader's language. The server writes codes and `key=value` details (the same in every
//! language, so the log can be filtered and kept); this is where they are worded. A code this
//! catalogue does not know is shown as written, never hidden.

use shared::lang::Lang;
use shared::role::Role;
use shared::sync::RecordType;

/// (code, Vietnamese, English) for actions named in full.
const ACTIONS: &[(&str, &str, &str)] = &[
    ("auth.sign_in", "Đăng nhập", "Signed in"),
    ("auth.sign_in_failed", "Đăng nhập sai", "Failed sign-in"),
    (
        "auth.sign_in_refused",
        "Đăng nhập bị từ chối",
        "Sign-in refused",
    ),
    (
        "auth.sign_in_throttled",
        "Đăng nhập bị tạm chặn",
        "Sign-in held back",
    ),
    ("auth.sign_out", "Đăng xuất", "Signed out"),
    ("auth.password_change", "Đổi mật khẩu", "Password changed"),
    (
        "auth.password_change_failed",
        "Đổi mật khẩu không thành",
        "Password change failed",
    ),
    (
        "auth.password_change_throttled",
        "Đổi mật khẩu bị tạm chặn",
        "Password change held back",
    ),
    ("user.create", "Tạo tài khoản", "Account created"),
    ("user.update", "Sửa tài khoản", "Account changed"),
    ("user.reset_password", "Đặt lại mật khẩu", "Password reset"),
    ("user.unlock", "Mở khóa tài khoản", "Account unlocked"),
    ("facility.create", "Thêm cơ sở", "Facility added"),
    ("facility.update", "Sửa cơ sở", "Facility changed"),
    ("area.create", "Thêm địa bàn", "Area added"),
    ("area.update", "Sửa địa bàn", "Area changed"),
    (
        "area.load_official",
        "Nạp danh mục hành chính chính thức",
        "Official units loaded",
    ),
    (
        "referral.slip_check",
        "Kiểm tra phiếu chuyển tuyến",
        "Referral slip checked",
    ),
    (
        "seed.admin",
        "Tạo quản trị viên đầu tiên",
        "First administrator created",
    ),
    ("seed.demo", "Nạp dữ liệu minh họa", "Demo data loaded"),
    ("indicators.read", "Xem chỉ số", "Indicators viewed"),
    (
        "indicators.rows",
        "Xem danh sách sau một chỉ số",
        "Rows behind an indicator viewed",
    ),
    ("indicators.export", "Xuất báo cáo", "Report exported"),
    (
        "child.sync_read",
        "Hồ sơ trẻ về thiết bị",
        "Children's records sent to a device",
    ),
    (
        "import.children",
        "Nhập danh sách lớp",
        "Class list imported",
    ),
    ("import.users", "Nhập tài khoản", "Accounts imported"),
    ("import.facilities", "Nhập cơ sở", "Facilities imported"),
];

/// What happened to a synced change (`<record type>.<outcome>`).
const OUTCOMES: &[(&str, &str, &str)] = &[
    ("update", "lưu thay đổi", "change stored"),
    (
        "superseded",
        "thay đổi đến sau bản đã lưu",
        "change arrived after a newer one",
    ),
    ("rejected", "thay đổi bị từ chối", "change refused"),
];

/// Record types (every [`RecordType`] code, checked by a test) and the other records the
/// log names.
const RECORDS: &[(&str, &str, &str)] = &[
    ("child", "Hồ sơ trẻ", "Child"),
    ("screening", "Sàng lọc", "Screening"),
    ("referral", "Chuyển tuyến", "Referral"),
    ("consent", "Sự đồng ý", "Consent"),
    ("session", "Buổi tư vấn, hỗ trợ", "Counselling session"),
    ("circumstance", "Hoàn cảnh đặc biệt", "Special circumstance"),
    ("care_arrangement", "Hình thức chăm sóc", "Care arrangement"),
    ("referral_event", "Bước chuyển tuyến", "Referral step"),
    ("urgent_flag", "Cảnh báo khẩn", "Urgent flag"),
    ("activity", "Hoạt động", "Programme activity"),
    (
        "health_condition",
        "Tình trạng sức khỏe tâm thần",
        "Known condition",
    ),
    ("user", "Tài khoản", "Account"),
    ("facility", "Cơ sở", "Facility"),
    ("area", "Địa bàn", "Area"),
];

/// (key, Vietnamese, English) for detail keys.
const KEYS: &[(&str, &str, &str)] = &[
    ("records", "Số hồ sơ", "Records"),
    ("from", "Từ vị trí", "From position"),
    ("to", "Đến vị trí", "To position"),
    ("change", "Mã thay đổi", "Change"),
    ("retry_after", "Thử lại sau (giây)", "Retry after (s)"),
    ("failures", "Số lần sai", "Failures"),
    ("role", "Vai trò", "Role"),
    ("active", "Đang hoạt động", "Active"),
    ("source", "Nguồn", "Source"),
    ("genuine", "Phiếu thật", "Genuine"),
    ("reason", "Lý do", "Reason"),
    ("province", "Tỉnh", "Province"),
    ("communes_added", "Số xã thêm", "Communes added"),
    (
        "districts_added",
        "Số huyện cũ thêm",
        "Former districts added",
    ),
    ("dry_run", "Chỉ xem trước", "Preview only"),
    ("rows", "Số dòng", "Rows"),
    ("created", "Tạo mới", "Created"),
    ("updated", "Cập nhật", "Updated"),
    ("skipped", "Bỏ qua", "Skipped"),
    ("scope", "Phạm vi", "Scope"),
    ("year", "Năm", "Year"),
    ("indicator", "Chỉ số", "Indicator"),
    ("format", "Định dạng", "Format"),
];

/// (value, Vietnamese, English) for coded values.
const VALUES: &[(&str, &str, &str)] = &[
    ("true", "có", "yes"),
    ("false", "không", "no"),
    ("import", "nhập từ tệp", "file import"),
    ("account_disabled", "tài khoản đã khóa", "account disabled"),
    (
        "facility_inactive",
        "cơ sở ngừng hoạt động",
        "facility closed",
    ),
];

fn pick(
    table: &[(&str, &'static str, &'static str)],
    code: &str,
    lang: Lang,
) -> Option<&'static str> {
    table
        .iter()
        .find(|(known, _, _)| *known == code)
        .map(|(_, vi, en)| match lang {
            Lang::Vi => *vi,
            Lang::En => *en,
        })
}

/// A record type's name; other kinds of record the log names (accounts, facilities, areas) too.
pub fn record_type(code: &str, lang: Lang) -> String {
    pick(RECORDS, code, lang).map_or_else(|| code.to_string(), str::to_string)
}

/// An action in words: a known action, or a record type and what happened to its change.
pub fn action(code: &str, lang: Lang) -> String {
    if let Some(words) = pick(ACTIONS, code, lang) {
        return words.to_string();
    }
    if let Some((kind, outcome)) = code.split_once('.') {
        if let (Some(_), Some(words)) = (RecordType::from_code(kind), pick(OUTCOMES, outcome, lang))
        {
            return format!("{}: {words}", record_type(kind, lang));
        }
    }
    code.to_string()
}

/// A detail in words: each known `key=value` pair worded, anything else as written.
pub fn detail(text: &str, lang: Lang) -> String {
    text.split("; ")
        .map(|pair| match pair.split_once('=') {
            Some((key, value)) => match pick(KEYS, key, lang) {
                Some(label) => format!("{label}: {}", value_words(key, value, lang)),
                None => pair.to_string(),
            },
            None => pair.to_string(),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn value_words(key: &str, value: &str, lang: Lang) -> String {
    if key == "role" {
        if let Some(role) = Role::from_code(value) {
            return role.label(lang).to_string();
        }
    }
    if let Ok(number) = value.parse::<u64>() {
        return number.to_string();
    }
    pick(VALUES, value, lang).map_or_else(|| value.to_string(), str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_record_type_and_outcome_is_worded() {
        for kind in RecordType::ALL {
            for lang in [Lang::Vi, Lang::En] {
                assert_ne!(record_type(kind.code(), lang), kind.code());
                for (outcome, _, _) in OUTCOMES {
                    let code = format!("{}.{outcome}", kind.code());
                    assert_ne!(action(&code, lang), code);
                }
            }
        }
    }

    #[test]
    fn details_are_worded_and_unknown_ones_kept() {
        let detail_en = detail("records=19; from=0; to=20", Lang::En);
        assert_eq!(detail_en, "Records: 19; From position: 0; To position: 20");
        assert_eq!(
            detail("role=counsellor; active=false", Lang::Vi),
            format!(
                "Vai trò: {}; Đang hoạt động: không",
                Role::Counsellor.label(Lang::Vi)
            )
        );
        assert_eq!(
            detail("19 records, seq 0..20", Lang::En),
            "19 records, seq 0..20"
        );
        assert_eq!(action("auth.sign_in", Lang::En), "Signed in");
        assert_eq!(action("something.new", Lang::Vi), "something.new");
    }
}
