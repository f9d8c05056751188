//! The fleet client: enrols once with the one-time code, then samples health on a
//! schedule, queues it in the store, and reports it with the day's anonymous counters and
//! the results of commands. The commands come back in the answer (the kiosk is behind
//! NAT) and are run here. When the fleet cannot be reached, nothing is lost within the
//! queue's bound, and reports resume with backoff and jitter.
//!
//! It never sends a citizen's data: the report's types cannot hold any.

pub mod commands;
pub mod content;
pub mod link;
pub mod outbox;
pub mod signed;

use std::sync::Arc;
use std::time::Duration;

use guichet_protocol::fleet::{Command, HealthSample};

use crate::error::AgentError;
use crate::session::Agent;
use crate::store::Store;
use link::{Link, LinkError, Sent, backoff, jitter};

const KIOSK_ID: &str = "fleet.kiosk_id";
const TOKEN: &str = "fleet.token";
const SIGNING_KEY: &str = "fleet.signing_key";
const SEQ: &str = "fleet.seq";

/// The kiosk's identity at the fleet, from its enrolment.
#[derive(Debug, Clone)]
pub struct Identity {
    pub kiosk_id: String,
    pub token: String,
}

pub fn identity(store: &Store) -> Option<Identity> {
    Some(Identity { kiosk_id: store.get(KIOSK_ID).ok()??, token: store.get(TOKEN).ok()?? })
}

/// Trades the one-time code for a token, and remembers both it and the fleet's key.
pub async fn enrol(store: &Store, link: &Link, code: &str) -> Result<Identity, EnrolError> {
    let answer = link.enrol(code).await?;
    store.set(KIOSK_ID, &answer.kiosk_id)?;
    store.set(TOKEN, &answer.token)?;
    store.set(SIGNING_KEY, &answer.signing_key)?;
    store.set(SEQ, "1")?;
    tracing::info!(kiosk = %answer.kiosk_id, site = %answer.site, "enrolled in the fleet");
    Ok(Identity { kiosk_id: answer.kiosk_id, token: answer.token })
}

