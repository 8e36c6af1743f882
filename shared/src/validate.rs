//! Field rules, shared by the app's forms and the server's handlers ("parse, don't validate").
//!
//! Each rule returns the cleaned value or a [`Problem`]; a request validator collects problems per
//! field into [`FieldErrors`], which the server sends back in its error body and the app shows next
//! to each field. The messages are part of the rule, in Vietnamese first and English second.

use std::collections::BTreeMap;

use crate::lang::Lang;

/// What is wrong with one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    Required,
    TooShort {
        min: usize,
    },
    TooLong {
        max: usize,
    },
    /// Usernames: lowercase letters, digits, dot, dash and underscore.
    UsernameCharacters,
    /// Passwords must not be only digits or only one repeated character.
    PasswordTooSimple,
    /// A password that is common or easy to guess (a word, a name, a keyboard run).
    PasswordGuessable,
    /// A password containing the user's own username or name.
    PasswordHasName,
    /// A new password must differ from the current one.
    PasswordUnchanged,
    /// The current password given to confirm a change is wrong.
    WrongPassword,
    PhoneFormat,
    /// An area code: digits only (the official administrative code).
    AreaCode,
    /// A facility code has letters, digits, dot, dash or underscore, at most 20.
    FacilityCode,
    /// A referenced record does not exist or is inactive.
    UnknownReference,
    /// The role does not fit the chosen place (e.g. a counsellor at a hospital).
    RoleMismatch,
    /// The value is already used by another record.
    Taken,
    /// Administrators may not disable or demote their own account (no one could undo it).
    OwnAccount,
    /// An upload that is neither an `.xlsx` workbook nor a CSV text.
    Unreadable,
    /// An `.xls` workbook from before 2007.
    OldExcel,
    /// A CSV file not in UTF-8.
    NotUtf8,
    /// A file with more data rows than one import takes.
    TooManyRows {
        max: usize,
    },
    /// No row of the file's top names the columns of this kind of list.
    NoHeader,
    /// A column the list must have is missing (its heading).
    MissingColumn(String),
    /// The same record as an earlier row of the file (its row number).
    RepeatsRow(usize),
    /// A value the list has that matches nothing known (as written).
    UnknownValue(String),
    /// A value the file does not give, taken as this.
    Assumed(String),
    /// An old commune's name, mapped to today's commune.
    Mapped {
        from: String,
        to: String,
    },
    /// A line of the file that is not a record (a total, a signature).
    NotARecord,
    /// The record exists and the file changes nothing in it.
    Unchanged,
    /// The installation already serves another province.
    OtherProvince,
    /// An old commune that was split among several new ones: the user picks one.
    ChooseCommune(Vec<String>),
    /// Not a date in dd/mm/yyyy.
    DateFormat,
    /// A time of day that is not hh:mm on a 24-hour clock.
    TimeFormat,
    /// A date of birth in the future, or of someone 18 or older.
    NotAChild,
    /// A personal identification number that is not 12 digits with a known province code.
    PersonalIdFormat,
    /// A personal identification number whose sex or year digits disagree with the child's.
    PersonalIdMismatch,
    /// A date after today, or before the child was born.
    DateOutOfRange,
    /// A date after today (a record of something that happened).
    DateInFuture,
    /// A number of people outside what the field allows.
    CountRange {
        min: u32,
        max: u32,
    },
    /// The instrument is not meant for the child's age and no reason was given.
    OutsideAgeRange,
    /// No valid consent for this purpose and no emergency reason recorded.
    NoConsent,
    /// The child, aged 7 or over, has not agreed (Decree 13/2023, Law 91/2025).
    ChildConsentRequired,
    /// A verbal consent needs the witness's name.
    WitnessRequired,
    /// The result differs from the one the shared engine computes from the answers.
    ResultMismatch,
    /// An urgent flag needs the action taken: at least one step and a note.
    SafetyActionRequired,
    /// A submitted screening is never edited: it can only be voided (and entered again).
    Immutable,
    /// The instrument is not answered by this informant.
    InformantNotAllowed,
    /// An answer that does not fit the instrument.
    Answer(crate::instrument::AnswerProblem),
    /// Control characters or text-direction overrides, which no one types and which hide or
    /// reorder what a reader sees.
    HiddenCharacters,
    /// A name with no letter, with invisible characters, or with a letter piled with marks.
    NameCharacters,
    /// A value of the wrong kind (text for a number, an object for a name), or a field a record
    /// of this type does not have.
    Malformed,
    /// A field this kind of record does not have.
    UnknownField,
}

