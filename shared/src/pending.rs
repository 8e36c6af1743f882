//! The file of changes not yet sent: what a person downloads before signing out with changes
//! still waiting (the link gone for days), and brings back on the same or another device after
//! signing in again. Importing puts each change back in the outbox under its own id, so a change
//! the server already has is answered as a duplicate, never applied twice; the server re-checks
//! every value and takes the actor from the session, as for any push.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::sync::Change;

/// What the file says it is.
pub const KIND: &str = "tam-an.pending-changes";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PendingFile {
    pub kind: String,
    pub version: u32,
    /// Whose changes these are: only that account may send them again.
    pub username: String,
    pub exported_at: DateTime<Utc>,
    pub changes: Vec<Change>,
}

/// Why a file cannot be imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportProblem {
    /// Not this app's file of pending changes (or damaged).
    NotPendingChanges,
    /// Another account's changes: sent from here they would be this account's.
    OtherAccount(String),
}

impl PendingFile {
    pub fn new(username: &str, exported_at: DateTime<Utc>, changes: Vec<Change>) -> PendingFile {
        PendingFile {
            kind: KIND.into(),
            version: 1,
            username: username.into(),
            exported_at,
            changes,
        }
    }

    /// Reads a file for `username`.
    pub fn read(text: &str, username: &str) -> Result<PendingFile, ImportProblem> {
        let file: PendingFile =
            serde_json::from_str(text).map_err(|_| ImportProblem::NotPendingChanges)?;
        if file.kind != KIND || file.version != 1 {
            return Err(ImportProblem::NotPendingChanges);
        }
        if file.username != username {
            return Err(ImportProblem::OtherAccount(file.username));
        }
        Ok(file)
    }

    /// The file's name: what it is and when, in Vietnam time.
    pub fn file_name(&self) -> String {
        let local = self
            .exported_at
            .with_timezone(&crate::lang::vietnam_offset());
        format!(
            "tam-an-thay-doi-chua-gui-{}-{}.json",
            self.username,
            local.format("%Y%m%d-%H%M")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::{Fields, RecordType};
    use uuid::Uuid;

    fn change() -> Change {
        let mut set = Fields::new();
        set.insert("full_name".into(), "Hà Thị Mơ".into());
        Change {
            id: Uuid::now_v7(),
            record_type: RecordType::Child,
            record_id: Uuid::now_v7(),
            facility_id: Uuid::now_v7(),
            set,
            base: Fields::new(),
            made_at: Utc::now(),
            base_seq: None,
        }
    }

    #[test]
    fn a_file_reads_back_for_its_own_account_only() {
        let file = PendingFile::new("mai", Utc::now(), vec![change(), change()]);
        let text = serde_json::to_string(&file).unwrap();
        assert_eq!(PendingFile::read(&text, "mai"), Ok(file.clone()));
        assert_eq!(
            PendingFile::read(&text, "lan"),
            Err(ImportProblem::OtherAccount("mai".into()))
        );
        assert!(file
            .file_name()
            .starts_with("tam-an-thay-doi-chua-gui-mai-"));
    }

    #[test]
    fn other_files_are_refused() {
        for text in [
            "[]",
            "{}",
            "not json",
            r#"{"kind":"x","version":1,"username":"mai","exported_at":"2026-01-01T00:00:00Z","changes":[]}"#,
        ] {
            assert_eq!(
                PendingFile::read(text, "mai"),
                Err(ImportProblem::NotPendingChanges),
                "{text}"
            );
        }
    }
}
