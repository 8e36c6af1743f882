//! API tests through `app().oneshot(...)`: one binary, one module per area of the API.

mod days;
mod helpers;
mod imports;
mod own_writes;

mod access;
mod activities;
mod audit;
mod auth;
mod care_figures;
mod directory;
mod errors;
mod exchange;
mod indicators;
mod privacy;
mod referrals;
mod screening;
mod slow_clients;
mod static_files;
mod storage;
mod submissions;
mod sync;
mod trust;
mod urgent;
mod users;
