//! The 12-digit personal identification number (số định danh cá nhân / CCCD).
//!
//! Layout: 3 digits for the province where the birth was registered (the codes of the 63
//! provinces before the 2025 merger, which stay valid on issued numbers), 1 digit for century
//! and sex, 2 digits for the year of birth, 6 digits of sequence.

use chrono::{Datelike, NaiveDate};

use crate::child::Sex;

const PROVINCE_CODES: [u16; 63] = [
    1, 2, 4, 6, 8, 10, 11, 12, 14, 15, 17, 19, 20, 22, 24, 25, 26, 27, 30, 31, 33, 34, 35, 36, 37,
    38, 40, 42, 44, 45, 46, 48, 49, 51, 52, 54, 56, 58, 60, 62, 64, 66, 67, 68, 70, 72, 74, 75, 77,
    79, 80, 82, 83, 84, 86, 87, 89, 91, 92, 93, 94, 95, 96,
];

/// What is wrong with a personal identification number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonalIdProblem {
    /// Not 12 digits, or an unknown province code.
    Format,
    /// The century, sex or year digits disagree with the child's sex and date of birth.
    Mismatch,
}

/// Checks a number against the child's sex and date of birth; returns it without spaces.
pub fn check(value: &str, sex: Sex, date_of_birth: NaiveDate) -> Result<String, PersonalIdProblem> {
    let digits: String = value.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.len() != 12 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(PersonalIdProblem::Format);
    }
    let province: u16 = digits[0..3]
        .parse()
        .map_err(|_| PersonalIdProblem::Format)?;
    if !PROVINCE_CODES.contains(&province) {
        return Err(PersonalIdProblem::Format);
    }
    let century_sex: i32 = digits[3..4]
        .parse()
        .map_err(|_| PersonalIdProblem::Format)?;
    let year_digits: i32 = digits[4..6]
        .parse()
        .map_err(|_| PersonalIdProblem::Format)?;
    // 0/1: 1900s male/female, 2/3: 2000s, 4/5: 2100s, and so on.
    let century = 1900 + (century_sex / 2) * 100;
    let female = century_sex % 2 == 1;
    let sex_matches = female == (sex == Sex::Female);
    if century + year_digits != date_of_birth.year() || !sex_matches {
        return Err(PersonalIdProblem::Mismatch);
    }
    Ok(digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(year: i32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, 5, 1).unwrap()
    }

    #[test]
    fn a_number_agrees_with_sex_and_year_of_birth() {
        // Lạng Sơn (020), a girl born in 2012 (3 = 2000s female, 12).
        assert_eq!(
            check("020 312 345678", Sex::Female, date(2012)),
            Ok("020312345678".into())
        );
        assert_eq!(
            check("020212345678", Sex::Male, date(2012)),
            Ok("020212345678".into())
        );
        assert_eq!(
            check("020212345678", Sex::Female, date(2012)),
            Err(PersonalIdProblem::Mismatch)
        );
        assert_eq!(
            check("020213345678", Sex::Male, date(2012)),
            Err(PersonalIdProblem::Mismatch)
        );
        assert_eq!(
            check("001099345678", Sex::Male, date(1999)),
            Ok("001099345678".into())
        );
    }

    #[test]
    fn malformed_numbers() {
        assert_eq!(
            check("02031234567", Sex::Female, date(2012)),
            Err(PersonalIdProblem::Format)
        );
        assert_eq!(
            check("02031234567x", Sex::Female, date(2012)),
            Err(PersonalIdProblem::Format)
        );
        assert_eq!(
            check("003312345678", Sex::Female, date(2012)),
            Err(PersonalIdProblem::Format),
            "003 is no province"
        );
        assert_eq!(
            check("097312345678", Sex::Female, date(2012)),
            Err(PersonalIdProblem::Format)
        );
    }
}
