//! Per-record-type rules applied by the server to a merged record before it is stored.

use chrono::NaiveDate;
use shared::child::Child;
use shared::lang::Lang;
use shared::sync::{Fields, Outcome, RecordType};

/// Why a change was not stored, in the user's language.
pub fn rejected(
    code: &str,
    lang: Lang,
    fields: std::collections::BTreeMap<String, String>,
) -> Outcome {
    let vi = lang == Lang::Vi;
    let message = match code {
        "forbidden_facility" if vi => "Bạn không có quyền ghi hồ sơ của cơ sở này.",
        "forbidden_facility" => "You may not write records of this facility.",
        "facility_mismatch" if vi => "Hồ sơ này thuộc một cơ sở khác.",
        "facility_mismatch" => "This record belongs to another facility.",
        "change_id_reused" if vi => "Mã thay đổi này đã được dùng cho một nội dung khác.",
        "change_id_reused" => "This change id was already used for different content.",
        "not_supported_yet" if vi => "Máy chủ chưa nhận loại hồ sơ này.",
        "not_supported_yet" => "The server does not accept this kind of record yet.",
        "invalid_record" if vi => "Hồ sơ không đúng cấu trúc.",
        "invalid_record" => "The record is malformed.",
        _ if vi => "Vui lòng sửa các ô được đánh dấu.",
        _ => "Please correct the marked fields.",
    };
    Outcome::Rejected {
        code: code.into(),
        message: message.into(),
        fields,
    }
}

/// The largest opaque payload accepted in benchmark mode, in bytes of JSON.
const OPAQUE_MAX: usize = 16 * 1024;

/// Checks a merged record with the same rules as the app's form and returns it normalised.
/// Screenings and referrals have no rules yet: refused, or stored opaque for benchmarks.
pub fn check(
    record_type: RecordType,
    fields: &Fields,
    today: NaiveDate,
    lang: Lang,
    accept_opaque: bool,
) -> Result<Fields, Outcome> {
    match record_type {
        RecordType::Screening | RecordType::Referral => {
            let size = serde_json::to_string(fields).map_or(usize::MAX, |json| json.len());
            if accept_opaque && size <= OPAQUE_MAX {
                Ok(fields.clone())
            } else {
                Err(rejected("not_supported_yet", lang, Default::default()))
            }
        }
        RecordType::Child => {
            let Some(child) = Child::from_fields(fields) else {
                return Err(rejected("invalid_record", lang, Default::default()));
            };
            match child.check(today) {
                Ok(mut checked) => {
                    // Voiding is the one field the form does not edit; keep it as merged.
                    checked.voided_reason = child
                        .voided_reason
                        .filter(|reason| !reason.trim().is_empty());
                    Ok(checked.to_fields())
                }
                Err(problems) => Err(rejected("invalid_input", lang, problems.messages(lang))),
            }
        }
    }
}
