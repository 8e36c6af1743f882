//! A staff list (administrators): one account per row, placed at a facility (by code or name) or,
//! for officers and administrators, in the province or a commune. A row whose username exists is
//! left alone (accounts are edited one by one); without a username column one is made from the
//! name ("Nguyễn Thị Mai" → `maint`). Each new account gets a one-time password, returned once
//! in the report of the applied import and never stored or logged in clear.

use std::collections::HashSet;

use rusqlite::{OptionalExtension, Transaction};
use shared::api::NewUser;
use shared::import::{loose_role, ImportRow, OneTimePassword, RowOutcome};
use shared::text::fold;
use shared::validate::Problem;
use uuid::Uuid;

use super::skip;
use super::table::Table;
use crate::audit::{self, Actor, Event};
use crate::directory::resolve::Places;
use crate::error::ApiError;
use crate::extract::SignedIn;
use crate::sync::push::Rules;
use crate::users::{insert_user, placement_area};

/// The most people one staff list may hold (each new account's password is hashed, ~50 ms).
pub const MAX_ROWS: usize = 1_000;

/// Reads the staff list; `credentials` (one-time password, hash) are used one per account made
/// (a preview has none, and makes no account).
pub fn run(
    transaction: &Transaction<'_>,
    admin: &SignedIn,
    table: &Table,
    rules: &Rules,
    mut credentials: Vec<(String, String)>,
) -> Result<(Vec<ImportRow>, Vec<OneTimePassword>), ApiError> {
    let places = Places::load(transaction)?;
    let province = crate::directory::province_id(transaction)?;
    let facilities: Vec<(Uuid, Option<String>, String)> = transaction
        .prepare("SELECT id, code, name FROM facilities WHERE active")?
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
        .collect::<Result<_, _>>()?;
    let mut taken_in_file: HashSet<String> = HashSet::new();
    let mut rows = Vec::new();
    let mut passwords = Vec::new();
    for row in table.rows() {
        let full_name = row.text("full_name");
        let mut problems = Vec::new();
        if row.is_footer() && full_name.is_empty() {
            continue;
        }
        let role_text = row.text("role");
        let role = loose_role(&role_text);
        if role.is_none() {
            let problem = if role_text.is_empty() {
                Problem::Required
            } else {
                Problem::UnknownValue(role_text)
            };
            problems.push(table.problem("role", &problem));
        }
        let facility_text = row.text("facility");
        let facility_id = if facility_text.is_empty() {
            None
        } else {
            let wanted = fold(&facility_text);
            let found: Vec<Uuid> = facilities
                .iter()
                .filter(|(_, code, name)| {
                    code.as_deref()
                        .is_some_and(|c| c.eq_ignore_ascii_case(facility_text.trim()))
                        || fold(name) == wanted
                })
                .map(|(id, _, _)| *id)
                .collect();
            match found.as_slice() {
                [one] => Some(*one),
                _ => {
                    problems.push(
                        table.problem("facility", &Problem::UnknownValue(facility_text.clone())),
                    );
                    None
                }
            }
        };
        // An integration system with no facility named is placed on the commune (or province).
        let belongs_to_area = role.is_some_and(|r| r.placed_on_area(facility_id.is_some()));
        let place = row.text("commune");
        let area_id = match (belongs_to_area, places.resolve(&place).as_slice()) {
            (false, _) => None,
            (true, []) if place.is_empty() => Some(province),
            (true, [one]) => Some(one.area_id),
            (true, _) => {
                problems.push(table.problem("commune", &Problem::UnknownValue(place.clone())));
                None
            }
        };
        let username = match row.text("username") {
            given if !given.is_empty() => given.to_lowercase(),
            _ => username_for(transaction, &full_name, role, &taken_in_file)?,
        };
        let label = label(&username, &full_name);
        if !problems.is_empty() {
            rows.push(skip(row.number, label, problems, Vec::new()));
            continue;
        }
        if existing(transaction, &username)? {
            let note = table.problem("username", &Problem::Unchanged);
            rows.push(skip(row.number, label, Vec::new(), vec![note]));
            continue;
        }
        if !taken_in_file.insert(username.clone()) {
            let problem = table.problem("username", &Problem::Taken);
            rows.push(skip(row.number, label, vec![problem], Vec::new()));
            continue;
        }
        let request = NewUser {
            username: username.clone(),
            full_name: full_name.clone(),
            role: role.unwrap_or(shared::role::Role::Counsellor),
            facility_id: if belongs_to_area { None } else { facility_id },
            area_id,
        };
        let placed = request
            .clean()
            .map_err(ApiError::Invalid)
            .and_then(|request| {
                let area = placement_area(
                    transaction,
                    request.role,
                    request.facility_id,
                    request.area_id,
                )?;
                Ok((request, area))
            });
        let (request, area) = match placed {
            Ok(placed) => placed,
            Err(ApiError::Invalid(errors)) => {
                for (field, message) in errors.messages(table.lang) {
                    let column = match field.as_str() {
                        "facility_id" => "facility",
                        "area_id" => "commune",
                        other => other,
                    };
                    problems.push(table.say(column, message));
                }
                rows.push(skip(row.number, label, problems, Vec::new()));
                continue;
            }
            Err(other) => return Err(other),
        };
        if let Some((one_time_password, hash)) = credentials.pop() {
            let id = insert_user(transaction, &request, area, &hash, rules.now)?;
            let event = Event::new("user.create")
                .on("user", id)
                .with("role", request.role.code())
                .with("source", "import");
            audit::record(transaction, rules.now, &Actor::user(admin), event)?;
            passwords.push(OneTimePassword {
                username: request.username.clone(),
                full_name: request.full_name.clone(),
                one_time_password,
            });
        }
        rows.push(ImportRow {
            row: row.number,
            outcome: RowOutcome::Create,
            label,
            problems,
            notes: Vec::new(),
        });
    }
    Ok((rows, passwords))
}

