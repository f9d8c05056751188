//! The keyboard filter against the keymaps the kiosk can run under, compiled by the real
//! libxkbcommon from the system's xkb-data: French AZERTY (the kiosk unit sets
//! `XKB_DEFAULT_LAYOUT=fr`) and libxkbcommon's default, `us` (what Slint's linuxkms
//! backend gets when nothing is set). Under either, every key press that would make a
//! terminal-switch or Terminate_Server keysym, or that Slint's linuxkms backend takes for
//! "quit" (Backspace or Delete while Control and Alt are active), must be dropped.

use guichet_agent::lockdown::{Action, Filter, KeyEvent};
use xkbcommon::xkb;

/// evdev key codes; xkb's are 8 more.
const KEYS: std::ops::RangeInclusive<u16> = 1..=248;

fn keymap(layout: &str) -> xkb::Keymap {
    let context = xkb::Context::new(xkb::CONTEXT_NO_ENVIRONMENT_NAMES);
    xkb::Keymap::new_from_names(&context, "evdev", "pc105", layout, "", None, xkb::COMPILE_NO_FLAGS)
        .unwrap_or_else(|| panic!("libxkbcommon cannot compile the {layout:?} keymap: is xkb-data installed?"))
}

fn code(key: u16) -> xkb::Keycode {
    xkb::Keycode::new(u32::from(key) + 8)
}

/// The state with `held` pressed, in order.
fn holding(keymap: &xkb::Keymap, held: &[u16]) -> xkb::State {
    let mut state = xkb::State::new(keymap);
    for &k in held {
        state.update_key(code(k), xkb::KeyDirection::Down);
    }
    state
}

fn active(state: &xkb::State) -> (bool, bool) {
    (
        state.mod_name_is_active(xkb::MOD_NAME_CTRL, xkb::STATE_MODS_EFFECTIVE),
        state.mod_name_is_active(xkb::MOD_NAME_ALT, xkb::STATE_MODS_EFFECTIVE),
    )
}

/// Whether pressing `key` in `state` would let someone out, as the kiosk would see it.
fn dangerous(state: &xkb::State, key: u16) -> bool {
    let sym = state.key_get_one_sym(code(key)).raw();
    let (ctrl, alt) = active(state);
    let vt = (xkb::keysyms::KEY_XF86Switch_VT_1..=xkb::keysyms::KEY_XF86Switch_VT_12).contains(&sym);
    let quit = (sym == xkb::keysyms::KEY_BackSpace || sym == xkb::keysyms::KEY_Delete) && ctrl && alt;
    vt || sym == xkb::keysyms::KEY_Terminate_Server || quit
}

#[test]
fn every_way_out_under_the_kiosks_keymaps_is_dropped() {
    for layout in ["fr", "us"] {
        let keymap = keymap(layout);
        // This keymap's Control and Alt keys, whatever the filter calls them.
        let modifiers: Vec<u16> = KEYS
            .filter(|&k| {
                let (ctrl, alt) = active(&holding(&keymap, &[k]));
                ctrl || alt
            })
            .collect();
        assert!(modifiers.len() >= 3, "{layout}: only {modifiers:?} set Control or Alt");
        let mut held_sets: Vec<Vec<u16>> = vec![vec![]];
        for (i, &a) in modifiers.iter().enumerate() {
            held_sets.push(vec![a]);
            for &b in &modifiers[i + 1..] {
                held_sets.push(vec![a, b]);
            }
        }
        let mut checked = 0;
        for held in &held_sets {
            let state = holding(&keymap, held);
            for key in KEYS.filter(|k| !modifiers.contains(k)) {
                if !dangerous(&state, key) {
                    continue;
                }
                checked += 1;
                let mut filter = Filter::new();
                for &k in held {
                    assert!(filter.pass(KeyEvent { code: k, action: Action::Down }), "modifiers pass");
                }
                assert!(
                    !filter.pass(KeyEvent { code: key, action: Action::Down }),
                    "{layout}: key {key} with {held:?} held gets out of the kiosk"
                );
            }
        }
        // Ctrl+Alt+F1..F12 and Ctrl+Alt+Backspace/Delete at the least, on every pair.
        assert!(checked >= 14, "{layout}: only {checked} dangerous presses found: the keymap was not what was meant");
    }
}

#[test]
fn azerty_altgr_still_types_its_characters() {
    // Under the kiosk's keymap Right Alt is AltGr: it types € and @, and it is not Alt.
    let keymap = keymap("fr");
    let right_alt = 100;
    let state = holding(&keymap, &[right_alt]);
    assert_eq!(active(&state), (false, false), "Right Alt is not Alt on AZERTY");
    assert_eq!(state.key_get_utf8(code(18)), "€", "AltGr+E");
    assert_eq!(state.key_get_utf8(code(11)), "@", "AltGr+à (0)");
    let mut filter = Filter::new();
    for key in [right_alt, 18, 11] {
        assert!(filter.pass(KeyEvent { code: key, action: Action::Down }));
    }
}
