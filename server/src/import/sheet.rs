//! An uploaded file as rows of cells: the first worksheet of an `.xlsx` (calamine), or a CSV in
//! UTF-8 with or without a byte-order mark, separated by `;`, `,` or tabs. The header row is
//! found, not assumed: the first of the top rows naming the most known columns.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use chrono::NaiveDate;
use shared::import::{match_heading, Column};
use shared::lang::format_date;

use crate::error::ApiError;

/// How far down a header row is looked for (title rows above it).
const HEADER_SEARCH_ROWS: usize = 30;

/// The most data rows one file may hold.
pub const MAX_ROWS: usize = 5_000;

/// One cell as the file holds it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Date(NaiveDate),
}

impl Cell {
    /// The cell as text: a date as dd/mm/yyyy, a whole number without decimals.
    pub fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(text) => text.trim().to_string(),
            Cell::Number(number) if number.fract() == 0.0 && number.abs() < 1e15 => {
                format!("{}", *number as i64)
            }
            Cell::Number(number) => number.to_string(),
            Cell::Date(date) => format_date(*date),
        }
    }

    /// A date cell, or a number that is an Excel date serial (a date column without date format).
    pub fn date(&self) -> Option<NaiveDate> {
        match self {
            Cell::Date(date) => Some(*date),
            Cell::Number(serial) if (1.0..200_000.0).contains(serial) => {
                NaiveDate::from_ymd_opt(1899, 12, 30)?
                    .checked_add_signed(chrono::Duration::days(serial.trunc() as i64))
            }
            _ => None,
        }
    }

    /// A phone number that a number cell stored without its leading zero (a mobile has 10 digits,
    /// a landline 11 with its area code starting 02).
    pub fn phone(&self) -> String {
        let text = self.text();
        match self {
            Cell::Number(_) if text.len() == 9 || (text.len() == 10 && text.starts_with('2')) => {
                format!("0{text}")
            }
            _ => text,
        }
    }

    /// A number column that lost its leading zeros (a personal id, a phone): the digits, padded.
    pub fn digits(&self, width: usize) -> String {
        match self {
            Cell::Number(_) => format!("{:0>width$}", self.text()),
            _ => self.text(),
        }
    }
}

/// A file's rows; `rows[0]` is the spreadsheet's row 1.
#[derive(Debug, Default)]
pub struct Sheet {
    pub rows: Vec<Vec<Cell>>,
}

/// The header row and the column each cell of it names.
#[derive(Debug)]
pub struct Header {
    /// Index into [`Sheet::rows`].
    pub row: usize,
    /// (cell index, index into the kind's columns, the heading as written).
    pub columns: Vec<(usize, usize, String)>,
}

impl Sheet {
    /// Reads an upload: xlsx by its zip signature, else CSV text.
    pub fn read(bytes: &[u8]) -> Result<Sheet, ApiError> {
        if bytes.starts_with(b"PK\x03\x04") {
            return read_xlsx(bytes);
        }
        if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
            return Err(ApiError::field("file", shared::validate::Problem::OldExcel));
        }
        read_csv(bytes)
    }

    /// The top row naming the most known columns (at least two, or the only required one).
    pub fn header(&self, columns: &[Column]) -> Option<Header> {
        let mut best: Option<Header> = None;
        for (index, row) in self.rows.iter().enumerate().take(HEADER_SEARCH_ROWS) {
            let mut found: Vec<(usize, usize, String)> = Vec::new();
            for (cell_index, cell) in row.iter().enumerate() {
                let heading = cell.text();
                if let Some(column) = match_heading(columns, &heading) {
                    if !found.iter().any(|(_, c, _)| *c == column) {
                        found.push((cell_index, column, heading));
                    }
                }
            }
            if found.len() >= 2 && best.as_ref().is_none_or(|b| found.len() > b.columns.len()) {
                best = Some(Header {
                    row: index,
                    columns: found,
                });
            }
        }
        best
    }
}

