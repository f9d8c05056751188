//! The device half of the lockdown: every device with keyboard keys is grabbed
//! (EVIOCGRAB), so its keys reach nobody directly, and what passes the filter
//! (`lockdown::Filter`) is typed again through one uinput virtual keyboard that the kiosk
//! reads like any other. A device that is a keyboard and a pointer at once (a "keyboard
//! and mouse" USB gadget on one interface, a touch panel with a home key) is grabbed
//! too, and its pointer or touch events go on through a uinput copy of its own. Devices
//! plugged in later are grabbed as they appear (inotify on /dev/input), first, before
//! anything else: a key held at plug-in types nothing until every key is up again.
//! Touchscreens and mice without keyboard keys, and the agent's own virtual devices, are
//! left alone.
//!
//! Each device is read on a thread of its own: `fetch_events` blocks, and a keyboard is
//! not worth an async runtime's attention.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use evdev::uinput::VirtualDevice;
use evdev::{AttributeSet, BusType, Device, EventType, InputEvent, InputId, KeyCode, UinputAbsSetup};

use crate::lockdown::{Action, Filter, KeyEvent};

/// The virtual keyboard's name. With the virtual bus, which no USB or Bluetooth device
/// can claim, it is how the agent knows its own devices and does not grab them.
pub const VIRTUAL_NAME: &str = "Guichet filtered keyboard";
/// The name of a grabbed device's pointer or touch copy.
pub const POINTER_NAME: &str = "Guichet pointer";
fn own_id() -> InputId {
    InputId::new(BusType::BUS_VIRTUAL, 0x6775, 0x6368, 1)
}
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

/// What a device is to the lockdown, by what it can send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Keyboard keys only: grabbed and filtered.
    Keyboard,
    /// Keyboard keys and a pointer or touch: grabbed, keys filtered, the rest copied.
    KeyboardAndPointer,
    /// No keyboard key (a touchscreen, a mouse), or one of the agent's own devices.
    Other,
}

/// Classifies a device by its key codes, whether it has relative or absolute axes, and
/// whether it is one of the agent's own (its name on the virtual bus). Anything with a
/// keyboard key counts (KEY_ESC … KEY_MICMUTE): a keyboard, the separate "system
/// control" device of a USB keyboard, a gadget with a trimmed key set that types a
/// payload, a combined keyboard and mouse.
pub fn classify(keys: &[u16], axes: bool, own: bool) -> Kind {
    if own || !keys.iter().any(|k| (1..=248).contains(k)) {
        return Kind::Other;
    }
    let pointer = axes || keys.iter().any(|&k| k == KeyCode::BTN_TOUCH.code() || k == KeyCode::BTN_LEFT.code());
    if pointer { Kind::KeyboardAndPointer } else { Kind::Keyboard }
}

fn kind_of(device: &Device) -> Kind {
    let keys: Vec<u16> = device.supported_keys().map(|k| k.iter().map(|c| c.code()).collect()).unwrap_or_default();
    let axes = device.supported_relative_axes().is_some_and(|a| a.iter().next().is_some())
        || device.supported_absolute_axes().is_some_and(|a| a.iter().next().is_some());
    let own = device.input_id().bus_type() == BusType::BUS_VIRTUAL
        && matches!(device.name(), Some(VIRTUAL_NAME | POINTER_NAME));
    classify(&keys, axes, own)
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
        .and_then(|b| b.name(VIRTUAL_NAME).input_id(own_id()).with_keys(&keys))
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
    let kind = kind_of(&device);
    if kind == Kind::Other {
        return;
    }
    // Grab first: waiting for keys to be released before it (as before) left a device
    // plugged in with a key held typing unfiltered for seconds.
    if let Err(e) = device.grab() {
        tracing::warn!(cause = %e, device = %path.display(), "cannot grab a keyboard");
        return;
    }
    let pointer = match kind {
        Kind::KeyboardAndPointer => match pointer_copy(&device) {
            Ok(copy) => Some(copy),
            Err(e) => {
                // Grabbed all the same: a pointer that does not move beats keys unfiltered.
                tracing::warn!(cause = %e, device = %path.display(), "cannot copy a keyboard's pointer");
                None
            }
        },
        _ => None,
    };
    // Keys down at the grab: nothing of this device passes until they are all up.
    let held: Vec<u16> = (device.get_key_state().map(|k| k.iter().map(|c| c.code()).collect::<Vec<_>>()))
        .unwrap_or_default()
        .into_iter()
        .filter(|k| (1..=248).contains(k))
        .collect();
    tracing::info!(device = %path.display(), ?kind, keys_held = held.len(), "keyboard grabbed and filtered");
    GRABBED.lock().unwrap_or_else(|p| p.into_inner()).push(path.to_owned());
    let output = Arc::clone(output);
    let path = path.to_owned();
    let _ = std::thread::Builder::new().name("keyboard".into()).spawn(move || {
        forward(&mut device, &output, pointer, held);
        tracing::info!(device = %path.display(), "keyboard gone");
        GRABBED.lock().unwrap_or_else(|p| p.into_inner()).retain(|p| *p != path);
    });
}

