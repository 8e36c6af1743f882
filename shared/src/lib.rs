//! Domain types and pure rules shared by the browser app (`app`) and the server (`server`).
//!
//! Architecture invariant: this crate does no I/O and knows nothing of axum, rusqlite, web-sys or
//! IndexedDB. Everything here is plain data (serde) and pure functions, so the browser and the server
//! decide the same question the same way: who may do what, what a valid username or phone number is,
//! how a date is written.
//!
//! Reading order: [`role`] (who uses the product and what each role may do), [`place`] (areas and
//! facilities), [`validate`] (field rules with Vietnamese and English messages), [`api`] (the JSON
//! wire contract), [`lang`] (languages and date formatting).

#[macro_use]
pub mod coded;

pub mod activity;
pub mod api;
pub mod care;
pub mod child;
pub mod consent;
pub mod csv;
pub mod device;
pub mod ethnicity;
pub mod health_condition;
pub mod import;
pub mod indicators;
pub mod instrument;
pub mod lang;
pub mod pending;
pub mod personal_id;
pub mod place;
pub mod referral;
pub mod retry;
pub mod role;
pub mod screening;
pub mod shape;
pub mod submission;
pub mod sync;
pub mod text;
pub mod urgent;
pub mod validate;
