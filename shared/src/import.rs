//! Bulk import (nhập từ tệp): the report both sides read, the columns each kind of file has, and
//! the loose reading of what offices type: headings in any order and spelling ("Họ và tên",
//! "HỌ TÊN"), sex as `nữ` or `NAM`, ethnicity as `Tay` or `Mông`, roles and facility types in
//! words. The server reads the file and applies; this module knows no file format.

use serde::{Deserialize, Serialize};

use crate::child::{GuardianRelation, Sex};
use crate::ethnicity::ETHNIC_GROUPS;
use crate::place::FacilityType;
use crate::role::Role;
use crate::text::fold;

coded! {
    /// What a file holds.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub enum ImportKind {
        /// Schools, stations, hospitals… (administrators).
        Facilities = "facilities",
        /// Staff accounts (administrators).
        Users = "users",
        /// A class list of pupils, into the counsellor's own school.
        Children = "children",
    }
}

impl ImportKind {
    /// The columns a file of this kind may have, in the template's order.
    pub fn columns(self) -> &'static [Column] {
        match self {
            ImportKind::Facilities => &FACILITY_COLUMNS,
            ImportKind::Users => &USER_COLUMNS,
            ImportKind::Children => &CHILD_COLUMNS,
        }
    }
}

/// One column a file may have: its key, the heading the template writes, the headings people use
/// (folded), and whether a file without it cannot be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub key: &'static str,
    pub heading: &'static str,
    pub synonyms: &'static [&'static str],
    pub required: bool,
    /// What the template's example row puts in it (a date of birth is made from today instead).
    pub example: &'static str,
}

const fn column(
    key: &'static str,
    heading: &'static str,
    synonyms: &'static [&'static str],
    required: bool,
    example: &'static str,
) -> Column {
    Column {
        key,
        heading,
        synonyms,
        required,
        example,
    }
}

pub const CHILD_COLUMNS: [Column; 12] = [
    column(
        "pupil_code",
        "Mã học sinh",
        &[
            "ma hoc sinh",
            "ma hs",
            "ma dinh danh hoc sinh",
            "ma so hoc sinh",
        ],
        false,
        "HS0001",
    ),
    column(
        "full_name",
        "Họ và tên",
        &[
            "ho va ten",
            "ho ten",
            "ho ten hoc sinh",
            "ten hoc sinh",
            "ho va ten hoc sinh",
        ],
        true,
        "Nguyễn Thị An",
    ),
    column(
        "date_of_birth",
        "Ngày sinh",
        &["ngay sinh", "ngay thang nam sinh", "sinh ngay"],
        true,
        "05/10/2012",
    ),
    column(
        "sex",
        "Giới tính",
        &["gioi tinh", "gioi", "nam nu", "nam/nu"],
        true,
        "Nữ",
    ),
    column("ethnicity", "Dân tộc", &["dan toc"], true, "Tày"),
    column("school_class", "Lớp", &["lop", "lop hoc"], false, "8A"),
    column(
        "personal_id",
        "Số định danh cá nhân",
        &[
            "so dinh danh ca nhan",
            "so dinh danh",
            "ma dinh danh",
            "ma dinh danh ca nhan",
            "cccd",
            "so cccd",
            "can cuoc",
        ],
        false,
        "",
    ),
    column(
        "guardian_name",
        "Họ tên cha/mẹ/người giám hộ",
        &[
            "ho ten cha me nguoi giam ho",
            "cha me nguoi giam ho",
            "nguoi giam ho",
            "phu huynh",
            "ho ten phu huynh",
            "ho ten cha me",
            "cha me",
        ],
        true,
        "Nguyễn Văn Bình",
    ),
    column(
        "guardian_relation",
        "Quan hệ với trẻ",
        &[
            "quan he",
            "quan he voi tre",
            "quan he voi hoc sinh",
            "moi quan he",
        ],
        false,
        "Bố",
    ),
    column(
        "guardian_phone",
        "Số điện thoại",
        &[
            "so dien thoai",
            "dien thoai",
            "sdt",
            "so dt",
            "dien thoai phu huynh",
        ],
        false,
        "0912345678",
    ),
    column(
        "commune",
        "Xã/phường cư trú",
        &[
            "xa phuong cu tru",
            "xa phuong",
            "noi o",
            "cho o",
            "dia chi",
            "noi cu tru",
            "xa",
            "phuong",
            "thuong tru",
        ],
        false,
        "Phường Tam Thanh",
    ),
    column("row_number", "STT", &["stt", "so thu tu", "tt"], false, "1"),
];

