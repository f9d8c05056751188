//! The device half of the lockdown, run where the machine allows it:
//!
//! - terminal switching, through the real agent binary: a switch is refused while it
//!   runs, and works again once it stopped cleanly (this machine has /dev/tty0);
//! - keyboards through uinput: a keyboard is grabbed and only what the filter passes comes
//!   out of the agent's virtual keyboard. Skipped, saying so, where /dev/uinput does not
//!   exist (these CI machines have none).

use std::path::Path;
use std::time::{Duration, Instant};

use guichet_agent::devices::vt;
use guichet_tests::{AgentProcess, BOUND};

fn wait_active(n: u16) -> Duration {
    let start = Instant::now();
    while vt::active().unwrap() != n {
        assert!(start.elapsed() < BOUND, "terminal {n} never became active");
        std::thread::sleep(Duration::from_millis(2));
    }
    start.elapsed()
}

#[test]
fn terminal_switching_is_locked_while_the_agent_runs_and_released_on_a_clean_stop() {
    let Ok(original) = vt::active() else {
        eprintln!("skipped: no /dev/tty0 here, so there are no terminals to switch");
        return;
    };
    let other = if original == 2 { 3 } else { 2 };
    // Unlocked, a switch happens, and this is how long it takes to be seen.
    vt::activate(other).unwrap();
    let switch_takes = wait_active(other);
    vt::activate(original).unwrap();
    wait_active(original);

    // Whatever happens below, the machine's terminals are left unlocked (a killed agent
    // would leave them locked): locking and dropping unlocks.
    struct Unlock;
    impl Drop for Unlock {
        fn drop(&mut self) {
            drop(vt::VtLock::lock());
        }
    }
    let _unlock = Unlock;
    let dir = tempfile::tempdir().unwrap();
    let mut agent = AgentProcess::spawn_with(dir.path(), "[lockdown]\nterminals = true\nkeyboards = false\n");
    agent.wait_log("terminal switching locked");
    vt::activate(other).unwrap();
    // A refused switch leaves nothing to wait for: watch for far longer than a switch
    // takes (at least 300 ms) that it does not happen.
    let watch = (switch_takes * 50).max(Duration::from_millis(300));
    let start = Instant::now();
    while start.elapsed() < watch {
        assert_eq!(vt::active().unwrap(), original, "switched to terminal {other} while locked");
        std::thread::sleep(Duration::from_millis(5));
    }

    // A clean stop (SIGTERM, as systemd stops it) unlocks.
    let pid = agent.child.id().to_string();
    std::process::Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    agent.wait_log("terminal switching unlocked");
    let _ = agent.child.wait();
    vt::activate(other).unwrap();
    wait_active(other);
    vt::activate(original).unwrap();
    wait_active(original);
}

#[test]
fn a_keyboard_is_grabbed_and_only_what_the_filter_passes_comes_out() {
    if !Path::new("/dev/uinput").exists() {
        eprintln!("skipped: /dev/uinput does not exist on this machine, so no keyboard can be made or grabbed");
        return;
    }
    use evdev::uinput::VirtualDevice;
    use evdev::{AttributeSet, EventType, InputEvent, KeyCode};
    let mut keys = AttributeSet::<KeyCode>::new();
    for code in 1..=120 {
        keys.insert(KeyCode::new(code));
    }
    // A "physical" keyboard, made through uinput too.
    let mut keyboard =
        VirtualDevice::builder().unwrap().name("Test USB keyboard").with_keys(&keys).unwrap().build().unwrap();
    guichet_agent::devices::keyboards::start().expect("the lockdown starts");
    let filtered = evdev::enumerate()
        .map(|(_, d)| d)
        .find(|d| d.name() == Some(guichet_agent::devices::keyboards::VIRTUAL_NAME))
        .expect("the agent's virtual keyboard exists");
    let mut filtered = filtered;
    let press = |code: KeyCode, value| InputEvent::new(EventType::KEY.0, code.code(), value);
    // Ctrl+Alt+F2 (a terminal switch), then "a".
    keyboard
        .emit(&[
            press(KeyCode::KEY_LEFTCTRL, 1),
            press(KeyCode::KEY_LEFTALT, 1),
            press(KeyCode::KEY_F2, 1),
            press(KeyCode::KEY_F2, 0),
            press(KeyCode::KEY_LEFTALT, 0),
            press(KeyCode::KEY_LEFTCTRL, 0),
            press(KeyCode::KEY_A, 1),
            press(KeyCode::KEY_A, 0),
        ])
        .unwrap();
    // Read on a thread, so that a bug shows as a failure within the bound, not a hang.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        while let Ok(events) = filtered.fetch_events() {
            for e in events.filter(|e| e.event_type() == EventType::KEY) {
                if tx.send((e.code(), e.value())).is_err() {
                    return;
                }
            }
        }
    });
    let mut seen = Vec::new();
    while !seen.contains(&(KeyCode::KEY_A.code(), 0)) {
        seen.push(rx.recv_timeout(BOUND).unwrap_or_else(|_| panic!("the typed 'a' never came out: {seen:?}")));
    }
    assert!(!seen.iter().any(|(c, _)| *c == KeyCode::KEY_F2.code()), "F2 came through: {seen:?}");
    assert!(seen.contains(&(KeyCode::KEY_LEFTCTRL.code(), 1)) && seen.contains(&(KeyCode::KEY_A.code(), 1)));
}
