#!/usr/bin/env bash
# What only the Raspberry Pi image gets on top of images/assemble-root.sh, run by the
# rpi-image-gen layer (layer/guichet.yaml) as a customize hook: ROOT is the image's root.
#
#   - its agent.toml: the GPIO header and the panel's backlight are real on a Pi;
#   - no SSH server listening on the town hall's network: bookworm-minbase installs
#     openssh-server; it is masked here, and IT staff who want it ship a drop-in with
#     their key (images/README.md, "Remote access");
#   - /etc/resolv.conf pointing into /run, since the root is read-only.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=${1:?usage: customize-pi.sh ROOT}

tar -C "$HERE/overlay" --owner=0 --group=0 --numeric-owner -cf - . | tar -C "$ROOT" --no-overwrite-dir -xf -
chmod 0700 "$ROOT/etc/guichet"
chmod 0600 "$ROOT/etc/guichet/agent.toml"

for u in ssh.service ssh.socket sshd.service; do
    systemctl --root="$ROOT" mask "$u" >/dev/null 2>&1 || true
done

# systemd-resolved (systemd-net-min) keeps its stub file in /run: the read-only root only
# holds the link.
if [[ -e $ROOT/usr/lib/systemd/systemd-resolved && ! -L $ROOT/etc/resolv.conf ]]; then
    ln -sf ../run/systemd/resolve/stub-resolv.conf "$ROOT/etc/resolv.conf"
fi
