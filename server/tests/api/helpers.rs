//! A fresh server per test: temporary database seeded with the demo province, a manual clock,
//! and helpers that send raw JSON (to check serialization as a client would see it).

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use serde_json::Value;
use server::clock::Clock;
use server::config::Policy;
use server::db::Db;
use server::{app, seed, AppState};
use tempfile::TempDir;
use tower::ServiceExt;

pub struct TestApp {
    pub router: Router,
    pub clock: Clock,
    pub db: Db,
    _dir: TempDir,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub json: Value,
    /// The body as received (files).
    pub bytes: Vec<u8>,
}

impl TestApp {
    pub async fn new() -> TestApp {
        TestApp::with(Policy::default(), None).await
    }

    pub async fn with(policy: Policy, dist: Option<std::path::PathBuf>) -> TestApp {
        TestApp::started(policy, dist, true, None).await.0
    }

    /// The first start of a real installation (no demo), in a province or (none) a placeholder;
    /// returns the administrator's one-time password too.
    pub async fn first_start(province: Option<&str>) -> (TestApp, String) {
        let (app, seeded) = TestApp::started(Policy::default(), None, false, province).await;
        match seeded {
            seed::Seeded::Admin {
                one_time_password, ..
            } => (app, one_time_password),
            other => panic!("first start seeded {other:?}"),
        }
    }

    async fn started(
        policy: Policy,
        dist: Option<std::path::PathBuf>,
        demo: bool,
        province: Option<&str>,
    ) -> (TestApp, seed::Seeded) {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("test.db")).unwrap();
        let clock = Clock::manual(crate::days::start());
        let seeded = seed::seed(&db, demo, province.map(String::from), clock.now())
            .await
            .unwrap();
        let router = app(AppState::new(db.clone(), policy, clock.clone(), dist));
        let app = TestApp {
            router,
            clock,
            db,
            _dir: dir,
        };
        (app, seeded)
    }

    /// Sends a file as the body (an import).
    pub async fn upload(
        &self,
        path: &str,
        token: &str,
        content_type: &str,
        file: Vec<u8>,
    ) -> Reply {
        let request = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(file))
            .unwrap();
        self.send(request).await
    }

    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let json = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or(Value::Null)
        };
        Reply {
            status,
            headers,
            json,
            bytes: bytes.to_vec(),
        }
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut builder = Request::builder().method(method).uri(path);
        if let Some(token) = token {
            builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let request = match body {
            Some(body) => builder
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()))
                .unwrap(),
            None => builder.body(Body::empty()).unwrap(),
        };
        self.send(request).await
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Reply {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    pub async fn patch(&self, path: &str, token: &str, body: Value) -> Reply {
        self.call(Method::PATCH, path, Some(token), Some(body))
            .await
    }

    pub async fn try_login(&self, username: &str, password: &str) -> Reply {
        let body = serde_json::json!({ "username": username, "password": password });
        self.call(Method::POST, "/api/auth/login", None, Some(body))
            .await
    }

    /// Signs in and returns the token; panics with the server's answer if that fails.
    #[track_caller]
    pub fn token(reply: &Reply) -> String {
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "sign-in failed: {}",
            reply.json
        );
        reply.json["token"].as_str().expect("token").to_string()
    }

    pub async fn login(&self, username: &str, password: &str) -> String {
        TestApp::token(&self.try_login(username, password).await)
    }

    /// A facility's id by name, as the admin sees the directory.
    pub async fn facility_id(&self, admin: &str, name: &str) -> String {
        let facilities = self.get("/api/facilities", admin).await.json;
        facilities
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == name)
            .unwrap_or_else(|| panic!("no facility {name}"))["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    pub async fn area_id(&self, token: &str, name: &str) -> String {
        let areas = self.get("/api/areas", token).await.json;
        areas
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["name"] == name)
            .unwrap_or_else(|| panic!("no area {name}"))["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    pub async fn count(&self, table: &'static str) -> i64 {
        self.db
            .read(move |connection| {
                Ok(
                    connection.query_row(&format!("SELECT count(*) FROM {table}"), [], |row| {
                        row.get(0)
                    })?,
                )
            })
            .await
            .unwrap()
    }
}

impl TestApp {
    /// A new user created by the administrator, signed in with their own password; returns the token.
    pub async fn new_user(
        &self,
        admin: &str,
        username: &str,
        role: &str,
        facility: &str,
    ) -> String {
        let created = self
            .post(
                "/api/users",
                admin,
                serde_json::json!({"username": username, "full_name": "Người Thử", "role": role, "facility_id": facility}),
            )
            .await;
        assert_eq!(created.status, StatusCode::OK, "{}", created.json);
        let one_time = created.json["one_time_password"]
            .as_str()
            .unwrap()
            .to_string();
        let token = self.login(username, &one_time).await;
        let body =
            serde_json::json!({"current_password": one_time, "new_password": "mật-khẩu-mới-1"});
        assert_eq!(
            self.post("/api/auth/password", &token, body).await.status,
            StatusCode::OK
        );
        token
    }

    /// The facility of a signed-in user.
    pub async fn my_facility(&self, token: &str) -> String {
        self.get("/api/auth/me", token).await.json["facility_id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    pub async fn my_area(&self, token: &str) -> String {
        self.get("/api/auth/me", token).await.json["area_id"]
            .as_str()
            .unwrap()
            .to_string()
    }
}
