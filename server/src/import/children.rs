//! A class list into the counsellor's own school. Each row becomes a child record exactly as the
//! registration form makes one ([`ChildDraft::parse`]) and goes in as a sync change through the
//! push's rules and audit. A row matches a registered child by personal id, else by the school's
//! pupil code, else by name, date of birth and class (accents and case ignored); a match is
//! updated where the file says something new, and left alone otherwise.

use std::collections::HashMap;

use rusqlite::Transaction;
use shared::child::{Child, ChildDraft, GuardianRelation};
use shared::import::{
    loose_ethnicity, loose_relation, loose_sex, CellProblem, ImportRow, RowOutcome,
};
use shared::lang::format_date;
use shared::sync::{Change, Fields, Outcome, RecordType};
use shared::text::fold;
use shared::validate::Problem;
use uuid::Uuid;

use super::skip;
use super::table::{Row, Table};
use crate::directory::resolve::Places;
use crate::error::ApiError;
use crate::extract::SignedIn;
use crate::sync::push::{answer_all, Rules, Sender};

/// The record fields a class list fills; the others (voiding, the server's stamps) it never
/// touches.
const IMPORTED_FIELDS: [&str; 12] = [
    "full_name",
    "date_of_birth",
    "sex",
    "ethnicity",
    "commune_id",
    "school_class",
    "guardian_name",
    "guardian_relation",
    "guardian_phone",
    "personal_id",
    "pupil_code",
    "former_address",
];

/// Which column a record field comes from (for naming problems).
fn column_of(field: &str) -> &str {
    match field {
        "commune_id" | "former_address" => "commune",
        other => other,
    }
}

pub fn run(
    transaction: &Transaction<'_>,
    user: &SignedIn,
    table: &Table,
    rules: &Rules,
) -> Result<Vec<ImportRow>, ApiError> {
    let facility_id = user.facility_id.ok_or(ApiError::Forbidden)?;
    let school_area: Uuid = transaction.query_row(
        "SELECT area_id FROM facilities WHERE id = ?1",
        [facility_id],
        |row| row.get(0),
    )?;
    let school_commune = is_commune(transaction, school_area)?.then_some(school_area);
    let places = Places::load(transaction)?;
    let registered = Registered::load(transaction, facility_id)?;
    let today = rules.today();

    let mut rows: Vec<ImportRow> = Vec::new();
    let mut changes: Vec<(usize, Change)> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for row in table.rows() {
        if row.is_footer() {
            rows.push(not_a_record(table, &row));
            continue;
        }
        let label = row.text("full_name");
        let mut notes = Vec::new();
        let (draft, mut problems) = draft_of(table, &row, &places, school_commune, &mut notes);
        let child = match draft.parse(today) {
            Ok(child) if problems.is_empty() => child,
            Ok(_) => {
                rows.push(skip(row.number, label, problems, notes));
                continue;
            }
            Err(errors) => {
                for (field, message) in errors.messages(table.lang) {
                    problems.push(table.say(column_of(&field), message));
                }
                rows.push(skip(row.number, label, problems, notes));
                continue;
            }
        };
        let keys = keys_of(&child);
        if let Some(first) = keys.iter().find_map(|key| seen.get(key)) {
            let problem = table.problem("full_name", &Problem::RepeatsRow(*first));
            rows.push(skip(row.number, label, vec![problem], notes));
            continue;
        }
        for key in &keys {
            seen.insert(key.clone(), row.number);
        }
        let fields = child.to_fields();
        let (outcome, change) = match registered.find(&keys) {
            Some((id, stored)) => {
                let (set, base) = differences(&fields, stored);
                if set.is_empty() {
                    notes.push(table.problem("full_name", &Problem::Unchanged));
                    (RowOutcome::Skip, None)
                } else {
                    (
                        RowOutcome::Update,
                        Some(change(id, facility_id, set, base, rules)),
                    )
                }
            }
            None => {
                let set: Fields = fields
                    .into_iter()
                    .filter(|(field, _)| IMPORTED_FIELDS.contains(&field.as_str()))
                    .collect();
                (
                    RowOutcome::Create,
                    Some(change(
                        Uuid::now_v7(),
                        facility_id,
                        set,
                        Fields::new(),
                        rules,
                    )),
                )
            }
        };
        if let Some(change) = change {
            changes.push((rows.len(), change));
        }
        rows.push(ImportRow {
            row: row.number,
            outcome,
            label,
            problems,
            notes,
        });
    }

    let sent: Vec<Change> = changes.iter().map(|(_, change)| change.clone()).collect();
    let results = answer_all(transaction, user, Sender::Server, &sent, rules)?;
    for ((index, _), result) in changes.iter().zip(results) {
        if let Outcome::Rejected {
            message, fields, ..
        } = result.outcome
        {
            let row = &mut rows[*index];
            row.outcome = RowOutcome::Skip;
            if fields.is_empty() {
                row.problems.push(table.say("full_name", message));
            }
            for (field, message) in fields {
                row.problems.push(table.say(column_of(&field), message));
            }
        }
    }
    Ok(rows)
}

