#!/usr/bin/env bash
# Builds the amd64 twin of the kiosk image: Debian bookworm by debootstrap, the same
# overlay and units as the Raspberry Pi image (images/assemble-root.sh), the binaries
# built on this machine, and the boot check of images/test/bootcheck/. Two ext4 disk
# images, made with mkfs.ext4 -d (no loop device, no mount):
#
#   OUT_DIR/root.img   the read-only root (LABEL=guichet-root), booted as /dev/vda
#   OUT_DIR/data.img   the persistent data partition (LABEL=GUICHET-DATA), /dev/vdb
#   OUT_DIR/vmlinuz, OUT_DIR/initrd.img   the twin's kernel, for qemu -kernel/-initrd
#
# Usage: images/test/build-twin.sh BIN_DIR [OUT_DIR]
#        images/test/build-twin.sh --base-only     (fills the cache, needs no binaries)
#   BIN_DIR  holds agent, kiosk and agentctl (copy them out of target/release first: a
#            build running meanwhile would change them under this script)
#   OUT_DIR  default: $GUICHET_IMAGE_CACHE/twin
#
# Cache (outside the repository), $GUICHET_IMAGE_CACHE, default /var/cache/guichet-images:
#   debs/bookworm-amd64-KEY.tgz   debootstrap --make-tarball: every .deb of the base
#                                 (KEY: suite, mirror and package list)
#   base/bookworm-amd64-KEY.tar   the base root after debootstrap and the security updates
#                                 (KEY: the above and this script's base stage)
# So a changed images/packages.txt makes a new base, and so does an edit of make_base.
# An empty cache works too: it downloads from MIRROR (default http://deb.debian.org/debian)
# and fills the cache (about 4 minutes here).
# GUICHET_REFRESH_BASE=1 rebuilds the base root from the cached .debs (for example to
# take new security updates).
#
# Needs root (debootstrap, chroot, file owners) and: debootstrap, e2fsprogs (mkfs.ext4 -d).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
source "$REPO/images/lib.sh"

BIN_DIR=${1:?usage: build-twin.sh BIN_DIR [OUT_DIR] | --base-only}
OUT_DIR=${2:-$GUICHET_IMAGE_CACHE/twin}
BASE_ONLY=
if [[ $BIN_DIR == --base-only ]]; then
    BASE_ONLY=1
else
    BIN_DIR=$(cd "$BIN_DIR" && pwd)