impl Problem {
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (Problem::Required, Lang::Vi) => "Vui lòng nhập thông tin này.".into(),
            (Problem::Required, Lang::En) => "This field is required.".into(),
            (Problem::TooShort { min }, Lang::Vi) => format!("Cần ít nhất {min} ký tự."),
            (Problem::TooShort { min }, Lang::En) => format!("Use at least {min} characters."),
            (Problem::TooLong { max }, Lang::Vi) => format!("Tối đa {max} ký tự."),
            (Problem::TooLong { max }, Lang::En) => format!("Use at most {max} characters."),
            (Problem::UsernameCharacters, Lang::Vi) => {
                "Chỉ dùng chữ thường không dấu, số và các ký tự . _ -".into()
            }
            (Problem::UsernameCharacters, Lang::En) => {
                "Use lowercase letters without accents, digits and . _ - only.".into()
            }
            (Problem::PasswordTooSimple, Lang::Vi) => {
                "Mật khẩu quá đơn giản: không dùng toàn số hoặc một ký tự lặp lại.".into()
            }
            (Problem::PasswordTooSimple, Lang::En) => {
                "Password too simple: not only digits or one repeated character.".into()
            }
            (Problem::PasswordGuessable, Lang::Vi) => "Mật khẩu này quá phổ biến hoặc dễ đoán \
                (một từ, một tên, dãy phím liền nhau). Hãy ghép ba, bốn từ không liên quan, \
                ví dụ «mây-trắng-bếp-lửa»."
                .into(),
            (Problem::PasswordGuessable, Lang::En) => "This password is common or easy to guess \
                (a word, a name, keys in a row). Join three or four unrelated words instead."
                .into(),
            (Problem::PasswordHasName, Lang::Vi) => {
                "Mật khẩu không được chứa tên đăng nhập hoặc họ tên của bạn.".into()
            }
            (Problem::PasswordHasName, Lang::En) => {
                "The password must not contain your username or your name.".into()
            }
            (Problem::PasswordUnchanged, Lang::Vi) => {
                "Mật khẩu mới phải khác mật khẩu hiện tại.".into()
            }
            (Problem::PasswordUnchanged, Lang::En) => {
                "The new password must differ from the current one.".into()
            }
            (Problem::WrongPassword, Lang::Vi) => "Mật khẩu hiện tại không đúng.".into(),
            (Problem::WrongPassword, Lang::En) => "The current password is wrong.".into(),
            (Problem::PhoneFormat, Lang::Vi) => {
                "Số điện thoại không hợp lệ (ví dụ 0912 345 678 hoặc +84 912 345 678).".into()
            }
            (Problem::PhoneFormat, Lang::En) => {
                "Invalid phone number (e.g. 0912 345 678 or +84 912 345 678).".into()
            }
            (Problem::AreaCode, Lang::Vi) => "Mã đơn vị hành chính chỉ gồm chữ số.".into(),
            (Problem::AreaCode, Lang::En) => "An administrative code has digits only.".into(),
            (Problem::FacilityCode, Lang::Vi) => {
                "Mã cơ sở gồm chữ cái không dấu, chữ số, dấu chấm, gạch ngang, tối đa 20 ký tự.".into()
            }
            (Problem::FacilityCode, Lang::En) => {
                "A facility code has plain letters, digits, dots or dashes, at most 20.".into()
            }
            (Problem::UnknownReference, Lang::Vi) => {
                "Không tìm thấy hoặc đã ngừng hoạt động.".into()
            }
            (Problem::UnknownReference, Lang::En) => "Not found or no longer active.".into(),
            (Problem::RoleMismatch, Lang::Vi) => {
                "Vai trò này không phù hợp với nơi làm việc đã chọn.".into()
            }
            (Problem::RoleMismatch, Lang::En) => {
                "This role does not fit the chosen workplace.".into()
            }
            (Problem::Taken, Lang::Vi) => "Giá trị này đã được sử dụng.".into(),
            (Problem::Taken, Lang::En) => "This value is already in use.".into(),
            (Problem::DateFormat, Lang::Vi) => {
                "Ngày không hợp lệ; nhập theo dạng ngày/tháng/năm, ví dụ 07/03/2014.".into()
            }
            (Problem::DateFormat, Lang::En) => {
                "Invalid date; use day/month/year, e.g. 07/03/2014.".into()
            }
            (Problem::TimeFormat, Lang::Vi) => {
                "Giờ không hợp lệ; nhập giờ:phút theo 24 giờ sau ngày, ví dụ 14:30.".into()
            }
            (Problem::TimeFormat, Lang::En) => {
                "Invalid time; after the date, type hours:minutes on a 24-hour clock, e.g. 14:30."
                    .into()
            }
            (Problem::NotAChild, Lang::Vi) => {
                "Ngày sinh phải ở quá khứ và trẻ chưa đủ 18 tuổi.".into()
            }
            (Problem::NotAChild, Lang::En) => {
                "The date of birth must be in the past and the child under 18.".into()
            }
            (Problem::PersonalIdFormat, Lang::Vi) => {
                "Số định danh cá nhân gồm 12 chữ số, bắt đầu bằng mã tỉnh.".into()
            }
            (Problem::PersonalIdFormat, Lang::En) => {
                "A personal ID has 12 digits, starting with a province code.".into()
            }
            (Problem::PersonalIdMismatch, Lang::Vi) => {
                "Số định danh không khớp với giới tính hoặc năm sinh của trẻ.".into()
            }
            (Problem::PersonalIdMismatch, Lang::En) => {
                "The personal ID does not match the child's sex or year of birth.".into()
            }
            (Problem::DateInFuture, Lang::Vi) => "Ngày không được sau hôm nay.".into(),
            (Problem::DateInFuture, Lang::En) => "The date cannot be after today.".into(),
            (Problem::CountRange { min, max }, Lang::Vi) => {
                format!("Nhập một số từ {min} đến {max}.")
            }
            (Problem::CountRange { min, max }, Lang::En) => {
                format!("Enter a number from {min} to {max}.")
            }
            (Problem::DateOutOfRange, Lang::Vi) => {
                "Ngày không được sau hôm nay hoặc trước ngày sinh của trẻ.".into()
            }
            (Problem::DateOutOfRange, Lang::En) => {
                "The date cannot be after today or before the child's birth.".into()
            }
            (Problem::OutsideAgeRange, Lang::Vi) => {
                "Công cụ này không dành cho độ tuổi của trẻ: hãy ghi lý do nếu vẫn dùng.".into()
            }
            (Problem::OutsideAgeRange, Lang::En) => {
                "This instrument is not meant for the child's age: give a reason to use it anyway."
                    .into()
            }
            (Problem::NoConsent, Lang::Vi) => {
                "Chưa có đồng ý còn hiệu lực cho việc này; chỉ được làm khi khẩn cấp, có ghi lý do.".into()
            }
            (Problem::NoConsent, Lang::En) => {
                "No valid consent for this; only in an emergency, with the reason recorded.".into()
            }
            (Problem::ChildConsentRequired, Lang::Vi) => {
                "Trẻ từ đủ 7 tuổi phải tự đồng ý (Nghị định 13/2023, Luật 91/2025).".into()
            }
            (Problem::ChildConsentRequired, Lang::En) => {
                "A child aged 7 or over must agree too (Decree 13/2023, Law 91/2025).".into()
            }
            (Problem::WitnessRequired, Lang::Vi) => "Đồng ý bằng lời cần ghi tên người làm chứng.".into(),
            (Problem::WitnessRequired, Lang::En) => "A verbal consent needs a witness's name.".into(),
            (Problem::ResultMismatch, Lang::Vi) => {
                "Kết quả không khớp với cách tính điểm của công cụ; hãy mở lại phiếu và lưu lại.".into()
            }
            (Problem::ResultMismatch, Lang::En) => {
                "The result does not match the instrument's scoring; reopen the form and save again."
                    .into()
            }
            (Problem::SafetyActionRequired, Lang::Vi) => {
                "Cần ghi lại hành động đã thực hiện: chọn ít nhất một bước và ghi chú.".into()
            }
            (Problem::SafetyActionRequired, Lang::En) => {
                "Record the action taken: at least one step and a note.".into()
            }
            (Problem::Immutable, Lang::Vi) => {
                "Phiếu sàng lọc đã gửi không sửa được; hãy hủy phiếu (ghi lý do) và nhập lại.".into()
            }
            (Problem::Immutable, Lang::En) => {
                "A submitted screening cannot be edited; void it (with a reason) and enter it again."
                    .into()
            }
            (Problem::InformantNotAllowed, Lang::Vi) => {
                "Công cụ này không dành cho người trả lời đã chọn.".into()
            }
            (Problem::InformantNotAllowed, Lang::En) => {
                "This instrument is not answered by the chosen informant.".into()
            }
            (Problem::Answer(problem), lang) => format!("{}: {}", problem.item(), problem.message(lang)),
            (Problem::Unreadable, Lang::Vi) => "Không đọc được tệp: hãy dùng tệp Excel (.xlsx) hoặc CSV.".into(),
            (Problem::Unreadable, Lang::En) => "The file cannot be read: use an Excel (.xlsx) or CSV file.".into(),
            (Problem::OldExcel, Lang::Vi) => "Tệp Excel cũ (.xls): hãy lưu lại thành .xlsx rồi nhập.".into(),
            (Problem::OldExcel, Lang::En) => "An old Excel file (.xls): save it as .xlsx and import again.".into(),
            (Problem::NotUtf8, Lang::Vi) => "Tệp CSV không ở mã UTF-8: trong Excel chọn \"CSV UTF-8\" khi lưu.".into(),
            (Problem::NotUtf8, Lang::En) => "The CSV file is not UTF-8: save it as \"CSV UTF-8\" in Excel.".into(),
            (Problem::TooManyRows { max }, Lang::Vi) => format!("Tệp có hơn {max} dòng; hãy chia thành nhiều tệp."),
            (Problem::TooManyRows { max }, Lang::En) => format!("The file has more than {max} rows; split it."),
            (Problem::NoHeader, Lang::Vi) => {
                "Không thấy dòng tiêu đề cột (ví dụ \"Họ và tên\", \"Ngày sinh\"); hãy dùng tệp mẫu.".into()
            }
            (Problem::NoHeader, Lang::En) => {
                "No heading row found (such as \"Họ và tên\", \"Ngày sinh\"); use the template.".into()
            }
            (Problem::MissingColumn(heading), Lang::Vi) => format!("Thiếu cột \"{heading}\"."),
            (Problem::MissingColumn(heading), Lang::En) => format!("The column \"{heading}\" is missing."),
            (Problem::RepeatsRow(row), Lang::Vi) => format!("Trùng với dòng {row}; bỏ qua."),
            (Problem::RepeatsRow(row), Lang::En) => format!("The same as row {row}; skipped."),
            (Problem::UnknownValue(value), Lang::Vi) => format!("Không hiểu giá trị \"{value}\"."),
            (Problem::UnknownValue(value), Lang::En) => format!("Unknown value \"{value}\"."),
            (Problem::Assumed(value), Lang::Vi) => format!("Tệp không ghi; tạm lấy \"{value}\" (sửa trong hồ sơ nếu cần)."),
            (Problem::Assumed(value), Lang::En) => format!("Not in the file; taken as \"{value}\" (edit the record if needed)."),
            (Problem::Mapped { from, to }, Lang::Vi) => format!("Địa chỉ cũ \"{from}\" nay là {to}; giữ tên cũ trong hồ sơ."),
            (Problem::Mapped { from, to }, Lang::En) => format!("The old address \"{from}\" is now {to}; the old name is kept."),
            (Problem::NotARecord, Lang::Vi) => "Không phải dòng dữ liệu (tổng cộng, chữ ký…); bỏ qua.".into(),
            (Problem::NotARecord, Lang::En) => "Not a record (a total, a signature…); skipped.".into(),
            (Problem::Unchanged, Lang::Vi) => "Đã có, không có gì thay đổi.".into(),
            (Problem::Unchanged, Lang::En) => "Already there; nothing changes.".into(),
            (Problem::OtherProvince, Lang::Vi) => "Bản cài đặt này đã dùng cho một tỉnh khác.".into(),
            (Problem::OtherProvince, Lang::En) => "This installation already serves another province.".into(),
            (Problem::ChooseCommune(options), Lang::Vi) => {
                format!("Xã cũ đã chia cho nhiều xã mới; chọn một: {}.", options.join("; "))
            }
            (Problem::ChooseCommune(options), Lang::En) => {
                format!("The old commune was split; choose one of: {}.", options.join("; "))
            }
            (Problem::OwnAccount, Lang::Vi) => {
                "Không thể khóa hoặc đổi vai trò của chính tài khoản đang dùng.".into()
            }
            (Problem::OwnAccount, Lang::En) => {
                "You cannot disable or change the role of your own account.".into()
            }
            (Problem::HiddenCharacters, Lang::Vi) => {
                "Có ký tự điều khiển hoặc ký tự đảo chiều văn bản; hãy gõ lại.".into()
            }
            (Problem::HiddenCharacters, Lang::En) => {
                "Contains control or text-direction characters; type it again.".into()
            }
            (Problem::NameCharacters, Lang::Vi) => {
                "Tên phải có chữ cái, không chứa ký tự ẩn hay quá nhiều dấu trên một chữ.".into()
            }
            (Problem::NameCharacters, Lang::En) => {
                "A name needs letters, without hidden characters or a letter piled with marks."
                    .into()
            }
            (Problem::Malformed, Lang::Vi) => "Giá trị không đúng kiểu dữ liệu.".into(),
            (Problem::Malformed, Lang::En) => "The value has the wrong type.".into(),
            (Problem::UnknownField, Lang::Vi) => "Hồ sơ loại này không có trường này.".into(),
            (Problem::UnknownField, Lang::En) => "This kind of record has no such field.".into(),
        }
    }
}

