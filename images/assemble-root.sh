#!/usr/bin/env bash
# Turns a Debian root (debootstrap for the amd64 twin, rpi-image-gen's mmdebstrap
# for the Raspberry Pi) into a Guichet root. The one place where what every image gets is
# put in place, so the twin booted in the tests and the image flashed on a card cannot
# drift apart:
#
#   - every file of systemd/ where systemd/README.md's install table says (the same
#     table scripts/check-units.sh installs from: a file without a row is refused);
#   - agent, kiosk and agentctl from BIN_DIR into /usr/lib/guichet;
#   - content/'s data (procedures, translations; not its parser crate) into
#     /usr/share/guichet/content;
#   - images/overlay/ (the agent's default config, the persistent partition's layout and
#     binds, tmpfs for /tmp, /var/tmp and the CUPS spool, the locale for PAM);
#   - the kiosk's user (systemd-sysusers --root), /etc/guichet and /var/lib/guichet
#     (systemd-tmpfiles --root), the units enabled by systemd/system-preset/, and what a
#     read-only root needs (an empty machine-id, mount points, no timers that write).
#
# Usage: images/assemble-root.sh ROOT BIN_DIR
#   ROOT     a Debian bookworm root with images/packages.txt installed
#   BIN_DIR  agent, kiosk and agentctl built for ROOT's architecture
# Needs root (file owners) and systemd's systemctl, systemd-sysusers, systemd-tmpfiles
# on the host (they work on ROOT, without running anything inside it).
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
source "$REPO/images/lib.sh"

ROOT=${1:?usage: assemble-root.sh ROOT BIN_DIR}
BIN_DIR=${2:?usage: assemble-root.sh ROOT BIN_DIR}
[[ -d $ROOT/usr/lib/systemd ]] || img_fail "$ROOT does not look like a Debian root with systemd"
for b in agent kiosk agentctl; do
    [[ -x $BIN_DIR/$b ]] || img_fail "$BIN_DIR/$b is missing or not executable"
done
cd "$REPO"

# --- systemd/, where systemd/README.md's table says ------------------------------------
# Rows look like: | `systemd/agent.service` | `/usr/lib/systemd/system/agent.service` | why |
# (the same expression as scripts/check-units.sh).
declare -A DEST=()
while IFS=$'\t' read -r src dst; do
    DEST[$src]=$dst
