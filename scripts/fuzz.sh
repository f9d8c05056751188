#!/usr/bin/env bash
# Runs each fuzz target for SECONDS (default 30: CI's short run). `cargo fuzz` needs
# nightly's sanitizer flags: RUSTC_BOOTSTRAP lets the stable toolchain take them, since
# rustup cannot fetch another toolchain on these machines.
#   scripts/fuzz.sh [SECONDS]      e.g. scripts/fuzz.sh 600 for a longer hunt
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "==> Installing cargo-fuzz"
    cargo install cargo-fuzz --locked --quiet
fi
export RUSTC_BOOTSTRAP=1
# The instrumented build (the agent and all its dependencies) is long: it is kept in a
# cache outside the clone, so a fresh clone on the same machine rebuilds only Guichet's
# own crates. A user who cannot write /var/cache builds in fuzz/target.
target_dir=${GUICHET_FUZZ_TARGET_DIR:-/var/cache/guichet-build/fuzz}
mkdir -p "$target_dir" 2>/dev/null && [[ -w $target_dir ]] || target_dir=fuzz/target
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for target in frame request; do
    # The corpus grows in a folder git ignores; the seeds (every golden message) are kept.
    mkdir -p "fuzz/corpus/$target"
    echo "==> Fuzzing $target for ${seconds}s"
    if ! cargo fuzz run --release --target-dir "$target_dir" "$target" "fuzz/corpus/$target" "fuzz/seeds/$target" -- \
        -max_total_time="$seconds" -max_len=65536 -timeout=30 -print_final_stats=1 >"$log" 2>&1; then
        tail -60 "$log"
        echo "fuzz target $target failed: the crashing input is in fuzz/artifacts/$target/"
        exit 1
    fi
    grep -E "stat::number_of_executed_units|Done [0-9]+ runs" "$log" || tail -3 "$log"
done
