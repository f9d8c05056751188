//! The systemd units and drop-ins (`systemd/`), checked by `scripts/check-units.sh` in a
//! throw-away root with the real binaries: `systemd-analyze verify` must say nothing at
//! all, and `systemd-analyze security` must score the kiosk at most 2.0 and the agent at
//! most 3.0.

use guichet_tests::bin;

#[test]
fn units_verify_silently_and_score_under_their_thresholds() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let bins = bin("agent").parent().unwrap().to_owned();
    let out = std::process::Command::new("bash")
        .arg(format!("{root}/scripts/check-units.sh"))
        .arg(&bins)
        .output()
        .expect("run scripts/check-units.sh");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{text}");
    assert!(text.contains("units: OK"), "{text}");
}