#[derive(Debug, thiserror::Error)]
pub enum EnrolError {
    #[error(transparent)]
    Link(#[from] LinkError),
    #[error(transparent)]
    Store(#[from] AgentError),
}

/// Reports everything queued, a batch at a time, until the queue is empty; the commands
/// the fleet answered with.
pub async fn send_queued(store: &Store, link: &Link, token: &str) -> Result<Vec<Command>, LinkError> {
    let mut commands: Vec<Command> = Vec::new();
    loop {
        let mut batch = outbox::next_batch(store).map_err(|e| LinkError::BadAnswer(e.to_string()))?;
        // Samples with many sites can make 500 of them weigh more than the fleet takes:
        // fewer at a time then, never a report it would refuse for ever.
        while batch.samples.len() > 1
            && serde_json::to_vec(&batch.report(0)).map_or(0, |b| b.len())
                > guichet_protocol::fleet::MAX_REPORT_BYTES * 9 / 10
        {
            batch.samples.truncate(batch.samples.len() / 2);
            let kept = batch.samples.last().map(|(id, _)| *id);
            batch.unreadable = batch.unreadable.filter(|u| kept.is_some_and(|k| *u < k));
        }
        let full = batch.samples.len() >= outbox::PER_REPORT as usize
            || batch.samples.len() < outbox::queued(store).map_or(0, |q| q.0 as usize);
        let mut seq: u64 = store.get(SEQ).ok().flatten().and_then(|s| s.parse().ok()).unwrap_or(1);
        let answer = loop {
            match link.report(token, &batch.report(seq)).await? {
                Sent::Accepted(answer) => break answer,
                // Our answer was lost: that seq is taken. Send this batch again past it;
                // the fleet keeps one copy of a sample it already has.
                Sent::AlreadyHad(last) if last >= seq => seq = last + 1,
                Sent::AlreadyHad(_) => return Err(LinkError::BadAnswer("the fleet refused a new seq".into())),
            }
        };
        let store_err = |e: AgentError| LinkError::BadAnswer(e.to_string());
        store.set(SEQ, &(answer.accepted_seq + 1).to_string()).map_err(store_err)?;
        outbox::delivered(store, &batch).map_err(store_err)?;
        for c in answer.commands {
            if !commands.iter().any(|k| k.id == c.id) {
                commands.push(c);
            }
        }
        if !full {
            return Ok(commands);
        }
    }
}

/// Starts the client when the config names a fleet.
pub fn start(agent: &Arc<Agent>) -> Option<tokio::task::JoinHandle<()>> {
    let config = &agent.config().fleet;
    let url = config.url.clone()?;
    let ca = match &config.ca_certificate {
        Some(path) => match std::fs::read(path) {
            Ok(pem) => Some(pem),
            Err(e) => {
                tracing::error!(path = %path.display(), cause = %e, "cannot read the fleet's CA certificate: not reporting");
                return None;
            }
        },
        None => None,
    };
    let link = match Link::new(&url, ca.as_deref()) {
        Ok(l) => l,
        Err(e) => {
            tracing::error!(cause = %e, "not reporting to the fleet");
            return None;
        }
    };
    // The sites' checks trust what the fleet is trusted with: a town's own CA often signs
    // its intranet's addresses too.
    let sites = link::https_client(ca.as_deref(), Duration::from_secs(10)).ok()?;
    let agent = Arc::clone(agent);
    Some(tokio::spawn(async move { run(agent, link, sites).await }))
}

async fn run(agent: Arc<Agent>, link: Link, sites: reqwest::Client) {
    let store = agent.store();
    let config = agent.config().fleet.clone();
    let mut failures = 0u32;
    let identity = loop {
        if let Some(id) = identity(store) {
            break id;
        }
        let Some(code) = config.enrolment_code.as_deref() else {
            tracing::error!("no fleet identity and no fleet.enrolment_code: not reporting");
            return;
        };
        match enrol(store, &link, code).await {
            Ok(id) => break id,
            Err(e) => {
                failures += 1;
                let wait = if matches!(e, EnrolError::Link(LinkError::BadCode)) {
                    Duration::from_secs(3600)
                } else {
                    backoff(failures, jitter())
                };
                tracing::error!(cause = %e, retry_in_s = wait.as_secs(), "cannot enrol in the fleet");
                tokio::time::sleep(wait).await;
            }
        }
    };
    let key_text = config.signing_key.clone().or_else(|| store.get(SIGNING_KEY).ok().flatten());
    let key = key_text.as_deref().and_then(|k| {
        signed::public_key(k)
            .map_err(|e| tracing::error!(cause = %e, "signed settings and content will be refused"))
            .ok()
    });

    let mut previous: Option<HealthSample> = None;
    let start = tokio::time::Instant::now();
    // The first sample is taken and reported at once: IT staff see a new kiosk appear.
    let (mut next_sample, mut next_report) = (start, start);
    let mut failures = 0u32;
    let mut reboot = false;
    loop {
        let wake = next_sample.min(next_report);
        tokio::time::sleep_until(wake).await;
        let now = tokio::time::Instant::now();
        if now >= next_sample {
            let sample = agent.health_sample(&sites, previous.as_ref()).await;
            if let Err(e) = outbox::push(store, &sample, config.queue_limit) {
                tracing::error!(cause = %e, "cannot queue a health sample");
            }
            previous = Some(sample);
            let every = agent.remote().settings().sample_every_min.map_or(config.sample_every_s, |m| u64::from(m) * 60);
            next_sample = now + Duration::from_secs(every.max(1));
        }
        expire_message(&agent);
        if now < next_report {
            continue;
        }
        match send_queued(store, &link, &identity.token).await {
            Ok(commands) => {
                failures = 0;
                next_report = now + Duration::from_secs(config.report_every_s.max(1));
                let mut ran = false;
                for command in &commands {
                    if outbox::done(store, command.id).unwrap_or(false) {
                        continue;
                    }
                    match agent.run_command(&link, &identity.token, key.as_ref(), command).await {
                        commands::Outcome::Done(ack) => {
                            let _ = outbox::record_result(store, &ack);
                            ran = true;
                        }
                        commands::Outcome::Reboot(ack) => {
                            let _ = outbox::record_result(store, &ack);
                            reboot = true;
                        }
                        commands::Outcome::Later => {}
                    }
                }
                if ran || reboot {
                    // Results go back at once, not in five minutes.
                    next_report = now + Duration::from_secs(1);
                }
                // Never in the middle of a visit, even if one began since it was asked.
                if reboot && !ran && !agent.in_session() {
                    reboot_now(&agent, &link, &identity.token).await;
                    reboot = false;
                }
            }
            Err(e) => {
                failures += 1;
                let wait = backoff(failures, jitter());
                if matches!(e, LinkError::Unauthorized) {
                    tracing::error!("the fleet refused this kiosk's token: it was revoked; re-enrol it");
                } else {
                    tracing::warn!(cause = %e, failures, retry_in_s = wait.as_secs(), "report not sent");
                }
                next_report = now + wait;
            }
        }
    }
}

/// Tells the fleet the reboot is happening, then reboots.
async fn reboot_now(agent: &Agent, link: &Link, token: &str) {
    let _ = send_queued(agent.store(), link, token).await;
    let command = &agent.config().fleet.reboot_command;
    let Some((program, args)) = command.split_first() else { return };
    tracing::warn!(program, "rebooting, as the fleet asked");
    match tokio::process::Command::new(program).args(args).status().await {
        Ok(s) if s.success() => {}
        Ok(s) => tracing::error!(status = %s, "the reboot command failed"),
        Err(e) => tracing::error!(cause = %e, "cannot run the reboot command"),
    }
}

/// Takes the attract message away once its time is over.
fn expire_message(agent: &Agent) {
    let now = crate::system::unix_now();
    if agent.remote().message_until().is_some_and(|u| u <= now) && !agent.remote().message(0).is_empty() {
        let _ = agent.remote().set_message(Default::default(), agent.store());
        let _ = agent.events().send(guichet_protocol::AgentMessage::AttractMessage { texts: Default::default() });
    }
}
