#!/usr/bin/env bash
# Builds the Raspberry Pi image (arm64, Pi 4 or Pi 5) with rpi-image-gen: Debian bookworm
# from the Debian and Raspberry Pi archives, the A/B read-only layout (image-rota) with a
# persistent data partition, and the guichet layer (layer/guichet.yaml), which runs the
# same images/assemble-root.sh as the amd64 twin booted in the tests.
#
# Needs: internet (deb.debian.org and archive.raspberrypi.com), an arm64 Debian or
# Raspberry Pi OS bookworm machine (a Pi 5 with 8 GB, or an arm64 cloud machine), sudo,
# git, about 15 GB free. rpi-image-gen's own dependencies are installed by its
# install_deps.sh (run here the first time).
#
# Usage: images/rpi/build.sh pi4|pi5 BIN_DIR [OUT_DIR]
#   BIN_DIR  aarch64 agent, kiosk and agentctl (images/cross/build-aarch64.sh makes them:
#            target/aarch64/aarch64-unknown-linux-gnu/release)
#   OUT_DIR  where the .img (and its sparse/bmap siblings) are copied
#            (default $GUICHET_IMAGE_CACHE/rpi-out, outside the checkout)
# Environment:
#   RPI_IMAGE_GEN      an rpi-image-gen checkout to use (default: cloned into
#                      $GUICHET_IMAGE_CACHE/rpi-image-gen at RPI_IMAGE_GEN_REF)
#   RPI_IMAGE_GEN_REF  the rpi-image-gen commit or tag this recipe is pinned to
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
source "$REPO/images/lib.sh"

DEVICE=${1:?usage: build.sh pi4|pi5 BIN_DIR [OUT_DIR]}
BIN_DIR=${2:?usage: build.sh pi4|pi5 BIN_DIR [OUT_DIR]}
OUT_DIR=${3:-$GUICHET_IMAGE_CACHE/rpi-out}
[[ $DEVICE == pi4 || $DEVICE == pi5 ]] || img_fail "device is pi4 or pi5, not $DEVICE"
BIN_DIR=$(cd "$BIN_DIR" && pwd)
# The rpi-image-gen commit this recipe was written against: one whose tree holds the
# bookworm-minbase suite and image-rota's persistent partition. Not built here (no
# Raspberry Pi archive on these machines): check-layer.sh refuses, in seconds, a checkout
# that lacks a layer the configs name (bookworm-minbase, image-rota, rpi4, rpi5).
RPI_IMAGE_GEN_REF=${RPI_IMAGE_GEN_REF:-bef2a70e20aefb7f92d61db695724732a1e59712}

[[ $(uname -m) == aarch64 ]] || img_fail "rpi-image-gen builds on an arm64 machine (this one is $(uname -m))"
for b in agent kiosk agentctl; do
    [[ -x $BIN_DIR/$b ]] || img_fail "$BIN_DIR/$b is missing"
    file -b "$BIN_DIR/$b" | grep -q 'ARM aarch64' || img_fail "$BIN_DIR/$b is not an aarch64 executable"
done

# --- rpi-image-gen, pinned ---------------------------------------------------------------
RIG=${RPI_IMAGE_GEN:-$GUICHET_IMAGE_CACHE/rpi-image-gen}
if [[ -z ${RPI_IMAGE_GEN:-} ]]; then
    if [[ ! -d $RIG/.git ]]; then
        img_log "cloning rpi-image-gen into $RIG"
        git clone https://github.com/raspberrypi/rpi-image-gen.git "$RIG"
    fi
    git -C "$RIG" fetch --quiet origin
    git -C "$RIG" -c advice.detachedHead=false checkout --quiet "$RPI_IMAGE_GEN_REF"
    if [[ ! -e $RIG/.deps-installed-$RPI_IMAGE_GEN_REF ]]; then
        img_log "rpi-image-gen's dependencies (install_deps.sh)"
        (cd "$RIG" && sudo ./install_deps.sh)
        touch "$RIG/.deps-installed-$RPI_IMAGE_GEN_REF"
    fi
fi
img_log "rpi-image-gen $(git -C "$RIG" rev-parse --short HEAD 2>/dev/null || echo '(not a git checkout)')"
bash "$HERE/check-layer.sh" "$RIG"

# --- A source folder for rpi-image-gen -S: our layer and this device's config ------------
SRC=$(mktemp -d "$GUICHET_IMAGE_CACHE/rpi-src.XXXXXX")
trap 'rm -rf "$SRC"' EXIT
mkdir -p "$SRC/config" "$SRC/layer"
cp "$HERE/layer/guichet.yaml" "$SRC/layer/"
sed -e "s|@GUICHET_REPO@|$REPO|" -e "s|@GUICHET_BINDIR@|$BIN_DIR|" \
    "$HERE/config/guichet-$DEVICE.yaml" >"$SRC/config/guichet-$DEVICE.yaml"

START=$(img_now)
(cd "$RIG" && ./rpi-image-gen build -S "$SRC" -c "guichet-$DEVICE.yaml")
img=$(find "$RIG/work" -name "guichet-$DEVICE*.img" -newer "$SRC/config/guichet-$DEVICE.yaml" | head -1)
[[ -n $img ]] || img_fail "rpi-image-gen finished but no guichet-$DEVICE*.img is in $RIG/work"
mkdir -p "$OUT_DIR"
cp --sparse=always "$img" "$OUT_DIR/"
for extra in "${img%.img}".{bmap,sparse} "$(dirname "$img")"/*.{bmap,sparse}; do
    [[ -f $extra ]] && cp --sparse=always "$extra" "$OUT_DIR/" || true
done
img_log "image built in $(img_since "$START") s: $OUT_DIR/$(basename "$img")"
