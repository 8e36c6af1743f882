//! CSV cells a spreadsheet reads as text. A field that starts with `=`, `+`, `-`, `@`, a tab or a
//! carriage return runs as a formula when the file is opened in Excel or LibreOffice (a facility
//! named `=HYPERLINK(…)`), so such text gets a leading apostrophe; every cell is quoted.

/// One text cell: quoted, inner quotes doubled, never starting a formula.
pub fn cell(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    format!("\"{}\"", value.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn a_cell_is_text_never_a_formula() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("@SUM(A1)"), "\"'@SUM(A1)\"");
        assert_eq!(cell("-2+3"), "\"'-2+3\"");
        assert_eq!(cell("Nguyễn Thị Mai, tổ 2"), "\"Nguyễn Thị Mai, tổ 2\"");
        assert_eq!(cell("maint"), "\"maint\"");
    }
}
