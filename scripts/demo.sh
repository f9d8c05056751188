#!/usr/bin/env bash
# The README's first command: builds Guichet and runs the kiosk with its agent on the
# built-in simulated printer, scanner and GPIO. With a display it opens the kiosk's
# window; with none it walks every screen and writes them as PNG files.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
guichet_setup

echo "==> Building (release; the first build takes several minutes)"
cargo build --release --workspace --bins

T=$(mktemp -d /tmp/guichet-demo.XXXXXX)
cleanup() {
    [[ -n "${AGENT_PID:-}" ]] && kill "$AGENT_PID" 2>/dev/null && wait "$AGENT_PID" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT

echo "==> Starting the agent (simulated devices, runtime folder $T/run)"
./target/release/agent --config scripts/demo-agent.toml --simulated \
    --runtime-dir "$T/run" --state-dir "$T/state" --socket-group - \
    --allow-uid "$(id -u)" 2>"$T/agent.log" &
AGENT_PID=$!
for _ in $(seq 100); do
    grep -q "ready" "$T/agent.log" 2>/dev/null && break
    kill -0 "$AGENT_PID" 2>/dev/null || { cat "$T/agent.log"; exit 1; }
    sleep 0.1
done

if [[ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]]; then
    echo "==> Opening the kiosk window (close it to stop)"
    SLINT_BACKEND=${SLINT_BACKEND:-winit-software} ./target/release/kiosk --socket "$T/run/agent.sock" "$@"
else
    OUT=${GUICHET_SCREENSHOTS:-screenshots}
    rm -rf "$OUT"
    echo "==> No display: walking every screen with the agent, writing PNG files"
    ./target/release/kiosk --screenshot "$OUT" --with-agent --socket "$T/run/agent.sock" "$@"
    echo "==> Open the pictures in $(realpath "$OUT")/ (one per screen and language)"
    ./target/release/agentctl --socket "$T/run/agent.sock" status
fi
