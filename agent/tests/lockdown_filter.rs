//! The keyboard filter on event scripts: every escape combination is dropped (its press,
//! repeats and release, even when the modifiers are let go first), the modifiers still
//! pass so nothing stays half-held, and ordinary typing, AltGr accents included, passes
//! whole.

use guichet_agent::lockdown::run_script;

/// Modifiers held (in order), then the key: each a way out of a kiosk.
const ESCAPES: &[(&[&str], &str)] = &[
    // Virtual terminal switches, on both Ctrl+Alt and Alt alone.
    (&["leftctrl", "leftalt"], "f1"),
    (&["leftctrl", "leftalt"], "f2"),
    (&["leftctrl", "leftalt"], "f3"),
    (&["leftctrl", "leftalt"], "f4"),
    (&["leftctrl", "leftalt"], "f5"),
    (&["leftctrl", "leftalt"], "f6"),
    (&["leftctrl", "leftalt"], "f7"),
    (&["leftctrl", "leftalt"], "f8"),
    (&["leftctrl", "leftalt"], "f9"),
    (&["leftctrl", "leftalt"], "f10"),
    (&["leftctrl", "leftalt"], "f11"),
    (&["leftctrl", "leftalt"], "f12"),
    (&["rightctrl", "leftalt"], "f2"),
    (&["leftalt"], "f1"),
    (&["leftalt"], "f2"),
    (&["leftalt"], "f4"),
    (&["leftalt"], "f7"),
    (&["leftalt"], "f13"),
    // Right Alt is Alt under a keymap other than AZERTY's, and AltGr+Fn switches terminals
    // on some: every combination above holds with it too.
    (&["rightalt"], "f1"),
    (&["rightalt"], "f4"),
    (&["leftctrl", "rightalt"], "f2"),
    (&["leftctrl", "rightalt"], "backspace"),
    (&["leftctrl", "rightalt"], "delete"),
    (&["rightctrl", "rightalt"], "backspace"),
    (&["rightalt"], "tab"),
    (&["rightalt"], "esc"),
    // The Linux console's previous and next terminal; a browser's back and forward.
    (&["leftalt"], "left"),
    (&["leftalt"], "right"),
    (&["rightalt"], "left"),
    (&["rightalt"], "right"),
    // Reboot, kill the display server, terminals, task managers.
    (&["leftctrl", "leftalt"], "delete"),
    (&["rightctrl", "leftalt"], "delete"),
    (&["leftctrl", "leftalt"], "backspace"),
    (&["leftctrl", "leftalt"], "t"),
    (&["leftctrl", "leftalt"], "esc"),
    (&["leftctrl", "leftshift"], "esc"),
    (&["leftctrl"], "esc"),
    // SysRq and Print, alone or with Alt (magic SysRq).
    (&[], "sysrq"),
    (&["leftalt"], "sysrq"),
    (&["leftalt", "leftctrl"], "sysrq"),
    (&[], "print"),
    // Window switching and menus.
    (&["leftalt"], "tab"),
    (&["leftalt", "leftshift"], "tab"),
    (&["leftctrl", "leftalt"], "tab"),
    (&["leftalt"], "esc"),
    (&["leftalt"], "space"),
    // Workspaces.
    (&["leftctrl", "leftalt"], "left"),
    (&["leftctrl", "leftalt"], "right"),
    (&["leftctrl", "leftalt"], "up"),
    (&["leftctrl", "leftalt"], "down"),
    // The Super keys, alone or in any combination.
    (&[], "leftmeta"),
    (&[], "rightmeta"),
    (&["leftctrl"], "leftmeta"),
    // Closing, reopening, full screen, developer tools.
    (&["leftctrl"], "q"),
    (&["leftctrl"], "w"),
    (&["leftctrl", "leftshift"], "t"),
    (&[], "f11"),
    (&[], "f12"),
    (&["leftctrl", "leftshift"], "f12"),
    (&["leftctrl"], "f5"),
    // Power and sleep keys.
    (&[], "power"),
    (&[], "sleep"),
    (&[], "wakeup"),
    (&[], "compose"),
];

