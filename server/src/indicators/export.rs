//! The annual report as a file: an Excel workbook (a summary sheet and one sheet per indicator,
//! Vietnamese headings, numbers as numbers, hidden small counts as "<N") or CSV (UTF-8 with a
//! byte-order mark so Excel reads Vietnamese correctly; one line per figure).

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::{Datelike, NaiveDateTime};
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};
use serde::Deserialize;
use shared::api::ErrorBody;
use shared::indicators::{definitions, Hidden, Indicator, Ratio, Report, Span, Suppression};
use shared::lang::{format_date, Lang};
use uuid::Uuid;

use super::{audited, compute, file, ScopeQuery, Settings};
use crate::error::{lang_of, ApiError};
use crate::extract::AuthUser;
use crate::AppState;

#[derive(Debug, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    /// `xlsx` (default) or `csv`.
    pub format: Option<String>,
    pub year: Option<i32>,
    /// Any period instead of a year (see `GET /api/indicators`).
    pub period: Option<String>,
    pub area: Option<Uuid>,
    pub facility: Option<Uuid>,
}

/// One figure of the report, as the files list it.
struct Figure {
    indicator: &'static str,
    group: String,
    key: String,
    numerator: Value,
    denominator: Value,
    percent: Option<f64>,
}

impl Figure {
    /// A figure that is one count.
    fn count(indicator: &'static str, group: &str, key: String, value: Value) -> Figure {
        Figure {
            indicator,
            group: group.into(),
            key,
            numerator: value,
            denominator: Value::Empty,
            percent: None,
        }
    }
}

/// A cell: a number, or a hidden small count.
#[derive(Clone)]
enum Value {
    Number(f64),
    Text(String),
    Empty,
}

fn part(count: u32, hidden: Option<Hidden>, s: Suppression) -> Value {
    hidden.map_or(Value::Number(f64::from(count)), |why| {
        Value::Text(s.marker(why))
    })
}

fn ratio_values(ratio: Ratio, s: Suppression) -> (Value, Value, Option<f64>) {
    (
        part(ratio.numerator, ratio.numerator_hidden, s),
        part(ratio.denominator, ratio.denominator_hidden, s),
        ratio.percent().map(|p| (p * 10.0).round() / 10.0),
    )
}

fn count_value(report: &Report, key: &str, count: u32, s: Suppression) -> Value {
    part(count, Suppression::hidden_in(report, key), s)
}

struct Labels {
    lang: Lang,
}

impl Labels {
    fn t(&self, vi: &'static str, en: &'static str) -> &'static str {
        if self.lang == Lang::Vi {
            vi
        } else {
            en
        }
    }

    fn breakdown_key(&self, group: &str, key: &str) -> String {
        shared::indicators::breakdown_label(group, key, self.lang)
    }
}

