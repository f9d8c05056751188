//! `fleet`: the fleet server and its few administration commands.

use std::io::Read;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use guichet_fleet::health::Rules;
use guichet_fleet::signing::FleetKey;
use guichet_fleet::storage::{CodeRow, Role, Storage, UserRow, postgres::PostgresStorage, sqlite::SqliteStorage};
use guichet_fleet::{Fleet, auth, bundle::Bundle, system_clock, tls};

#[derive(Parser)]
#[command(version, about = "Guichet's fleet server")]
struct Args {
    /// The data folder: the signing key, and the SQLite database unless --database says
    /// otherwise.
    #[arg(long, global = true, default_value = "/var/lib/guichet-fleet")]
    data: PathBuf,
    /// `postgresql://…` (or a libpq `host=… dbname=…` string) for PostgreSQL; default
    /// SQLite in the data folder.
    #[arg(long, global = true, env = "GUICHET_FLEET_DATABASE")]
    database: Option<String>,
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Serves the kiosks' API, the console and /metrics.
    Serve {
        #[arg(long, default_value = "0.0.0.0:8443")]
        listen: SocketAddr,
        /// PEM certificate (chain) and key for HTTPS.
        #[arg(long, requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        #[arg(long, requires = "tls_cert")]
        tls_key: Option<PathBuf>,
        /// Makes a self-signed certificate for these names and writes it to
        /// DATA/self-signed.pem, for the kiosks' `fleet.ca_certificate`.
        #[arg(long, value_delimiter = ',')]
        self_signed: Vec<String>,
        /// Plain HTTP, for a reverse proxy in front on the same machine only.
        #[arg(long)]
        plain_http: bool,
        /// A kiosk silent for longer is offline.
        #[arg(long, default_value_t = 10)]
        offline_after_min: u64,
        /// A file holding a token that /metrics then asks for (Prometheus's
        /// `authorization.credentials_file`); without it /metrics is open.
        #[arg(long)]
        metrics_token: Option<PathBuf>,
    },
    /// Adds a console user; the password is read from standard input.
    UserAdd {
        name: String,
        #[arg(long, default_value = "viewer")]
        role: String,
    },
    /// Sets a console user's password, read from standard input.
    UserPasswd { name: String },
    /// Makes an enrolment code for a site and prints it.
    Code {
        #[arg(long)]
        site: String,
        #[arg(long, default_value_t = 7)]
        days: u64,
    },
    /// Packs a content folder (procedures/, po/) into a bundle to upload in the console.
    Bundle {
        #[arg(long)]
        content: PathBuf,
        #[arg(long)]
        out: PathBuf,
    },
    /// Prints the fleet's public signing key (the kiosks' `fleet.signing_key`).
    PublicKey,
}

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        // journald stores the codes as they are: colour only on a terminal.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let args = Args::parse();
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().context("cannot start the runtime")?;
    runtime.block_on(run(args))
}

