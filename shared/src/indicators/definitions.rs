//! What each indicator counts, written for the people who read the figures (shown on the
//! dashboard, in the print view and on the workbook's sheets). Keep these true to `compute.rs`.

use super::Indicator;
use crate::lang::Lang;

pub struct Definition {
    pub indicator: Indicator,
    pub title: &'static str,
    pub numerator: &'static str,
    pub denominator: &'static str,
    pub notes: &'static str,
}

pub fn definitions(lang: Lang) -> [Definition; 5] {
    match lang {
        Lang::Vi => VI,
        Lang::En => EN,
    }
}

const VI: [Definition; 5] = [
    Definition {
        indicator: Indicator::I1,
        title: "I1. Trẻ có nguy cơ được tiếp cận dịch vụ (mục tiêu 80%)",
        numerator: "Số trẻ trong mẫu số, trong vòng 90 ngày kể từ lần đầu có nguy cơ, đã đến khám theo giấy chuyển tuyến hoặc có ít nhất một buổi tư vấn, hỗ trợ.",
        denominator: "Số trẻ có kết quả sàng lọc dương tính, có cảnh báo khẩn hoặc được ghi nhận lo ngại trong kỳ (mỗi trẻ tính một lần, từ lần đầu trong kỳ).",
        notes: "Không tính kết quả đã hủy và cuộc gọi 111. Một chuyển tuyến bị từ chối rồi chuyển nơi khác được tính khi trẻ đến nơi sau. Trẻ chưa hết 90 ngày vẫn nằm trong mẫu số (số còn chờ ghi riêng).",
    },
    Definition {
        indicator: Indicator::I2,
        title: "I2. Trẻ mồ côi được chăm sóc thay thế (mục tiêu 100%)",
        numerator: "Số trẻ trong mẫu số có hình thức chăm sóc đang áp dụng vào cuối kỳ là: người thân, gia đình không phải người thân, nhận con nuôi hoặc cơ sở trợ giúp xã hội.",
        denominator: "Số trẻ được ghi nhận là trẻ mồ côi (cha, mẹ hoặc cả hai) còn hiệu lực vào cuối kỳ.",
        notes: "Nếu hình thức chăm sóc thay đổi trong năm, tính hình thức đang áp dụng vào cuối kỳ.",
    },
    Definition {
        indicator: Indicator::I3,
        title: "I3. Trường học có hỗ trợ tâm lý (mục tiêu 95%)",
        numerator: "Số trường trong mẫu số có ít nhất một tài khoản tư vấn tâm lý đang hoạt động hoặc có buổi tư vấn được ghi nhận trong kỳ.",
        denominator: "Số trường học (mầm non, tiểu học, THCS, THPT) đang hoạt động trong địa bàn.",
        notes: "",
    },
    Definition {
        indicator: Indicator::I4,
        title: "I4. Độ bao phủ sàng lọc",
        numerator: "Số trẻ trong mẫu số có ít nhất một lần sàng lọc (không bị hủy) trong kỳ.",
        denominator: "Số trẻ đang được quản lý (đã đăng ký, không bị hủy) tại các cơ sở trong địa bàn vào cuối kỳ.",
        notes: "Chia theo nhóm tuổi (tuổi vào cuối kỳ), giới tính, dân tộc và công cụ sàng lọc.",
    },
    Definition {
        indicator: Indicator::I5,
        title: "I5. Vòng chuyển tuyến",
        numerator: "Với các giấy chuyển tuyến gửi trong kỳ: số ngày trung vị từ khi gửi đến khi nơi nhận mở/tiếp nhận và đến khi trẻ đến; tỷ lệ bị từ chối; tỷ lệ có phản hồi.",
        denominator: "Số giấy chuyển tuyến do các cơ sở trong địa bàn gửi trong kỳ.",
        notes: "Chuyển tuyến quá hạn: chưa đóng và đã quá thời hạn (theo mức độ khẩn) vào cuối kỳ.",
    },
];

const EN: [Definition; 5] = [
    Definition {
        indicator: Indicator::I1,
        title: "I1. At-risk children who reached services (target 80%)",
        numerator: "Children of the denominator who, within 90 days of first being found at risk, attended a referral or had at least one counselling or support session.",
        denominator: "Children with a positive screen, an urgent flag or a recorded concern in the period (each child once, from the first time in the period).",
        notes: "Voided screenings and hotline 111 calls do not count. A referral declined and then made elsewhere counts when the child attends the second. Children whose 90 days have not ended stay in the denominator (shown apart as still open).",
    },
    Definition {
        indicator: Indicator::I2,
        title: "I2. Orphans in alternative care (target 100%)",
        numerator: "Children of the denominator whose care arrangement in force at the period's end is kinship care, a non-relative family, adoption or a social-assistance facility.",
        denominator: "Children recorded as orphans (of one or both parents) at the period's end.",
        notes: "When the arrangement changed during the year, the one in force at the period's end counts.",
    },
    Definition {
        indicator: Indicator::I3,
        title: "I3. Schools offering psychological support (target 95%)",
        numerator: "Schools of the denominator with at least one active counsellor account or a counselling session recorded in the period.",
        denominator: "Active schools (kindergarten, primary, lower and upper secondary) in the area.",
        notes: "",
    },
    Definition {
        indicator: Indicator::I4,
        title: "I4. Screening coverage",
        numerator: "Children of the denominator screened at least once (not voided) in the period.",
        denominator: "Children registered (not voided) at the area's facilities at the period's end.",
        notes: "Broken down by age band (age at the period's end), sex, ethnicity and instrument.",
    },
    Definition {
        indicator: Indicator::I5,
        title: "I5. The referral loop",
        numerator: "For referrals sent in the period: median days from sending to the receiver's first action and to the child's visit; the share declined; the share with feedback returned.",
        denominator: "Referrals sent by the area's facilities in the period.",
        notes: "Overdue: not closed and past the due time for its urgency at the period's end.",
    },
];