/// The row as the registration form would hold it, with the problems only a file has (a value
/// that is no known sex or group, a commune that is unknown or must be chosen).
fn draft_of(
    table: &Table,
    row: &Row<'_>,
    places: &Places,
    school_commune: Option<Uuid>,
    notes: &mut Vec<CellProblem>,
) -> (ChildDraft, Vec<CellProblem>) {
    let mut problems = Vec::new();
    let mut unknown = |key: &str, text: &str| {
        problems.push(table.problem(key, &Problem::UnknownValue(text.to_string())));
    };
    let date = row.cell("date_of_birth");
    let date_of_birth = date.date().map_or_else(|| date.text(), format_date);
    let sex_text = row.text("sex");
    let sex = match loose_sex(&sex_text) {
        Some(sex) => sex.code().to_string(),
        None if sex_text.is_empty() => String::new(),
        None => {
            unknown("sex", &sex_text);
            String::new()
        }
    };
    let ethnicity_text = row.text("ethnicity");
    let ethnicity = match loose_ethnicity(&ethnicity_text) {
        Some(slug) => slug.to_string(),
        None if ethnicity_text.is_empty() => String::new(),
        None => {
            unknown("ethnicity", &ethnicity_text);
            String::new()
        }
    };
    let relation_text = row.text("guardian_relation");
    let relation = match loose_relation(&relation_text) {
        Some(relation) => relation,
        None => {
            if !relation_text.is_empty() {
                unknown("guardian_relation", &relation_text);
            } else if !row.text("guardian_name").is_empty() {
                let assumed = GuardianRelation::Other.label(table.lang);
                notes.push(table.problem("guardian_relation", &Problem::Assumed(assumed.into())));
            }
            GuardianRelation::Other
        }
    };
    let place = row.text("commune");
    let (commune_id, former_address) = match places.resolve(&place).as_slice() {
        [] if place.is_empty() => match school_commune {
            Some(commune) => {
                notes.push(
                    table.problem("commune", &Problem::Assumed(places_name(places, commune))),
                );
                (commune.to_string(), String::new())
            }
            None => (String::new(), String::new()),
        },
        [] => {
            unknown("commune", &place);
            (String::new(), String::new())
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
            (
                one.area_id.to_string(),
                if one.former.is_some() {
                    place.clone()
                } else {
                    String::new()
                },
            )
        }
        several => {
            let names = several.iter().map(|m| m.name.clone()).collect();
            problems.push(table.problem("commune", &Problem::ChooseCommune(names)));
            (String::new(), String::new())
        }
    };
    let draft = ChildDraft {
        full_name: row.text("full_name"),
        date_of_birth,
        sex,
        ethnicity,
        commune_id,
        school_class: row.text("school_class"),
        guardian_name: row.text("guardian_name"),
        guardian_relation: relation.code().to_string(),
        guardian_phone: row.cell("guardian_phone").phone(),
        personal_id: row.cell("personal_id").digits(12),
        pupil_code: row.text("pupil_code"),
        former_address,
    };
    (draft, problems)
}