fi
MIRROR=${MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=${SECURITY_MIRROR:-http://deb.debian.org/debian-security}
SUITE=bookworm

(($(id -u) == 0)) || img_fail "build-twin.sh needs root (debootstrap, chroot, file owners)"
for tool in debootstrap mkfs.ext4 chroot tar; do
    command -v "$tool" >/dev/null || img_fail "$tool is missing (Debian: apt-get install debootstrap e2fsprogs)"
done
if [[ -z $BASE_ONLY ]]; then
    for b in agent kiosk agentctl; do
        [[ -x $BIN_DIR/$b ]] || img_fail "$BIN_DIR/$b is missing or not executable"
    done
fi

START=$(img_now)
mkdir -p "$GUICHET_IMAGE_CACHE"/{debs,base} "$OUT_DIR"

# --- The base root (cached) ---------------------------------------------------------
# The twin's kernel and its initramfs are the only packages the Pi image does not share.
TWIN_PACKAGES="linux-image-amd64 initramfs-tools"
PACKAGES=$( (img_packages "$REPO/images/packages.txt"; printf '%s\n' $TWIN_PACKAGES) | LC_ALL=C sort -u | paste -sd, -)
# The base stage's recipe is everything between these markers: changing it changes KEY.
BASE_RECIPE=$(sed -n '/^# >>> base stage/,/^# <<< base stage/p' "$0")
DEBS_KEY=$(printf '%s\n%s\n%s\n' "$SUITE" "$MIRROR" "$PACKAGES" | sha256sum | cut -c1-16)
BASE_KEY=$(printf '%s\n%s\n' "$DEBS_KEY" "$BASE_RECIPE" | sha256sum | cut -c1-16)
DEBS=$GUICHET_IMAGE_CACHE/debs/$SUITE-amd64-$DEBS_KEY.tgz
BASE=$GUICHET_IMAGE_CACHE/base/$SUITE-amd64-$BASE_KEY.tar

WORK=$(mktemp -d "$GUICHET_IMAGE_CACHE/work.XXXXXX")
MOUNTED=()
cleanup() {
    local m
    for ((i = ${#MOUNTED[@]} - 1; i >= 0; i--)); do
        umount -l "${MOUNTED[i]}" 2>/dev/null || true
    done
    rm -rf --one-file-system "$WORK"
}
trap cleanup EXIT

chroot_mounts() { # ROOT: what apt's maintainer scripts need inside the chroot
    local r=$1
    mount -t proc proc "$r/proc" && MOUNTED+=("$r/proc")
    mount --rbind /dev "$r/dev" && mount --make-rslave "$r/dev" && MOUNTED+=("$r/dev")
    mount -t sysfs sysfs "$r/sys" && MOUNTED+=("$r/sys")
}
chroot_unmount() {
    local m
    for ((i = ${#MOUNTED[@]} - 1; i >= 0; i--)); do
        umount -l "${MOUNTED[i]}"
    done
    MOUNTED=()
}

# >>> base stage (its text is part of the cache key)
make_base() {
    local root=$WORK/base t
    if [[ ! -s $DEBS ]]; then
        img_log "debootstrap --make-tarball: downloading the packages ($DEBS)"
        t=$(img_now)
        debootstrap --variant=minbase --include="$PACKAGES" --make-tarball="$DEBS.part" \
            "$SUITE" "$WORK/dl" "$MIRROR" >"$WORK/debootstrap-dl.log" 2>&1 || {
            tail -30 "$WORK/debootstrap-dl.log" >&2
            img_fail "debootstrap --make-tarball failed (log above)"
        }
        mv "$DEBS.part" "$DEBS"
        rm -rf "$WORK/dl"
        img_log "    downloaded in $(img_since "$t") s"
    fi
    img_log "debootstrap --unpack-tarball: installing the base root"
    t=$(img_now)
    debootstrap --variant=minbase --include="$PACKAGES" --unpack-tarball="$DEBS" \
        "$SUITE" "$root" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 || {
        tail -30 "$WORK/debootstrap.log" >&2
        img_fail "debootstrap failed (log above)"
    }
    img_log "    debootstrap in $(img_since "$t") s"

    # Security and point-release updates: a kiosk in a public place gets them at build.
    t=$(img_now)
    cat >"$root/etc/apt/sources.list" <<EOF
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb $SECURITY_MIRROR $SUITE-security main
EOF
    printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
    chmod 0755 "$root/usr/sbin/policy-rc.d"
    cp /etc/resolv.conf "$root/etc/resolv.conf"
    chroot_mounts "$root"
    chroot "$root" /usr/bin/env DEBIAN_FRONTEND=noninteractive sh -c \
        'apt-get update -qq && apt-get -y -qq -o Dpkg::Options::=--force-confold dist-upgrade &&
         apt-get -y -qq autoremove --purge && apt-get clean' \
        >"$WORK/upgrade.log" 2>&1 || {
        tail -30 "$WORK/upgrade.log" >&2
        img_fail "apt-get dist-upgrade in the base root failed (log above)"
    }
    # Only the kernel linux-image-amd64 now points at (the first one stays otherwise).
    keep=$(chroot "$root" dpkg-query -W -f='${Depends}' linux-image-amd64 | sed 's/[ ,(].*//')
    old=$(chroot "$root" dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' 'linux-image-[0-9]*' |
        awk -v keep="$keep" '$1 == "ii" && $2 != keep { print $2 }')
    if [[ -n $old ]]; then
        chroot "$root" /usr/bin/env DEBIAN_FRONTEND=noninteractive apt-get -y -qq purge $old \
            >>"$WORK/upgrade.log" 2>&1 || {
            tail -30 "$WORK/upgrade.log" >&2
            img_fail "purging the first kernel ($old) failed (log above)"
        }
    fi
    chroot_unmount
    rm -f "$root/usr/sbin/policy-rc.d" "$root/etc/resolv.conf"
    rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin
    img_log "    updates in $(img_since "$t") s"

    tar --numeric-owner --xattrs --acls -C "$root" -cf "$BASE.part" .
    mv "$BASE.part" "$BASE"
    rm -rf --one-file-system "$root"
    # One base and one set of packages in the cache: the ones just used.
    find "$GUICHET_IMAGE_CACHE/base" -name "$SUITE-amd64-*.tar" ! -name "${BASE##*/}" -delete
    find "$GUICHET_IMAGE_CACHE/debs" -name "$SUITE-amd64-*.tgz" ! -name "${DEBS##*/}" -delete
}
# <<< base stage

if [[ ! -s $BASE || -n ${GUICHET_REFRESH_BASE:-} ]]; then
    make_base
else
    img_log "base root from the cache: $BASE"
fi
if [[ -n $BASE_ONLY ]]; then
    img_log "base root ready in $(img_since "$START") s: $BASE"
    exit 0
fi

# --- The image's root: base + overlay + units + binaries + content + the boot check ---
ROOT=$WORK/root
mkdir -p "$ROOT"
t=$(img_now)
tar --numeric-owner --xattrs --acls -C "$ROOT" -xf "$BASE"
img_log "base root unpacked in $(img_since "$t") s"

bash "$REPO/images/assemble-root.sh" "$ROOT" "$BIN_DIR"

# The twin's own additions: its mount table (the persistent partition, /var on it as on
# the A/B Pi) and the boot check, a oneshot that reports on the serial console.
tar -C "$HERE/overlay" --owner=0 --group=0 --numeric-owner -cf - . | tar -C "$ROOT" --no-overwrite-dir -xf -
install -D -m 0755 "$HERE/bootcheck/guichet-bootcheck" "$ROOT/usr/lib/guichet/guichet-bootcheck"
install -D -m 0644 "$HERE/bootcheck/guichet-bootcheck.service" "$ROOT/usr/lib/systemd/system/guichet-bootcheck.service"
systemctl --root="$ROOT" enable guichet-bootcheck.service >/dev/null 2>&1
echo guichet-twin >"$ROOT/etc/hostname"

# --- Kernel, initramfs, disk images ---------------------------------------------------
kernel=$(ls "$ROOT"/boot/vmlinuz-* | sort -V | tail -1)
initrd=$(ls "$ROOT"/boot/initrd.img-* | sort -V | tail -1)
install -m 0644 "$kernel" "$OUT_DIR/vmlinuz"
install -m 0644 "$initrd" "$OUT_DIR/initrd.img"

t=$(img_now)
# Size: what the root holds plus a quarter (ext4's own metadata, and room to look around).
used_mb=$(du -sxm "$ROOT" | cut -f1)
size_mb=$((used_mb + used_mb / 4 + 64))
rm -f "$OUT_DIR/root.img" "$OUT_DIR/data.img"
truncate -s "${size_mb}M" "$OUT_DIR/root.img"
mkfs.ext4 -q -F -L guichet-root -d "$ROOT" "$OUT_DIR/root.img"
# The data partition holds the slot's /var, as rpi-image-gen's image-rota lays it out at
# build time; Guichet's own folders are not there: guichet-persistent.service makes and
# seeds them at the first boot, as on a kiosk whose data partition was reformatted.
mkdir -p "$WORK/data/slots/a"
cp -a "$ROOT/var" "$WORK/data/slots/a/var"
data_mb=$(($(du -sxm "$WORK/data" | cut -f1) + 256))
truncate -s "${data_mb}M" "$OUT_DIR/data.img"
mkfs.ext4 -q -F -L GUICHET-DATA -d "$WORK/data" "$OUT_DIR/data.img"
img_log "disk images in $(img_since "$t") s: root ${size_mb} MB ($used_mb MB used), data ${data_mb} MB"
img_log "twin built in $(img_since "$START") s: $OUT_DIR"