done < <(sed -n 's/^| *`\(systemd\/[^`]*\)` *| *`\(\/[^`]*\)` *|.*$/\1\t\2/p' systemd/README.md)
((${#DEST[@]} > 0)) || img_fail "no install table found in systemd/README.md"
while IFS= read -r f; do
    [[ $f == systemd/README.md ]] && continue
    [[ -n ${DEST[$f]:-} ]] || img_fail "$f has no row in systemd/README.md's install table"
done < <(find systemd -type f | sort)
for src in "${!DEST[@]}"; do
    [[ -f $src ]] || img_fail "systemd/README.md lists $src, which does not exist"
    install -D -m 0644 -o root -g root "$src" "$ROOT${DEST[$src]}"
done
img_log "systemd/: ${#DEST[@]} files installed from systemd/README.md's table"

# --- Binaries and content ---------------------------------------------------------------
install -d -m 0755 "$ROOT/usr/lib/guichet"
for b in agent kiosk agentctl; do
    install -m 0755 -o root -g root "$BIN_DIR/$b" "$ROOT/usr/lib/guichet/$b"
done
# The data only (procedures/, po/...), not the crate that parses it (Cargo.toml, src/).
rm -rf "$ROOT/usr/share/guichet/content"
install -d -m 0755 "$ROOT/usr/share/guichet/content"
for entry in content/*; do
    case ${entry#content/} in
    Cargo.toml | src | target) continue ;;
    esac
    cp -r "$entry" "$ROOT/usr/share/guichet/content/"
done
[[ -d $ROOT/usr/share/guichet/content/procedures ]] || img_fail "content/procedures did not reach the image"
chown -R root:root "$ROOT/usr/share/guichet"
chmod -R u=rwX,go=rX "$ROOT/usr/share/guichet"

# --- The overlay ------------------------------------------------------------------------
# Owners are root's whoever checked the repository out; modes are the repository's.
tar -C images/overlay --owner=0 --group=0 --numeric-owner -cf - . | tar -C "$ROOT" --no-overwrite-dir -xf -
chmod 0700 "$ROOT/etc/guichet"
chmod 0600 "$ROOT/etc/guichet/agent.toml"

# --- Users, folders, units ----------------------------------------------------------------
systemd-sysusers --root="$ROOT" >/dev/null
grep -q '^guichet-kiosk:' "$ROOT/etc/passwd" || img_fail "systemd-sysusers made no guichet-kiosk user"
# Only our own tmpfiles.d entries: the rest run at every boot where they can.
systemd-tmpfiles --root="$ROOT" --create guichet.conf

# Mount points on the read-only root (a missing one sends the boot to emergency mode).
install -d -m 0755 "$ROOT/persistent"
install -d -m 0700 "$ROOT/var/lib/guichet"
install -d -m 0755 "$ROOT/var/lib/guichet-content"
install -d -m 0711 "$ROOT/run/guichet-visit"
# logind writes here when a session starts; some images make /var/lib/systemd read-only.
install -d -m 0755 "$ROOT/var/lib/systemd/linger"

# The units: what systemd/system-preset/90-guichet.preset says (enable the agent and the
# kiosk, free tty1 of its getty), and the overlay's mounts.
systemctl --root="$ROOT" enable agent.service kiosk.service >/dev/null 2>&1
systemctl --root="$ROOT" disable getty@tty1.service >/dev/null 2>&1 || true
rm -f "$ROOT/etc/systemd/system/getty.target.wants/getty@tty1.service"
systemctl --root="$ROOT" enable guichet-persistent.service etc-guichet.mount \
    var-lib-guichet.mount 'var-lib-guichet\x2dcontent.mount' etc-cups.mount tmp.mount \
    var-tmp.mount var-spool-cups.mount 'run-guichet\x2dvisit.mount' >/dev/null 2>&1
for u in agent.service kiosk.service tmp.mount etc-guichet.mount 'var-lib-guichet\x2dcontent.mount' \
    'run-guichet\x2dvisit.mount'; do
    [[ $(systemctl --root="$ROOT" is-enabled "$u" 2>/dev/null) == enabled ]] || img_fail "$u is not enabled in $ROOT"
done
# Timers that write to the root or reach the network on their own: nothing runs apt or
# rebuilds caches on a kiosk (updates come as a whole new slot, images/README.md).
# Ctrl+Alt+Del must not reboot a public kiosk (system.conf.d also turns off its burst).
for u in apt-daily.timer apt-daily-upgrade.timer man-db.timer e2scrub_all.timer \
    e2scrub_reap.service fstrim.timer ctrl-alt-del.target; do
    systemctl --root="$ROOT" mask "$u" >/dev/null 2>&1 || true
done

# --- What a read-only root needs --------------------------------------------------------
# An empty machine-id: systemd makes a transient one at each boot instead of every card
# flashed from this image sharing the one made at build time (the A/B Pi layout keeps a
# persistent one on its data partition).
: >"$ROOT/etc/machine-id"
rm -f "$ROOT/var/lib/dbus/machine-id"
ln -s /etc/machine-id "$ROOT/var/lib/dbus/machine-id"
# Opening hours are local time.
ln -sf /usr/share/zoneinfo/Europe/Paris "$ROOT/etc/localtime"
echo Europe/Paris >"$ROOT/etc/timezone"
# speech-dispatcher: straight to ALSA (no PulseAudio on a kiosk), espeak-ng, French.
sdconf=$ROOT/etc/speech-dispatcher/speechd.conf
if [[ -f $sdconf ]]; then
    sed -i -e 's/^#* *AudioOutputMethod .*/AudioOutputMethod "alsa"/' \
        -e 's/^#* *DefaultModule .*/DefaultModule espeak-ng/' \
        -e 's/^#* *DefaultLanguage .*/DefaultLanguage "fr-FR"/' "$sdconf"
fi
img_log "root assembled: $ROOT"
