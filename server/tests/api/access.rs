//! Who may do what, through the real router: every role × action, on the user's own facility
//! and on another one. The expected table is written out here, not derived from `Role::can`, so
//! a change to the rules shows up as a change to this table.

use serde_json::json;
use uuid::Uuid;

use crate::helpers::TestApp;
use crate::screening::{change, child, push};

const OTHER_SCHOOL: &str = "Trường Tiểu học Văn Quan";

/// The actions, in the order of each row of [`EXPECTED`].
const ACTIONS: [&str; 9] = [
    "push a child for own facility",
    "push a child for another facility",
    "pull",
    "own indicators",
    "another facility's indicators",
    "list users",
    "read the audit log",
    "create a facility",
    "list facilities",
];

const Y: bool = true;
const N: bool = false;

const EXPECTED: [(&str, [bool; 9]); 6] = [
    ("counsellor", [Y, N, Y, Y, N, N, N, N, Y]),
    ("health", [Y, N, Y, Y, N, N, N, N, Y]),
    ("clinician", [Y, N, Y, Y, N, N, N, N, Y]),
    ("social", [Y, N, Y, Y, N, N, N, N, Y]),
    ("officer", [N, N, Y, Y, Y, N, N, N, Y]),
    ("admin", [N, N, Y, Y, Y, Y, Y, Y, Y]),
];

fn allowed(status: u16) -> bool {
    status != 401 && status != 403
}

#[tokio::test]
async fn each_role_may_do_what_the_table_says_on_its_own_and_another_facility() {
    let app = TestApp::new().await;
    let admin = app.login("admin", "demo").await;
    let counsellor = app.login("counsellor", "demo").await;
    let commune = app.my_area(&counsellor).await;
    let school = app.my_facility(&counsellor).await;
    let other = app.facility_id(&admin, OTHER_SCHOOL).await;
    let mut observed = Vec::new();
    for (role, expected) in EXPECTED {
        let token = app.login(role, "demo").await;
        let me = app.get("/api/auth/me", &token).await.json;
        // Officers and administrators have no facility: "own" is the school next door.
        let own = me["facility_id"]
            .as_str()
            .map_or(school.clone(), str::to_string);
        let pushed = |facility: &str| change("child", Uuid::now_v7(), facility, child(&commune));
        let own_push = push(&app, &token, vec![pushed(&own)]).await.remove(0);
        let other_push = push(&app, &token, vec![pushed(&other)]).await.remove(0);
        let row = [
            own_push["status"] == "applied",
            other_push["status"] == "applied",
            allowed(
                app.get("/api/sync/pull?since=0", &token)
                    .await
                    .status
                    .as_u16(),
            ),
            allowed(app.get("/api/indicators", &token).await.status.as_u16()),
            allowed(
                app.get(&format!("/api/indicators?facility={other}"), &token)
                    .await
                    .status
                    .as_u16(),
            ),
            allowed(app.get("/api/users", &token).await.status.as_u16()),
            allowed(app.get("/api/audit", &token).await.status.as_u16()),
            allowed(
                app.post(
                    "/api/facilities",
                    &token,
                    json!({"name": format!("Trường Thử {role}"), "facility_type": "primary_school",
                           "area_id": commune}),
                )
                .await
                .status
                .as_u16(),
            ),
            allowed(app.get("/api/facilities", &token).await.status.as_u16()),
        ];
        for (i, action) in ACTIONS.iter().enumerate() {
            if row[i] != expected[i] {
                observed.push(format!(
                    "{role} {action}: expected {}, got {}",
                    expected[i], row[i]
                ));
            }
        }
        // Officers and administrators never receive children's records.
        let pulled = app.get("/api/sync/pull?since=0", &token).await.json;
        let records = pulled["records"].as_array().unwrap().len();
        assert_eq!(records > 0, expected[0], "{role} pulled {records} records");
    }
    assert!(observed.is_empty(), "{observed:#?}");
}