fn script_for(mods: &[&str], key: &str) -> (String, String) {
    let downs: Vec<String> = mods.iter().map(|m| format!("d:{m}")).collect();
    let ups: Vec<String> = mods.iter().rev().map(|m| format!("u:{m}")).collect();
    let full = [downs.clone(), vec![format!("d:{key}"), format!("r:{key}"), format!("u:{key}")], ups.clone()].concat();
    let kept = [downs, ups].concat();
    (full.join(" "), kept.join(" "))
}

#[test]
fn at_least_forty_escape_combinations_are_dropped() {
    assert!(ESCAPES.len() >= 40, "only {} combinations", ESCAPES.len());
    for (mods, key) in ESCAPES {
        let (script, expected) = script_for(mods, key);
        assert_eq!(run_script(&script).unwrap(), expected, "escape not dropped: {script}");
    }
}

#[test]
fn ordinary_typing_passes_whole() {
    for script in [
        "d:a u:a d:z u:z d:enter u:enter",
        // Capitals and digits on AZERTY (Shift+1 types 1).
        "d:leftshift d:a u:a d:1 u:1 u:leftshift",
        "d:rightshift d:e r:e u:e u:rightshift",
        // AltGr: @ (AltGr+0) and € (AltGr+e) on AZERTY.
        "d:rightalt d:0 u:0 u:rightalt",
        "d:rightalt d:e u:e u:rightalt",
        // Dead keys and the key left of W on AZERTY (< >).
        "d:apostrophe u:apostrophe d:e u:e d:102nd u:102nd",
        // Space, Backspace, arrows, Esc, Tab on their own.
        "d:space u:space d:backspace u:backspace d:left u:left d:esc u:esc d:tab u:tab",
        // Ctrl or Alt pressed and released alone.
        "d:leftctrl u:leftctrl d:leftalt u:leftalt",
        // Ctrl+A (select all) and Shift+Tab stay usable.
        "d:leftctrl d:a u:a u:leftctrl d:leftshift d:tab u:tab u:leftshift",
        // F5 alone: no modifier, no harm.
        "d:f5 u:f5",
    ] {
        assert_eq!(run_script(script).unwrap(), script, "ordinary typing was cut: {script}");
    }
}

#[test]
fn order_of_releases_does_not_leak_a_half_combination() {
    // Alt let go before Tab: Tab's release is still swallowed.
    assert_eq!(run_script("d:leftalt d:tab u:leftalt u:tab").unwrap(), "d:leftalt u:leftalt");
    // Alt let go before F4 is pressed: F4 alone passes.
    assert_eq!(run_script("d:leftalt u:leftalt d:f4 u:f4").unwrap(), "d:leftalt u:leftalt d:f4 u:f4");
    // F4 down first, Alt after: the F4 press already passed, so its release must too.
    assert_eq!(run_script("d:f4 d:leftalt u:f4 u:leftalt").unwrap(), "d:f4 d:leftalt u:f4 u:leftalt");
    // Both Ctrl keys: releasing one keeps the other held.
    assert_eq!(
        run_script("d:leftctrl d:rightctrl u:leftctrl d:leftalt d:delete u:delete u:leftalt u:rightctrl").unwrap(),
        "d:leftctrl d:rightctrl u:leftctrl d:leftalt u:leftalt u:rightctrl"
    );
    // Delete held first, then Ctrl+Alt: its repeats must not become Ctrl+Alt+Delete. The
    // press already passed, so its release passes too (nothing stays held).
    assert_eq!(
        run_script("d:delete d:leftctrl d:leftalt r:delete r:delete u:delete u:leftalt u:leftctrl").unwrap(),
        "d:delete d:leftctrl d:leftalt u:delete u:leftalt u:leftctrl"
    );
    // An ordinary held key still repeats under Shift.
    assert_eq!(run_script("d:a d:leftshift r:a u:a u:leftshift").unwrap(), "d:a d:leftshift r:a u:a u:leftshift");
    // Right Alt held on one side and left Alt let go: still Alt, Tab is dropped.
    assert_eq!(
        run_script("d:leftalt d:rightalt u:leftalt d:tab u:tab u:rightalt").unwrap(),
        "d:leftalt d:rightalt u:leftalt u:rightalt"
    );
    assert!(run_script("d:q:").is_err() && run_script("x:a").is_err() && run_script("d:nokey").is_err());
}
