//! The template of each import: an `.xlsx` with the headings the import reads and one example
//! row, so that an office starts from a file that works.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use shared::import::{Column, ImportKind};
use shared::lang::{format_date, vietnam_offset};

use crate::error::ApiError;
use crate::extract::AuthUser;
use crate::AppState;

pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The template for a kind of import.
#[utoipa::path(get, path = "/api/import/{kind}/template", tag = "import", security(("bearer" = [])),
    params(("kind" = ImportKind, Path)),
    responses((status = 200, description = "The template (.xlsx)", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 403, body = shared::api::ErrorBody), (status = 404, body = shared::api::ErrorBody)))]
pub async fn template(
    State(state): State<AppState>,
    user: AuthUser,
    Path(kind): Path<String>,
) -> Result<Response, ApiError> {
    let kind = super::kind_for(&user, &kind)?;
    let today = state
        .clock
        .now()
        .with_timezone(&vietnam_offset())
        .date_naive();
    let body = workbook(kind.columns(), today)
        .map_err(|e| ApiError::Internal(format!("template: {e}")))?;
    let name = format!("mau-nhap-{}.xlsx", kind.code());
    Ok((
        [
            (header::CONTENT_TYPE, XLSX.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        body,
    )
        .into_response())
}

fn workbook(columns: &[Column], today: NaiveDate) -> Result<Vec<u8>, XlsxError> {
    // The example pupil is twelve today, whatever the year.
    let twelve = today.with_year(today.year() - 12).unwrap_or(today);
    let mut book = Workbook::new();
    let bold = Format::new().set_bold().set_text_wrap();
    let text = Format::new().set_num_format("@");
    let sheet = book.add_worksheet();
    // The numbering column is the file's own; the template leaves it out.
    for (index, column) in columns.iter().filter(|c| c.key != "row_number").enumerate() {
        let col = index as u16;
        let heading = if column.required {
            format!("{} *", column.heading)
        } else {
            column.heading.to_string()
        };
        sheet.write_string_with_format(0, col, &heading, &bold)?;
        // Text cells, so that a personal id or a phone keeps its leading zero.
        let example = match column.key {
            "date_of_birth" => format_date(twelve),
            _ => column.example.to_string(),
        };
        sheet.write_string_with_format(1, col, &example, &text)?;
        sheet.set_column_width(col, (column.heading.chars().count().max(12) + 2) as f64)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    book.save_to_buffer()
}
