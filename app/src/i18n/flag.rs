//! The catalogue of urgent flags as records (`shared::urgent`): the flag standing on the child's
//! page and on home, its action, its end and its history. Kept apart like [`super::care`]; both
//! languages or no build.

use shared::urgent::FlagEnd;

pub struct FlagTexts {
    pub awaiting_action: &'static str,
    pub acted: fn(&str, &str) -> String,
    pub record_action: &'static str,
    pub end_title: &'static str,
    pub end_how: &'static str,
    pub how: fn(FlagEnd) -> &'static str,
    pub end_note: &'static str,
    pub end_referral: &'static str,
    pub no_completed_referral: &'static str,
    pub end: &'static str,
    pub ended: fn(FlagEnd, &str, &str) -> String,
    pub void_title: &'static str,
    pub void_reason: &'static str,
    pub void: &'static str,
    pub voided: fn(&str) -> String,
    pub history_title: &'static str,
    pub raised: fn(&str, &str) -> String,
    pub home_title: &'static str,
    pub superseded: &'static str,
    pub lead: &'static str,
    pub score_verdict: fn(&'static str) -> String,
    pub not_synced: &'static str,
    /// The flag to update is not on this device (yet).
    pub flag_missing: &'static str,
}

impl FlagTexts {
    pub fn of(lang: shared::lang::Lang) -> &'static FlagTexts {
        match lang {
            shared::lang::Lang::Vi => &VI,
            shared::lang::Lang::En => &EN,
        }
    }
}

pub static VI: FlagTexts = FlagTexts {
    awaiting_action: "Chưa ghi nhận hành động. Cần làm ngay và ghi lại.",
    acted: |who, at| format!("Hành động đã ghi lại bởi {who}, {at}."),
    record_action: "Ghi nhận hành động",
    end_title: "Kết thúc cảnh báo",
    end_how: "Cảnh báo được kết thúc vì",
    how: |h| match h {
        FlagEnd::SafetyPlan => "Đã lập kế hoạch an toàn với trẻ và gia đình",
        FlagEnd::ReferralCompleted => "Chuyển tuyến đã hoàn tất và có phản hồi",
    },
    end_note: "Ghi chú (kế hoạch, người theo dõi, hẹn gặp lại)",
    end_referral: "Chuyển tuyến đã hoàn tất",
    no_completed_referral: "Trẻ chưa có chuyển tuyến nào đã hoàn tất có phản hồi.",
    end: "Kết thúc cảnh báo",
    ended: |how, who, at| {
        let how = (VI.how)(how);
        format!("Đã kết thúc: {how} ({who}, {at}).")
    },
    void_title: "Cảnh báo ghi nhầm?",
    void_reason: "Lý do hủy cảnh báo",
    void: "Hủy cảnh báo",
    voided: |reason| format!("Đã hủy: {reason}."),
    history_title: "Các cảnh báo khẩn",
    raised: |who, at| format!("Nêu ra bởi {who}, {at}"),
    home_title: "Cảnh báo khẩn đang mở",
    superseded: "Thay bằng cảnh báo mức cao hơn trong cùng lần sàng lọc.",
    lead: "Câu trả lời nguy cấp: làm theo quy trình an toàn trước mọi kết quả điểm số.",
    score_verdict: |verdict| format!("Theo điểm cắt: {verdict}"),
    not_synced: "(chưa đồng bộ)",
    flag_missing: "Chưa lưu được cảnh báo khẩn trên máy này. Vui lòng thử lại.",
};

pub static EN: FlagTexts = FlagTexts {
    awaiting_action: "No action recorded yet. Act now and record it.",
    acted: |who, at| format!("Action recorded by {who}, {at}."),
    record_action: "Record the action",
    end_title: "End the flag",
    end_how: "The flag ends because",
    how: |h| match h {
        FlagEnd::SafetyPlan => "A safety plan was made with the child and the family",
        FlagEnd::ReferralCompleted => "The referral was completed and its feedback received",
    },
    end_note: "Note (the plan, who follows up, the next meeting)",
    end_referral: "Completed referral",
    no_completed_referral: "The child has no completed referral with feedback yet.",
    end: "End the flag",
    ended: |how, who, at| {
        let how = (EN.how)(how);
        format!("Ended: {how} ({who}, {at}).")
    },
    void_title: "Flag raised by mistake?",
    void_reason: "Why the flag is voided",
    void: "Void the flag",
    voided: |reason| format!("Voided: {reason}."),
    history_title: "Urgent flags",
    raised: |who, at| format!("Raised by {who}, {at}"),
    home_title: "Open urgent flags",
    superseded: "Replaced by a more urgent flag in the same screening.",
    lead: "A critical answer: follow the safety pathway before any score.",
    score_verdict: |verdict| format!("By the cut-off: {verdict}"),
    not_synced: "(not yet synced)",
    flag_missing: "The urgent flag is not stored on this device yet. Please try again.",
};
