//! A hostile kiosk, for real: the agent binary runs as root with `kiosk_user` set to an
//! unprivileged user made for the test, its visits on a tmpfs bounded like the image's,
//! and `hostile-kiosk` runs as that user and tries every attack it knows (links, FIFOs,
//! hard links, swaps during a print, paths out of the folder, a tree deeper than PATH_MAX
//! with entries added during the wipe, a visit filled to its bound). Each must be refused
//! with a clear code or done harmlessly inside the visit; afterwards nothing outside the
//! visit was written, handed over or read (contents, owners and modes compared, the
//! printer's spool searched), and the agent still serves another client.

use std::collections::BTreeMap;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use guichet_protocol::client::Client;
use guichet_protocol::{AgentMessage, ClientMessage, SessionState};
use guichet_tests::{AgentProcess, BOUND, TestPrinter, bin, files_under, sane_test_backend};

const USER: &str = "guichet-hostile";
const SECRET: &[u8] = b"ROOT-SECRET-CANARY: only root may read this";

/// A tmpfs on `at` for the test's visits, bounded as the image's but smaller; unmounted
/// when dropped.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(at: &Path, options: &str) -> Tmpfs {
        std::fs::create_dir_all(at).unwrap();
        let ok = Command::new("mount").args(["-t", "tmpfs", "-o", options, "tmpfs"]).arg(at).status().unwrap();
        assert!(ok.success(), "cannot mount a tmpfs for the visits");
        Tmpfs(at.to_owned())
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// What a file is: its bytes, owner, group and mode; `None` when it does not exist.
fn state_of(path: &Path) -> Option<(Vec<u8>, u32, u32, u32)> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    Some((std::fs::read(path).unwrap_or_default(), meta.uid(), meta.gid(), meta.mode()))
}

