//! The image recipe, proven by booting it: `images/test/boot-test.sh` builds the amd64
//! twin of the kiosk image (debootstrap of bookworm, the same overlay and units as the
//! Raspberry Pi image, these binaries) and boots it in QEMU in software emulation. Inside,
//! a oneshot check reports on the serial console; outside, the QEMU monitor's screendump of
//! what the kiosk drew through DRM/KMS is compared with the kiosk's headless rendering.
//!
//! This test asserts every check the image reports: the agent and the kiosk running with
//! no restart (right after the kiosk is up, and again at the end), the kiosk's logind
//! session on seat0, a read-only root with its tmpfs and persistent mounts, the persistent
//! partition laid out and seeded at first boot, no failed unit, terminals locked and
//! keyboards grabbed, the attract screen shown and matching its headless rendering, a tap
//! (QEMU's tablet, read by libinput) opening a visit whose first screen is spoken through
//! speech-dispatcher to the sound card, a session opened through the protocol and wiped,
//! and nothing of it written to the disk.
//!
//! It needs root (debootstrap, chroot, file owners) and Debian's `debootstrap` and
//! `qemu-system-x86`; the debootstrap packages and the base root are cached in
//! /var/cache/guichet-images (70 to 120 s with a warm cache, about 7 minutes with an empty one).
//! Skipped, saying so, when not root or with GUICHET_SKIP_IMAGE_BOOT=1.
//!
//! Also: the Raspberry Pi layer installs the same packages as the twin.

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use guichet_tests::bin;

/// The whole script: an empty cache downloads and installs the base (about 7 minutes here);
/// the boot itself is bounded inside the script (BOOT_TIMEOUT).
const WHOLE_TEST: Duration = Duration::from_secs(40 * 60);

/// What the guest must report as `BOOTCHECK <name>=ok`, in this order (failed units are
/// looked at once the kiosk is up, and again after the visit).
const CHECKS: [&str; 15] = [
    "services",
    "seat",
    "mounts",
    "persistent",
    "failed-units",
    "lockdown",
    "attract",
    "host-go",
    "touch",
    "speech-dispatcher",
    "speech",
    "session-wiped",
    "card-untouched",
    "services-final",
    "failed-units",
];

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

#[test]
fn the_amd64_twin_boots_to_the_attract_screen_read_only_and_wipes_a_session() {
    if std::env::var_os("GUICHET_SKIP_IMAGE_BOOT").is_some() {
        eprintln!("skipped: GUICHET_SKIP_IMAGE_BOOT is set");
        return;
    }
    if !is_root() {
        eprintln!("skipped: building the image needs root (debootstrap, chroot); run as root, as CI does");
        return;
    }
    for tool in ["debootstrap", "qemu-system-x86_64", "mkfs.ext4", "python3"] {
        let found = Command::new("sh").args(["-c", &format!("command -v {tool}")]).output();
        assert!(
            found.is_ok_and(|o| o.status.success()),
            "{tool} is missing: apt-get install debootstrap qemu-system-x86 e2fsprogs python3"
        );
    }

    // The binaries are copied first: the script reads them for minutes.
    let bins = tempfile::tempdir().expect("temp dir");
    for name in ["agent", "kiosk", "agentctl"] {
        std::fs::copy(bin(name), bins.path().join(name)).expect("copy a binary");
    }
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");

    use std::os::unix::process::CommandExt;
    let child = Command::new("bash")
        .arg(repo.join("images/test/boot-test.sh"))
        .arg(bins.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .expect("run images/test/boot-test.sh");
    let pid = child.id();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let output = match rx.recv_timeout(WHOLE_TEST) {
        Ok(output) => output.expect("wait for boot-test.sh"),
        Err(_) => {
            // The script and its QEMU are in their own process group.
            let _ = Command::new("kill").args(["-TERM", "--", &format!("-{pid}")]).status();
            panic!("images/test/boot-test.sh did not finish within {WHOLE_TEST:?}");
        }
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let text = format!("{stdout}\n--- stderr ---\n{stderr}");
    println!("{stdout}");

    // Its serial log, screendump and renderings stay in the folder it names (out=...).
    let mut from = 0;
    for check in CHECKS {
        let line = format!("BOOTCHECK {check}=ok");
        let at = text[from..].find(&line).unwrap_or_else(|| panic!("no {line} after the checks before it:\n{text}"));
        from += at + line.len();
    }
    let failed: Vec<&str> = text.lines().filter(|l| l.contains("BOOTCHECK ") && l.contains("=fail")).collect();
    assert!(failed.is_empty(), "checks failed: {failed:#?}\n{text}");
    assert!(text.contains("BOOTCHECK done failed=0"), "{text}");
    let compare =
        (text.lines().find(|l| l.contains("COMPARE "))).unwrap_or_else(|| panic!("no picture comparison:\n{text}"));
    assert!(compare.contains("COMPARE ok"), "the screendump is not the attract screen's rendering: {compare}\n{text}");
    // The guest's "speech" check (required above) saw the card play; QEMU's recording of
    // it is required only where boot-test.sh was asked to (GUICHET_REQUIRE_RECORDING=1),
    // since slow hosts record silence: images/README.md.
    let recording = (text.lines().find(|l| l.contains("SPEECH "))).unwrap_or_else(|| panic!("no recording:\n{text}"));
    if !recording.contains("SPEECH ok") {
        eprintln!("QEMU's recording of the sound card holds no speech on this host: {recording}");
    }
    let verdict = (text.lines().find(|l| l.starts_with("BOOT-TEST ")))
        .unwrap_or_else(|| panic!("boot-test.sh gave no verdict:\n{text}"));
    assert!(verdict.starts_with("BOOT-TEST ok"), "{verdict}\n{text}");
    assert!(output.status.success(), "boot-test.sh failed:\n{text}");
    // The screendump, kept as PNG for whoever looks: it exists and is a picture.
    let out = verdict.split_whitespace().find_map(|w| w.strip_prefix("out=")).expect("out= in the verdict");
    let png = Path::new(out).join("boot-1/screendump.png");
    let head = std::fs::read(&png).unwrap_or_else(|e| panic!("{}: {e}", png.display()));
    assert!(head.starts_with(b"\x89PNG\r\n\x1a\n"), "{} is not a PNG", png.display());
}

/// The Raspberry Pi image installs what the twin installs: its rpi-image-gen layer lists
/// images/packages.txt name for name (`images/rpi/check-layer.sh`, no root needed).
#[test]
fn the_raspberry_pi_layer_installs_exactly_images_packages_txt() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = Command::new("bash").arg(repo.join("images/rpi/check-layer.sh")).output().expect("run check-layer.sh");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{text}");
    assert!(text.contains("packages: layer/guichet.yaml = images/packages.txt"), "{text}");
}
