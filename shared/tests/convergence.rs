//! Property: however devices interleave offline edits, and however the network duplicates,
//! reorders and drops requests and responses, once every device has pushed and pulled again:
//! - every device shows exactly the server's records;
//! - every change any device made was answered once, and each of its fields is either in the
//!   record's history (applied) or kept as a conflict: nothing acknowledged is lost.
//!
//! The server here is an in-memory model built on the same `shared::sync::merge` as the real one.

use std::collections::{BTreeMap, HashMap};

use chrono::{TimeZone, Utc};
use proptest::prelude::*;
use serde_json::json;
use shared::sync::{diff, merge, overlay, Change, ChangeResult, Fields, Outcome, RecordType};
use uuid::Uuid;

const FACILITY: Uuid = Uuid::from_u128(7);

#[derive(Default)]
struct Server {
    records: BTreeMap<Uuid, (Fields, i64)>,
    answered: HashMap<Uuid, Outcome>,
    seq: i64,
    /// Per change: fields applied and fields superseded.
    history: HashMap<Uuid, (Vec<String>, Vec<String>)>,
    /// Every applied field in server order: (seq, record, field, value).
    applied_log: Vec<(i64, Uuid, String, serde_json::Value)>,
}

impl Server {
    fn push(&mut self, changes: &[Change]) -> Vec<ChangeResult> {
        changes
            .iter()
            .map(|change| {
                if let Some(outcome) = self.answered.get(&change.id) {
                    return ChangeResult {
                        change_id: change.id,
                        outcome: outcome.clone(),
                    };
                }
                let current = self
                    .records
                    .get(&change.record_id)
                    .map(|(fields, _)| fields);
                let merged = merge(current, change);
                self.seq += 1;
                let superseded: Vec<String> = merged
                    .superseded
                    .iter()
                    .map(|(field, _, _)| field.clone())
                    .collect();
                let outcome = if merged.applied.is_empty() {
                    Outcome::Superseded {
                        seq: self.seq,
                        superseded: superseded.clone(),
                    }
                } else {
                    self.records
                        .insert(change.record_id, (merged.fields, self.seq));
                    Outcome::Applied {
                        seq: self.seq,
                        superseded: superseded.clone(),
                    }
                };
                for field in &merged.applied {
                    self.applied_log.push((
                        self.seq,
                        change.record_id,
                        field.clone(),
                        change.set[field].clone(),
                    ));
                }
                self.history.insert(change.id, (merged.applied, superseded));
                self.answered.insert(change.id, outcome.clone());
                ChangeResult {
                    change_id: change.id,
                    outcome,
                }
            })
            .collect()
    }

    /// Records changed after `since`, in server order, at most `page` of them.
    fn pull(&self, since: i64, page: usize) -> (Vec<(Uuid, Fields, i64)>, i64, bool) {
        let mut changed: Vec<_> = self
            .records
            .iter()
            .filter(|(_, (_, seq))| *seq > since)
            .map(|(id, (f, seq))| (*id, f.clone(), *seq))
            .collect();
        changed.sort_by_key(|(_, _, seq)| *seq);
        let more = changed.len() > page;
        changed.truncate(page);
        let cursor = if more {
            changed.last().map_or(since, |(_, _, seq)| *seq)
        } else {
            self.seq.max(since)
        };
        (changed, cursor, more)
    }
}

#[derive(Default, Clone)]
struct Client {
    server_view: BTreeMap<Uuid, Fields>,
    outbox: Vec<Change>,
    cursor: i64,
    made: Vec<Change>,
}

impl Client {
    fn pending(&self, record: Uuid) -> Vec<&Change> {
        self.outbox
            .iter()
            .filter(|c| c.record_id == record)
            .collect()
    }

    fn display(&self, record: Uuid) -> Fields {
        overlay(self.server_view.get(&record), &self.pending(record))
    }

    fn edit(&mut self, record: Uuid, field: &str, value: i64, tick: i64) {
        let before = self.display(record);
        let mut after = before.clone();
        after.insert(field.to_string(), json!(value));
        let existing = (!before.is_empty()).then_some(&before);
        let made_at = Utc.timestamp_opt(1_700_000_000 + tick, 0).unwrap();
        if let Some(change) = diff(
            RecordType::Child,
            record,
            FACILITY,
            existing,
            &after,
            made_at,
        ) {
            self.made.push(change.clone());
            self.outbox.push(change);
        }
    }

    /// Every answer is final (applied, superseded or rejected): the change leaves the outbox.
    fn acknowledge(&mut self, results: &[ChangeResult]) {
        self.outbox
            .retain(|change| !results.iter().any(|r| r.change_id == change.id));
    }

