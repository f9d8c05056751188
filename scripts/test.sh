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
# The fuzz targets' properties ran above on every seed and 200 mutations of each
# (tests/tests/fuzz_seeds.rs). Coverage-guided fuzzing needs an instrumented build of the
# agent and all its dependencies (about 15 minutes on a fresh machine): when asked.
if [[ -n ${GUICHET_FUZZ_SECONDS:-} ]]; then
    echo "==> Fuzzing: the frame codec and the request handler, ${GUICHET_FUZZ_SECONDS} s each"
    bash scripts/fuzz.sh "$GUICHET_FUZZ_SECONDS"
else
    echo "==> Coverage-guided fuzzing skipped: set GUICHET_FUZZ_SECONDS=30 to run scripts/fuzz.sh" \
        "(its instrumented build takes about 15 minutes on a fresh machine); the fuzz targets'" \
        "properties ran on their seeds and 200 mutations of each in tests/tests/fuzz_seeds.rs"
fi
echo "==> All checks passed"
