#!/usr/bin/env bash
# Boots the amd64 twin of the kiosk image in QEMU (software emulation, no KVM) and proves
# it works: the in-image boot check (bootcheck/guichet-bootcheck) reports on the serial
# console, the QEMU monitor's screendump captures what the kiosk drew through DRM/KMS,
# and that picture must be the kiosk's own headless rendering of the attract screen.
#
# Usage: images/test/boot-test.sh BIN_DIR [--boots N] [--no-build] [--out DIR]
#   BIN_DIR     agent, kiosk, agentctl (copied out of target/release: see build-twin.sh)
#   --boots N   boot N times (each with a fresh data partition, i.e. a first boot) and
#               print the median, min and max boot-to-attract time (BENCHMARKS.md)
#   --no-build  boot the image already in $GUICHET_IMAGE_CACHE/twin
#   --out DIR   where the serial logs, screendumps and renderings go
#               (default $GUICHET_IMAGE_CACHE/boot-test, emptied first)
# Environment: GUICHET_IMAGE_CACHE (default /var/cache/guichet-images), BOOT_TIMEOUT
# (seconds from QEMU's start to "BOOTCHECK done", default 600), QEMU_SMP (2), QEMU_MEM
# (MiB, 1536), SIZE (the DRM mode and the rendering size, default 1280x800).
#
# Prints every BOOTCHECK line, the comparison, the timings, and last
#   BOOT-TEST ok boots=N attract-median=...s ...      (exit 0)
#   BOOT-TEST fail <why>                              (exit 1)
#
# Nothing here sleeps to wait: it reads the serial console as QEMU writes it (tail -F)
# with one deadline, answers the guest's "ready-for-screendump" at once, and waits for
# QEMU to exit with a bound.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
source "$REPO/images/lib.sh"

BIN_DIR=
BOOTS=1
BUILD=1
OUT=$GUICHET_IMAGE_CACHE/boot-test
while (($#)); do
    case $1 in
    --boots) BOOTS=${2:?--boots N}; shift 2 ;;
    --no-build) BUILD=; shift ;;
    --out) OUT=${2:?--out DIR}; shift 2 ;;
    -*) img_fail "unknown option $1" ;;
    *) BIN_DIR=$1; shift ;;
    esac
done
[[ -n $BIN_DIR ]] || img_fail "usage: boot-test.sh BIN_DIR [--boots N] [--no-build] [--out DIR]"
BIN_DIR=$(cd "$BIN_DIR" && pwd)
BOOT_TIMEOUT=${BOOT_TIMEOUT:-600}
QEMU_SMP=${QEMU_SMP:-2}
QEMU_MEM=${QEMU_MEM:-1536}
SIZE=${SIZE:-1280x800}
TWIN=$GUICHET_IMAGE_CACHE/twin
# Closest headless rendering vs the screendump (compare.py): expected 0 (same renderer,
# same fonts); a wrong screen or language rotation measured 4.6 to 6.2 and 2.6 % to 3.8 %.
MAX_MEAN=1.0
MAX_CHANGED=0.005

command -v qemu-system-x86_64 >/dev/null || img_fail "qemu-system-x86_64 is missing (Debian: apt-get install qemu-system-x86)"
command -v python3 >/dev/null || img_fail "python3 is missing"
START=$(img_now)

verdict_fail() {
    echo "BOOT-TEST fail $*"
    exit 1
}

rm -rf "$OUT"
mkdir -p "$OUT"

if [[ -n $BUILD ]]; then
    t=$(img_now)
    bash "$HERE/build-twin.sh" "$BIN_DIR" "$TWIN" 2>&1 | tee "$OUT/build.log" >&2 ||
        verdict_fail "the twin did not build (see $OUT/build.log)"
    BUILD_S=$(img_since "$t")
else
    BUILD_S=0
fi
for f in root.img data.img vmlinuz initrd.img; do
    [[ -s $TWIN/$f ]] || verdict_fail "$TWIN/$f is missing: build the twin first (without --no-build)"
done

