//! Versioned schema migrations, tracked in SQLite's `user_version`.
//!
//! Append a new entry to [`MIGRATIONS`] for every schema change; never edit one that has shipped.
//! Ids are UUIDv7 stored as 16-byte blobs; times are UTC text (`YYYY-MM-DD HH:MM:SS.fff+00:00`),
//! which sorts in time order.

use rusqlite::Connection;

use crate::error::ApiError;

const MIGRATIONS: &[&str] = &[
    // 1: the facility directory, users, sessions and the audit log.
    r#"
    CREATE TABLE areas (
        id           BLOB PRIMARY KEY,
        code         TEXT NOT NULL UNIQUE,      -- the official administrative code
        name         TEXT NOT NULL,
        level        TEXT NOT NULL CHECK (level IN ('province', 'commune', 'legacy_district')),
        parent_id    BLOB REFERENCES areas(id),
        successor_id BLOB REFERENCES areas(id), -- a legacy district's commune
        active       INTEGER NOT NULL DEFAULT 1,
        created_at   TEXT NOT NULL,
        updated_at   TEXT NOT NULL
    );
    CREATE INDEX areas_parent ON areas(parent_id);

    CREATE TABLE facilities (
        id            BLOB PRIMARY KEY,
        name          TEXT NOT NULL,
        facility_type TEXT NOT NULL,
        area_id       BLOB NOT NULL REFERENCES areas(id),
        address       TEXT,
        phone         TEXT,
        active        INTEGER NOT NULL DEFAULT 1,
        created_at    TEXT NOT NULL,
        updated_at    TEXT NOT NULL
    );
    CREATE INDEX facilities_area ON facilities(area_id);

    CREATE TABLE users (
        id                   BLOB PRIMARY KEY,
        username             TEXT NOT NULL UNIQUE,
        full_name            TEXT NOT NULL,
        role                 TEXT NOT NULL,
        facility_id          BLOB REFERENCES facilities(id),
        area_id              BLOB NOT NULL REFERENCES areas(id),
        password_hash        TEXT NOT NULL,     -- argon2id, PHC string
        must_change_password INTEGER NOT NULL DEFAULT 0,
        active               INTEGER NOT NULL DEFAULT 1,
        created_at           TEXT NOT NULL,
        updated_at           TEXT NOT NULL,
        last_sign_in_at      TEXT
    );
    CREATE INDEX users_facility ON users(facility_id);

    -- Only a SHA-256 of each session token is kept: a copy of the database signs nobody in.
    CREATE TABLE sessions (
        token_hash  BLOB PRIMARY KEY,
        user_id     BLOB NOT NULL REFERENCES users(id),
        created_at  TEXT NOT NULL,
        expires_at  TEXT NOT NULL,
        revoked_at  TEXT,
        client_addr TEXT
    );
    CREATE INDEX sessions_user ON sessions(user_id);

    CREATE TABLE audit_log (
        id          INTEGER PRIMARY KEY,
        at          TEXT NOT NULL,
        user_id     BLOB,
        username    TEXT,
        client_addr TEXT,
        action      TEXT NOT NULL,
        record_type TEXT,
        record_id   TEXT,
        detail      TEXT
    );
    CREATE INDEX audit_at ON audit_log(at);
    CREATE INDEX audit_user ON audit_log(user_id);
    CREATE INDEX audit_record ON audit_log(record_type, record_id);
    "#,
    // 2: synced records, the change log (server order, idempotency) and kept conflicts.
    r#"
    -- The current state of every synced record, as the fields JSON the devices exchange.
    CREATE TABLE records (
        record_type TEXT NOT NULL,
        id          BLOB NOT NULL,
        facility_id BLOB NOT NULL REFERENCES facilities(id),
        fields      TEXT NOT NULL,
        seq         INTEGER NOT NULL,        -- server order of the last change applied
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL,
        PRIMARY KEY (record_type, id)
    ) WITHOUT ROWID;
    CREATE INDEX records_facility_seq ON records(facility_id, seq);

    -- Every change ever answered, in server order. A repeated push finds its answer here.
    CREATE TABLE changes (
        seq         INTEGER PRIMARY KEY,
        change_id   BLOB NOT NULL UNIQUE,
        user_id     BLOB NOT NULL REFERENCES users(id),
        record_type TEXT NOT NULL,
        record_id   BLOB NOT NULL,
        facility_id BLOB NOT NULL,
        body_hash   BLOB NOT NULL,           -- SHA-256 of the change as sent
        outcome     TEXT NOT NULL,           -- the answer, as JSON
        made_at     TEXT NOT NULL,
        received_at TEXT NOT NULL
    );

    -- Values that did not win a same-field race, kept for people to see and re-apply.
    CREATE TABLE conflicts (
        seq         INTEGER NOT NULL,
        change_id   BLOB NOT NULL,
        record_type TEXT NOT NULL,
        record_id   BLOB NOT NULL,
        facility_id BLOB NOT NULL,
        field       TEXT NOT NULL,
        proposed    TEXT NOT NULL,
        kept        TEXT,
        proposed_by TEXT NOT NULL,
        made_at     TEXT NOT NULL,
        PRIMARY KEY (change_id, field)
    );
    CREATE INDEX conflicts_facility_seq ON conflicts(facility_id, seq);
    "#,
    // 3: records about a child (screenings, consents) name the child, to find them together.
    r#"
    ALTER TABLE records ADD COLUMN child_id BLOB;
    CREATE INDEX records_child ON records(child_id, record_type) WHERE child_id IS NOT NULL;
    "#,
    // 4: referrals are read by other facilities than their owner (the receiver, and every party
    // of an onward chain); the slip's signing key.
    r#"
    CREATE TABLE record_shares (
        facility_id BLOB NOT NULL,
        record_type TEXT NOT NULL,
        record_id   BLOB NOT NULL,
        PRIMARY KEY (facility_id, record_type, record_id)
    ) WITHOUT ROWID;
    CREATE INDEX record_shares_record ON record_shares(record_type, record_id);
    CREATE TABLE server_secrets (
        name  TEXT PRIMARY KEY,
        value BLOB NOT NULL
    );
    "#,
    // 5: the facts the programme indicators read, kept with every stored record (`facts.rs`), so
    // a province's report reads small integer rows instead of parsing every record. Days are
    // days from the common era (chrono's `num_days_from_ce`), instants Unix seconds.
    r#"
    CREATE TABLE fact_children (
        key           INTEGER PRIMARY KEY,
        id            BLOB NOT NULL UNIQUE,
        facility_id   BLOB NOT NULL,
        born          INTEGER NOT NULL,
        sex           INTEGER NOT NULL,
        ethnicity     INTEGER NOT NULL,
        registered_on INTEGER NOT NULL,
        voided        INTEGER NOT NULL
    );
    CREATE INDEX fact_children_facility ON fact_children(facility_id, voided);
    CREATE TABLE fact_screenings (
        id          BLOB NOT NULL UNIQUE,
        child       INTEGER NOT NULL,
        facility_id BLOB NOT NULL,
        day         INTEGER NOT NULL,
        instrument  INTEGER NOT NULL,
        at_risk     INTEGER NOT NULL,
        voided      INTEGER NOT NULL
    );
    -- Covering indexes: a province's report scans the screenings in the first (in child order,
    -- the order children are kept in memory), a commune's in the second, without the table.
    CREATE INDEX fact_screenings_period ON fact_screenings(voided, child, day, instrument, at_risk);
    CREATE INDEX fact_screenings_facility ON fact_screenings(facility_id, voided, day, child, instrument, at_risk);
    CREATE TABLE fact_sessions (
        id          BLOB NOT NULL UNIQUE,
        child       INTEGER NOT NULL,
        facility_id BLOB NOT NULL,
        day         INTEGER NOT NULL,
        counts      INTEGER NOT NULL
    );
    CREATE INDEX fact_sessions_facility ON fact_sessions(facility_id);
    CREATE TABLE fact_referrals (
        key         INTEGER PRIMARY KEY,
        id          BLOB NOT NULL UNIQUE,
        child       INTEGER NOT NULL,
        facility_id BLOB NOT NULL,
        urgency     INTEGER NOT NULL,
        sent_at     INTEGER NOT NULL
    );
    CREATE INDEX fact_referrals_facility ON fact_referrals(facility_id);
    CREATE TABLE fact_events (
        id          BLOB NOT NULL UNIQUE,
        referral    INTEGER NOT NULL,
        action      INTEGER NOT NULL,
        at          INTEGER NOT NULL,
        attended_on INTEGER,
        refused     INTEGER NOT NULL
    );
    CREATE INDEX fact_events_referral ON fact_events(referral);
    CREATE TABLE fact_circumstances (
        id     BLOB NOT NULL UNIQUE,
        child  INTEGER NOT NULL,
        orphan INTEGER NOT NULL,
        since  INTEGER NOT NULL,
        until  INTEGER
    );
    CREATE INDEX fact_circumstances_child ON fact_circumstances(child);
    CREATE TABLE fact_care (
        id    BLOB NOT NULL UNIQUE,
        child INTEGER NOT NULL,
        kind  INTEGER NOT NULL,
        since INTEGER NOT NULL
    );
    CREATE INDEX fact_care_child ON fact_care(child);
    "#,
    // 6: one child registered at two facilities (the same personal id) counts once; the facts are
    // indexed again from the records (the marker is dropped), which also takes each child's own
    // registration day. Stored codes keep their meaning: the frozen codes of
    // `shared::indicators::codes` were chosen equal to the positions the rows were written with.
    r#"
    ALTER TABLE fact_children ADD COLUMN personal_id TEXT;
    DELETE FROM server_secrets WHERE name = 'facts_indexed';
    "#,
    // 7: the official directory. Facilities carry their sector code (the school code of the
    // education database, the health facility code); old communes from before the 2025 reform map
    // addresses to the new communes that took them over (`successors`: area ids, the default
    // first, space-separated).
    r#"
    ALTER TABLE facilities ADD COLUMN code TEXT;
    CREATE UNIQUE INDEX facilities_code ON facilities(code) WHERE code IS NOT NULL;
    CREATE TABLE legacy_communes (
        code          TEXT PRIMARY KEY,
        name          TEXT NOT NULL,
        district_name TEXT NOT NULL,
        folded        TEXT NOT NULL,
        successors    TEXT NOT NULL
    );
    "#,
    // The salt of the pseudonyms in aggregate row lists (per installation).
    r#"
    INSERT OR IGNORE INTO server_secrets (name, value) VALUES ('row_salt', randomblob(32));
    "#,
    // The key that signs known devices' tokens (sign-in throttling).
    r#"
    INSERT OR IGNORE INTO server_secrets (name, value) VALUES ('device_key', randomblob(32));
    "#,
    // Which records (children, referral packets) each audited read returned: "who saw this
    // child" is one index lookup, and a read costs one audit row plus 16 bytes per record.
    r#"
    CREATE TABLE audit_reads (
        record_id BLOB NOT NULL,
        audit_id  INTEGER NOT NULL,
        PRIMARY KEY (record_id, audit_id)
    ) WITHOUT ROWID;
    "#,
    // "Who saw this child" also finds writes by the record id alone; and each device's share of the
    // key that opens its local store (`auth/vault.rs`): erased at sign-out, so what a shared
    // device keeps of a user's store is unreadable for good.
    r#"
    CREATE INDEX audit_record_id ON audit_log(record_id);
    CREATE TABLE device_keys (
        user_id    BLOB NOT NULL REFERENCES users(id),
        device_id  BLOB NOT NULL,
        key        BLOB NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (user_id, device_id)
    ) WITHOUT ROWID;
    "#,
    // The standard exchanges (`exchange/`) page through one record type in server order, and find
    // a child by personal id (as does the push's "registered elsewhere" check).
    r#"
    CREATE INDEX records_type_seq ON records(record_type, seq);
    CREATE INDEX fact_children_personal_id ON fact_children(personal_id) WHERE personal_id IS NOT NULL;
    "#,
    // Reports a unit submitted to the province (`reports.rs`): each kept as sent, the latest counts.
    r#"
    CREATE TABLE report_submissions (
        id           BLOB PRIMARY KEY,
        unit_id      BLOB NOT NULL,
        unit_kind    TEXT NOT NULL CHECK (unit_kind IN ('commune', 'facility')),
        unit_name    TEXT NOT NULL,
        period       TEXT NOT NULL,
        user_id      BLOB NOT NULL REFERENCES users(id),
        submitted_by TEXT NOT NULL,
        submitted_at TEXT NOT NULL,
        report       TEXT NOT NULL
    );
    CREATE INDEX report_submissions_period ON report_submissions(period, submitted_at);
    "#,
    // Referrals by route (school → station, station → hospital…): each referral's receiver, taken
    // for those already indexed from the stored referral.
    r#"
    ALTER TABLE fact_referrals ADD COLUMN to_facility BLOB;
    UPDATE fact_referrals SET to_facility = (
        SELECT unhex(replace(json_extract(r.fields, '$.to_facility'), '-', ''))
        FROM records r WHERE r.record_type = 'referral' AND r.id = fact_referrals.id
    );
    "#,
    // Programme activities (trainings, communication sessions, parent meetings): `trained` holds
    // the people trained by group, a JSON array in `shared::activity::Trainee::ALL` order.
    r#"
    CREATE TABLE fact_activities (
        id           BLOB PRIMARY KEY,
        facility_id  BLOB NOT NULL,
        kind         INTEGER NOT NULL,
        day          INTEGER NOT NULL,
        participants INTEGER NOT NULL,
        trained      TEXT NOT NULL,
        voided       INTEGER NOT NULL
    );
    CREATE INDEX fact_activities_facility ON fact_activities(facility_id, day);
    "#,
    // Sessions by kind (hotline 111 calls among them) and voided; circumstances by group (the
    // code's place in `shared::care::CIRCUMSTANCES`), an orphan's loss and COVID-19: taken for
    // those already indexed from the stored records.
    r#"
    ALTER TABLE fact_sessions ADD COLUMN kind INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE fact_sessions ADD COLUMN voided INTEGER NOT NULL DEFAULT 0;
    UPDATE fact_sessions SET
        kind = COALESCE((
            SELECT CASE json_extract(r.fields, '$.kind')
                WHEN 'group' THEN 1 WHEN 'parent_guidance' THEN 2 WHEN 'hotline111_call' THEN 3
                ELSE 0 END
            FROM records r WHERE r.record_type = 'session' AND r.id = fact_sessions.id), 0),
        voided = COALESCE((
            SELECT json_extract(r.fields, '$.voided_reason') IS NOT NULL
            FROM records r WHERE r.record_type = 'session' AND r.id = fact_sessions.id), 0);
    ALTER TABLE fact_circumstances ADD COLUMN grp INTEGER NOT NULL DEFAULT 255;
    ALTER TABLE fact_circumstances ADD COLUMN parents INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE fact_circumstances ADD COLUMN covid INTEGER NOT NULL DEFAULT 0;
    UPDATE fact_circumstances SET
        grp = COALESCE((
            SELECT CASE json_extract(r.fields, '$.code') 
                WHEN 'orphan' THEN 0 WHEN 'abandoned' THEN 1 WHEN 'no_family_care' THEN 2
                WHEN 'disability' THEN 3 WHEN 'hiv' THEN 4 WHEN 'law_violation' THEN 5
                WHEN 'drug_use' THEN 6 WHEN 'out_of_school_work' THEN 7 WHEN 'violence' THEN 8
                WHEN 'exploitation' THEN 9 WHEN 'sexual_abuse' THEN 10 WHEN 'trafficking' THEN 11
                WHEN 'serious_illness' THEN 12 WHEN 'migrant' THEN 13 WHEN 'poor_household' THEN 14
                WHEN 'other' THEN 15 ELSE 255 END
            FROM records r WHERE r.record_type = 'circumstance' AND r.id = fact_circumstances.id), 255),
        parents = COALESCE((
            SELECT CASE json_extract(r.fields, '$.parents_lost') WHEN 'one' THEN 1 WHEN 'both' THEN 2
                ELSE 0 END
            FROM records r WHERE r.record_type = 'circumstance' AND r.id = fact_circumstances.id), 0),
        covid = COALESCE((
            SELECT json_extract(r.fields, '$.cause') = 'covid19'
            FROM records r WHERE r.record_type = 'circumstance' AND r.id = fact_circumstances.id), 0);
    "#,
    // Conditions known of children (mental, neurological, intellectual, autism).
    r#"
    CREATE TABLE fact_conditions (
        id     BLOB NOT NULL UNIQUE,
        child  INTEGER NOT NULL,
        kind   INTEGER NOT NULL,
        day    INTEGER NOT NULL,
        voided INTEGER NOT NULL
    );
    CREATE INDEX fact_conditions_child ON fact_conditions(child);
    "#,
    // 18: a device does not pull back what it pushed. A record remembers the session whose push
    // last wrote it and was answered with the server's fields (`shared::sync::holds_current`);
    // every other write of a record's fields sets it to NULL. An answer remembers the session it
    // was first given to, so that a replay to another device leaves the server fields out.
    r#"
    ALTER TABLE records ADD COLUMN pushed_by INTEGER;
    ALTER TABLE changes ADD COLUMN session_key INTEGER;
    "#,
];

