//! Nothing of a visit's print jobs outlives the visit at a CUPS queue: the real `cupsd`,
//! with the image's own `cupsd.conf`, in front of `ippeveprinter`. A document with a
//! canary in it is printed (completed) and another is cut off mid-print by the end of the
//! visit; after the wipe, CUPS knows no job of it and no file of its spool, cache, state
//! or logs holds the canary.

use std::path::PathBuf;

use guichet_protocol::client::Client;
use guichet_protocol::{AgentMessage, ClientMessage, EndReason, JobState};
use guichet_tests::cups::{TestCups, holding};
use guichet_tests::{BOUND, TestAgent};

async fn ask(client: &mut Client, msg: ClientMessage) -> AgentMessage {
    tokio::time::timeout(BOUND, client.request(&msg, |_| {})).await.expect("no reply").unwrap()
}

/// A one-page PDF with `canary` in its page's (uncompressed) content, where anyone who
/// keeps the file would find it.
fn pdf_with(canary: &str) -> Vec<u8> {
    let pdf = guichet_tests::pdf_drawing(1, format!("0 0 m 100 100 l S % {canary}").as_bytes());
    assert!(pdf.windows(canary.len()).any(|w| w == canary.as_bytes()), "the canary is in the PDF");
    pdf
}

#[test]
fn a_wiped_visit_leaves_nothing_in_the_cups_spool_or_history() {
    let cups = TestCups::start();
    let uri = cups.uri();
    let agent = TestAgent::start(move |c| c.devices.printer = uri);
    let canary = format!("CANARY-CUPS-{}", std::process::id());
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let mut k = Client::connect(&agent.socket(), "test").await.unwrap();
        let AgentMessage::SessionStarted { folder, .. } = ask(&mut k, ClientMessage::StartSession { id: 1 }).await
        else {
            panic!("no visit")
        };
        let folder = PathBuf::from(folder);
        std::fs::write(folder.join("prints/attestation.pdf"), pdf_with(&canary)).unwrap();
        let print = || ClientMessage::Print { id: 2, file: "prints/attestation.pdf".into(), copies: 1 };
        let reply = ask(&mut k, print()).await;
        let AgentMessage::PrintQueued { job, .. } = reply else { panic!("not queued: {reply:?}") };
        // Printed to the end: CUPS handed it to the printer.
        loop {
            let msg = tokio::time::timeout(BOUND * 3, k.recv()).await.expect("the job never finished").unwrap();
            if let AgentMessage::PrintJob { job: j, state, .. } = msg
                && j == job
                && state.finished()
            {
                assert_eq!(state, JobState::Completed);
                break;
            }
        }
        // The next one is still at CUPS (the printer is slow) when the visit ends.
        std::fs::write(&cups.printer.slow_flag, b"").unwrap();
        let reply = ask(&mut k, print()).await;
        let AgentMessage::PrintQueued { .. } = reply else { panic!("not queued: {reply:?}") };
        assert!(!cups.jobs().is_empty(), "CUPS knows the visit's jobs before the wipe");
        let ended = ask(&mut k, ClientMessage::EndSession { id: 3, reason: EndReason::Completed }).await;
        assert!(matches!(ended, AgentMessage::SessionWiped { .. } | AgentMessage::Ack { .. }), "{ended:?}");
    });
    assert_eq!(cups.jobs(), Vec::<String>::new(), "CUPS still lists jobs of the wiped visit");
    assert_eq!(cups.job_files(), Vec::<String>::new(), "job files or records left in the spool");
    let files = cups.files();
    assert!(files.len() > 3, "the search looked at CUPS's files: {files:?}");
    let found = holding(&files, canary.as_bytes());
    assert!(found.is_empty(), "the canary outlived the visit in {found:?}");
}