async fn run(args: Args) -> anyhow::Result<()> {
    if let Cmd::Bundle { content, out } = &args.command {
        let bundle = Bundle::from_dir(content).with_context(|| format!("{} is not good content", content.display()))?;
        std::fs::write(out, bundle.to_tar()).with_context(|| format!("cannot write {}", out.display()))?;
        println!("{} files packed into {}", bundle.files.len(), out.display());
        return Ok(());
    }
    std::fs::create_dir_all(&args.data).with_context(|| format!("cannot create {}", args.data.display()))?;
    let storage = open_storage(&args.data, args.database.as_deref()).await?;
    let key_path = args.data.join("signing.key");
    // A lost key must not be replaced quietly: every enrolled kiosk would then refuse what
    // the fleet signs, and nobody would know why.
    if !key_path.exists() && !storage.kiosks().await?.is_empty() {
        bail!(
            "{} is missing but kiosks are enrolled: restore it from a backup (the kiosks trust only this key; \
             docs/fleet.md, \"Signing\")",
            key_path.display()
        );
    }
    let key = FleetKey::load_or_create(&key_path)?;
    if let Cmd::PublicKey = args.command {
        println!("{}", key.public_base64());
        return Ok(());
    }
    match args.command {
        Cmd::Serve { listen, tls_cert, tls_key, self_signed, plain_http, offline_after_min, metrics_token } => {
            let tls = match (tls_cert, tls_key) {
                (Some(cert), Some(key)) => Some(tls::from_pem_files(&cert, &key)?),
                _ if !self_signed.is_empty() => {
                    // Kept across restarts: the kiosks were given this certificate to trust.
                    let (cert, key) = (args.data.join("self-signed.pem"), args.data.join("self-signed.key"));
                    if cert.exists() && key.exists() {
                        Some(tls::from_pem_files(&cert, &key)?)
                    } else {
                        let names: Vec<&str> = self_signed.iter().map(String::as_str).collect();
                        let (config, pem, key_pem) = tls::self_signed(&names)?;
                        write_private(&key, &key_pem)?;
                        std::fs::write(&cert, pem).with_context(|| format!("cannot write {}", cert.display()))?;
                        tracing::info!(certificate = %cert.display(), "self-signed certificate made");
                        Some(config)
                    }
                }
                _ if plain_http => {
                    if !listen.ip().is_loopback() {
                        tracing::warn!(address = %listen, "plain HTTP on a public address: put a TLS proxy in front, or use --self-signed");
                    }
                    None
                }
                _ => bail!("give --tls-cert and --tls-key, or --self-signed NAMES, or --plain-http behind a proxy"),
            };
            let rules = Rules { offline_after_s: offline_after_min.max(1) * 60, ..Rules::default() };
            let fleet = Fleet::new(storage, key, rules, system_clock(), tls.is_some()).await?;
            if let Some(path) = metrics_token {
                let token =
                    std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
                let _ = fleet.metrics_token.set(token.trim().to_owned());
            }
            let listener =
                tokio::net::TcpListener::bind(listen).await.with_context(|| format!("cannot listen on {listen}"))?;
            tracing::info!(address = %listen, https = tls.is_some(), storage = fleet.storage.kind(), "serving");
            guichet_fleet::serve(listener, fleet, tls, shutdown()).await?;
            tracing::info!("stopped");
        }
        Cmd::UserAdd { name, role } => {
            let role = Role::parse(&role).context("the role is admin or viewer")?;
            let mut password = String::new();
            std::io::stdin().read_to_string(&mut password)?;
            let password = password.trim_end_matches(['\n', '\r']);
            if password.chars().count() < 12 {
                bail!("the password must have at least 12 characters");
            }
            let hash = auth::hash_password(password).map_err(anyhow::Error::msg)?;
            storage.add_user(UserRow { name: name.clone(), password_hash: hash, role }).await?;
            println!("user {name} added ({})", role.code());
        }
        Cmd::UserPasswd { name } => {
            let mut password = String::new();
            std::io::stdin().read_to_string(&mut password)?;
            let password = password.trim_end_matches(['\n', '\r']);
            if password.chars().count() < 12 {
                bail!("the password must have at least 12 characters");
            }
            let hash = auth::hash_password(password).map_err(anyhow::Error::msg)?;
            if !storage.set_password(&name, &hash).await? {
                bail!("there is no user {name}");
            }
            println!("password of {name} changed");
        }
        Cmd::Code { site, days } => {
            let code = auth::new_code();
            let now = system_clock()();
            storage
                .add_code(CodeRow {
                    code_hash: auth::code_hash(&code),
                    hint: code[..4].to_owned(),
                    site,
                    created_by: "ligne de commande".into(),
                    created_at: now as i64,
                    expires_at: (now + 86_400 * days.clamp(1, 30)) as i64,
                    used_by: None,
                })
                .await?;
            println!("{code}");
        }
        Cmd::Bundle { .. } | Cmd::PublicKey => unreachable!("handled above"),
    }
    Ok(())
}

/// Writes a secret readable by this user only.
fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    f.write_all(text.as_bytes())?;
    Ok(())
}

async fn open_storage(data: &Path, database: Option<&str>) -> anyhow::Result<Arc<dyn Storage>> {
    Ok(match database {
        Some(url) if url.starts_with("postgres") || url.contains("dbname=") || url.contains("host=") => {
            Arc::new(PostgresStorage::connect(url).await.context("cannot use the PostgreSQL database")?)
        }
        Some(path) => Arc::new(SqliteStorage::open(Path::new(path.trim_start_matches("sqlite:")))?),
        None => Arc::new(SqliteStorage::open(&data.join("fleet.db"))?),
    })
}

async fn shutdown() {
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