/// Every figure of the report, in the order the files show them.
fn figures(report: &Report, s: Suppression, labels: &Labels) -> Vec<Figure> {
    let mut out = Vec::new();
    let mut ratio = |indicator, group: &str, key: String, r: Ratio| {
        let (numerator, denominator, percent) = ratio_values(r, s);
        out.push(Figure {
            indicator,
            group: group.to_string(),
            key,
            numerator,
            denominator,
            percent,
        });
    };
    let total = labels.t("Toàn địa bàn", "Whole scope").to_string();
    ratio("I1", "total", total.clone(), report.i1);
    for (group, lines) in [("age", &report.i1_by_age), ("sex", &report.i1_by_sex)] {
        for l in lines {
            ratio("I1", group, labels.breakdown_key(group, &l.key), l.ratio);
        }
    }
    for m in &report.months {
        ratio("I1", "month", format!("{:02}/{}", m.month, m.year), m.i1);
    }
    ratio("I2", "total", total.clone(), report.i2);
    for l in &report.i2_by_care {
        ratio("I2", "care", labels.breakdown_key("care", &l.key), l.ratio);
    }
    ratio("I3", "total", total.clone(), report.i3);
    ratio("I4", "total", total.clone(), report.i4);
    for (group, lines) in [
        ("age", &report.i4_by_age),
        ("sex", &report.i4_by_sex),
        ("ethnicity", &report.i4_by_ethnicity),
    ] {
        for l in lines {
            ratio("I4", group, labels.breakdown_key(group, &l.key), l.ratio);
        }
    }
    ratio(
        "I5",
        "declined",
        labels.t("Bị từ chối", "Declined").into(),
        report.i5.declined,
    );
    ratio(
        "I5",
        "feedback",
        labels.t("Có phản hồi", "Feedback returned").into(),
        report.i5.feedback,
    );
    for (units, group) in [(&report.areas, "area"), (&report.facilities, "facility")] {
        for u in units {
            for (indicator, r) in [("I1", u.i1), ("I2", u.i2), ("I3", u.i3), ("I4", u.i4)] {
                if r.denominator > 0 || r.is_hidden() {
                    ratio(indicator, group, u.name.clone(), r);
                }
            }
        }
    }
    let mut count = |indicator, group: &str, key: String, value: Value| {
        out.push(Figure::count(indicator, group, key, value));
    };
    count(
        "I1",
        "still_open",
        labels.t("Còn trong 90 ngày", "Still within 90 days").into(),
        count_value(report, "i1_still_open", report.i1_still_open, s),
    );
    for line in &report.by_instrument {
        count(
            "I4",
            "instrument",
            labels.breakdown_key("instrument", &line.instrument),
            count_value(
                report,
                &format!("instrument.{}.screenings", line.instrument),
                line.screenings,
                s,
            ),
        );
    }
    count(
        "I5",
        "sent",
        labels.t("Số giấy chuyển tuyến", "Referrals sent").into(),
        count_value(report, "i5.sent", report.i5.sent, s),
    );
    for route in &report.i5.by_route {
        count(
            "I5",
            "route",
            labels.breakdown_key("route", &route.key),
            count_value(report, &format!("i5.route.{}", route.key), route.count, s),
        );
    }
    count(
        "I5",
        "open_overdue",
        labels.t("Quá hạn chưa đóng", "Open and overdue").into(),
        count_value(report, "i5.open_overdue", report.i5.open_overdue, s),
    );
    let days =
        |d: Option<f64>| d.map_or(Value::Empty, |d| Value::Number((d * 10.0).round() / 10.0));
    // Hours: most referrals are opened within a day or two, which days would round away.
    count(
        "I5",
        "hours_to_received",
        labels
            .t("Số giờ trung vị đến khi nhận", "Median hours to received")
            .into(),
        days(report.i5.median_days_to_received.map(|d| d * 24.0)),
    );
    count(
        "I5",
        "days_to_attended",
        labels
            .t("Số ngày trung vị đến khi khám", "Median days to attended")
            .into(),
        days(report.i5.median_days_to_attended),
    );
    plans(report, s, labels, &mut out);
    out
}