fn label(username: &str, full_name: &str) -> String {
    format!("{full_name} ({username})")
}

fn existing(transaction: &Transaction<'_>, username: &str) -> Result<bool, ApiError> {
    Ok(transaction
        .prepare_cached("SELECT 1 FROM users WHERE username = ?1")?
        .query_row([username], |_| Ok(()))
        .optional()?
        .is_some())
}

/// A username from a name: the given name and the initials of the others ("Nguyễn Thị Mai" →
/// `maint`), numbered when another person has it. The same person (same name and role) keeps
/// theirs, so importing a file again finds the accounts it made.
fn username_for(
    transaction: &Transaction<'_>,
    full_name: &str,
    role: Option<shared::role::Role>,
    taken_in_file: &HashSet<String>,
) -> Result<String, ApiError> {
    let words: Vec<String> = fold(full_name)
        .split(' ')
        .map(|w| {
            w.chars()
                .filter(char::is_ascii_alphanumeric)
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
        .collect();
    let Some((given, others)) = words.split_last() else {
        return Ok(String::new());
    };
    let stem: String = std::iter::once(given.clone())
        .chain(
            others
                .iter()
                .filter_map(|w| w.chars().next())
                .map(String::from),
        )
        .collect();
    for n in 1..1000 {
        let candidate = if n == 1 {
            stem.clone()
        } else {
            format!("{stem}{n}")
        };
        let holder: Option<(String, String)> = transaction
            .prepare_cached("SELECT full_name, role FROM users WHERE username = ?1")?
            .query_row([&candidate], |row| Ok((row.get(0)?, row.get(1)?)))
            .optional()?;
        match holder {
            None if !taken_in_file.contains(&candidate) => return Ok(candidate),
            Some((name, held_role))
                if fold(&name) == fold(full_name)
                    && role.is_some_and(|r| r.code() == held_role) =>
            {
                return Ok(candidate)
            }
            _ => {}
        }
    }
    Ok(stem)
}
