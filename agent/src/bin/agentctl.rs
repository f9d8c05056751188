//! `agentctl`: IT staff's command on the device. Speaks the same protocol as the kiosk.
//!
//!   agentctl status            state, devices and anonymous counters
//!   agentctl start             opens a session, prints its folder, ends it on Enter
//!   agentctl end               ends the open session (as completed)
//!   agentctl wipe              wipes the open session now, whoever opened it

use std::io::BufRead;
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use guichet_protocol::client::Client;
use guichet_protocol::{AgentMessage, ClientMessage, EndReason};

#[derive(Parser)]
#[command(version, about = "Talk to the Guichet agent on this device")]
struct Args {
    #[arg(long, default_value = "/run/guichet/agent.sock")]
    socket: PathBuf,
    /// Print replies as JSON.
    #[arg(long)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// State, devices and anonymous counters.
    Status,
    /// Open a session, print its folder, and end it when Enter is pressed (or stdin closes).
    Start,
    /// End the open session as completed.
    End,
    /// Wipe the open session now.
    Wipe,
    /// Read a mediator PIN on standard input and print its hash for `mediator_pin_hash`.
    HashPin,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if let Command::HashPin = args.command {
        let mut pin = String::new();
        std::io::stdin().read_line(&mut pin)?;
        let pin = pin.trim();
        if pin.len() < 4 || !pin.chars().all(|c| c.is_ascii_digit()) {
            bail!("a mediator PIN is 4 digits or more");
        }
        println!("mediator_pin_hash = \"{}\"", guichet_agent::pin::hash_pin(pin).map_err(anyhow::Error::msg)?);
        return Ok(());
    }
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(run(args))
}

async fn run(args: Args) -> anyhow::Result<()> {
    let mut client = Client::connect(&args.socket, "agentctl")
        .await
        .with_context(|| format!("is the agent running? (socket {})", args.socket.display()))?;
    let print = |msg: &AgentMessage| {
        if args.json {
            println!("{}", serde_json::to_string(msg).unwrap_or_default());
        } else {
            println!("{}", describe(msg));
        }
    };
    let reply = match args.command {
        Command::Status => client.request(&ClientMessage::GetStatus { id: 1 }, |e| print(&e)).await?,
        Command::End => {
            let end = ClientMessage::EndSession { id: 1, reason: EndReason::Completed };
            client.request(&end, |e| print(&e)).await?
        }
        Command::Wipe => client.request(&ClientMessage::WipeNow { id: 1 }, |e| print(&e)).await?,
        Command::HashPin => unreachable!("handled before connecting"),
        Command::Start => {
            let reply = client.request(&ClientMessage::StartSession { id: 1 }, |e| print(&e)).await?;
            print(&reply);
            if let AgentMessage::Error { .. } = reply {
                bail!("the agent refused");
            }
            eprintln!("Press Enter to end the session.");
            let _ = tokio::task::spawn_blocking(|| std::io::stdin().lock().read_line(&mut String::new())).await;
            let end = ClientMessage::EndSession { id: 2, reason: EndReason::Completed };
            client.request(&end, |e| print(&e)).await?
        }
    };
    print(&reply);
    if let AgentMessage::Error { .. } = reply {
        bail!("the agent refused");
    }
    // Show the wipe receipt that follows an end or a wipe, if one comes promptly.
    if matches!(reply, AgentMessage::Ack { .. })
        && let Ok(Ok(event)) = tokio::time::timeout(std::time::Duration::from_secs(2), client.recv()).await
    {
        print(&event);
    }
    Ok(())
}

fn describe(msg: &AgentMessage) -> String {
    match msg {
        AgentMessage::Status { status, .. } => {
            let mut out = format!(
                "state: {:?}\nsession: {}\nuptime: {} s\n",
                status.state,
                status.session.as_ref().map_or("none".into(), |s| s.to_string()),
                status.uptime_s
            );
            for d in &status.devices {
                let sim = if d.simulated { " (simulated)" } else { "" };
                out += &format!("{}: {}{}\n", d.device, d.state, sim);
            }
            let c = &status.counters;
            out += &format!(
                "sessions: {} started, {} completed, {} abandoned, {} wiped\nmediator calls: {}, openings: {}",
                c.sessions_started,
                c.sessions_completed,
                c.sessions_abandoned,
                c.sessions_wiped,
                c.mediator_calls,
                c.mediator_openings
            );
            out
        }
        AgentMessage::SessionStarted { session, folder, .. } => format!("session {session} open in {folder}"),
        AgentMessage::SessionWiped { session, reason, receipt } => format!(
            "session {session} wiped ({reason:?}): {} scans, {} print jobs, {} imported, {} other files, {} bytes; verified: {}",
            receipt.scans,
            receipt.print_jobs,
            receipt.imported_files,
            receipt.other_files,
            receipt.bytes,
            receipt.verified
        ),
        AgentMessage::Ack { .. } => "done".into(),
        AgentMessage::Error { code, message, .. } => format!("refused ({code:?}): {message}"),
        other => format!("{other:?}"),
    }
}
