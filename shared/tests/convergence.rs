//! Property: however devices interleave offline edits, and however the network duplicates,
//! reorders and drops requests and responses, once every device has pushed and pulled again:
//! - every device shows exactly the server's records;
//! - every change any device made was answered once, and each of its fields is either in the
//!   record's history (applied) or kept as a conflict: nothing acknowledged is lost.
//!
//! The devices settle on what the server stored when it answers with server fields (stamps of
//! its own, here the last write's position), and their pulls leave out what they settled on; a
//! device may also bring back another device's outbox from a file. They still converge.
//!
//! The server here is an in-memory model built on the same `shared::sync` rules as the real one
//! (`merge`, `holds_current`, `stamps`; the devices `settle`).

use std::collections::{BTreeMap, HashMap};

use chrono::{TimeZone, Utc};
use proptest::prelude::*;
use serde_json::json;
use shared::sync::{
    diff, holds_current, merge, overlay, settle, settlements, stamps, Change, ChangeResult, Fields,
    Outcome, RecordType,
};
use uuid::Uuid;

const FACILITY: Uuid = Uuid::from_u128(7);

#[derive(Default)]
struct Server {
    /// Each record's fields, position, and the device whose push last wrote it with server fields.
    records: BTreeMap<Uuid, (Fields, i64, Option<i64>)>,
    /// Each answer, and the device it was first given to.
    answered: HashMap<Uuid, (Outcome, i64)>,
    seq: i64,
    /// Per change: fields applied and fields superseded.
    history: HashMap<Uuid, (Vec<String>, Vec<String>)>,
    /// Every applied field in server order: (seq, record, field, value).
    applied_log: Vec<(i64, Uuid, String, serde_json::Value)>,
}

impl Server {
    fn push(&mut self, device: i64, changes: &[Change]) -> Vec<ChangeResult> {
        changes
            .iter()
            .map(|change| {
                if let Some((outcome, first)) = self.answered.get(&change.id) {
                    let mut outcome = outcome.clone();
                    if let Outcome::Applied { server_fields, .. } = &mut outcome {
                        if *first != device {
                            // Another device's vouching does not hold for this one.
                            *server_fields = None;
                        }
                    }
                    return ChangeResult {
                        change_id: change.id,
                        outcome,
                    };
                }
                let stored = self.records.get(&change.record_id);
                let holds = holds_current(change, stored.map(|(_, seq, by)| (*seq, *by)), device);
                let current = stored.map(|(fields, _, _)| fields);
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
                    // The server's own stamp on every write.
                    let mut fields = merged.fields.clone();
                    fields.insert("last_seq".into(), json!(self.seq));
                    let own = holds && superseded.is_empty();
                    let server_fields = own.then(|| stamps(&merged.fields, &fields));
                    self.records
                        .insert(change.record_id, (fields, self.seq, own.then_some(device)));
                    Outcome::Applied {
                        seq: self.seq,
                        superseded: superseded.clone(),
                        server_fields,
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
                self.answered.insert(change.id, (outcome.clone(), device));
                ChangeResult {
                    change_id: change.id,
                    outcome,
                }
            })
            .collect()
    }

    /// Records changed after `since`, in server order, at most `page` of them, without those the
    /// device's own push last wrote with server fields.
    fn pull(&self, device: i64, since: i64, page: usize) -> (Vec<(Uuid, Fields, i64)>, i64, bool) {
        let mut changed: Vec<_> = self
            .records
            .iter()
            .filter(|(_, (_, seq, by))| *seq > since && *by != Some(device))
            .map(|(id, (f, seq, _))| (*id, f.clone(), *seq))
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
    /// The session's key, as the server knows it.
    device: i64,
    /// Each record as the server last had it, as far as the device knows, and its position.
    server_view: BTreeMap<Uuid, (Fields, i64)>,
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
        overlay(
            self.server_view.get(&record).map(|(fields, _)| fields),
            &self.pending(record),
        )
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
            let change = Change {
                base_seq: Some(self.server_view.get(&record).map_or(0, |(_, seq)| *seq)),
                ..change
            };
            self.made.push(change.clone());
            self.outbox.push(change);
        }
    }

