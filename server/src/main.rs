//! `tam-an-server`: reads configuration, opens the database, seeds a first start, serves.

use clap::Parser;
use server::clock::Clock;
use server::config::Config;
use server::db::Db;
use server::hand_over::{hand_over, HandedOver};
use server::seed::{self, Seeded};
use server::static_files::dist_if_built;
use server::AppState;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let config = Config::parse();

    std::fs::create_dir_all(&config.data)?;
    warn_if_not_writable(&config.data);
    let db = Db::open(&config.data.join("tam-an.db"))?;
    let clock = Clock::System;
    let seeded = seed::seed(&db, !config.no_demo, config.province.clone(), clock.now()).await?;
    print_seeded(&seeded, &config.data)?;

    let dist = dist_if_built(config.dist.clone());
    if dist.is_none() {
        tracing::warn!(dist = %config.dist.display(), "no built app found: serving the API only (run `cargo xtask serve`)");
    }
    let state = AppState::new(db.clone(), config.policy.clone(), clock, dist);
    let read_log = state.read_log.clone();
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    println!(
        "Tâm An đang chạy tại / is serving at http://{}",
        listener.local_addr()?
    );
    server::serve(listener, state, shutdown_signal()).await?;
    // The reads noted in the last moments are written before the process ends.
    read_log.flush(&db).await?;
    Ok(())
}

/// Says so at start when the data folder cannot be written (the server still serves reads; every
/// change gets a 503 `storage_read_only` and `/api/health` reports degraded).
fn warn_if_not_writable(data: &std::path::Path) {
    let probe = data.join(".tam-an-write-probe");
    match std::fs::write(&probe, b"probe").and_then(|()| std::fs::remove_file(&probe)) {
        Ok(()) => {}
        Err(error) => tracing::error!(
            data = %data.display(),
            %error,
            "the data folder cannot be written: changes will be refused until this is fixed"
        ),
    }
    if let Some(free) = server::disk::low_space(data) {
        tracing::warn!(
            data = %data.display(),
            free_mb = free >> 20,
            "the data folder's disk is nearly full: free space before changes are refused"
        );
    }
}

fn print_seeded(seeded: &Seeded, data: &std::path::Path) -> std::io::Result<()> {
    match seeded {
        Seeded::Nothing => {}
        Seeded::Demo(users) => {
            println!(
                "Đã tạo tỉnh mẫu (demo province). Tài khoản / logins (mật khẩu / password: {}):",
                seed::DEMO_PASSWORD
            );
            for (username, role) in users {
                println!("  {username:<12} {}", role.label(shared::lang::Lang::Vi));
            }
        }
        Seeded::Admin {
            username,
            one_time_password,
        } => {
            use std::io::IsTerminal;
            let interactive = std::io::stdout().is_terminal();
            match hand_over(data, username, one_time_password, interactive)? {
                HandedOver::Shown(text) => println!("{text}"),
                HandedOver::Written(path) => tracing::warn!(
                    file = %path.display(),
                    "the first administrator's one-time password is in this file (readable only \
                     by this account): sign in, change it, then delete the file"
                ),
            }
        }
    }
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