/// Problems per field name (the JSON field name of the request).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(pub BTreeMap<&'static str, Problem>);

impl FieldErrors {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn add(&mut self, field: &'static str, problem: Problem) {
        self.0.entry(field).or_insert(problem);
    }

    /// Records the problem of a rule's result, if any, and passes the cleaned value on.
    pub fn check<T>(&mut self, field: &'static str, result: Result<T, Problem>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(problem) => {
                self.add(field, problem);
                None
            }
        }
    }

    pub fn get(&self, field: &str) -> Option<&Problem> {
        self.0.get(field)
    }

    /// Field name → message, as sent in the API's error body.
    pub fn messages(&self, lang: Lang) -> BTreeMap<String, String> {
        self.0
            .iter()
            .map(|(field, problem)| (field.to_string(), problem.message(lang)))
            .collect()
    }

    pub fn into_result(self) -> Result<(), FieldErrors> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(self)
        }
    }
}

/// The longest name of a person or place, in characters.
pub const NAME_MAX: usize = 120;
/// The longest note, reason or other free text a record keeps, in characters.
pub const NOTE_MAX: usize = 2000;

/// Characters no one types that hide or reorder text: C0/C1 controls other than white space,
/// and the bidirectional embeddings, overrides, isolates and marks.
pub fn is_hidden_character(c: char) -> bool {
    (c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        || matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Zero-width characters: nothing to see, so nothing a name may hold.
fn is_zero_width(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}'
    )
}

