//! The device half of the lockdown: every keyboard is grabbed (EVIOCGRAB), so its keys
//! reach nobody directly, and what passes the filter (`lockdown::Filter`) is typed again
//! through one uinput virtual keyboard that the kiosk reads like any other. Keyboards
//! plugged in later are grabbed too (inotify on /dev/input). Touchscreens, mice and the
//! virtual keyboard itself are left alone.
//!
//! Each keyboard is read on a thread of its own: `fetch_events` blocks, and a keyboard is
//! not worth an async runtime's attention.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use evdev::uinput::VirtualDevice;
use evdev::{AttributeSet, Device, EventType, InputEvent, KeyCode};

use crate::lockdown::{Action, Filter, KeyEvent};

/// The virtual keyboard's name: how the agent knows not to grab its own output.
pub const VIRTUAL_NAME: &str = "Guichet filtered keyboard";
const UINPUT: &str = "/dev/uinput";
const INPUT_DIR: &str = "/dev/input";

#[derive(Debug, thiserror::Error)]
pub enum KeyboardError {
    #[error("{UINPUT} does not exist: this kernel has no uinput, so keyboards cannot be filtered")]
    NoUinput,
    #[error("cannot create the virtual keyboard: {0}")]
    Virtual(#[source] std::io::Error),
    #[error("cannot watch {INPUT_DIR} for new keyboards: {0}")]
    Watch(#[source] nix::Error),
}

/// Anything with keyboard keys: a keyboard, and also the separate "system control"
/// device of a USB keyboard (Power, Sleep) or a gadget with a trimmed key set that types a
/// payload. Not a touchscreen or a mouse (their buttons are not keyboard keys and they
/// carry BTN_TOUCH or BTN_LEFT), and not the agent's own virtual keyboard.
pub fn is_keyboard(device: &Device) -> bool {
    if device.name() == Some(VIRTUAL_NAME) {
        return false;
    }
    device.supported_keys().is_some_and(|keys| {
        let pointer = keys.contains(KeyCode::BTN_TOUCH) || keys.contains(KeyCode::BTN_LEFT);
        !pointer && keys.iter().any(|k| (1..=248).contains(&k.code()))
    })
}

/// The one output and the one filter every grabbed keyboard goes through, so that Ctrl
/// on one keyboard and Alt+Delete on another are still seen as one combination.
struct Output {
    device: VirtualDevice,
    filter: Filter,
}

/// Grabs every keyboard there is and every one plugged in later, until the process ends.
/// Returns once the virtual keyboard exists and the present keyboards are grabbed.
pub fn start() -> Result<(), KeyboardError> {
    if !Path::new(UINPUT).exists() {
        return Err(KeyboardError::NoUinput);
    }
    let mut keys = AttributeSet::<KeyCode>::new();
    // Every key a keyboard can have (KEY_ESC … KEY_MICMUTE), so nothing typed is lost.
    for code in 1..=248 {
        keys.insert(KeyCode::new(code));
    }
    let output = VirtualDevice::builder()
        .and_then(|b| b.name(VIRTUAL_NAME).with_keys(&keys))
        .and_then(|b| b.build())
        .map_err(KeyboardError::Virtual)?;
    let output = Arc::new(Mutex::new(Output { device: output, filter: Filter::new() }));
    let watcher = watch_input_dir()?;
    if let Ok(entries) = std::fs::read_dir(INPUT_DIR) {
        for entry in entries.flatten() {
            try_grab(&entry.path(), &output);
        }
    }
    std::thread::Builder::new()
        .name("keyboard-hotplug".into())
        .spawn(move || {
            loop {
                match watcher.read_events() {
                    Ok(events) => {
                        for event in events {
                            if let Some(name) = event.name {
                                try_grab(&Path::new(INPUT_DIR).join(name), &output);
                            }
                        }
                    }
                    Err(e) => {
                        tracing::error!(cause = %e, "stopped watching for new keyboards");
                        return;
                    }
                }
            }
        })
        .map_err(|e| KeyboardError::Virtual(std::io::Error::other(e)))?;
    Ok(())
}

fn watch_input_dir() -> Result<nix::sys::inotify::Inotify, KeyboardError> {
    use nix::sys::inotify::{AddWatchFlags, InitFlags, Inotify};
    let inotify = Inotify::init(InitFlags::IN_CLOEXEC).map_err(KeyboardError::Watch)?;
    // IN_ATTRIB too: udev creates the node, then sets its permissions.
    inotify.add_watch(INPUT_DIR, AddWatchFlags::IN_CREATE | AddWatchFlags::IN_ATTRIB).map_err(KeyboardError::Watch)?;
    Ok(inotify)
}

/// Currently grabbed device nodes, so an IN_ATTRIB after IN_CREATE does not grab twice.
static GRABBED: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn try_grab(path: &Path, output: &Arc<Mutex<Output>>) {
    let is_event = path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("event"));
    if !is_event || GRABBED.lock().unwrap_or_else(|p| p.into_inner()).iter().any(|p| p == path) {
        return;
    }
    let Ok(mut device) = Device::open(path) else { return };
    if !is_keyboard(&device) {
        return;
    }
    // A key held during the grab would stay pressed forever for whoever reads it.
    let deadline = Instant::now() + Duration::from_secs(5);
    while device.get_key_state().is_ok_and(|held| held.iter().next().is_some()) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    if let Err(e) = device.grab() {
        tracing::warn!(cause = %e, device = %path.display(), "cannot grab a keyboard");
        return;
    }
    tracing::info!(device = %path.display(), "keyboard grabbed and filtered");
    GRABBED.lock().unwrap_or_else(|p| p.into_inner()).push(path.to_owned());
    let output = Arc::clone(output);
    let path = path.to_owned();
    let _ = std::thread::Builder::new().name("keyboard".into()).spawn(move || {
        forward(&mut device, &output);
        tracing::info!(device = %path.display(), "keyboard gone");
        GRABBED.lock().unwrap_or_else(|p| p.into_inner()).retain(|p| *p != path);
    });
}

/// Reads one grabbed keyboard until it is unplugged, typing what passes the filter. Keys
/// it left pressed are released on the way out: unplugged mid-press, the kernel sends no
/// release, and a Shift held for ever would spoil everyone's typing after.
fn forward(device: &mut Device, output: &Mutex<Output>) {
    let mut held: Vec<u16> = Vec::new();
    while let Ok(events) = device.fetch_events() {
        let events: Vec<InputEvent> = events.filter(|e| e.event_type() == EventType::KEY).collect();
        let mut output = output.lock().unwrap_or_else(|p| p.into_inner());
        let passed: Vec<InputEvent> = events
            .into_iter()
            .filter(|e| {
                let action = match e.value() {
                    0 => Action::Up,
                    1 => Action::Down,
                    _ => Action::Repeat,
                };
                output.filter.pass(KeyEvent { code: e.code(), action })
            })
            .collect();
        for e in &passed {
            match e.value() {
                1 if !held.contains(&e.code()) => held.push(e.code()),
                0 => held.retain(|&c| c != e.code()),
                _ => {}
            }
        }
        if !passed.is_empty() {
            // `emit` adds the SYN_REPORT that closes the batch.
            if let Err(e) = output.device.emit(&passed) {
                tracing::warn!(cause = %e, "cannot type through the virtual keyboard");
            }
        }
    }
    let releases: Vec<InputEvent> = held.iter().map(|&code| InputEvent::new(EventType::KEY.0, code, 0)).collect();
    if !releases.is_empty() {
        let mut output = output.lock().unwrap_or_else(|p| p.into_inner());
        for &code in &held {
            output.filter.pass(KeyEvent { code, action: Action::Up });
        }
        let _ = output.device.emit(&releases);
    }
}