    fn pull_all(&mut self, server: &Server, page: usize) {
        loop {
            let (records, cursor, more) = server.pull(self.cursor, page);
            for (id, fields, _) in records {
                self.server_view.insert(id, fields);
            }
            self.cursor = cursor;
            if !more {
                break;
            }
        }
    }
}

#[derive(Debug, Clone)]
enum Step {
    Edit {
        client: usize,
        record: u128,
        field: usize,
        value: i64,
    },
    /// The client sends its whole outbox; the request joins the network.
    Send {
        client: usize,
    },
    /// The network delivers one waiting request (chosen by index), maybe more than once, and the
    /// response may be lost on the way back.
    Deliver {
        index: usize,
        keep_copy: bool,
        lose_response: bool,
    },
    Pull {
        client: usize,
        page: usize,
    },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (0..3usize, 0..3u128, 0..3usize, 0..4i64).prop_map(|(client, record, field, value)| Step::Edit { client, record, field, value }),
        2 => (0..3usize).prop_map(|client| Step::Send { client }),
        3 => (0..8usize, any::<bool>(), any::<bool>()).prop_map(|(index, keep_copy, lose_response)| Step::Deliver { index, keep_copy, lose_response }),
        2 => (0..3usize, 1..4usize).prop_map(|(client, page)| Step::Pull { client, page }),
    ]
}

const FIELDS: [&str; 3] = ["full_name", "school_class", "guardian_phone"];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn devices_converge_and_nothing_acknowledged_is_lost(steps in prop::collection::vec(step(), 1..60)) {
        let mut server = Server::default();
        let mut clients = vec![Client::default(); 3];
        let mut network: Vec<(usize, Vec<Change>)> = Vec::new();
        for (tick, step) in steps.into_iter().enumerate() {
            match step {
                Step::Edit { client, record, field, value } => {
                    clients[client].edit(Uuid::from_u128(record + 100), FIELDS[field], value, tick as i64);
                }
                Step::Send { client } => {
                    if !clients[client].outbox.is_empty() {
                        network.push((client, clients[client].outbox.clone()));
                    }
                }
                Step::Deliver { index, keep_copy, lose_response } => {
                    if network.is_empty() {
                        continue;
                    }
                    let index = index % network.len();
                    let (client, changes) = if keep_copy { network[index].clone() } else { network.remove(index) };
                    let results = server.push(&changes);
                    if !lose_response {
                        clients[client].acknowledge(&results);
                    }
                }
                Step::Pull { client, page } => clients[client].pull_all(&server, page),
            }
        }

        // Connectivity returns: late duplicates still arrive, then every device syncs until quiet.
        for (_, changes) in &network {
            server.push(changes);
        }
        for _ in 0..3 {
            for client in clients.iter_mut() {
                let outbox = client.outbox.clone();
                let results = server.push(&outbox);
                client.acknowledge(&results);
                client.pull_all(&server, 2);
            }
        }

        for client in &clients {
            prop_assert!(client.outbox.is_empty());
            for (id, (fields, _)) in &server.records {
                prop_assert_eq!(&client.display(*id), fields, "device differs from server on {}", id);
            }
            prop_assert_eq!(client.server_view.len(), server.records.len());
            for change in &client.made {
                // Answered, and every field it set is accounted for: applied or kept as a conflict.
                let (applied, superseded) = server.history.get(&change.id).expect("every change was answered");
                let mut accounted: Vec<&String> = applied.iter().chain(superseded.iter()).collect();
                accounted.sort();
                let expected: Vec<&String> = change.set.keys().collect();
                prop_assert_eq!(accounted, expected);
            }
        }
        // Each record's final value of each field is exactly the last value applied to it.
        let mut last: BTreeMap<(Uuid, String), (i64, serde_json::Value)> = BTreeMap::new();
        for (seq, record, field, value) in &server.applied_log {
            let entry = last.entry((*record, field.clone())).or_insert((*seq, value.clone()));
            if *seq >= entry.0 {
                *entry = (*seq, value.clone());
            }
        }
        for ((record, field), (_, value)) in &last {
            prop_assert_eq!(&server.records[record].0[field], value);
        }
        // Server order is a sequence: every answer has its own position.
        let mut seqs: Vec<i64> = server.answered.values().map(|o| match o {
            Outcome::Applied { seq, .. } | Outcome::Superseded { seq, .. } => *seq,
            Outcome::Rejected { .. } => 0,
        }).collect();
        seqs.sort();
        seqs.dedup();
        prop_assert_eq!(seqs.len(), server.answered.len());
    }
}