/// Combining marks (the ranges that stack on a letter).
fn is_combining_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}'
        | '\u{20D0}'..='\u{20FF}' | '\u{FE20}'..='\u{FE2F}')
}

/// The most combining marks one letter may carry: Vietnamese needs two (a vowel mark and a tone).
const MARKS_PER_LETTER: usize = 2;

/// Text in Unicode's composed form (NFC), so that the same name is stored and compared the same
/// way whatever keyboard typed it. The server normalises (feature `nfc`); the app leaves the
/// browser's text as typed (keyboards produce composed text) and gets the server's form at pull.
pub fn composed(value: &str) -> String {
    #[cfg(feature = "nfc")]
    {
        use unicode_normalization::UnicodeNormalization;
        value.nfc().collect()
    }
    #[cfg(not(feature = "nfc"))]
    {
        value.to_string()
    }
}

/// Trims the text and checks its length in characters (not bytes: Vietnamese letters are
/// multi-byte); refuses hidden characters.
pub fn text(value: &str, min: usize, max: usize) -> Result<String, Problem> {
    if value.chars().any(is_hidden_character) {
        return Err(Problem::HiddenCharacters);
    }
    let trimmed = value.trim();
    let length = trimmed.chars().count();
    if length == 0 && min > 0 {
        return Err(Problem::Required);
    }
    if length < min {
        return Err(Problem::TooShort { min });
    }
    if length > max {
        return Err(Problem::TooLong { max });
    }
    Ok(collapse_spaces(trimmed))
}

