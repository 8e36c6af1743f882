//! Search on 5,000 local children: the time from a keystroke in the registry's search box to the
//! next frame after the list has changed, measured inside the page while "typing" a name.

use anyhow::{bail, Result};
use serde_json::{json, Value};
use thirtyfour::prelude::*;
use uuid::Uuid;

const FAMILY: [&str; 12] = [
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Nông", "Lý", "Triệu",
];
const MIDDLE: [&str; 6] = ["Văn", "Thị", "Đức", "Minh", "Ngọc", "Quang"];
const GIVEN: [&str; 12] = [
    "An", "Bình", "Cường", "Dũng", "Hoa", "Huệ", "Lan", "Mai", "Nam", "Phúc", "Tài", "Yến",
];

/// `count` more children for this device's store, like the template (a child record's fields).
pub fn synthetic_children(template: &Value, facility_id: &str, count: usize) -> Vec<Value> {
    (0..count)
        .map(|n| {
            let mut fields = template.clone();
            fields["full_name"] = json!(format!(
                "{} {} {}",
                FAMILY[n % FAMILY.len()],
                MIDDLE[(n / FAMILY.len()) % MIDDLE.len()],
                GIVEN[(n / 7) % GIVEN.len()]
            ));
            json!({"record_type": "child", "id": Uuid::now_v7(), "facility_id": facility_id,
                   "server": null, "fields": fields, "updated_at": chrono::Utc::now()})
        })
        .collect()
}

/// Adds records to the user's store without outbox entries (as if pulled).
pub async fn add_records(driver: &WebDriver, user: &str, records: Vec<Value>) -> Result<()> {
    const SCRIPT: &str = r#"
        const [name, records, done] = [arguments[0], arguments[1], arguments[arguments.length - 1]];
        const open = indexedDB.open(name);
        open.onerror = () => done(String(open.error));
        open.onsuccess = () => {
            const db = open.result;
            const tx = db.transaction(["record_log"], "readwrite");
            tx.objectStore("record_log").add(JSON.stringify({ records }));
            tx.oncomplete = () => { db.close(); done(true); };
            tx.onerror = () => done(String(tx.error));
        };"#;
    let result = driver
        .execute_async(
            SCRIPT,
            vec![json!(format!("tam-an-{user}")), json!(records)],
        )
        .await?;
    if result.json() != &json!(true) {
        bail!("adding records failed: {}", result.json());
    }
    Ok(())
}

/// Types `text` one character at a time into the open registry page; returns each keystroke's
/// time to the next frame after the list changed (keystrokes that changed nothing are left out).
pub async fn type_and_time(driver: &WebDriver, text: &str) -> Result<Vec<f64>> {
    const SCRIPT: &str = r#"
        const [text, done] = [arguments[0], arguments[arguments.length - 1]];
        const input = document.getElementById("child-search");
        const watched = document.querySelector("main") || document.body;
        const t0 = performance.now();
        let settled = false;
        const observer = new MutationObserver(() => {
            if (settled) return;
            settled = true;
            observer.disconnect();
            requestAnimationFrame(() => done(performance.now() - t0));
        });
        observer.observe(watched, { childList: true, subtree: true, characterData: true });
        input.value = text;
        input.dispatchEvent(new Event("input", { bubbles: true }));
        setTimeout(() => { if (!settled) { settled = true; observer.disconnect(); done(-1); } }, 2000);"#;
    let mut times = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    for end in 1..=chars.len() {
        let typed: String = chars[..end].iter().collect();
        let ms = driver.execute_async(SCRIPT, vec![json!(typed)]).await?;
        if let Some(ms) = ms.json().as_f64().filter(|ms| *ms >= 0.0) {
            times.push(ms);
        }
    }
    Ok(times)
}
