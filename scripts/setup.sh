#!/usr/bin/env bash
# Installs what Guichet needs to build, run and test on Debian 12 (bookworm), and does
# nothing when it is all there already. Sourced by demo.sh and test.sh.
set -euo pipefail

GUICHET_PACKAGES=(
    # build
    pkg-config gcc libfontconfig1-dev libxkbcommon-dev libinput-dev libudev-dev libgbm-dev
    # run: fonts with Latin and Arabic, speech
    fonts-noto-core speech-dispatcher speech-dispatcher-espeak-ng espeak-ng
    # tests: real printer, scanner, PDF tools, a display for the windowed demo, D-Bus
    cups-ipp-utils sane-utils sane-airscan poppler-utils xvfb xdotool dbus gettext
    # tests: a real CUPS queue (its spool must keep nothing of a visit), the keymaps the
    # keyboard filter is checked against, mount for the visits' bounded tmpfs
    cups-daemon cups-client cups-filters xkb-data mount
    # tests: the systemd units are checked with systemd-analyze
    systemd
    # tests: the image's amd64 twin, built by debootstrap and booted in QEMU
    debootstrap qemu-system-x86 e2fsprogs python3 file
    # tests: the fleet server on PostgreSQL, scraped by Prometheus (promtool checks the
    # alert rules), its console in headless Chromium driven by Playwright
    postgresql prometheus chromium
)

guichet_setup() {
    local missing=()
    for p in "${GUICHET_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    # Node.js for Playwright: Debian's, unless one is there already (a NodeSource nodejs
    # carries its own npm, which Debian's npm package would fight).
    command -v node >/dev/null || missing+=(nodejs)
    command -v npm >/dev/null || missing+=(npm)
    if ((${#missing[@]})); then
        echo "==> Installing Debian packages: ${missing[*]}"
        local sudo=""
        [[ $(id -u) -eq 0 ]] || sudo="sudo"
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
    fi
    if ! command -v cargo >/dev/null; then
        [[ -x "$HOME/.cargo/bin/cargo" ]] && export PATH="$HOME/.cargo/bin:$PATH"
    fi
    if ! command -v cargo >/dev/null; then
        echo "Rust is missing: install it with rustup (https://rustup.rs), Rust 1.92 or newer." >&2
        exit 1
    fi
}