/// An optional text: empty means "none".
pub fn optional_text(value: &str, max: usize) -> Result<Option<String>, Problem> {
    let cleaned = text(value, 0, max)?;
    Ok((!cleaned.is_empty()).then_some(cleaned))
}

/// A person's or a place's name: 1 to 120 characters with at least one letter, no invisible
/// characters and no letter with more than two marks; stored composed (NFC).
pub fn name(value: &str) -> Result<String, Problem> {
    let cleaned = composed(&text(value, 1, NAME_MAX)?);
    if cleaned.chars().any(is_zero_width) || !cleaned.chars().any(char::is_alphabetic) {
        return Err(Problem::NameCharacters);
    }
    let mut marks = 0;
    for c in cleaned.chars() {
        marks = if is_combining_mark(c) { marks + 1 } else { 0 };
        if marks > MARKS_PER_LETTER {
            return Err(Problem::NameCharacters);
        }
    }
    Ok(cleaned)
}

/// An optional person's name (a witness, who held a session): empty means "none".
pub fn optional_name(value: &str) -> Result<Option<String>, Problem> {
    if value.trim().is_empty() {
        return Ok(None);
    }
    name(value).map(Some)
}

/// An optional note or reason: at most [`NOTE_MAX`] characters, empty means "none".
pub fn note(value: &str) -> Result<Option<String>, Problem> {
    optional_text(value, NOTE_MAX)
}