/// What the plans count beyond I1–I5, in the order the files show it: orphans by their loss,
/// communes with a working network, known conditions, special circumstances and support,
/// sessions and hotline calls, activities.
fn plans(report: &Report, s: Suppression, labels: &Labels, out: &mut Vec<Figure>) {
    // Orphans by their loss (I2's denominator), as the plans count them.
    let o = report.orphans;
    for (key, label, value) in [
        (
            "both_parents",
            labels.t("Mồ côi cả cha và mẹ", "Lost both parents"),
            o.both_parents,
        ),
        (
            "one_parent",
            labels.t("Mồ côi cha hoặc mẹ", "Lost one parent"),
            o.one_parent,
        ),
        (
            "unrecorded",
            labels.t("Chưa ghi nhận", "Not recorded"),
            o.unrecorded,
        ),
        (
            "covid19",
            labels.t("Mồ côi do COVID-19", "Orphaned by COVID-19"),
            o.covid19,
        ),
    ] {
        let value = count_value(report, &format!("orphans.{key}"), value, s);
        out.push(Figure::count("I2", "orphans", label.into(), value));
    }
    // Communes with a working referral network (communes, not persons: never hidden).
    out.push(Figure {
        indicator: "I5",
        group: "network".into(),
        key: labels
            .t(
                "Xã, phường có mạng lưới chuyển tuyến hoạt động",
                "Communes with a working referral network",
            )
            .into(),
        numerator: Value::Number(f64::from(report.networks_working)),
        denominator: Value::Number(f64::from(report.networks)),
        percent: None,
    });
    // Children with conditions known to the unit, by kind (small counts hidden).
    let known = labels.t(
        "Trẻ có vấn đề sức khỏe tâm thần",
        "Children with known conditions",
    );
    for line in &report.conditions {
        let value = count_value(report, &format!("condition.{}", line.key), line.count, s);
        let kind = labels.breakdown_key("condition", &line.key);
        out.push(Figure::count(known, "condition", kind, value));
    }
    let any = labels.t("Tất cả (mỗi trẻ một lần)", "Any (each child once)");
    let children = count_value(report, "conditions.children", report.conditions_children, s);
    out.push(Figure::count(known, "condition", any.into(), children));
    // Children in special circumstances, and those supported in the period.
    let circumstances = labels.t("Hoàn cảnh đặc biệt", "Special circumstances");
    let whole = labels.t(
        "Tất cả các nhóm (mỗi trẻ một lần)",
        "Every group (each child once)",
    );
    let lines = report.circumstances.iter().map(|l| {
        let label = shared::care::circumstance_label(&l.code, labels.lang).to_string();
        (
            format!("circumstance.{}", l.code),
            label,
            l.children,
            l.supported,
        )
    });
    let total = (
        "circumstances".to_string(),
        whole.to_string(),
        report.circumstances_children,
        report.circumstances_supported,
    );
    for (key, label, children, supported) in lines.chain(std::iter::once(total)) {
        let (of, part) = (
            count_value(report, &format!("{key}.children"), children, s),
            count_value(report, &format!("{key}.supported"), supported, s),
        );
        // The share only when both counts are printed (the plans' target: over 90%).
        let percent = match (&part, &of) {
            (Value::Number(_), Value::Number(_)) if children > 0 => {
                Some((f64::from(supported) * 1000.0 / f64::from(children)).round() / 10.0)
            }
            _ => None,
        };
        out.push(Figure {
            indicator: circumstances,
            group: "supported".into(),
            key: label,
            numerator: part,
            denominator: of,
            percent,
        });
    }
    // Counselling and support sessions by kind, with the children reached; hotline 111 calls.
    let support = labels.t("Tư vấn, hỗ trợ", "Counselling and support");
    for line in &report.sessions {
        let key = format!("session.{}", line.kind);
        let label = shared::care::SessionKind::from_code(&line.kind)
            .map_or_else(|| line.kind.clone(), |k| k.label(labels.lang).to_string());
        let held = count_value(report, &format!("{key}.sessions"), line.sessions, s);
        out.push(Figure::count(support, "sessions", label.clone(), held));
        let reached = count_value(report, &format!("{key}.children"), line.children, s);
        out.push(Figure::count(support, "session_children", label, reached));
    }
    out.push(Figure::count(
        support,
        "reached",
        labels
            .t("Số trẻ được tư vấn, hỗ trợ", "Children reached")
            .into(),
        count_value(report, "sessions.children", report.sessions_children, s),
    ));
    out.push(Figure::count(
        support,
        "hotline_calls",
        labels
            .t("Cuộc gọi Tổng đài 111", "Calls to hotline 111")
            .into(),
        count_value(report, "hotline_calls", report.hotline_calls, s),
    ));
    // The programme's activities: counts of events and people, never of children.
    let activities = labels.t("Hoạt động", "Activities");
    let number = |n: u32| Value::Number(f64::from(n));
    for line in &report.activities {
        let kind = labels.breakdown_key("activity", &line.kind);
        out.push(Figure::count(
            activities,
            "activity_held",
            kind.clone(),
            number(line.held),
        ));
        out.push(Figure::count(
            activities,
            "activity_participants",
            kind,
            number(line.participants),
        ));
        for trained in &line.trained {
            let group = labels.breakdown_key("trainee", &trained.key);
            out.push(Figure::count(
                activities,
                "trained",
                group,
                number(trained.count),
            ));
        }
    }
}