fn places_name(places: &Places, id: Uuid) -> String {
    places.name_of(id).unwrap_or_default()
}

/// The identities a row may match by, strongest first.
fn keys_of(child: &Child) -> Vec<String> {
    let mut keys = Vec::new();
    if let Some(personal_id) = &child.personal_id {
        keys.push(format!("id:{personal_id}"));
    }
    if let Some(code) = &child.pupil_code {
        keys.push(format!("code:{}", code.to_uppercase()));
    }
    keys.push(format!(
        "name:{}|{}|{}",
        child.folded_name(),
        child.date_of_birth,
        fold(child.school_class.as_deref().unwrap_or_default())
    ));
    keys
}

/// The school's registered children (not voided), by every identity.
struct Registered {
    by_key: HashMap<String, usize>,
    children: Vec<(Uuid, Fields)>,
}

impl Registered {
    fn load(transaction: &Transaction<'_>, facility_id: Uuid) -> Result<Registered, ApiError> {
        let mut statement = transaction.prepare_cached(
            "SELECT id, fields FROM records WHERE record_type = 'child' AND facility_id = ?1",
        )?;
        let rows = statement.query_map([facility_id], |row| {
            Ok((row.get::<_, Uuid>(0)?, row.get::<_, String>(1)?))
        })?;
        let mut registered = Registered {
            by_key: HashMap::new(),
            children: Vec::new(),
        };
        for row in rows {
            let (id, json) = row?;
            let fields: Fields = serde_json::from_str(&json)
                .map_err(|e| ApiError::Internal(format!("stored child: {e}")))?;
            let Some(child) = Child::from_fields(&fields).filter(|c| !c.is_voided()) else {
                continue;
            };
            for key in keys_of(&child) {
                registered
                    .by_key
                    .entry(key)
                    .or_insert(registered.children.len());
            }
            registered.children.push((id, fields));
        }
        Ok(registered)
    }

    fn find(&self, keys: &[String]) -> Option<(Uuid, &Fields)> {
        keys.iter()
            .find_map(|key| self.by_key.get(key))
            .map(|index| (self.children[*index].0, &self.children[*index].1))
    }
}

/// What the file says that the record does not: (set, base) of a change.
fn differences(imported: &Fields, stored: &Fields) -> (Fields, Fields) {
    let mut set = Fields::new();
    let mut base = Fields::new();
    for field in IMPORTED_FIELDS {
        let Some(value) = imported.get(field) else {
            continue;
        };
        let before = stored.get(field);
        // The relation a file did not give ("other", assumed) never overwrites a known one.
        let assumed = field == "guardian_relation" && value == "other" && before.is_some();
        if before != Some(value) && !assumed {
            set.insert(field.to_string(), value.clone());
            if let Some(before) = before {
                base.insert(field.to_string(), before.clone());
            }
        }
    }
    (set, base)
}

fn change(record_id: Uuid, facility_id: Uuid, set: Fields, base: Fields, rules: &Rules) -> Change {
    Change {
        id: Uuid::now_v7(),
        record_type: RecordType::Child,
        record_id,
        facility_id,
        set,
        base,
        made_at: rules.now,
        base_seq: None,
    }
}

fn is_commune(transaction: &Transaction<'_>, area: Uuid) -> Result<bool, ApiError> {
    Ok(transaction.query_row(
        "SELECT level = 'commune' FROM areas WHERE id = ?1",
        [area],
        |row| row.get(0),
    )?)
}

fn not_a_record(table: &Table, row: &Row<'_>) -> ImportRow {
    ImportRow {
        row: row.number,
        outcome: RowOutcome::Skip,
        label: row.all_text(),
        problems: Vec::new(),
        notes: vec![table.problem("full_name", &Problem::NotARecord)],
    }
}