pub fn username(value: &str) -> Result<String, Problem> {
    let value = value.trim().to_lowercase();
    if value.is_empty() {
        return Err(Problem::Required);
    }
    if value.chars().count() < 3 {
        return Err(Problem::TooShort { min: 3 });
    }
    if value.chars().count() > 32 {
        return Err(Problem::TooLong { max: 32 });
    }
    let allowed =
        |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-');
    if !value.chars().all(allowed) {
        return Err(Problem::UsernameCharacters);
    }
    Ok(value)
}

pub const PASSWORD_MIN: usize = 10;

/// A password a user chooses (the seeded demo password is exempt by design).
pub fn new_password(value: &str) -> Result<String, Problem> {
    let length = value.chars().count();
    if length == 0 {
        return Err(Problem::Required);
    }
    if length < PASSWORD_MIN {
        return Err(Problem::TooShort { min: PASSWORD_MIN });
    }
    if length > 128 {
        return Err(Problem::TooLong { max: 128 });
    }
    let first = value.chars().next();
    if value.chars().all(|c| c.is_ascii_digit()) || value.chars().all(|c| Some(c) == first) {
        return Err(Problem::PasswordTooSimple);
    }
    Ok(value.to_string())
}

/// A facility's phone: a person's number, or a 3-digit service number such as 111 or 115.
pub fn facility_phone(value: &str) -> Result<String, Problem> {
    let compact = compact_phone(value);
    if compact.len() == 3 && compact.starts_with('1') && compact.chars().all(|c| c.is_ascii_digit())
    {
        return Ok(compact);
    }
    phone(value)
}

