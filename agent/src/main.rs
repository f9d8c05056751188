//! `agent`: the privileged daemon. Loads its config, opens its store, binds the socket and
//! serves the kiosk until SIGTERM or SIGINT.

use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;
use guichet_agent::{Config, Devices, Setup, config::DEFAULT_CONFIG, server, store::Store};

#[derive(Parser)]
#[command(version, about = "Guichet's privileged agent")]
struct Args {
    /// Config file (TOML).
    #[arg(long, default_value = DEFAULT_CONFIG)]
    config: PathBuf,
    /// Overrides `runtime_dir` (socket and session folders).
    #[arg(long)]
    runtime_dir: Option<PathBuf>,
    /// Overrides `socket`.
    #[arg(long)]
    socket: Option<PathBuf>,
    /// Overrides `state_dir` (the store).
    #[arg(long)]
    state_dir: Option<PathBuf>,
    /// Overrides `socket_group`; `-` keeps the agent's own group.
    #[arg(long)]
    socket_group: Option<String>,
    /// Allows this uid on the socket (repeatable), besides the kiosk user's.
    #[arg(long = "allow-uid")]
    allow_uids: Vec<u32>,
    /// Uses simulated printer, scanner and GPIO whatever the config says.
    #[arg(long)]
    simulated: bool,
}

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        // journald stores the codes as they are: colour only on a terminal.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let args = Args::parse();
    let explicit = args.config.as_os_str() != DEFAULT_CONFIG;
    let mut config = Config::load(&args.config, explicit)?;
    if let Some(p) = args.runtime_dir {
        config.runtime_dir = p;
    }
    if let Some(p) = args.socket {
        config.socket = Some(p);
    }
    if let Some(p) = args.state_dir {
        config.state_dir = p;
    }
    if let Some(g) = args.socket_group {
        config.socket_group = (g != "-").then_some(g);
    }
    config.allowed_uids.extend(args.allow_uids);
    let devices = if args.simulated { Devices::simulated() } else { Devices::from_config(&config.devices)? };
    // Held until `main` returns: a clean stop unlocks terminal switching, a crash does not.
    let _vt_lock = lock_down(&config.lockdown);

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        std::fs::create_dir_all(&config.state_dir)
            .with_context(|| format!("cannot create {}", config.state_dir.display()))?;
        let store = Store::open(&config.store_path())?;
        let listener = server::bind(&config)?;
        tracing::info!(socket = %config.socket_path().display(), "listening");
        guichet_agent::run(listener, devices, Setup { config, store }, shutdown_signal()).await?;
        Ok(())
    })
}

/// Locks terminal switching and filters the keyboards, as the config asks. Either can be
/// impossible (no /dev/tty0 in a container, no uinput in this kernel): the agent still
/// serves, and says what is missing.
fn lock_down(config: &guichet_agent::config::LockdownConfig) -> Option<guichet_agent::devices::vt::VtLock> {
    if config.keyboards
        && let Err(e) = guichet_agent::devices::keyboards::start()
    {
        tracing::error!(cause = %e, "keyboards are not filtered");
    }
    if !config.terminals {
        return None;
    }
    guichet_agent::devices::vt::VtLock::lock()
        .map_err(|e| tracing::error!(cause = %e, "terminal switching stays possible"))
        .ok()
}

async fn shutdown_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    match (signal(SignalKind::terminate()), signal(SignalKind::interrupt())) {
        (Ok(mut term), Ok(mut int)) => {
            tokio::select! {
                _ = term.recv() => {}
                _ = int.recv() => {}
            }
        }
        _ => std::future::pending().await,
    }
}