fn group_label(labels: &Labels, group: &str) -> &'static str {
    match group {
        "total" => labels.t("Tổng", "Total"),
        "age" => labels.t("Nhóm tuổi", "Age band"),
        "sex" => labels.t("Giới tính", "Sex"),
        "ethnicity" => labels.t("Dân tộc", "Ethnicity"),
        "care" => labels.t("Hình thức chăm sóc", "Form of care"),
        "route" => labels.t("Tuyến chuyển", "Route"),
        "instrument" => labels.t("Công cụ sàng lọc (số lượt)", "Instrument (screenings)"),
        "month" => labels.t("Tháng", "Month"),
        "area" => labels.t("Xã/phường", "Commune/ward"),
        "facility" => labels.t("Cơ sở", "Facility"),
        "still_open" | "sent" | "open_overdue" | "hours_to_received" | "days_to_attended" => {
            labels.t("Số liệu", "Figure")
        }
        "declined" | "feedback" => labels.t("Tỷ lệ", "Share"),
        "orphans" => labels.t("Trẻ mồ côi", "Orphans"),
        "network" => labels.t("Số xã hoạt động / số xã", "Working / communes"),
        "condition" => labels.t("Số trẻ", "Children"),
        "supported" => labels.t("Được hỗ trợ / số trẻ", "Supported / children"),
        "sessions" => labels.t("Số buổi", "Sessions"),
        "session_children" => labels.t("Số trẻ", "Children"),
        "reached" | "hotline_calls" => labels.t("Số liệu", "Figure"),
        "activity_held" => labels.t("Số lượt tổ chức", "Held"),
        "activity_participants" => labels.t("Số người tham gia", "Participants"),
        "trained" => labels.t("Số người được tập huấn", "People trained"),
        _ => "",
    }
}

/// What heads a report, as Vietnamese administrative reports carry it: the unit and its code,
/// the title for the period, and who made it and when (for the signature block).
pub struct Heading {
    pub unit: String,
    pub code: Option<String>,
    pub span: Span,
    pub made_by: String,
    /// In Vietnam's local time.
    pub made_at: NaiveDateTime,
}

/// The heading rows 0–4 of the summary sheet.
fn write_heading(
    sheet: &mut Worksheet,
    heading: &Heading,
    report: &Report,
    labels: &Labels,
    title: &Format,
) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold();
    sheet.write_string_with_format(0, 0, heading.unit.to_uppercase(), &bold)?;
    sheet.write_string_with_format(
        0,
        3,
        labels.t(
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "SOCIALIST REPUBLIC OF VIET NAM",
        ),
        &bold,
    )?;
    if let Some(code) = &heading.code {
        sheet.write_string(
            1,
            0,
            format!("{}: {code}", labels.t("Mã đơn vị", "Unit code")),
        )?;
    }
    sheet.write_string_with_format(
        1,
        3,
        labels.t(
            "Độc lập – Tự do – Hạnh phúc",
            "Independence – Freedom – Happiness",
        ),
        &bold,
    )?;
    sheet.write_string_with_format(2, 0, heading.span.title(labels.lang), title)?;
    sheet.write_string(
        3,
        0,
        format!(
            "{}: {} ({} – {}) · {}: {}",
            labels.t("Kỳ báo cáo", "Period"),
            heading.span.label(labels.lang),
            format_date(report.period.from),
            format_date(report.period.to),
            labels.t("Số liệu đến ngày", "Figures as of"),
            format_date(report.as_of)
        ),
    )?;
    sheet.write_string(
        4,
        0,
        format!(
            "{}: {} · {} {}",
            labels.t("Người lập", "Prepared by"),
            heading.made_by,
            heading.made_at.format("%H:%M"),
            format_date(heading.made_at.date())
        ),
    )?;
    Ok(())
}

