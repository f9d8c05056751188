//! The request handler's property, shared by the `request` fuzz target and the seeds'
//! regression test (`tests/tests/fuzz_seeds.rs`): any byte stream from a greeted client goes
//! through the agent's real connection code (`server::serve`) with simulated devices. The
//! agent must answer without a panic or a hang, and once the connection is gone no session
//! may stay open: whatever the bytes did, the visit was wiped.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use guichet_agent::session::Agent;
use guichet_agent::store::Store;
use guichet_agent::{Config, Devices, server};
use guichet_protocol::{AgentMessage, ClientMessage, PROTOCOL_VERSION, SessionState, encode_frame};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

struct Fixture {
    runtime: tokio::runtime::Runtime,
    agent: Arc<Agent>,
    _dir: tempfile::TempDir,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let config = Config {
            runtime_dir: dir.path().join("run"),
            state_dir: dir.path().join("state"),
            kiosk_user: None,
            socket_group: None,
            allow_root: true,
            allowed_uids: vec![own_uid()],
            ..Config::default()
        };
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let agent = Agent::new(config, Devices::simulated(), Store::open_in_memory().unwrap());
        runtime.block_on(agent.wipe_leftovers()).unwrap();
        Fixture { runtime, agent, _dir: dir }
    })
}

fn own_uid() -> u32 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").map(|m| m.uid()).unwrap()
}

pub fn request(data: &[u8]) {
    let f = fixture();
    f.runtime.block_on(async {
        let (client, server_end) = tokio::net::UnixStream::pair().unwrap();
        let agent = Arc::clone(&f.agent);
        let served = tokio::spawn(async move {
            server::serve(server_end, 1, &agent).await;
            agent.client_gone(1).await;
        });
        let (mut rx, mut tx) = client.into_split();
        let hello = encode_frame(&ClientMessage::Hello { protocol: PROTOCOL_VERSION, client: "fuzz".into() }).unwrap();
        let data = data.to_vec();
        let writer = async move {
            let _ = tx.write_all(&hello).await;
            let _ = tx.write_all(&data).await;
            let _ = tx.shutdown().await;
        };
        // Replies are read while writing, so a full socket never blocks both sides.
        let reader = async move {
            let mut replies = Vec::new();
            let _ = rx.read_to_end(&mut replies).await;
        };
        let both = async { tokio::join!(writer, reader) };
        tokio::time::timeout(Duration::from_secs(20), both).await.expect("the agent hung on this input");
        tokio::time::timeout(Duration::from_secs(20), served).await.expect("the connection never ended").unwrap();
        let status = f.agent.handle(2, ClientMessage::GetStatus { id: 1 }).await;
        let AgentMessage::Status { status, .. } = status else { panic!("no status: {status:?}") };
        assert_eq!(status.state, SessionState::Idle, "a session outlived its connection");
    });
}
