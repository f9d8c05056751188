#!/usr/bin/env bash
# Cross-compiles the kiosk's binaries, `kiosk` and `agent` (and IT staff's `agentctl`, which
# the image also ships: it is a few files of the agent's crate), for the Raspberry Pi
# (aarch64, Debian bookworm's glibc) on an amd64 Debian 12 machine, with Debian's own
# toolchain: rustc-web and cargo-web from bookworm-security (rustup cannot add targets on
# the build machines), the aarch64 standard library libstd-rust-web-dev:arm64, and
# gcc-aarch64-linux-gnu as linker and C compiler (ring, the bundled SQLite). Everything is
# pinned, so that two builds of the same commit use the same compiler.
#
# Usage: images/cross/build-aarch64.sh [--install-only | --build-only | --check]
#   (none)          install the pinned packages, then build
#   --install-only  install (and check) the pinned packages, build nothing
#   --build-only    build with what is installed
#   --check         only check the built binaries with `file` (exit 1 if missing/wrong)
# Output: target/aarch64/aarch64-unknown-linux-gnu/release/{kiosk,agent,agentctl}
#   (its own target folder: it never touches target/release of the native build)
#
# Debian's cargo is /usr/bin/cargo: called by that path, so a rustup cargo earlier in
# PATH is not used (and is left alone). Needs root for apt-get (sudo when not root).
# The first build takes about as long as a native release build of the two binaries
# (Slint is most of it); later ones are incremental.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)

# --- Pins (apt-cache policy rustc-web gcc-aarch64-linux-gnu, 2026-12-02) -------------
RUST_WEB_VERSION=1.96.0+dfsg1-1~deb12u2 # bookworm-security
GCC_CROSS_VERSION=4:12.2.0-3             # bookworm
TARGET=aarch64-unknown-linux-gnu
# Built in a cache outside the clone (like the twin's debootstrap base), so a fresh clone
# on the same machine rebuilds only Guichet's own crates; the binaries are then copied to
# OUT in the clone, where the tests look. A user who cannot write /var/cache builds in
# the clone.
TARGET_DIR=${GUICHET_CROSS_TARGET_DIR:-/var/cache/guichet-build/aarch64}
mkdir -p "$TARGET_DIR" 2>/dev/null && [[ -w $TARGET_DIR ]] || TARGET_DIR=$REPO/target/aarch64
OUT=$REPO/target/aarch64/$TARGET/release

PACKAGES=(
    "rustc-web=$RUST_WEB_VERSION"
    "cargo-web=$RUST_WEB_VERSION"
    "libstd-rust-web-dev:arm64=$RUST_WEB_VERSION"
    "gcc-aarch64-linux-gnu=$GCC_CROSS_VERSION"
    libc6-dev-arm64-cross
    pkg-config
    # What the kiosk links (ldd target/release/kiosk): libinput, libxkbcommon, libudev,
    # fontconfig (and, through them, freetype, libevdev, mtdev, libwacom...). The agent
    # links only glibc.
    libinput-dev:arm64
    libxkbcommon-dev:arm64
    libudev-dev:arm64
    libfontconfig-dev:arm64
)

MODE=${1:-all}
case $MODE in
all | --install-only | --build-only | --check) ;;
*)
    sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
    exit 2
    ;;
esac

check() {
    local bad=0 b out
    for b in kiosk agent agentctl; do
        if [[ ! -x $OUT/$b ]]; then
            echo "missing: $OUT/$b (run images/cross/build-aarch64.sh)"
            bad=1
            continue
        fi
        out=$(file -b "$OUT/$b")
        echo "$b: $out"
        [[ $out == *"ELF 64-bit LSB"*"ARM aarch64"*"dynamically linked"*"interpreter /lib/ld-linux-aarch64.so.1"*"GNU/Linux"* ]] || {
            echo "  not an aarch64 GNU/Linux executable"
            bad=1
        }
    done
    return $bad
}
if [[ $MODE == --check ]]; then
    check
    exit
fi

install() {
    local sudo=""
    [[ $(id -u) -eq 0 ]] || sudo=sudo
    if ! dpkg --print-foreign-architectures | grep -qx arm64; then
        echo "==> dpkg --add-architecture arm64"
        $sudo dpkg --add-architecture arm64
    fi
    echo "==> apt-get install ${PACKAGES[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}"
    # What was asked is what is there.
    local v
    v=$(dpkg-query -W -f='${Version}' rustc-web)
    [[ $v == "$RUST_WEB_VERSION" ]] || { echo "rustc-web is $v, not $RUST_WEB_VERSION" >&2; exit 1; }
    v=$(dpkg-query -W -f='${Version}' libstd-rust-web-dev:arm64)
    [[ $v == "$RUST_WEB_VERSION" ]] || { echo "libstd-rust-web-dev:arm64 is $v, not $RUST_WEB_VERSION" >&2; exit 1; }
    [[ -d /usr/lib/rustlib/$TARGET/lib ]] || { echo "no /usr/lib/rustlib/$TARGET/lib: the aarch64 std is missing" >&2; exit 1; }
    echo "    $(/usr/bin/rustc --version), $(/usr/bin/cargo --version), $(aarch64-linux-gnu-gcc --version | head -1)"
}

build() {
    [[ -x /usr/bin/cargo && -x /usr/bin/rustc ]] || { echo "Debian's cargo-web is not installed: run without --build-only" >&2; exit 1; }
    cd "$REPO"
    # Debian's toolchain, not a rustup one earlier in PATH (cargo runs $RUSTC).
    export RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc
    unset RUSTUP_TOOLCHAIN
    # Linker and C compiler for the target; the host's own for build scripts.
    export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc
    export CC_aarch64_unknown_linux_gnu=aarch64-linux-gnu-gcc
    export AR_aarch64_unknown_linux_gnu=aarch64-linux-gnu-ar
    # pkg-config finds the arm64 libraries' .pc files (multiarch: same root, no sysroot).
    export PKG_CONFIG_ALLOW_CROSS=1
    export PKG_CONFIG_LIBDIR_aarch64_unknown_linux_gnu=/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig
    export PKG_CONFIG_PATH_aarch64_unknown_linux_gnu=
    echo "==> /usr/bin/cargo build --release --target $TARGET (kiosk, agent, agentctl) into $TARGET_DIR"
    /usr/bin/cargo build --release --locked --target "$TARGET" --target-dir "$TARGET_DIR" \
        -p guichet-kiosk -p guichet-agent --bin kiosk --bin agent --bin agentctl
    if [[ $TARGET_DIR/$TARGET/release != "$OUT" ]]; then
        mkdir -p "$OUT"
        cp -f "$TARGET_DIR/$TARGET/release/"{kiosk,agent,agentctl} "$OUT/"
    fi
    check
}

case $MODE in
all)
    install
    build
    ;;
--install-only) install ;;
--build-only) build ;;
esac