fn read_xlsx(bytes: &[u8]) -> Result<Sheet, ApiError> {
    let unreadable = || ApiError::field("file", shared::validate::Problem::Unreadable);
    let mut workbook = Xlsx::new(Cursor::new(bytes)).map_err(|_| unreadable())?;
    let range = workbook
        .worksheet_range_at(0)
        .ok_or_else(unreadable)?
        .map_err(|_| unreadable())?;
    let (top, left) = range.start().unwrap_or((0, 0));
    let mut rows: Vec<Vec<Cell>> = vec![Vec::new(); top as usize];
    for row in range.rows() {
        let mut cells = vec![Cell::Empty; left as usize];
        cells.extend(row.iter().map(cell_of));
        rows.push(cells);
        if rows.len() > MAX_ROWS + HEADER_SEARCH_ROWS {
            return Err(ApiError::field(
                "file",
                shared::validate::Problem::TooManyRows { max: MAX_ROWS },
            ));
        }
    }
    Ok(Sheet { rows })
}

fn cell_of(data: &Data) -> Cell {
    match data {
        Data::Empty | Data::Error(_) => Cell::Empty,
        Data::String(text) | Data::DateTimeIso(text) | Data::DurationIso(text) => {
            if text.trim().is_empty() {
                Cell::Empty
            } else {
                Cell::Text(text.clone())
            }
        }
        Data::Int(number) => Cell::Number(*number as f64),
        Data::Float(number) => Cell::Number(*number),
        Data::Bool(value) => Cell::Text(value.to_string()),
        Data::DateTime(date) => match date.as_datetime() {
            Some(instant) if date.is_datetime() => Cell::Date(instant.date()),
            _ => Cell::Number(date.as_f64()),
        },
    }
}

fn read_csv(bytes: &[u8]) -> Result<Sheet, ApiError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes)
        .map_err(|_| ApiError::field("file", shared::validate::Problem::NotUtf8))?;
    let delimiter = delimiter_of(text);
    // The reader passes over blank lines; a lone separator keeps each as an empty row, so that
    // row numbers are the ones a spreadsheet shows.
    let kept: String = text
        .lines()
        .map(|line| {
            if line.trim().is_empty() {
                char::from(delimiter).to_string()
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(kept.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record =
            record.map_err(|_| ApiError::field("file", shared::validate::Problem::Unreadable))?;
        rows.push(
            record
                .iter()
                .map(|value| {
                    if value.trim().is_empty() {
                        Cell::Empty
                    } else {
                        Cell::Text(value.to_string())
                    }
                })
                .collect(),
        );
        if rows.len() > MAX_ROWS + HEADER_SEARCH_ROWS {
            return Err(ApiError::field(
                "file",
                shared::validate::Problem::TooManyRows { max: MAX_ROWS },
            ));
        }
    }
    Ok(Sheet { rows })
}

/// The separator the most lines of the top of the file use most.
fn delimiter_of(text: &str) -> u8 {
    let top: Vec<&str> = text.lines().take(HEADER_SEARCH_ROWS).collect();
    [b';', b',', b'\t']
        .into_iter()
        .max_by_key(|d| {
            top.iter()
                .map(|line| line.bytes().filter(|b| b == d).count())
                .max()
                .unwrap_or(0)
        })
        .unwrap_or(b',')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_with_a_bom_semicolons_and_a_title_row_is_read() {
        let text = "\u{feff}DANH SÁCH LỚP 9A\n\nSTT;Họ và tên;Ngày sinh\n1;Nguyễn An;5/10/2012\n";
        let sheet = Sheet::read(text.as_bytes()).unwrap();
        let header = sheet
            .header(shared::import::ImportKind::Children.columns())
            .unwrap();
        assert_eq!(header.row, 2);
        assert_eq!(header.columns.len(), 3);
        assert_eq!(sheet.rows[3][1], Cell::Text("Nguyễn An".into()));
    }

    #[test]
    fn numbers_keep_their_leading_zeros_and_serials_are_dates() {
        assert_eq!(Cell::Number(20311383452.0).digits(12), "020311383452");
        assert_eq!(
            Cell::Number(45943.5).date(),
            NaiveDate::from_ymd_opt(2025, 10, 13)
        );
        assert_eq!(Cell::Text("x".into()).date(), None);
        assert_eq!(Cell::Number(912345678.0).phone(), "0912345678");
        assert_eq!(Cell::Number(2053812345.0).phone(), "02053812345");
    }
}
