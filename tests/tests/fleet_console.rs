//! The fleet console in headless Chromium, driven by Playwright (`fleet/tests/browser/`):
//! sign-in, the overview's tiles, alerts, a kiosk's page and its commands, enrolment,
//! rollout, statistics and CSV, users and what a viewer may not do, /metrics. The script
//! starts the freshly built `fleet` itself and feeds it kiosks through the real API; the
//! screenshots go to `target/console-screenshots/` to be looked at.

use std::path::Path;
use std::process::Command;

use guichet_tests::bin;

#[test]
fn the_console_works_in_a_real_browser() {
    let browser = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fleet/tests/browser");
    assert!(
        browser.join("node_modules/playwright-core").is_dir(),
        "run `npm ci` in {} first (scripts/test.sh does)",
        browser.display()
    );
    let out = bin("fleet").parent().unwrap().parent().unwrap().join("console-screenshots");
    let run = Command::new("node")
        .arg(browser.join("console.mjs"))
        .arg("--fleet")
        .arg(bin("fleet"))
        .arg("--out")
        .arg(&out)
        .output()
        .expect("node (apt-get install nodejs)");
    let text = format!("{}{}", String::from_utf8_lossy(&run.stdout), String::from_utf8_lossy(&run.stderr));
    assert!(run.status.success(), "{text}");
    assert!(text.contains(" passed, 0 failed"), "{text}");
    assert!(out.join("02-bornes.png").is_file() && out.join("07-statistiques.png").is_file());
}
