//! Canary forensics. 200 visits to the real agent binary, each with a canary of its own
//! in file names, file contents, folder names, usage names, a screen name and the
//! mediator PIN, some printed through a real CUPS queue, ended every way a visit ends:
//! completed, abandoned, idle timeout, wiped by staff, the kiosk gone, the agent killed
//! with -9 and started again. Then no canary is anywhere: not in the agent's state
//! folder (SQLite, its WAL and shared memory, the key), the runtime and visits folders,
//! the agent's logs, or the CUPS queue's spool, cache, state and logs.

use std::path::{Path, PathBuf};

use guichet_protocol::client::Client;
use guichet_protocol::{AgentMessage, ClientMessage, EndReason, UsageEvent};
use guichet_tests::cups::{TestCups, holding};
use guichet_tests::{AgentProcess, BOUND, files_under, nix_uid};

const VISITS: usize = 200;

/// How visit `n` ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    Completed,
    Abandoned,
    IdleTimeout,
    WipedByStaff,
    KioskGone,
    AgentKilled,
}

const ENDS: [End; 6] =
    [End::Completed, End::Abandoned, End::IdleTimeout, End::WipedByStaff, End::KioskGone, End::AgentKilled];

fn canary(n: usize) -> String {
    format!("CANARY{n:03}Q{}", std::process::id())
}

fn pin(n: usize) -> String {
    format!("{}", 41_000_000 + n * 7919)
}

async fn ask(client: &mut Client, msg: ClientMessage) -> AgentMessage {
    tokio::time::timeout(BOUND, client.request(&msg, |_| {})).await.expect("no reply").unwrap()
}

/// Waits, on a second connection, for the agent to say a visit was wiped.
async fn wiped(observer: &mut Client) {
    loop {
        let msg = tokio::time::timeout(BOUND, observer.recv()).await.expect("the visit was never wiped").unwrap();
        if let AgentMessage::SessionWiped { receipt, .. } = msg {
            assert!(receipt.verified, "a wipe not verified");
            return;
        }
    }
}

fn start(config: &Path) -> AgentProcess {
    let agent = AgentProcess::start(config, &["--socket-group", "-"]);
    agent.wait_log("ready");
    agent
}