# --- The headless renderings, made while the twin boots ----------------------------------
# The attract screen's big line changes language every 4 s, so every rotation is needed:
# --first-frame draws the first (French), --screenshot the attract screen in each language.
render() {
    nice -n 19 "$BIN_DIR/kiosk" --first-frame "$OUT/render/first-frame.png" --size "$SIZE" \
        --content "$REPO/content" >"$OUT/render/log" 2>&1 &&
        nice -n 19 "$BIN_DIR/kiosk" --screenshot "$OUT/render/walk" --size "$SIZE" --speech off \
            --content "$REPO/content" >>"$OUT/render/log" 2>&1
}
mkdir -p "$OUT/render"
render &
RENDER_PID=$!

QEMU_WRAPPER=
QEMU_PIDFILE=
TAIL_PID=
CTL_PID=
cleanup() {
    [[ -n $TAIL_PID ]] && kill "$TAIL_PID" 2>/dev/null || true
    if [[ -n $QEMU_WRAPPER ]]; then
        kill "$(cat "$QEMU_PIDFILE" 2>/dev/null)" 2>/dev/null || true
    fi
    [[ -n $CTL_PID ]] && kill "$CTL_PID" 2>/dev/null || true
    kill "$RENDER_PID" 2>/dev/null || true
}
trap cleanup EXIT

# Sends one monitor command and returns once QEMU prompts again (the command is done).
monitor() { # SOCKET COMMAND
    python3 - "$1" "$2" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(60)
s.connect(sys.argv[1])
buf = b""
def until_prompt():
    global buf
    while not buf.endswith(b"(qemu) "):
        chunk = s.recv(4096)
        if not chunk:
            raise SystemExit("monitor closed")
        buf += chunk
until_prompt()
buf = b""
s.sendall(sys.argv[2].encode() + b"\n")
until_prompt()
sys.stdout.write(buf.decode(errors="replace").replace("\r", ""))
EOF
}

ATTRACT_TIMES=()
BOOT_TIMES=()
ALL_OK=1