pub fn optional_facility_phone(value: &str) -> Result<Option<String>, Problem> {
    if value.trim().is_empty() {
        return Ok(None);
    }
    facility_phone(value).map(Some)
}

fn compact_phone(value: &str) -> String {
    value
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-' | '(' | ')'))
        .collect()
}

/// A Vietnamese phone number, returned in the national form (0 followed by 9 or 10 digits).
/// Spaces, dots and dashes are allowed while typing; +84 or 84 is accepted for the leading 0.
pub fn phone(value: &str) -> Result<String, Problem> {
    let compact = compact_phone(value);
    if compact.is_empty() {
        return Err(Problem::Required);
    }
    let national = if let Some(rest) = compact.strip_prefix("+84") {
        format!("0{rest}")
    } else if compact.starts_with("84") && compact.len() >= 11 {
        format!("0{}", &compact[2..])
    } else {
        compact
    };
    let digits_ok = national.chars().all(|c| c.is_ascii_digit());
    if !digits_ok || !national.starts_with('0') || !(10..=11).contains(&national.len()) {
        return Err(Problem::PhoneFormat);
    }
    Ok(national)
}

pub fn optional_phone(value: &str) -> Result<Option<String>, Problem> {
    if value.trim().is_empty() {
        return Ok(None);
    }
    phone(value).map(Some)
}

pub fn area_code(value: &str) -> Result<String, Problem> {
    let value = value.trim();
    if value.is_empty() {
        return Err(Problem::Required);
    }
    if value.len() > 10 || !value.chars().all(|c| c.is_ascii_digit()) {
        return Err(Problem::AreaCode);
    }
    Ok(value.to_string())
}

/// An optional facility code (the sector's: the school code of the education database, the
/// health facility code), as stored: trimmed, upper case; `None` when empty.
pub fn optional_facility_code(value: &str) -> Result<Option<String>, Problem> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    let fits = value.len() <= 20
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if !fits {
        return Err(Problem::FacilityCode);
    }
    Ok(Some(value.to_ascii_uppercase()))
}