pub const FACILITY_COLUMNS: [Column; 6] = [
    column(
        "code",
        "Mã cơ sở",
        &[
            "ma co so",
            "ma truong",
            "ma don vi",
            "ma",
            "ma so",
            "ma co so kcb",
            "ma csyt",
        ],
        false,
        "20THCS099",
    ),
    column(
        "name",
        "Tên cơ sở",
        &["ten co so", "ten truong", "ten don vi", "ten", "co so"],
        true,
        "Trường THCS Hoàng Văn Thụ",
    ),
    column(
        "facility_type",
        "Loại hình",
        &["loai hinh", "loai", "loai co so", "cap hoc"],
        false,
        "Trường trung học cơ sở",
    ),
    column(
        "commune",
        "Xã/phường",
        &["xa phuong", "xa", "phuong", "dia ban", "don vi hanh chinh"],
        false,
        "Phường Đông Kinh",
    ),
    column(
        "address",
        "Địa chỉ",
        &["dia chi"],
        false,
        "Số 1 đường Hùng Vương",
    ),
    column(
        "phone",
        "Số điện thoại",
        &["so dien thoai", "dien thoai", "sdt"],
        false,
        "02053812345",
    ),
];

pub const USER_COLUMNS: [Column; 5] = [
    column(
        "username",
        "Tên đăng nhập",
        &["ten dang nhap", "tai khoan", "username"],
        false,
        "maint",
    ),
    column(
        "full_name",
        "Họ và tên",
        &["ho va ten", "ho ten", "ten can bo", "ten nhan vien"],
        true,
        "Nguyễn Thị Mai",
    ),
    column(
        "role",
        "Vai trò",
        &["vai tro", "chuc danh", "chuc vu", "nhiem vu"],
        true,
        "Tư vấn tâm lý học đường",
    ),
    column(
        "facility",
        "Cơ sở (mã hoặc tên)",
        &[
            "co so ma hoac ten",
            "co so",
            "ma co so",
            "don vi",
            "noi cong tac",
            "truong",
            "ten co so",
        ],
        false,
        "20THCS001",
    ),
    column(
        "commune",
        "Xã/phường (cán bộ quản lý)",
        &["xa phuong can bo quan ly", "xa phuong", "dia ban"],
        false,
        "",
    ),
];

/// A heading as compared: folded, punctuation made spaces.
pub fn heading_key(text: &str) -> String {
    let cleaned: String = text
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    fold(&cleaned)
}

/// Which column a heading names: the one with the longest synonym that the heading is or that
/// starts it ("Họ tên cha/mẹ/người giám hộ" is the guardian, not the pupil's name).
pub fn match_heading(columns: &[Column], heading: &str) -> Option<usize> {
    let key = heading_key(heading);
    if key.is_empty() {
        return None;
    }
    let mut best: Option<(usize, usize)> = None;
    for (index, column) in columns.iter().enumerate() {
        for synonym in column.synonyms {
            let fits = key == *synonym
                || key.starts_with(&format!("{synonym} "))
                || (synonym.len() >= 6 && key.contains(synonym));
            if fits && best.is_none_or(|(_, len)| synonym.len() > len) {
                best = Some((index, synonym.len()));
            }
        }
    }
    best.map(|(index, _)| index)
}

/// Sex as people write it: Nam/Nữ in any case, with or without accents, or M/F.
pub fn loose_sex(text: &str) -> Option<Sex> {
    match heading_key(text).as_str() {
        "nam" | "trai" | "m" | "male" => Some(Sex::Male),
        "nu" | "gai" | "f" | "female" => Some(Sex::Female),
        _ => None,
    }
}

/// Other names in use for a group: (folded spelling, slug).
const ETHNIC_ALIASES: [(&str, &str); 6] = [
    ("mong", "hmong"),
    ("meo", "hmong"),
    ("ede", "e-de"),
    ("bru", "bru-van-kieu"),
    ("van kieu", "bru-van-kieu"),
    ("khome", "khmer"),
];