boot_once() { # N
    local n=$1 run=$OUT/boot-$1 q0 deadline line now left arrival dump_at
    local kiosk_ready guest_now attract qemu_status
    mkdir -p "$run"
    cp --sparse=always "$TWIN/data.img" "$run/data.img"
    : >"$run/serial.log"
    # The guest's virtio port guichet.ctl: this side listens first and QEMU connects to it
    # as it starts, so the port is held open from the start (a port nobody holds reads as
    # end-of-file in the guest). A line written to CTLFWD[1] goes to the guest.
    coproc CTLFWD {
        exec python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(1)
print("listening", flush=True)
s.settimeout(60)
conn, _ = s.accept()
for line in sys.stdin.buffer:
    conn.sendall(line)
' "$run/ctl.sock" 2>>"$run/qemu.log"
    }
    CTL_PID=$CTLFWD_PID
    local ready=""
    read -r -t 10 -u "${CTLFWD[0]}" ready || true
    [[ $ready == listening ]] || verdict_fail "the guest's control socket could not be set up"
    CTLW=${CTLFWD[1]}
    q0=$(img_now)
    # QEMU under a wrapper that reaps it and then says so at the end of the serial log,
    # where the reader below is looking (QEMU no longer writes it by then).
    (
        qemu-system-x86_64 -accel tcg,thread=multi -cpu max -smp "$QEMU_SMP" -m "$QEMU_MEM" \
            -machine pc -no-reboot -nodefaults -display none -vga std \
            -kernel "$TWIN/vmlinuz" -initrd "$TWIN/initrd.img" \
            -append "root=/dev/vda ro console=ttyS0 video=${SIZE} quiet loglevel=3 systemd.show_status=false" \
            -drive "file=$TWIN/root.img,format=raw,if=virtio,readonly=on" \
            -drive "file=$run/data.img,format=raw,if=virtio" \
            -serial "file:$run/serial.log" \
            -monitor "unix:$run/monitor.sock,server,nowait" \
            -device virtio-serial \
            -chardev "socket,id=ctl,path=$run/ctl.sock" \
            -device virtserialport,chardev=ctl,name=guichet.ctl \
            -device virtio-tablet-pci \
            -qmp "unix:$run/qmp.sock,server=on,wait=off" \
            -audiodev "wav,id=snd0,path=$run/sound.wav" -device intel-hda -device hda-output,audiodev=snd0 \
            -nic none -pidfile "$run/qemu.pid" >"$run/qemu.log" 2>&1
        echo "QEMU-EXITED status=$?" >>"$run/serial.log"
    ) &
    QEMU_WRAPPER=$!
    QEMU_PIDFILE=$run/qemu.pid
    deadline=$(awk -v a="$q0" -v b="$BOOT_TIMEOUT" 'BEGIN { printf "%.3f", a + b }')
    # The serial console, line by line as QEMU writes it.
    exec {SER}< <(exec tail -n +1 -F "$run/serial.log" 2>/dev/null)
    TAIL_PID=$!
    local done_line="" dump_ok="" exited="" rc
    while :; do
        now=$(img_now)
        left=$(awk -v d="$deadline" -v n="$now" 'BEGIN { l = d - n; printf "%.3f", (l > 0 ? l : 0) }')
        [[ $left != 0.000 ]] || { echo "boot $n: no 'BOOTCHECK done' within $BOOT_TIMEOUT s" >&2; break; }
        rc=0
        IFS= read -r -t "$left" -u "$SER" line || rc=$?
        if ((rc > 128)); then continue; fi # the deadline: checked above
        ((rc == 0)) || { echo "boot $n: the serial log ended" >&2; break; }
        line=${line//$'\r'/}
        if [[ $line == QEMU-EXITED* ]]; then
            exited=1
            echo "boot $n: QEMU ended before the boot check was done ($line; $(tail -3 "$run/qemu.log"))" >&2
            break
        fi
        arrival=$(awk -v a="$q0" -v b="$(img_now)" 'BEGIN { printf "%.2f", b - a }')
        printf '%8s %s\n' "$arrival" "$line" >>"$run/timeline"
        case $line in
        *"BOOTCHECK timing "*)
            # Boot to attract: QEMU's start to the kiosk's READY=1 (sent once its event
            # loop runs, the first frame up), from the guest's clock: this line came
            # (now - kiosk-ready) after it.
            kiosk_ready=$(sed -n 's/.*kiosk-ready=\([0-9.]*\)s.*/\1/p' <<<"$line")
            guest_now=$(sed -n 's/.* now=\([0-9.]*\)s.*/\1/p' <<<"$line")
            attract=$(awk -v a="$arrival" -v k="$kiosk_ready" -v g="$guest_now" 'BEGIN { printf "%.1f", a - (g - k) }')
            ATTRACT_TIMES+=("$attract")
            echo "boot $n: $line (attract drawn $attract s after QEMU started)"
            ;;
        *"BOOTCHECK ready-for-screendump"*)
            echo "boot $n: $line"
            monitor "$run/monitor.sock" "screendump $run/screendump.ppm" >"$run/monitor.log" 2>&1 &&
                dump_ok=1 || echo "boot $n: screendump failed: $(cat "$run/monitor.log")" >&2
            dump_at=$(img_since "$q0")
            echo go >&"$CTLW"
            echo "boot $n: screendump taken ${dump_at} s after QEMU started"
            ;;
        *"BOOTCHECK ready-for-touch"*)
            # A tap in the middle of the screen, through the emulated tablet (an absolute
            # pointer, which libinput reads as it would a touch panel).
            python3 "$HERE/qmp.py" "$run/qmp.sock" tap >>"$run/monitor.log" 2>&1 ||
                echo "boot $n: the tap failed: $(tail -3 "$run/monitor.log")" >&2
            echo touched >&"$CTLW"
            echo "boot $n: $line (tapped the middle of the screen $(img_since "$q0") s after QEMU started)"
            ;;
        *"BOOTCHECK-JOURNAL "*) ;;
        *"BOOTCHECK done"*)
            echo "boot $n: $line"
            done_line=$line
            break
            ;;
        *BOOTCHECK*) echo "boot $n: $line" ;;
        esac
    done
    # The guest powers off by itself after "done": the stream ends when QEMU has exited.
    # Bounded; then QEMU is stopped.
    local waited=$exited
    if [[ -n $done_line ]]; then
        while IFS= read -r -t 120 -u "$SER" line; do
            [[ $line == QEMU-EXITED* ]] && { waited=1; break; }
        done
    fi
    kill "$TAIL_PID" 2>/dev/null || true
    exec {SER}<&-
    kill "$CTL_PID" 2>/dev/null || true
    TAIL_PID=
    if [[ -z $waited ]]; then
        echo "boot $n: the guest did not power off within 120 s; QEMU stopped" >&2
        kill "$(cat "$run/qemu.pid" 2>/dev/null)" 2>/dev/null || true
    fi
    wait "$QEMU_WRAPPER" 2>/dev/null || true
    wait "$CTL_PID" 2>/dev/null || true
    QEMU_WRAPPER=
    BOOT_TIMES+=("$(img_since "$q0")")
    rm -f "$run/data.img"

    # --- Verdict for this boot -----------------------------------------------------------
    local bad=""
    [[ -n $done_line ]] || bad+=" no-done"
    [[ $done_line == *"failed=0"* ]] || bad+=" bootcheck-failures"
    grep -q '=fail' "$run/timeline" && bad+=" $(grep -o 'BOOTCHECK [a-z-]*=fail' "$run/timeline" | cut -d' ' -f2 | paste -sd,)"
    for c in services seat mounts persistent failed-units lockdown hardening attract host-go touch \
        speech-dispatcher speech session-wiped card-untouched services-final; do
        grep -q "BOOTCHECK $c=ok" "$run/timeline" || bad+=" missing:$c"
    done
    [[ -n $dump_ok && -s $run/screendump.ppm ]] || bad+=" no-screendump"
    # The kiosk spoke the language screen after the tap: QEMU's recording of the sound
    # card holds speech (QEMU finishes the WAV file when it exits). The guest's own
    # "speech" check (the card played seconds of sound) is required above; the recording
    # is required only with GUICHET_REQUIRE_RECORDING=1, because on slow hosts (software
    # emulation at half the speed of the development machine) QEMU 7.2 records the card
    # as pure silence while the guest's hardware pointer moves: see images/README.md.
    if ! python3 "$HERE/speech.py" "$run/sound.wav" >"$run/speech.log" 2>&1; then
        if [[ ${GUICHET_REQUIRE_RECORDING:-0} == 1 ]]; then
            bad+=" speech-recording"
        else
            echo "boot $n: WARNING QEMU's recording of the sound card is silent although the guest played it" >&2
        fi
    fi
    echo "boot $n: $(tail -1 "$run/speech.log")"
    if [[ -n $dump_ok ]]; then
        wait "$RENDER_PID" 2>/dev/null || true
        [[ -s $OUT/render/first-frame.png ]] || verdict_fail "the headless rendering failed: $(tail -5 "$OUT/render/log")"
        if python3 "$HERE/compare.py" "$run/screendump.ppm" "$run/screendump.png" "$MAX_MEAN" "$MAX_CHANGED" \
            "$OUT/render/first-frame.png" "$OUT"/render/walk/*-attract.png >"$run/compare.log" 2>&1; then
            :
        else
            bad+=" picture"
        fi
        echo "boot $n: $(tail -1 "$run/compare.log")"
    fi
    if [[ -n $bad ]]; then
        ALL_OK=
        echo "boot $n: FAILED:$bad (serial log: $run/serial.log)"
        grep 'BOOTCHECK-JOURNAL' "$run/timeline" | cut -c10- | sed "s/^/boot $n: /" || true
    fi
}

for ((i = 1; i <= BOOTS; i++)); do
    boot_once "$i"
done

stats() { # values...
    printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END {
        if (NR == 0) { print "median=- min=- max=-"; exit }
        m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        printf "median=%.1fs min=%.1fs max=%.1fs", m, v[1], v[NR] }'
}
echo "timings: build ${BUILD_S} s; boot-to-attract $(stats "${ATTRACT_TIMES[@]}") over ${#ATTRACT_TIMES[@]} boots ($(printf '%s ' "${ATTRACT_TIMES[@]}")); QEMU start to power-off $(stats "${BOOT_TIMES[@]}"); whole test $(img_since "$START") s"
if [[ -n $ALL_OK && ${#ATTRACT_TIMES[@]} -eq $BOOTS ]]; then
    echo "BOOT-TEST ok boots=$BOOTS attract-$(stats "${ATTRACT_TIMES[@]}" | tr ' ' '\n' | head -1) out=$OUT"
else
    verdict_fail "see above (out=$OUT)"
fi