/// A uinput device with `device`'s pointer and touch abilities (buttons, axes,
/// properties) and none of its keyboard keys.
fn pointer_copy(device: &Device) -> std::io::Result<VirtualDevice> {
    let mut buttons = AttributeSet::<KeyCode>::new();
    for key in device.supported_keys().into_iter().flat_map(|k| k.iter()) {
        if key.code() >= 0x100 {
            buttons.insert(key);
        }
    }
    let mut builder =
        VirtualDevice::builder()?.name(POINTER_NAME).input_id(own_id()).with_properties(device.properties())?;
    if buttons.iter().next().is_some() {
        builder = builder.with_keys(&buttons)?;
    }
    if let Some(axes) = device.supported_relative_axes() {
        builder = builder.with_relative_axes(axes)?;
    }
    for (axis, info) in device.get_absinfo()? {
        builder = builder.with_absolute_axis(&UinputAbsSetup::new(axis, info))?;
    }
    builder.build()
}

/// Reads one grabbed device until it is unplugged, typing what passes the filter and
/// copying its pointer events to `pointer`. Keys it left pressed are released on the way
/// out: unplugged mid-press, the kernel sends no release, and a Shift held for ever would
/// spoil everyone's typing after. `draining`: keys down when it was grabbed; until they
/// are all up, nothing of it passes.
fn forward(device: &mut Device, output: &Mutex<Output>, mut pointer: Option<VirtualDevice>, mut draining: Vec<u16>) {
    let mut held: Vec<u16> = Vec::new();
    let mut frame: Vec<InputEvent> = Vec::new();
    while let Ok(events) = device.fetch_events() {
        let events: Vec<InputEvent> = events.collect();
        let is_key = |e: &InputEvent| e.event_type() == EventType::KEY && (1..=248).contains(&e.code());
        let keys: Vec<InputEvent> = events.iter().copied().filter(is_key).collect();
        if let Some(pointer) = pointer.as_mut() {
            for e in events.iter().filter(|e| !is_key(e)) {
                if e.event_type() == EventType::SYNCHRONIZATION {
                    // `emit` closes each frame with its own SYN_REPORT.
                    if !frame.is_empty() {
                        let _ = pointer.emit(&frame);
                        frame.clear();
                    }
                } else {
                    frame.push(*e);
                }
            }
        }
        let keys: Vec<InputEvent> = if draining.is_empty() {
            keys
        } else {
            for e in &keys {
                if e.value() == 0 {
                    draining.retain(|&c| c != e.code());
                }
            }
            Vec::new()
        };
        let mut output = output.lock().unwrap_or_else(|p| p.into_inner());
        let passed: Vec<InputEvent> = keys
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

#[cfg(test)]
mod tests {
    use super::*;

    const A: u16 = 30;

    #[test]
    fn anything_with_keyboard_keys_is_grabbed() {
        let left = KeyCode::BTN_LEFT.code();
        let touch = KeyCode::BTN_TOUCH.code();
        assert_eq!(classify(&[A, 28, 57], false, false), Kind::Keyboard);
        // The "system control" half of a USB keyboard: Power and Sleep only.
        assert_eq!(classify(&[116, 142], false, false), Kind::Keyboard);
        // A keyboard and mouse on one interface (a USB gadget): grabbed, no longer passed by.
        assert_eq!(classify(&[A, 28, left], true, false), Kind::KeyboardAndPointer);
        // A touch panel with a home key (KEY_LEFTMETA).
        assert_eq!(classify(&[125, touch], true, false), Kind::KeyboardAndPointer);
        // A plain touchscreen or mouse: left to the kiosk.
        assert_eq!(classify(&[touch], true, false), Kind::Other);
        assert_eq!(classify(&[left, KeyCode::BTN_RIGHT.code()], true, false), Kind::Other);
        // The agent's own devices (virtual bus and its names) are never grabbed.
        assert_eq!(classify(&[A], false, true), Kind::Other);
    }
}