/// The signature block under the summary: where and when, who prepared it, the head of unit.
fn write_signatures(
    sheet: &mut Worksheet,
    first_row: u32,
    heading: &Heading,
    labels: &Labels,
) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold();
    let italic = Format::new().set_italic();
    let day = heading.made_at.date();
    let dated = match labels.lang {
        Lang::Vi => format!(
            "……………, ngày {:02} tháng {:02} năm {}",
            day.day(),
            day.month(),
            day.year()
        ),
        Lang::En => format!("……………, {}", format_date(day)),
    };
    sheet.write_string_with_format(first_row, 3, dated, &italic)?;
    sheet.write_string_with_format(
        first_row + 1,
        0,
        labels.t("NGƯỜI LẬP BIỂU", "PREPARED BY"),
        &bold,
    )?;
    sheet.write_string_with_format(
        first_row + 1,
        3,
        labels.t("THỦ TRƯỞNG ĐƠN VỊ", "HEAD OF UNIT"),
        &bold,
    )?;
    sheet.write_string_with_format(
        first_row + 2,
        0,
        labels.t("(Ký, ghi rõ họ tên)", "(Signature, full name)"),
        &italic,
    )?;
    sheet.write_string_with_format(
        first_row + 2,
        3,
        labels.t("(Ký tên, đóng dấu)", "(Signature, seal)"),
        &italic,
    )?;
    sheet.write_string(first_row + 6, 0, &heading.made_by)?;
    Ok(())
}

