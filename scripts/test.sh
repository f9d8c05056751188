#!/usr/bin/env bash
# The README's second command: installs what is needed, then runs every check and test.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
guichet_setup

echo "==> Format"
cargo fmt --all -- --check
echo "==> Build (release: the tests reuse it)"
cargo build --release --workspace --all-targets
echo "==> The kiosk's binaries for the Raspberry Pi (aarch64, Debian's pinned rustc-web), checked by the tests"
bash images/cross/build-aarch64.sh
echo "==> Lints"
cargo clippy --release --workspace --all-targets -- -D warnings
echo "==> The image's cached base root (debootstrap of bookworm, kept in /var/cache/guichet-images)"
bash images/test/build-twin.sh --base-only
echo "==> Playwright for the fleet console's browser test (Debian's Chromium, no browser download)"
(cd fleet/tests/browser && npm ci --silent --no-audit --no-fund)
echo "==> Tests"
cargo test --release --workspace
echo "==> Every screen renders, in every language, at both panel sizes and in high contrast"
out=$(mktemp -d)
./target/release/kiosk --screenshot "$out/1280" --speech off
./target/release/kiosk --screenshot "$out/1280-contrast" --high-contrast --speech off
./target/release/kiosk --screenshot "$out/1920" --size 1920x1080 --speech off
rm -rf "$out"
echo "==> Fuzzing: the frame codec and the request handler, 30 s each"
bash scripts/fuzz.sh 30
echo "==> All checks passed"
