//! The catalogue of bulk import (the panel on the facilities, users and children pages) and of
//! loading the official directory. Kept apart like [`super::care`]; both languages or no build.
//! The problems named per row come from the server, in the user's language.

use super::count;
use shared::import::{ImportKind, RowOutcome};

pub struct ImportTexts {
    pub open: fn(ImportKind) -> &'static str,
    pub intro: fn(ImportKind) -> &'static str,
    pub template: &'static str,
    pub file: &'static str,
    pub preview: &'static str,
    pub apply: &'static str,
    pub working: &'static str,
    pub choose_file: &'static str,
    pub offline: &'static str,
    pub will: fn(usize, usize, usize) -> String,
    pub done: fn(usize, usize, usize) -> String,
    pub row: &'static str,
    pub outcome: fn(RowOutcome, bool) -> &'static str,
    pub record: &'static str,
    pub problems: &'static str,
    pub passwords_title: &'static str,
    pub passwords_note: &'static str,
    pub passwords_download: &'static str,
    pub print: &'static str,
    pub official_title: &'static str,
    pub official_intro: &'static str,
    pub official_load: &'static str,
    pub official_loaded: fn(usize, usize) -> String,
}

impl ImportTexts {
    pub fn of(lang: shared::lang::Lang) -> &'static ImportTexts {
        match lang {
            shared::lang::Lang::Vi => &VI,
            shared::lang::Lang::En => &EN,
        }
    }
}

pub static VI: ImportTexts = ImportTexts {
    open: |kind| match kind {
        ImportKind::Children => "Nhập danh sách lớp từ tệp Excel/CSV",
        ImportKind::Facilities => "Nhập danh mục cơ sở từ tệp Excel/CSV",
        ImportKind::Users => "Nhập danh sách cán bộ từ tệp Excel/CSV",
    },
    intro: |kind| match kind {
        ImportKind::Children => "Dùng danh sách lớp của trường (có thể có dòng tiêu đề, cột theo thứ tự bất kỳ). Xem trước từng dòng rồi mới nhập; nhập lại cùng tệp không tạo trùng.",
        ImportKind::Facilities => "Mỗi dòng một cơ sở: tên, mã ngành (mã trường, mã cơ sở y tế), loại hình, xã/phường. Xem trước rồi mới nhập; nhập lại không tạo trùng.",
        ImportKind::Users => "Mỗi dòng một cán bộ: họ tên, vai trò, cơ sở (mã hoặc tên). Mỗi tài khoản mới có mật khẩu dùng một lần, chỉ hiện một lần sau khi nhập.",
    },
    template: "Tải tệp mẫu (.xlsx)",
    file: "Tệp Excel (.xlsx) hoặc CSV",
    preview: "Xem trước",
    apply: "Nhập",
    working: "Đang đọc tệp…",
    choose_file: "Hãy chọn một tệp.",
    offline: "Không kết nối được máy chủ. Khi có mạng, bấm lại: nhập hai lần không tạo trùng.",
    will: |c, u, s| format!("Sẽ tạo mới {c}, cập nhật {u}, bỏ qua {s} dòng."),
    done: |c, u, s| format!("Đã tạo mới {c}, cập nhật {u}, bỏ qua {s} dòng."),
    row: "Dòng",
    outcome: |outcome, preview| match (outcome, preview) {
        (RowOutcome::Create, true) => "Sẽ tạo",
        (RowOutcome::Create, false) => "Đã tạo",
        (RowOutcome::Update, true) => "Sẽ cập nhật",
        (RowOutcome::Update, false) => "Đã cập nhật",
        (RowOutcome::Skip, _) => "Bỏ qua",
    },
    record: "Nội dung",
    problems: "Vấn đề / ghi chú",
    passwords_title: "Mật khẩu dùng một lần",
    passwords_note: "Chỉ hiện một lần: tải về hoặc in ngay để trao cho từng người; họ phải đổi mật khẩu khi đăng nhập lần đầu.",
    passwords_download: "Tải danh sách mật khẩu (CSV)",
    print: "In",
    official_title: "Danh mục hành chính chính thức",
    official_intro: "Nạp các xã/phường của tỉnh theo danh mục từ 01/07/2025 (kèm huyện và xã cũ để đối chiếu địa chỉ cũ). Nạp lại không làm mất dữ liệu.",
    official_load: "Nạp danh mục",
    official_loaded: |c, d| format!("Đã thêm {c} xã/phường và {d} huyện cũ."),
};

pub static EN: ImportTexts = ImportTexts {
    open: |kind| match kind {
        ImportKind::Children => "Import a class list from Excel/CSV",
        ImportKind::Facilities => "Import facilities from Excel/CSV",
        ImportKind::Users => "Import staff from Excel/CSV",
    },
    intro: |kind| match kind {
        ImportKind::Children => "Use the school's class list (title rows and any column order are fine). Preview each row before importing; importing the same file again creates no duplicates.",
        ImportKind::Facilities => "One facility per row: name, sector code (school code, health facility code), type, commune. Preview, then import; importing again creates no duplicates.",
        ImportKind::Users => "One person per row: full name, role, facility (code or name). Each new account gets a one-time password, shown once after importing.",
    },
    template: "Download the template (.xlsx)",
    file: "Excel (.xlsx) or CSV file",
    preview: "Preview",
    apply: "Import",
    working: "Reading the file…",
    choose_file: "Choose a file.",
    offline: "The server cannot be reached. When online, press again: importing twice creates no duplicates.",
    will: |c, u, s| format!("Will create {c}, update {u}, skip {}.", count(s, "row", "rows")),
    done: |c, u, s| format!("Created {c}, updated {u}, skipped {}.", count(s, "row", "rows")),
    row: "Row",
    outcome: |outcome, preview| match (outcome, preview) {
        (RowOutcome::Create, true) => "Will create",
        (RowOutcome::Create, false) => "Created",
        (RowOutcome::Update, true) => "Will update",
        (RowOutcome::Update, false) => "Updated",
        (RowOutcome::Skip, _) => "Skipped",
    },
    record: "Record",
    problems: "Problems / notes",
    passwords_title: "One-time passwords",
    passwords_note: "Shown this once: download or print them now to hand to each person; they must change it at first sign-in.",
    passwords_download: "Download the passwords (CSV)",
    print: "Print",
    official_title: "Official administrative units",
    official_intro: "Load the province's communes as in force since 1 July 2025 (with the old districts and communes, to map old addresses). Loading again loses nothing.",
    official_load: "Load the list",
    official_loaded: |c, d| format!("Added {} and {}.", count(c, "commune", "communes"), count(d, "former district", "former districts")),
};