/// The workbook: a summary sheet, then one sheet per indicator with its definition.
pub fn workbook(
    report: &Report,
    heading: &Heading,
    s: Suppression,
    lang: Lang,
) -> Result<Vec<u8>, XlsxError> {
    let labels = Labels { lang };
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let title = Format::new().set_bold().set_font_size(14);
    let wrap = Format::new().set_text_wrap();
    let percent = Format::new().set_num_format("0.0");
    let all = figures(report, s, &labels);
    {
        let sheet = book.add_worksheet();
        sheet.set_name(labels.t("Tổng hợp", "Summary"))?;
        write_heading(sheet, heading, report, &labels, &title)?;
        let head = [
            labels.t("Chỉ số", "Indicator"),
            labels.t("Tử số", "Numerator"),
            labels.t("Mẫu số", "Denominator"),
            labels.t("Tỷ lệ (%)", "Percent"),
            labels.t("Mục tiêu (%)", "Target (%)"),
            labels.t("Đạt", "Met"),
        ];
        for (c, h) in head.iter().enumerate() {
            sheet.write_string_with_format(5, c as u16, *h, &bold)?;
        }
        let ratios = [
            (Indicator::I1, report.i1),
            (Indicator::I2, report.i2),
            (Indicator::I3, report.i3),
            (Indicator::I4, report.i4),
            (Indicator::I5, report.i5.feedback),
        ];
        for (i, ((indicator, r), def)) in ratios.iter().zip(definitions(lang)).enumerate() {
            let row = 6 + i as u32;
            sheet.write_string_with_format(row, 0, def.title, &wrap)?;
            let (n, d, p) = ratio_values(*r, s);
            write_value(sheet, row, 1, &n)?;
            write_value(sheet, row, 2, &d)?;
            if let Some(p) = p {
                sheet.write_number_with_format(row, 3, p, &percent)?;
            }
            if let Some(target) = indicator.target() {
                sheet.write_number(row, 4, target)?;
                if let Some(p) = p {
                    sheet.write_string(
                        row,
                        5,
                        if p >= target {
                            labels.t("Đạt", "Yes")
                        } else {
                            labels.t("Chưa đạt", "No")
                        },
                    )?;
                }
            }
        }
        if s.below > 0 {
            sheet.write_string(
                12,
                0,
                format!(
                    "{} <{}; {}",
                    labels.t("Ô có số nhỏ được ẩn:", "Small counts are hidden:"),
                    s.below,
                    labels.t(
                        "x: ẩn thêm để không suy ra được số nhỏ từ tổng.",
                        "x: also hidden so that no small count follows from a total."
                    )
                ),
            )?;
        }
        write_signatures(sheet, 14, heading, &labels)?;
        sheet.set_column_width(0, 62)?;
        sheet.set_column_width(1, 12)?;
        sheet.set_column_width(2, 12)?;
        sheet.set_column_width(3, 12)?;
        sheet.set_column_width(4, 13)?;
    }
    for def in definitions(lang) {
        let code = def.indicator.code();
        let sheet = book.add_worksheet();
        sheet.set_name(code)?;
        sheet.write_string_with_format(0, 0, def.title, &title)?;
        sheet.write_string(
            1,
            0,
            format!("{}: {}", labels.t("Tử số", "Numerator"), def.numerator),
        )?;
        sheet.write_string(
            2,
            0,
            format!("{}: {}", labels.t("Mẫu số", "Denominator"), def.denominator),
        )?;
        if !def.notes.is_empty() {
            sheet.write_string(3, 0, def.notes)?;
        }
        let head = [
            labels.t("Nhóm", "Group"),
            labels.t("Mục", "Item"),
            labels.t("Tử số / Số", "Numerator / Count"),
            labels.t("Mẫu số", "Denominator"),
            labels.t("Tỷ lệ (%)", "Percent"),
        ];
        for (c, h) in head.iter().enumerate() {
            sheet.write_string_with_format(5, c as u16, *h, &bold)?;
        }
        for (row, f) in (6..).zip(all.iter().filter(|f| f.indicator == code)) {
            sheet.write_string(row, 0, group_label(&labels, &f.group))?;
            sheet.write_string(row, 1, &f.key)?;
            write_value(sheet, row, 2, &f.numerator)?;
            write_value(sheet, row, 3, &f.denominator)?;
            if let Some(p) = f.percent {
                sheet.write_number_with_format(row, 4, p, &percent)?;
            }
        }
        sheet.set_column_width(0, 24)?;
        sheet.set_column_width(1, 38)?;
        sheet.set_column_width(2, 16)?;
        sheet.set_column_width(3, 12)?;
    }
    // What the plans count beyond I1–I5: children's care, conditions, activities.
    let codes: Vec<&str> = definitions(lang)
        .iter()
        .map(|d| d.indicator.code())
        .collect();
    let sheet = book.add_worksheet();
    sheet.set_name(labels.t("Chăm sóc, hoạt động", "Care and activities"))?;
    sheet.write_string_with_format(
        0,
        0,
        labels.t(
            "Chăm sóc trẻ, tư vấn và hoạt động của chương trình",
            "Children's care, counselling and the programme's activities",
        ),
        &title,
    )?;
    let head = [
        labels.t("Phần", "Section"),
        labels.t("Nhóm", "Group"),
        labels.t("Mục", "Item"),
        labels.t("Số", "Count"),
        labels.t("Trên tổng số", "Of"),
        labels.t("Tỷ lệ (%)", "Percent"),
    ];
    for (c, h) in head.iter().enumerate() {
        sheet.write_string_with_format(2, c as u16, *h, &bold)?;
    }
    let others = all.iter().filter(|f| !codes.contains(&f.indicator));
    for (row, f) in (3..).zip(others) {
        sheet.write_string(row, 0, f.indicator)?;
        sheet.write_string(row, 1, group_label(&labels, &f.group))?;
        sheet.write_string(row, 2, &f.key)?;
        write_value(sheet, row, 3, &f.numerator)?;
        write_value(sheet, row, 4, &f.denominator)?;
        if let Some(p) = f.percent {
            sheet.write_number_with_format(row, 5, p, &percent)?;
        }
    }
    sheet.set_column_width(0, 30)?;
    sheet.set_column_width(1, 24)?;
    sheet.set_column_width(2, 44)?;
    sheet.set_column_width(3, 10)?;
    sheet.set_column_width(4, 12)?;
    book.save_to_buffer()
}

fn write_value(sheet: &mut Worksheet, row: u32, col: u16, value: &Value) -> Result<(), XlsxError> {
    match value {
        Value::Number(n) => sheet.write_number(row, col, *n).map(|_| ()),
        Value::Text(t) => sheet.write_string(row, col, t).map(|_| ()),
        Value::Empty => Ok(()),
    }
}

