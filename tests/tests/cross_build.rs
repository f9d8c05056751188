//! The aarch64 cross build (`images/cross/build-aarch64.sh`, Debian's rustc-web with
//! gcc-aarch64-linux-gnu): `file` must see aarch64 GNU/Linux executables for the kiosk, the
//! agent and agentctl. The build itself is a separate CI step (as long as a release build);
//! skipped, saying so, when it has not run.

use std::path::Path;
use std::process::Command;

#[test]
fn the_cross_built_kiosk_and_agent_are_aarch64_executables() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = repo.join("target/aarch64/aarch64-unknown-linux-gnu/release");
    if !out.join("kiosk").exists() || !out.join("agent").exists() {
        eprintln!("skipped: no aarch64 build in {} (run images/cross/build-aarch64.sh first)", out.display());
        return;
    }
    let check = Command::new("bash")
        .arg(repo.join("images/cross/build-aarch64.sh"))
        .arg("--check")
        .output()
        .expect("run images/cross/build-aarch64.sh --check");
    let text = format!("{}{}", String::from_utf8_lossy(&check.stdout), String::from_utf8_lossy(&check.stderr));
    assert!(check.status.success(), "{text}");
    for name in ["kiosk", "agent", "agentctl"] {
        let line = text.lines().find(|l| l.starts_with(&format!("{name}: "))).unwrap_or_else(|| panic!("{text}"));
        assert!(line.contains("ARM aarch64") && line.contains("/lib/ld-linux-aarch64.so.1"), "{line}");
    }
}