    /// Another device's waiting changes, brought back from a file: this device cannot vouch for
    /// their bases.
    fn restore(&mut self, changes: &[Change]) {
        for change in changes {
            if !self.outbox.iter().any(|waiting| waiting.id == change.id) {
                self.outbox.push(Change {
                    base_seq: None,
                    ..change.clone()
                });
            }
        }
    }

    /// Every answer is final (applied, superseded or rejected): the change leaves the outbox.
    /// An answer with server fields is settled on, in order, unless the copy is newer already.
    fn acknowledge(&mut self, results: &[ChangeResult]) {
        for (change, seq, server_fields) in settlements(&self.outbox, results) {
            let copy = self.server_view.get(&change.record_id);
            if copy.is_some_and(|(_, at)| *at >= seq) {
                continue;
            }
            let settled = settle(copy.map(|(fields, _)| fields), change, server_fields);
            self.server_view.insert(change.record_id, (settled, seq));
        }
        self.outbox
            .retain(|change| !results.iter().any(|r| r.change_id == change.id));
    }

    fn pull_all(&mut self, server: &Server, page: usize) {
        loop {
            let (records, cursor, more) = server.pull(self.device, self.cursor, page);
            for (id, fields, seq) in records {
                self.server_view.insert(id, (fields, seq));
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
    /// A device brings back another's waiting changes from a file.
    Restore {
        from: usize,
        to: usize,
    },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (0..3usize, 0..3u128, 0..3usize, 0..4i64).prop_map(|(client, record, field, value)| Step::Edit { client, record, field, value }),
        2 => (0..3usize).prop_map(|client| Step::Send { client }),
        3 => (0..8usize, any::<bool>(), any::<bool>()).prop_map(|(index, keep_copy, lose_response)| Step::Deliver { index, keep_copy, lose_response }),
        2 => (0..3usize, 1..4usize).prop_map(|(client, page)| Step::Pull { client, page }),
        1 => (0..3usize, 0..3usize).prop_map(|(from, to)| Step::Restore { from, to }),
    ]
}

const FIELDS: [&str; 3] = ["full_name", "school_class", "guardian_phone"];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn devices_converge_and_nothing_acknowledged_is_lost(steps in prop::collection::vec(step(), 1..60)) {
        let mut server = Server::default();
        let mut clients: Vec<Client> = (1..=3).map(|device| Client { device, ..Client::default() }).collect();
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
                    let results = server.push(clients[client].device, &changes);
                    if !lose_response {
                        clients[client].acknowledge(&results);
                    }
                }
                Step::Pull { client, page } => clients[client].pull_all(&server, page),
                Step::Restore { from, to } => {
                    let outbox = clients[from].outbox.clone();
                    clients[to].restore(&outbox);
                }
            }
        }

        // Connectivity returns: late duplicates still arrive, then every device syncs until quiet.
        for (client, changes) in &network {
            server.push(clients[*client].device, changes);
        }
        for _ in 0..3 {
            for client in clients.iter_mut() {
                let outbox = client.outbox.clone();
                let results = server.push(client.device, &outbox);
                client.acknowledge(&results);
                client.pull_all(&server, 2);
            }
        }

        for client in &clients {
            prop_assert!(client.outbox.is_empty());
            for (id, (fields, _, _)) in &server.records {
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
        let mut seqs: Vec<i64> = server.answered.values().map(|(o, _)| match o {
            Outcome::Applied { seq, .. } | Outcome::Superseded { seq, .. } => *seq,
            Outcome::Rejected { .. } => 0,
        }).collect();
        seqs.sort();
        seqs.dedup();
        prop_assert_eq!(seqs.len(), server.answered.len());
    }
}