/// The text with runs of whitespace made single spaces, trimmed.
pub fn collapse_spaces(value: &str) -> String {
    value.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_counted_in_characters() {
        assert_eq!(name("  Nguyễn   Văn An "), Ok("Nguyễn Văn An".into()));
        assert_eq!(name("   "), Err(Problem::Required));
        // 120 Vietnamese letters are 120 characters even though they are more bytes.
        assert!(name(&"ễ".repeat(120)).is_ok());
        assert_eq!(name(&"ễ".repeat(121)), Err(Problem::TooLong { max: 120 }));
        assert_eq!(optional_text("  ", 10), Ok(None));
    }

    #[test]
    fn names_refuse_what_hides_or_smears_text() {
        // A right-to-left override makes "Nguyễn" read backwards; a NUL ends strings elsewhere.
        assert_eq!(name("Nguy\u{202E}ễn An"), Err(Problem::HiddenCharacters));
        assert_eq!(name("An\u{0000}"), Err(Problem::HiddenCharacters));
        assert_eq!(
            text("ghi chú\u{2066}", 0, 100),
            Err(Problem::HiddenCharacters)
        );
        // Zero-width-only, or hidden inside.
        assert_eq!(name("\u{200B}\u{200B}"), Err(Problem::NameCharacters));
        assert_eq!(name("Lan\u{200D}"), Err(Problem::NameCharacters));
        assert_eq!(name("123"), Err(Problem::NameCharacters));
        // One letter with 119 marks drew a line across the page.
        let smeared = format!("A{}", "\u{0301}".repeat(119));
        assert_eq!(name(&smeared), Err(Problem::NameCharacters));
        // Decomposed Vietnamese (two marks on one letter) is a name.
        assert!(name("Nguye\u{0302}\u{0303}n Va\u{0306}n An").is_ok());
        assert_eq!(optional_name(" "), Ok(None));
        assert_eq!(
            note(&"a".repeat(NOTE_MAX + 1)),
            Err(Problem::TooLong { max: NOTE_MAX })
        );
    }

    #[cfg(feature = "nfc")]
    #[test]
    fn names_are_stored_composed() {
        assert_eq!(name("Nguye\u{0302}\u{0303}n"), Ok("Nguyễn".into()));
    }

    #[test]
    fn usernames() {
        assert_eq!(username(" Lan.Nguyen "), Ok("lan.nguyen".into()));
        assert_eq!(username("ab"), Err(Problem::TooShort { min: 3 }));
        assert_eq!(username("nguyễn"), Err(Problem::UsernameCharacters));
        assert_eq!(username("a b c"), Err(Problem::UsernameCharacters));
        assert_eq!(username(&"a".repeat(33)), Err(Problem::TooLong { max: 32 }));
    }

    #[test]
    fn passwords() {
        assert!(new_password("mây-trắng-2026").is_ok());
        assert_eq!(new_password("short1"), Err(Problem::TooShort { min: 10 }));
        assert_eq!(new_password("1234567890"), Err(Problem::PasswordTooSimple));
        assert_eq!(new_password("aaaaaaaaaa"), Err(Problem::PasswordTooSimple));
        assert_eq!(new_password(""), Err(Problem::Required));
    }

    #[test]
    fn phones_normalise_to_the_national_form() {
        assert_eq!(phone("0912 345 678"), Ok("0912345678".into()));
        assert_eq!(phone("+84 912.345.678"), Ok("0912345678".into()));
        assert_eq!(phone("84912345678"), Ok("0912345678".into()));
        assert_eq!(phone("0205 3871 234"), Ok("02053871234".into()));
        assert_eq!(
            phone("111"),
            Err(Problem::PhoneFormat),
            "a person has no service number"
        );
        assert_eq!(facility_phone("111"), Ok("111".into()));
        assert_eq!(facility_phone("0912 345 678"), Ok("0912345678".into()));
        assert_eq!(phone("12345"), Err(Problem::PhoneFormat));
        assert_eq!(phone("09123abc78"), Err(Problem::PhoneFormat));
        assert_eq!(optional_phone(" "), Ok(None));
    }

    #[test]
    fn area_codes_are_digits() {
        assert_eq!(area_code(" 20 "), Ok("20".into()));
        assert_eq!(area_code("LS"), Err(Problem::AreaCode));
        assert_eq!(area_code(""), Err(Problem::Required));
    }

    #[test]
    fn field_errors_keep_the_first_problem_per_field_and_speak_both_languages() {
        let mut errors = FieldErrors::default();
        assert_eq!(errors.check("username", username("x")), None);
        errors.add("username", Problem::Taken);
        assert_eq!(errors.get("username"), Some(&Problem::TooShort { min: 3 }));
        assert_eq!(
            errors.messages(Lang::Vi)["username"],
            "Cần ít nhất 3 ký tự."
        );
        assert_eq!(
            errors.messages(Lang::En)["username"],
            "Use at least 3 characters."
        );
        assert!(errors.into_result().is_err());
        assert!(FieldErrors::default().into_result().is_ok());
    }
}