#[test]
fn nothing_of_two_hundred_visits_outlives_them() {
    let cups = TestCups::start();
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path();
    // A mediator PIN is set, so the wrong ones are really checked (and forgotten).
    let hash = guichet_agent::pin::hash_pin("2468").unwrap();
    let config = t.join("agent.toml");
    std::fs::write(
        &config,
        format!(
            "runtime_dir = {:?}\nstate_dir = {:?}\nallowed_uids = [{}]\nallow_root = false\n\
             mediator_pin_hash = {hash:?}\n[devices]\nprinter = {:?}\n\
             [lockdown]\nterminals = false\nkeyboards = false\n[health]\nsites = []\n",
            t.join("run"),
            t.join("state"),
            nix_uid(),
            cups.uri(),
        ),
    )
    .unwrap();
    let socket = t.join("run/agent.sock");
    let mut agent = start(&config);
    let mut logs: Vec<String> = Vec::new();
    let mut searched_once = false;
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let mut observer = Client::connect(&socket, "observer").await.unwrap();
        for n in 0..VISITS {
            let (c, end) = (canary(n), ENDS[n % ENDS.len()]);
            let mut k = Client::connect(&socket, "kiosk").await.unwrap();
            let AgentMessage::SessionStarted { folder, .. } = ask(&mut k, ClientMessage::StartSession { id: 1 }).await
            else {
                panic!("visit {n} did not start")
            };
            let folder = PathBuf::from(folder);
            let drawn = format!("0 0 m 100 100 l S % {c}");
            std::fs::write(folder.join(format!("prints/{c}.pdf")), guichet_tests::pdf_drawing(1, drawn.as_bytes()))
                .unwrap();
            std::fs::create_dir_all(folder.join(format!("imports/{c}/inner"))).unwrap();
            std::fs::write(folder.join(format!("imports/{c}/inner/{c}.txt")), format!("typed by {c}")).unwrap();
            if !searched_once {
                // The search below can find a canary: it finds this one before the wipe.
                assert_eq!(holding(&files_under(&folder), c.as_bytes()).len(), 2);
                searched_once = true;
            }
            if n % 10 == 0 {
                let print = ClientMessage::Print { id: 2, file: format!("prints/{c}.pdf"), copies: 1 };
                let reply = ask(&mut k, print).await;
                assert!(matches!(reply, AgentMessage::PrintQueued { .. }), "visit {n}: {reply:?}");
            }
            // What a compromised kiosk could try to smuggle into the counters or the fleet.
            for usage in [
                UsageEvent::ProcedureStarted { procedure: c.clone() },
                UsageEvent::Language { language: c.clone() },
                UsageEvent::StepReached { procedure: "caf-prime-activite".into(), step: c.clone() },
            ] {
                let reply = ask(&mut k, ClientMessage::Usage { id: 3, usage }).await;
                assert!(matches!(reply, AgentMessage::Error { .. }), "visit {n}: a canary was counted: {reply:?}");
            }
            let real = UsageEvent::ProcedureStarted { procedure: "caf-prime-activite".into() };
            assert!(matches!(ask(&mut k, ClientMessage::Usage { id: 4, usage: real }).await, AgentMessage::Ack { .. }));
            ask(&mut k, ClientMessage::Alive { id: 5, screen: c.clone(), idle_s: 1 }).await;
            ask(&mut k, ClientMessage::MediatorUnlock { id: 6, pin: pin(n) }).await;
            match end {
                End::Completed | End::Abandoned | End::IdleTimeout => {
                    let reason = match end {
                        End::Completed => EndReason::Completed,
                        End::Abandoned => EndReason::Abandoned,
                        _ => EndReason::IdleTimeout,
                    };
                    ask(&mut k, ClientMessage::EndSession { id: 7, reason }).await;
                    wiped(&mut observer).await;
                }
                End::WipedByStaff => {
                    // Its session_wiped comes before its ack, on this same connection.
                    let mut told = false;
                    let wipe = observer.request(&ClientMessage::WipeNow { id: 8 }, |e| {
                        told |= matches!(e, AgentMessage::SessionWiped { ref receipt, .. } if receipt.verified);
                    });
                    tokio::time::timeout(BOUND, wipe).await.expect("no reply").unwrap();
                    assert!(told, "visit {n}: wipe_now did not wipe");
                }
                End::KioskGone => {
                    drop(k);
                    wiped(&mut observer).await;
                }
                End::AgentKilled => {
                    agent.kill9();
                    logs.extend(agent.log());
                    // The new agent wipes what is left before it says it is ready.
                    agent = start(&config);
                    observer = Client::connect(&socket, "observer").await.unwrap();
                }
            }
        }
    });
    agent.stop();
    logs.extend(agent.log());
    assert!(
        logs.iter().any(|l| l.contains("wiped a session left from before start-up")),
        "the killed visits were wiped"
    );

    let mut files = files_under(t);
    files.extend(cups.files());
    assert!(files.iter().any(|f| f.ends_with("agent.db-wal") || f.ends_with("agent.db")), "the store was searched");
    for n in 0..VISITS {
        for needle in [canary(n), pin(n)] {
            let found = holding(&files, needle.as_bytes());
            assert!(found.is_empty(), "visit {n}'s {needle:?} outlived it in {found:?}");
            let logged: Vec<&String> = logs.iter().filter(|l| l.contains(&needle)).collect();
            assert!(logged.is_empty(), "visit {n}'s {needle:?} is in the agent's log: {logged:?}");
        }
    }
    // No job file or record is left in CUPS's spool, and CUPS knows no job of any visit.
    assert_eq!(cups.job_files(), Vec::<String>::new(), "job files or records left in CUPS's spool");
    assert_eq!(cups.jobs(), Vec::<String>::new(), "CUPS still lists jobs");
    let visits = t.join("run/session");
    assert_eq!(std::fs::read_dir(&visits).map(|d| d.count()).unwrap_or(0), 0, "a visit's folder is left");
}