/// An ethnic group's slug from its name as typed: "Tay", "TÀY", "tày", "Mông", "San Chay".
pub fn loose_ethnicity(text: &str) -> Option<&'static str> {
    let key = heading_key(text);
    let key = key.strip_prefix("dan toc ").unwrap_or(&key);
    let squashed = key.replace(' ', "");
    ETHNIC_GROUPS
        .iter()
        .find(|(slug, name)| {
            heading_key(name).replace(' ', "") == squashed || slug.replace('-', "") == squashed
        })
        .map(|(slug, _)| *slug)
        .or_else(|| {
            ETHNIC_ALIASES
                .iter()
                .find(|(alias, _)| *alias == key)
                .map(|(_, slug)| *slug)
        })
}

/// The guardian's relation as typed ("Bố", "cha", "Mẹ", "ông", "bà"...).
pub fn loose_relation(text: &str) -> Option<GuardianRelation> {
    let key = heading_key(text);
    let relation = match key.as_str() {
        "bo" | "cha" | "ba" | "father" => GuardianRelation::Father,
        "me" | "ma" | "mother" => GuardianRelation::Mother,
        "ong" | "ong ba" | "ong noi" | "ong ngoai" | "ba noi" | "ba ngoai" | "grandparent" => {
            GuardianRelation::Grandparent
        }
        "anh" | "chi" | "anh chi" | "anh trai" | "chi gai" => GuardianRelation::Sibling,
        "co" | "di" | "chu" | "bac" | "cau" | "thim" | "mo" | "nguoi than" => {
            GuardianRelation::OtherRelative
        }
        "nguoi giam ho" | "giam ho" => GuardianRelation::LegalGuardian,
        _ => GuardianRelation::ALL
            .into_iter()
            .find(|r| heading_key(r.label(crate::lang::Lang::Vi)) == key || r.code() == key)?,
    };
    Some(relation)
}

/// A role as typed: its label, its code, or a word of the trade.
pub fn loose_role(text: &str) -> Option<Role> {
    let key = heading_key(text);
    if let Some(role) = Role::ALL.into_iter().find(|r| {
        r.code() == key
            || heading_key(r.label(crate::lang::Lang::Vi)) == key
            || heading_key(r.label(crate::lang::Lang::En)) == key
    }) {
        return Some(role);
    }
    let has = |word: &str| key.contains(word);
    if has("tich hop") {
        Some(Role::Integrator)
    } else if has("quan tri") {
        Some(Role::Admin)
    } else if has("tu van") || has("tam ly") || has("giao vien") {
        Some(Role::Counsellor)
    } else if has("bac si") || has("bs") {
        Some(Role::Clinician)
    } else if has("cong tac xa hoi") || has("ctxh") {
        Some(Role::SocialWorker)
    } else if has("y te") || has("y si") || has("dieu duong") || has("nhan vien tram") {
        Some(Role::HealthWorker)
    } else if has("quan ly") || has("chuyen vien") || has("can bo") {
        Some(Role::Officer)
    } else {
        None
    }
}

/// A facility type from the type column, or else from the facility's name ("Trường THCS…").
pub fn loose_facility_type(text: &str, name: &str) -> Option<FacilityType> {
    let from = |words: &str| -> Option<FacilityType> {
        let key = heading_key(words);
        if key.is_empty() {
            return None;
        }
        if let Some(found) = FacilityType::ALL.into_iter().find(|t| {
            t.code() == key
                || heading_key(t.label(crate::lang::Lang::Vi)) == key
                || heading_key(t.label(crate::lang::Lang::En)) == key
        }) {
            return Some(found);
        }
        let has = |word: &str| format!(" {key} ").contains(&format!(" {word} "));
        let found = if has("mam non") || has("mau giao") {
            FacilityType::Kindergarten
        } else if has("tieu hoc") || has("th") {
            FacilityType::PrimarySchool
        } else if has("thcs") || has("trung hoc co so") {
            FacilityType::LowerSecondarySchool
        } else if has("thpt") || has("trung hoc pho thong") {
            FacilityType::UpperSecondarySchool
        } else if has("tram y te") || has("tyt") {
            FacilityType::CommuneHealthStation
        } else if has("trung tam y te") || has("ttyt") {
            FacilityType::RegionalHealthCentre
        } else if has("tam than") {
            FacilityType::PsychiatricHospital
        } else if has("nhi") {
            FacilityType::PaediatricHospital
        } else if has("benh vien") || has("bv") || has("da khoa") {
            FacilityType::GeneralHospital
        } else if has("cong tac xa hoi") || has("bao tro xa hoi") || has("tro giup xa hoi") {
            FacilityType::SocialAssistanceFacility
        } else if has("bao ve tre em") {
            FacilityType::ChildProtectionService
        } else if has("ubnd") || has("uy ban nhan dan") {
            FacilityType::CommunePeoplesCommittee
        } else if has("111") {
            FacilityType::Hotline111
        } else {
            return None;
        };
        Some(found)
    };
    from(text).or_else(|| from(name))
}