#[test]
fn a_hostile_kiosk_cannot_reach_outside_its_visit() {
    if !nix::unistd::Uid::effective().is_root() {
        panic!("this test runs the agent as root and the kiosk as another user: run it as root (CI does)");
    }
    let (uid, gid) = guichet_tests::system_user(USER);
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path();
    std::fs::set_permissions(t, std::fs::Permissions::from_mode(0o711)).unwrap();
    // Root's files outside the visit, to aim at.
    let outside = t.join("outside");
    std::fs::create_dir(&outside).unwrap();
    std::fs::set_permissions(&outside, std::fs::Permissions::from_mode(0o700)).unwrap();
    let secret = outside.join("secret.pdf");
    std::fs::write(&secret, SECRET).unwrap();
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o600)).unwrap();
    let visits = t.join("visits");
    let _tmpfs = Tmpfs::mount(&visits, "size=24m,nr_inodes=20000,mode=0711");
    let sane = t.join("sane");
    std::fs::create_dir(&sane).unwrap();
    sane_test_backend(&sane, "Default", "");
    let printer = TestPrinter::start();
    let config = t.join("agent.toml");
    std::fs::write(
        &config,
        format!(
            "runtime_dir = {run:?}\nsessions_dir = {visits:?}\nstate_dir = {state:?}\n\
             kiosk_user = {USER:?}\nsocket_group = {USER:?}\nallow_root = true\n\
             [devices]\nprinter = {printer:?}\nscanner = \"test:0\"\nsane_config_dir = {sane:?}\nscan_timeout_s = 5\n\
             [lockdown]\nterminals = false\nkeyboards = false\n[health]\nsites = []\n",
            run = t.join("run"),
            state = t.join("state"),
            printer = printer.uri(),
        ),
    )
    .unwrap();
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o600)).unwrap();
    let agent = AgentProcess::start(&config, &[]);
    agent.wait_log("ready");
    let store = t.join("state/agent.db");
    let key = t.join("state/agent.key");
    let targets = [secret.clone(), store.clone(), key.clone(), config.clone()];
    let before: Vec<_> = targets.iter().map(|p| state_of(p)).collect();
    assert!(before.iter().all(Option::is_some), "the targets exist");

    // The attacker runs from a copy it can execute, as the kiosk's user.
    let attacker = t.join("hostile-kiosk");
    std::fs::copy(bin("hostile-kiosk"), &attacker).unwrap();
    std::fs::set_permissions(&attacker, std::fs::Permissions::from_mode(0o755)).unwrap();
    let socket = t.join("run/agent.sock");
    let child = {
        use std::os::unix::process::CommandExt;
        Command::new(&attacker).arg(&socket).args(&targets).uid(uid).gid(gid).stdout(Stdio::piped()).spawn().unwrap()
    };
    let output = wait_bounded(child, BOUND * 30);
    assert!(output.status.success(), "the attacker itself failed: {}", String::from_utf8_lossy(&output.stderr));
    let mut seen: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let text = |k: &str| v[k].as_str().unwrap_or_default().to_owned();
        seen.entry(text("attack")).or_default().push((text("fs"), text("reply")));
    }
    let all = |attack: &str| seen.get(attack).unwrap_or_else(|| panic!("{attack} was not tried: {seen:?}")).clone();
    let replies = |attack: &str| all(attack).into_iter().map(|(_, r)| r).collect::<Vec<_>>();
    let one = |attack: &str| all(attack)[0].clone();

    assert_eq!(one("scan").1, "scanned");
    assert!(replies("print_link").iter().all(|r| r == "error:bad_document"), "{seen:?}");
    assert!(replies("print_through_linked_folder").iter().all(|r| r == "error:bad_document"), "{seen:?}");
    // The photocopy is made in memory: a link where it once was written is never touched.
    assert_eq!(one("print_scans_with_link").1, "print_queued");
    assert_eq!(one("plant_in_scans"), ("refused:PermissionDenied".into(), "scanned".into()));
    assert_eq!(one("replace_scans").0, "refused:PermissionDenied");
    assert_eq!(one("write_top").0, "refused:PermissionDenied");
    assert_eq!(one("print_fifo"), ("done".into(), "error:bad_document".into()), "a FIFO never hangs a request");
    assert_eq!(one("print_hard_link").1, "error:bad_document");
    assert!(replies("print_outside").iter().all(|r| r == "error:bad_document"), "{seen:?}");
    let race: BTreeMap<String, u32> = serde_json::from_str(&one("swap_race").1).unwrap();
    assert!(race.keys().all(|k| k == "print_queued" || k == "error:bad_document"), "{race:?}");
    assert_eq!(race.values().sum::<u32>(), 200);
    assert_eq!(one("deep_tree").0, "done", "the attacker could build its tree");
    assert_eq!(one("end_with_deep_tree").1, "wiped:verified=true", "any tree the kiosk builds is wiped");
    assert_eq!(one("next_visit").1, "session_started", "the next person can start");
    let fill = one("fill");
    assert!(fill.0 == "refused:StorageFull" || fill.0 == "refused:QuotaExceeded", "the bound holds: {fill:?}");
    assert_eq!(fill.1, "error:session_full", "the person is told, and the visit goes on");
    assert_eq!(one("end_full").1, "wiped:verified=true");

    // Nothing outside the visit moved.
    for (target, was) in targets.iter().zip(&before) {
        let now = state_of(target);
        assert_eq!(
            now.as_ref().map(|s| (s.1, s.2, s.3)),
            was.as_ref().map(|s| (s.1, s.2, s.3)),
            "{target:?} changed hands"
        );
        if target != &store {
            assert_eq!(now.as_ref().map(|s| &s.0), was.as_ref().map(|s| &s.0), "{target:?} was written");
        }
    }
    assert_eq!(state_of(&store).unwrap().1, 0, "the store is still root's");
    let handed: Vec<PathBuf> = files_under(t)
        .into_iter()
        .filter(|f| !f.starts_with(&visits) && std::fs::symlink_metadata(f).is_ok_and(|m| m.uid() == uid))
        .filter(|f| f != &attacker)
        .collect();
    assert!(handed.is_empty(), "files outside the visit now belong to the kiosk's user: {handed:?}");
    // Nothing of root's reached the printer.
    let spooled = printer.spooled();
    for file in &spooled {
        let bytes = std::fs::read(file).unwrap();
        assert!(!bytes.windows(SECRET.len()).any(|w| w == SECRET), "root's secret was printed: {file:?}");
        assert!(!bytes.starts_with(b"SQLite format 3"), "the agent's store was printed");
    }
    assert!(!spooled.is_empty(), "the honest prints did reach the printer");
    // The visits' folder is empty again, and the agent serves another client.
    assert_eq!(std::fs::read_dir(&visits).unwrap().count(), 0, "something of a visit is left");
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let mut client = Client::connect(&socket, "test").await.unwrap();
        let reply = tokio::time::timeout(BOUND, client.request(&ClientMessage::GetStatus { id: 1 }, |_| {}))
            .await
            .expect("the agent no longer answers")
            .unwrap();
        let AgentMessage::Status { status, .. } = reply else { panic!("{reply:?}") };
        assert_eq!(status.state, SessionState::Idle);
    });
}

/// Waits for `child` at most `bound`, then kills it and fails.
fn wait_bounded(mut child: std::process::Child, bound: std::time::Duration) -> std::process::Output {
    let (tx, rx) = std::sync::mpsc::channel();
    let pid = child.id();
    let stdout = child.stdout.take();
    std::thread::spawn(move || {
        let mut out = Vec::new();
        if let Some(mut s) = stdout {
            let _ = std::io::Read::read_to_end(&mut s, &mut out);
        }
        let status = child.wait();
        let _ = tx.send((status, out));
    });
    match rx.recv_timeout(bound) {
        Ok((status, stdout)) => std::process::Output { status: status.unwrap(), stdout, stderr: Vec::new() },
        Err(_) => {
            let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
            panic!("the attacker hung for {bound:?}: a request never answered");
        }
    }
}
