//! A file's data rows under its header, read by column key whatever the columns' order.

use shared::import::{CellProblem, Column};
use shared::lang::Lang;
use shared::validate::Problem;

use super::sheet::{Cell, Sheet};
use crate::error::ApiError;

static EMPTY: Cell = Cell::Empty;

pub struct Table {
    columns: &'static [Column],
    /// For each of the kind's columns, the file's cell index and heading when present.
    found: Vec<Option<(usize, String)>>,
    /// (row number as the spreadsheet shows it, cells).
    rows: Vec<(usize, Vec<Cell>)>,
    pub lang: Lang,
}

impl Table {
    /// The rows under the header row; no header, or a required column missing, is a 422 naming it.
    pub fn of(sheet: Sheet, columns: &'static [Column], lang: Lang) -> Result<Table, ApiError> {
        let header = sheet
            .header(columns)
            .ok_or_else(|| ApiError::field("file", Problem::NoHeader))?;
        let mut found = vec![None; columns.len()];
        for (cell, column, heading) in header.columns {
            found[column] = Some((cell, heading));
        }
        if let Some(missing) = columns
            .iter()
            .zip(&found)
            .find(|(column, found)| column.required && found.is_none())
        {
            return Err(ApiError::field(
                "file",
                Problem::MissingColumn(missing.0.heading.to_string()),
            ));
        }
        let rows = sheet
            .rows
            .into_iter()
            .enumerate()
            .skip(header.row + 1)
            .map(|(index, cells)| (index + 1, cells))
            .collect();
        Ok(Table {
            columns,
            found,
            rows,
            lang,
        })
    }

    /// The rows that have anything in a known column.
    pub fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        self.rows
            .iter()
            .map(|(number, cells)| Row {
                number: *number,
                table: self,
                cells,
            })
            .filter(|row| row.filled() > 0)
    }

    fn index(&self, key: &str) -> Option<usize> {
        self.columns.iter().position(|column| column.key == key)
    }

    /// Whether the file has this column.
    pub fn has(&self, key: &str) -> bool {
        self.index(key)
            .and_then(|i| self.found[i].as_ref())
            .is_some()
    }

    /// The column's heading as the file writes it, or the template's when the file lacks it.
    pub fn heading(&self, key: &str) -> String {
        match self.index(key) {
            Some(i) => match &self.found[i] {
                Some((_, heading)) => heading.clone(),
                None => self.columns[i].heading.to_string(),
            },
            None => key.to_string(),
        }
    }

    /// (heading in the file, column key) for every column found.
    pub fn found(&self) -> Vec<(String, String)> {
        self.columns
            .iter()
            .zip(&self.found)
            .filter_map(|(column, found)| {
                found
                    .as_ref()
                    .map(|(_, heading)| (heading.clone(), column.key.to_string()))
            })
            .collect()
    }

    /// A problem in a column, in the table's language.
    pub fn problem(&self, key: &str, problem: &Problem) -> CellProblem {
        self.say(key, problem.message(self.lang))
    }

    pub fn say(&self, key: &str, message: String) -> CellProblem {
        CellProblem {
            column: self.heading(key),
            message,
        }
    }
}

/// One data row.
pub struct Row<'a> {
    pub number: usize,
    table: &'a Table,
    cells: &'a [Cell],
}

impl Row<'_> {
    pub fn cell(&self, key: &str) -> &Cell {
        self.table
            .index(key)
            .and_then(|i| self.table.found[i].as_ref())
            .and_then(|(cell, _)| self.cells.get(*cell))
            .unwrap_or(&EMPTY)
    }

    pub fn text(&self, key: &str) -> String {
        self.cell(key).text()
    }

    /// How many known columns have a value (a footer line has one, a title none).
    pub fn filled(&self) -> usize {
        self.table
            .found
            .iter()
            .flatten()
            .filter(|(cell, _)| self.cells.get(*cell).is_some_and(|c| *c != Cell::Empty))
            .count()
    }

    /// A line under the data that is not a record ("Tổng cộng: 40 học sinh", a signature).
    pub fn is_footer(&self) -> bool {
        self.filled() < 2
    }

    /// Every non-empty cell's text, for labelling a row that is not a record.
    pub fn all_text(&self) -> String {
        self.cells
            .iter()
            .map(Cell::text)
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    }
}