/// The report of an import, a preview (`dry_run`) or what was done.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportReport {
    pub kind: ImportKind,
    pub dry_run: bool,
    pub created: usize,
    pub updated: usize,
    pub skipped: usize,
    /// The columns found, by heading in the file: (heading, column key).
    pub columns: Vec<(String, String)>,
    pub rows: Vec<ImportRow>,
    /// Users created (applied, not a preview): each one-time password, shown this once.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub passwords: Vec<OneTimePassword>,
}

impl ImportReport {
    /// The report of these rows, counted by outcome.
    pub fn new(
        kind: ImportKind,
        dry_run: bool,
        columns: Vec<(String, String)>,
        rows: Vec<ImportRow>,
        passwords: Vec<OneTimePassword>,
    ) -> ImportReport {
        let count = |outcome| rows.iter().filter(|row| row.outcome == outcome).count();
        ImportReport {
            kind,
            dry_run,
            created: count(RowOutcome::Create),
            updated: count(RowOutcome::Update),
            skipped: count(RowOutcome::Skip),
            columns,
            rows,
            passwords,
        }
    }
}

/// One data row of the file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportRow {
    /// The row number as the spreadsheet shows it (1 = the first line).
    pub row: usize,
    pub outcome: RowOutcome,
    /// Who or what the row is (a pupil's name, a facility's name), for the preview.
    pub label: String,
    /// Why the row is skipped: each with its column.
    pub problems: Vec<CellProblem>,
    /// What the user should know though the row goes in (a value assumed, an old commune mapped).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<CellProblem>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum RowOutcome {
    Create,
    Update,
    Skip,
}

/// A problem or a note about one cell: the column's heading as in the file (or the expected one
/// when the file lacks it) and a sentence in the user's language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CellProblem {
    pub column: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OneTimePassword {
    pub username: String,
    pub full_name: String,
    pub one_time_password: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_match_loosely_and_the_longest_wins() {
        let columns = ImportKind::Children.columns();
        let key = |heading: &str| match_heading(columns, heading).map(|i| columns[i].key);
        assert_eq!(key("Họ và tên"), Some("full_name"));
        assert_eq!(key("HỌ TÊN"), Some("full_name"));
        assert_eq!(key("Họ tên cha/mẹ/người giám hộ"), Some("guardian_name"));
        assert_eq!(key("Số định danh cá nhân"), Some("personal_id"));
        assert_eq!(key("Ngày sinh (dd/mm/yyyy)"), Some("date_of_birth"));
        assert_eq!(key("Xã/phường cư trú"), Some("commune"));
        assert_eq!(key("Ghi chú"), None);
    }

    #[test]
    fn values_are_read_as_offices_type_them() {
        assert_eq!(loose_sex("nữ"), Some(Sex::Female));
        assert_eq!(loose_sex("NAM"), Some(Sex::Male));
        assert_eq!(loose_sex("x"), None);
        assert_eq!(loose_ethnicity("Tay"), Some("tay"));
        assert_eq!(loose_ethnicity("TÀY"), Some("tay"));
        assert_eq!(loose_ethnicity("Mông"), Some("hmong"));
        assert_eq!(loose_ethnicity("san chay"), Some("san-chay"));
        assert_eq!(loose_ethnicity("Kinh"), Some("kinh"));
        assert_eq!(loose_ethnicity("Martian"), None);
        assert_eq!(loose_relation("Mẹ"), Some(GuardianRelation::Mother));
        assert_eq!(loose_role("Giáo viên tư vấn"), Some(Role::Counsellor));
        assert_eq!(loose_role("Bác sĩ"), Some(Role::Clinician));
        assert_eq!(
            loose_facility_type("", "Trường THCS Tam Thanh"),
            Some(FacilityType::LowerSecondarySchool)
        );
        assert_eq!(
            loose_facility_type("Trạm y tế xã", "X"),
            Some(FacilityType::CommuneHealthStation)
        );
        assert_eq!(loose_facility_type("", "Nhà văn hoá"), None);
    }
}
