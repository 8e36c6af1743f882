//! A facility list (administrators): schools, stations, hospitals with their sector codes. A row
//! matches a facility by code, else by name in the same commune; a match is updated where the file
//! differs, and left alone otherwise.

use std::collections::HashMap;

use rusqlite::{params, Transaction};
use shared::api::{Facility, NewFacility};
use shared::import::{loose_facility_type, ImportRow, RowOutcome};
use shared::text::fold;
use shared::validate::Problem;

use super::skip;
use super::table::Table;
use crate::audit::{self, Actor, Event};
use crate::directory::resolve::Places;
use crate::directory::{all_facilities, insert_facility, province_id};
use crate::error::ApiError;
use crate::extract::SignedIn;
use crate::sync::push::Rules;

pub fn run(
    transaction: &Transaction<'_>,
    user: &SignedIn,
    table: &Table,
    rules: &Rules,
) -> Result<Vec<ImportRow>, ApiError> {
    let places = Places::load(transaction)?;
    let province = province_id(transaction)?;
    let existing = all_facilities(transaction)?;
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut rows = Vec::new();
    for row in table.rows() {
        let label = row.text("name");
        let mut problems = Vec::new();
        let mut notes = Vec::new();
        if row.is_footer() && label.is_empty() {
            continue;
        }
        let facility_type = loose_facility_type(&row.text("facility_type"), &label);
        if facility_type.is_none() {
            let value = row.text("facility_type");
            let problem = if value.is_empty() {
                Problem::Required
            } else {
                Problem::UnknownValue(value)
            };
            problems.push(table.problem("facility_type", &problem));
        }
        let place = row.text("commune");
        let area_id = match places.resolve(&place).as_slice() {
            [] if place.is_empty() => Some(province),
            [] => {
                problems.push(table.problem("commune", &Problem::UnknownValue(place.clone())));
                None
            }
            [one] => {
                if let Some(former) = &one.former {
                    notes.push(table.problem(
                        "commune",
                        &Problem::Mapped {
                            from: former.clone(),
                            to: one.name.clone(),
                        },
                    ));
                }
                Some(one.area_id)
            }
            several => {
                let names = several.iter().map(|m| m.name.clone()).collect();
                problems.push(table.problem("commune", &Problem::ChooseCommune(names)));
                None
            }
        };
        let request = NewFacility {
            code: row.text("code"),
            name: label.clone(),
            facility_type: facility_type.unwrap_or(shared::place::FacilityType::PrimarySchool),
            area_id: area_id.unwrap_or(province),
            address: row.text("address"),
            phone: row.cell("phone").phone(),
        };
        let request = match request.clean() {
            Ok(request) => Some(request),
            Err(errors) => {
                for (field, message) in errors.messages(table.lang) {
                    problems.push(table.say(&field, message));
                }
                None
            }
        };
        let (Some(request), true) = (request, problems.is_empty()) else {
            rows.push(skip(row.number, label, problems, notes));
            continue;
        };
        let name_key = format!("name:{}|{}", fold(&request.name), request.area_id);
        let code_key = (!request.code.is_empty()).then(|| format!("code:{}", request.code));
        let keys: Vec<String> = code_key.into_iter().chain([name_key]).collect();
        if let Some(first) = keys.iter().find_map(|key| seen.get(key)) {
            problems.push(table.problem("name", &Problem::RepeatsRow(*first)));
            rows.push(skip(row.number, label, problems, notes));
            continue;
        }
        for key in &keys {
            seen.insert(key.clone(), row.number);
        }
        let matched = existing.iter().find(|f| {
            (!request.code.is_empty() && f.code.as_deref() == Some(request.code.as_str()))
                || (fold(&f.name) == fold(&request.name) && f.area_id == request.area_id)
        });
        let outcome = match matched {
            Some(current) => {
                if update(
                    transaction,
                    user,
                    rules,
                    table,
                    current,
                    &request,
                    &mut problems,
                )? {
                    RowOutcome::Update
                } else if problems.is_empty() {
                    notes.push(table.problem("name", &Problem::Unchanged));
                    RowOutcome::Skip
                } else {
                    RowOutcome::Skip
                }
            }
            None => match create(transaction, user, rules, &request) {
                Ok(()) => RowOutcome::Create,
                Err(ApiError::Invalid(errors)) => {
                    for (field, message) in errors.messages(table.lang) {
                        problems.push(table.say(&field, message));
                    }
                    RowOutcome::Skip
                }
                Err(other) => return Err(other),
            },
        };
        rows.push(ImportRow {
            row: row.number,
            outcome,
            label,
            problems,
            notes,
        });
    }
    Ok(rows)
}

fn create(
    transaction: &Transaction<'_>,
    user: &SignedIn,
    rules: &Rules,
    request: &NewFacility,
) -> Result<(), ApiError> {
    let id = insert_facility(transaction, request, rules.now)?;
    let event = Event::new("facility.create")
        .on("facility", id)
        .with("source", "import");
    audit::record(transaction, rules.now, &Actor::user(user), event)
}

/// Writes what the file changes (a value the file leaves empty is kept); `true` if anything did.
fn update(
    transaction: &Transaction<'_>,
    user: &SignedIn,
    rules: &Rules,
    table: &Table,
    current: &Facility,
    request: &NewFacility,
    problems: &mut Vec<shared::import::CellProblem>,
) -> Result<bool, ApiError> {
    let keep = |new: &str, old: &Option<String>| {
        if new.is_empty() {
            old.clone().unwrap_or_default()
        } else {
            new.to_string()
        }
    };
    let code = keep(&request.code, &current.code);
    let address = keep(&request.address, &current.address);
    let phone = keep(&request.phone, &current.phone);
    let facility_type = if table.has("facility_type") {
        request.facility_type
    } else {
        current.facility_type
    };
    let same = code == current.code.clone().unwrap_or_default()
        && request.name == current.name
        && facility_type == current.facility_type
        && request.area_id == current.area_id
        && address == current.address.clone().unwrap_or_default()
        && phone == current.phone.clone().unwrap_or_default();
    if same {
        return Ok(false);
    }
    if let Err(ApiError::Invalid(errors)) =
        crate::directory::check_facility_code(transaction, &code, current.id)
    {
        for (field, message) in errors.messages(table.lang) {
            problems.push(table.say(&field, message));
        }
        return Ok(false);
    }
    transaction.execute(
        "UPDATE facilities SET code = NULLIF(?1, ''), name = ?2, facility_type = ?3, area_id = ?4,
                address = NULLIF(?5, ''), phone = NULLIF(?6, ''), updated_at = ?7
         WHERE id = ?8",
        params![
            code,
            request.name,
            facility_type.code(),
            request.area_id,
            address,
            phone,
            rules.now,
            current.id
        ],
    )?;
    let event = Event::new("facility.update")
        .on("facility", current.id)
        .with("source", "import");
    audit::record(transaction, rules.now, &Actor::user(user), event)?;
    Ok(true)
}