/// The report as CSV: UTF-8 with a byte-order mark, one line per figure.
pub fn csv(report: &Report, scope: &str, s: Suppression, lang: Lang) -> Vec<u8> {
    let labels = Labels { lang };
    let mut out = String::from("\u{feff}");
    let head = [
        labels.t("Địa bàn/cơ sở", "Scope"),
        labels.t("Từ ngày", "From"),
        labels.t("Đến ngày", "To"),
        labels.t("Chỉ số", "Indicator"),
        labels.t("Nhóm", "Group"),
        labels.t("Mục", "Item"),
        labels.t("Tử số / Số", "Numerator / Count"),
        labels.t("Mẫu số", "Denominator"),
        labels.t("Tỷ lệ (%)", "Percent"),
    ];
    out.push_str(&head.join(","));
    out.push_str("\r\n");
    let value = |v: &Value| match v {
        Value::Number(n) => format!("{n}"),
        Value::Text(t) => shared::csv::cell(t),
        Value::Empty => String::new(),
    };
    for f in figures(report, s, &labels) {
        let line = [
            shared::csv::cell(scope),
            format_date(report.period.from),
            format_date(report.period.to),
            f.indicator.to_string(),
            shared::csv::cell(group_label(&labels, &f.group)),
            shared::csv::cell(&f.key),
            value(&f.numerator),
            value(&f.denominator),
            f.percent.map(|p| format!("{p:.1}")).unwrap_or_default(),
        ];
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out.into_bytes()
}

/// The annual report file for the scope and year.
#[utoipa::path(get, path = "/api/indicators/export", tag = "indicators", security(("bearer" = [])), params(ExportQuery),
    responses((status = 200, description = "the workbook or CSV file"), (status = 403, body = ErrorBody)))]
pub async fn export(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    Query(query): Query<ExportQuery>,
) -> Result<Response, ApiError> {
    let lang = lang_of(&headers);
    let format = query.format.as_deref().unwrap_or("xlsx");
    if !matches!(format, "xlsx" | "csv") {
        return Err(ApiError::Malformed(format!("format {format}")));
    }
    let scope_query = ScopeQuery {
        year: query.year,
        period: query.period.clone(),
        area: query.area,
        facility: query.facility,
    };
    let (scope, report) = compute(&state, user.0.clone(), scope_query).await?;
    let s = if scope.aggregate {
        Settings::of(&state).suppression
    } else {
        Suppression::NONE
    };
    audited(
        &state,
        &user,
        "indicators.export",
        format!(
            "scope={}; period={}; format={format}",
            scope.name,
            scope.span.code()
        ),
        Vec::new(),
    )
    .await?;
    let name = format!("bao-cao-{}-{}", scope.span.code(), slug(&scope.name));
    if format == "csv" {
        return Ok(file(
            "text/csv; charset=utf-8",
            &format!("{name}.csv"),
            csv(&report, &scope.name, s, lang),
        ));
    }
    let user_id = user.id;
    let made_by: String = state
        .db
        .read(move |connection| {
            Ok(connection.query_row(
                "SELECT full_name FROM users WHERE id = ?1",
                [user_id],
                |row| row.get(0),
            )?)
        })
        .await?;
    let heading = Heading {
        unit: scope.name.clone(),
        code: scope.code.clone(),
        span: scope.span,
        made_by,
        made_at: state
            .clock
            .now()
            .with_timezone(&shared::lang::vietnam_offset())
            .naive_local(),
    };
    let body = workbook(&report, &heading, s, lang)
        .map_err(|e| ApiError::Internal(format!("workbook: {e}")))?;
    Ok(file(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &format!("{name}.xlsx"),
        body,
    ))
}

/// A file-name-safe form of a Vietnamese name ("Tỉnh Lạng Sơn" → "tinh-lang-son").
fn slug(name: &str) -> String {
    let folded = shared::text::fold(name);
    let mut out = String::new();
    for c in folded.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}