/// Applies every migration newer than the database's `user_version`, each in its own transaction.
pub fn run(connection: &mut Connection) -> Result<(), ApiError> {
    let current: i64 = connection.pragma_query_value(None, "user_version", |row| row.get(0))?;
    let current = usize::try_from(current).unwrap_or(usize::MAX);
    if current > MIGRATIONS.len() {
        return Err(ApiError::Internal(format!(
            "the database schema (version {current}) is newer than this server knows ({}); upgrade the server",
            MIGRATIONS.len()
        )));
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(current) {
        let transaction = connection.transaction()?;
        transaction.execute_batch(sql)?;
        transaction.pragma_update(None, "user_version", (index + 1) as i64)?;
        transaction.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_apply_once_and_are_idempotent() {
        let mut connection = Connection::open_in_memory().unwrap();
        run(&mut connection).unwrap();
        run(&mut connection).unwrap();
        let version: i64 = connection
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .unwrap();
        assert_eq!(version as usize, MIGRATIONS.len());
        // Every table the migrations name exists exactly once, and nothing else.
        let declared: std::collections::BTreeSet<String> = MIGRATIONS
            .iter()
            .flat_map(|sql| sql.split("CREATE TABLE ").skip(1))
            .filter_map(|rest| rest.split_whitespace().next())
            .map(|name| name.trim_end_matches('(').to_string())
            .collect();
        let mut statement = connection
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
            .unwrap();
        let present: std::collections::BTreeSet<String> = statement
            .query_map([], |row| row.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert!(present.contains("audit_reads"), "{present:?}");
        assert_eq!(present, declared);
    }

    /// A database as it was before the migration that contains `marker` (foreign keys off, so
    /// that bare rows can stand for what they would name).
    fn before(marker: &str) -> Connection {
        let connection = Connection::open_in_memory().unwrap();
        connection
            .pragma_update(None, "foreign_keys", false)
            .unwrap();
        let before = MIGRATIONS
            .iter()
            .position(|sql| sql.contains(marker))
            .expect("a migration with the marker");
        for sql in &MIGRATIONS[..before] {
            connection.execute_batch(sql).unwrap();
        }
        connection
            .pragma_update(None, "user_version", before as i64)
            .unwrap();
        connection
    }

    #[test]
    fn referrals_indexed_before_routes_get_their_receiver() {
        let mut connection = before("ALTER TABLE fact_referrals ADD COLUMN to_facility");
        let (referral, sender, receiver) = (
            uuid::Uuid::now_v7(),
            uuid::Uuid::now_v7(),
            uuid::Uuid::now_v7(),
        );
        let fields = format!(
            r#"{{"to_facility":"{receiver}","child_id":"{}"}}"#,
            uuid::Uuid::now_v7()
        );
        connection
            .execute(
                "INSERT INTO records (record_type, id, facility_id, fields, seq, created_at, updated_at)
                 VALUES ('referral', ?1, ?2, ?3, 1, 'x', 'x')",
                rusqlite::params![referral, sender, fields],
            )
            .unwrap();
        connection
            .execute(
                "INSERT INTO fact_referrals (id, child, facility_id, urgency, sent_at) VALUES (?1, 0, ?2, 1, 0)",
                rusqlite::params![referral, sender],
            )
            .unwrap();
        run(&mut connection).unwrap();
        let to: Option<uuid::Uuid> = connection
            .query_row("SELECT to_facility FROM fact_referrals", [], |row| {
                row.get(0)
            })
            .unwrap();
        assert_eq!(to, Some(receiver));
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let mut connection = Connection::open_in_memory().unwrap();
        connection.pragma_update(None, "user_version", 999).unwrap();
        assert!(run(&mut connection).is_err());
    }

    #[test]
    fn sessions_and_circumstances_indexed_before_get_their_kind_and_group() {
        let mut connection = before("ALTER TABLE fact_sessions ADD COLUMN kind");
        let (call, orphan, facility) = (
            uuid::Uuid::now_v7(),
            uuid::Uuid::now_v7(),
            uuid::Uuid::now_v7(),
        );
        let records = [
            (
                "session",
                call,
                r#"{"kind":"hotline111_call","voided_reason":"Nhầm"}"#,
            ),
            (
                "circumstance",
                orphan,
                r#"{"code":"orphan","parents_lost":"both","cause":"covid19"}"#,
            ),
        ];
        for (record_type, id, fields) in records {
            connection
                .execute(
                    "INSERT INTO records (record_type, id, facility_id, fields, seq, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, 1, 'x', 'x')",
                    rusqlite::params![record_type, id, facility, fields],
                )
                .unwrap();
        }
        connection
            .execute(
                "INSERT INTO fact_sessions (id, child, facility_id, day, counts) VALUES (?1, 0, ?2, 0, 0)",
                rusqlite::params![call, facility],
            )
            .unwrap();
        connection
            .execute(
                "INSERT INTO fact_circumstances (id, child, orphan, since) VALUES (?1, 0, 1, 0)",
                rusqlite::params![orphan],
            )
            .unwrap();
        run(&mut connection).unwrap();
        let session: (i64, bool) = connection
            .query_row("SELECT kind, voided FROM fact_sessions", [], |row| {
                Ok((row.get(0)?, row.get(1)?))
            })
            .unwrap();
        assert_eq!(session, (3, true), "a voided hotline call");
        let circumstance: (i64, i64, bool) = connection
            .query_row(
                "SELECT grp, parents, covid FROM fact_circumstances",
                [],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )
            .unwrap();
        assert_eq!(
            circumstance,
            (0, 2, true),
            "an orphan of both parents, by COVID-19"
        );
    }
}
