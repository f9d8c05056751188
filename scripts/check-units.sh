#!/usr/bin/env bash
# Proves systemd/ with the systemd tools of this machine, on a throw-away root:
#   - systemd-analyze verify prints nothing at all for agent.service and kiosk.service
#     (it exits 0 on an unknown key, so any output is a failure);
#   - systemd-analyze security scores them under their thresholds
#     (kiosk ≤ 2.0, agent ≤ 3.0);
#   - systemd-sysusers and systemd-tmpfiles apply the drop-ins inside the root and make
#     what they should; the other drop-ins are checked for syntax and against the
#     installed systemd, PAM and kmod.
#
# Usage: scripts/check-units.sh [BIN_DIR]
#   BIN_DIR: where agent, kiosk and agentctl are (e.g. target/release); without it,
#   small shell stubs stand in for them (verify only needs executables).
#
# Every file is installed where systemd/README.md's table says, so the table and this
# check cannot drift apart. Nothing is written outside a mktemp -d folder, removed on
# exit (KEEP_ROOT=1 keeps it to look at): no systemctl, no sysctl, no udevadm control,
# no modprobe that loads anything.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN_DIR=${1:-}
KIOSK_MAX=2.0
AGENT_MAX=3.0

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

for tool in systemd-analyze systemd-sysusers systemd-tmpfiles; do
    command -v "$tool" >/dev/null || fail "$tool is not installed (Debian: apt-get install systemd)"
done
if [[ -n $BIN_DIR ]]; then
    for b in agent kiosk agentctl; do
        [[ -x $BIN_DIR/$b ]] || fail "$BIN_DIR/$b is missing or not executable"
    done
fi

ROOT=$(mktemp -d)
trap '[[ -n ${KEEP_ROOT:-} ]] && echo "root kept: $ROOT" || rm -rf "$ROOT"' EXIT

# --- Install every file where the README's table says ------------------------------
# Rows look like: | `systemd/agent.service` | `/usr/lib/systemd/system/agent.service` | why |
declare -A DEST=()
while IFS=$'\t' read -r src dst; do
    DEST[$src]=$dst
done < <(sed -n 's/^| *`\(systemd\/[^`]*\)` *| *`\(\/[^`]*\)` *|.*$/\1\t\2/p' systemd/README.md)
((${#DEST[@]} > 0)) || fail "no install table found in systemd/README.md"

while IFS= read -r f; do
    [[ $f == systemd/README.md ]] && continue
    [[ -n ${DEST[$f]:-} ]] || fail "$f has no row in systemd/README.md's install table"
done < <(find systemd -type f | sort)

for src in "${!DEST[@]}"; do
    [[ -f $src ]] || fail "systemd/README.md lists $src, which does not exist"
    install -D -m 0644 "$src" "$ROOT${DEST[$src]}"
done

AGENT_UNIT=${DEST[systemd/agent.service]:?agent.service missing from the table}
KIOSK_UNIT=${DEST[systemd/kiosk.service]:?kiosk.service missing from the table}

# The binaries the units start.
install -d "$ROOT/usr/lib/guichet"
for b in agent kiosk agentctl; do
    if [[ -n $BIN_DIR ]]; then
        install -m 0755 "$BIN_DIR/$b" "$ROOT/usr/lib/guichet/$b"
    else
        printf '#!/bin/sh\nexit 0\n' >"$ROOT/usr/lib/guichet/$b"
        chmod 0755 "$ROOT/usr/lib/guichet/$b"
    fi
done

# What Debian's base system has before our drop-ins run: root, and the device groups
# (base-passwd makes audio and video; udev's sysusers input and render).
install -d "$ROOT/etc"
printf 'root:x:0:0:root:/root:/bin/bash\n' >"$ROOT/etc/passwd"
printf 'root:*:19000:0:99999:7:::\n' >"$ROOT/etc/shadow"
printf 'root:x:0:\naudio:x:29:\nvideo:x:44:\ninput:x:101:\nrender:x:102:\n' >"$ROOT/etc/group"
printf 'root:*::\naudio:*::\nvideo:*::\ninput:*::\nrender:*::\n' >"$ROOT/etc/gshadow"
chmod 0600 "$ROOT/etc/shadow" "$ROOT/etc/gshadow"

# Units the kiosk and agent name, as stubs: verify then judges our two units alone, the
# same on any machine.
for u in getty@.service systemd-user-sessions.service plymouth-quit-wait.service \
    systemd-logind.service; do
    printf '[Unit]\nDescription=stub %s\n\n[Service]\nExecStart=/bin/true\n' "$u" \
        >"$ROOT/usr/lib/systemd/system/$u"
done
for t in network.target multi-user.target sysinit.target basic.target shutdown.target; do
    printf '[Unit]\nDescription=stub %s\n' "$t" >"$ROOT/usr/lib/systemd/system/$t"
done
install -d "$ROOT/bin"
cp /bin/true "$ROOT/bin/true"

# --- 1. systemd-analyze verify: silence or failure ------------------------------------
echo "==> systemd-analyze verify"
verify_out=$(systemd-analyze verify --man=no --generators=no --root="$ROOT" \
    "$ROOT$AGENT_UNIT" "$ROOT$KIOSK_UNIT" 2>&1) || {
    printf '%s\n' "$verify_out"
    fail "systemd-analyze verify exited non-zero"
}
if [[ -n $verify_out ]]; then
    printf '%s\n' "$verify_out"
    fail "systemd-analyze verify printed the above (it exits 0 on unknown keys)"
fi
echo "    nothing to say"

# --- 2. systemd-analyze security: under the thresholds --------------------------------
echo "==> systemd-analyze security"
declare -A SCORE=()
for pair in "kiosk.service $KIOSK_MAX" "agent.service $AGENT_MAX"; do
    read -r unit max <<<"$pair"
    status=0
    # --threshold= takes tenths in systemd 252 ("2.0" does not parse; 20 is 2.0).
    out=$(systemd-analyze security --offline=yes --root="$ROOT" --threshold="${max/./}" \
        --no-pager "$unit" 2>&1) || status=$?
    line=$(grep -a 'Overall exposure level' <<<"$out" || true)
    if [[ -z $line ]]; then
        printf '%s\n' "$out"
        fail "no exposure score for $unit"
    fi
    echo "    $line"
    score=$(sed -n 's/.*: \([0-9][0-9]*\.[0-9]\).*/\1/p' <<<"$line")
    [[ -n $score ]] || fail "cannot read the score in: $line"
    SCORE[$unit]=$score
    if ((status != 0)) || ! awk -v s="$score" -v m="$max" 'BEGIN { exit !(s <= m) }'; then
        printf '%s\n' "$out"
        fail "$unit scores $score, over $max"
    fi
done

# --- 3. The drop-ins ------------------------------------------------------------------
echo "==> sysusers.d"
out=$(systemd-sysusers --root="$ROOT" 2>&1) || {
    printf '%s\n' "$out"
    fail "systemd-sysusers failed"
}
entry=$(grep '^guichet-kiosk:' "$ROOT/etc/passwd") || fail "sysusers made no guichet-kiosk user"
IFS=: read -r _ _ uid gid _ home shell <<<"$entry"
((uid > 0 && uid < 1000)) || fail "guichet-kiosk has uid $uid, not a system uid"
[[ $home == /run/guichet-kiosk ]] || fail "guichet-kiosk's home is $home"
[[ $shell == /usr/sbin/nologin ]] || fail "guichet-kiosk's shell is $shell"
grep -q "^guichet-kiosk:x:$gid:" "$ROOT/etc/group" || fail "no group guichet-kiosk with gid $gid"
for g in video input render audio; do
    members=$(sed -n "s/^$g:[^:]*:[0-9]*://p" "$ROOT/etc/group")
    [[ ,$members, == *,guichet-kiosk,* ]] || fail "guichet-kiosk is not in group $g ($members)"
done
grep -q '^guichet-kiosk:!' "$ROOT/etc/shadow" || fail "guichet-kiosk's password is not locked"
echo "    guichet-kiosk uid $uid, groups video input render audio, no shell, locked"

echo "==> tmpfiles.d"
out=$(systemd-tmpfiles --root="$ROOT" --create 2>&1) || {
    printf '%s\n' "$out"
    fail "systemd-tmpfiles failed"
}
check_dir() { # path mode owner group
    [[ -d $ROOT$1 ]] || fail "tmpfiles did not make $1"
    got=$(stat -c '%a %u %g' "$ROOT$1")
    [[ $got == "$2 $3 $4" ]] || fail "$1 is '$got', expected '$2 $3 $4'"
}
check_dir /etc/guichet 700 0 0
check_dir /var/lib/guichet 700 0 0
echo "    /etc/guichet and /var/lib/guichet: 0700 root"

echo "==> sysctl.d (syntax only: sysctl is never run here)"
sysctl_file=$ROOT${DEST[systemd/sysctl.d/90-guichet.conf]}
while IFS= read -r l; do
    [[ $l =~ ^[[:space:]]*(#|$) ]] && continue
    [[ $l =~ ^-?[a-z0-9_]+(\.[a-z0-9_*-]+)+\ =\ [^[:space:]]+$ ]] || fail "sysctl.d: bad line: $l"
done <"$sysctl_file"
grep -qx 'kernel.sysrq = 0' "$sysctl_file" || fail "sysctl.d does not set kernel.sysrq = 0"
echo "    $(grep -cv '^\(#\|$\)' "$sysctl_file") settings, kernel.sysrq = 0"

# logind and journald: every key must be one the installed daemon knows (their gperf
# tables hold "Section.Key" strings).
check_conf() { # file section binary
    local file=$1 section=$2 bin=$3 cur=""
    grep -qx "\[$section\]" "$file" || fail "$file has no [$section] section"
    while IFS= read -r l; do
        [[ $l =~ ^[[:space:]]*(#|$) ]] && continue
        if [[ $l =~ ^\[(.*)\]$ ]]; then
            cur=${BASH_REMATCH[1]}
            [[ $cur == "$section" ]] || fail "$file: unexpected section [$cur]"
            continue
        fi
        [[ $l =~ ^([A-Za-z]+)=[^[:space:]]+$ ]] || fail "$file: bad line: $l"
        if [[ -f $bin ]]; then
            grep -aqP "(?<![A-Za-z.])$section\\.${BASH_REMATCH[1]}(?![A-Za-z])" "$bin" ||
                fail "$file: $bin knows no ${BASH_REMATCH[1]}="
        fi
    done <"$file"
}
echo "==> logind.conf.d, journald.conf.d, system.conf.d"
system_file=$ROOT${DEST[systemd/system.conf.d/90-guichet.conf]}
grep -qx '\[Manager\]' "$system_file" || fail "system.conf.d has no [Manager] section"
grep -qx 'CtrlAltDelBurstAction=none' "$system_file" || fail "system.conf.d lacks CtrlAltDelBurstAction=none"
# systemd keeps system.conf's keys in a table of bare names, not "Manager.Key" strings.
if [[ -f /lib/systemd/systemd ]]; then
    grep -aqw CtrlAltDelBurstAction /lib/systemd/systemd || fail "this systemd knows no CtrlAltDelBurstAction="
fi
grep -qx 'Environment=XKB_DEFAULT_LAYOUT=fr' systemd/kiosk.service || fail "kiosk.service does not set the AZERTY keymap"
logind_file=$ROOT${DEST[systemd/logind.conf.d/90-guichet.conf]}
journald_file=$ROOT${DEST[systemd/journald.conf.d/90-guichet.conf]}
check_conf "$logind_file" Login /lib/systemd/systemd-logind
check_conf "$journald_file" Journal /lib/systemd/systemd-journald
for k in NAutoVTs=0 ReserveVT=0 HandlePowerKey=ignore HandleSuspendKey=ignore \
    HandleHibernateKey=ignore HandleRebootKey=ignore; do
    grep -qx "$k" "$logind_file" || fail "logind.conf.d lacks $k"
done
coredump_file=$ROOT${DEST[systemd/coredump.conf.d/90-guichet.conf]}
# systemd-coredump is a separate package: its keys are checked where it is installed.
check_conf "$coredump_file" Coredump /lib/systemd/systemd-coredump
grep -qx 'Storage=none' "$coredump_file" || fail "coredump.conf.d lacks Storage=none"
for unit in agent kiosk; do
    grep -qx 'LimitCORE=0' "systemd/$unit.service" || fail "$unit.service lacks LimitCORE=0"
done
grep -qx 'Storage=volatile' "$journald_file" || fail "journald.conf.d lacks Storage=volatile"
grep -q '^RuntimeMaxUse=' "$journald_file" || fail "journald.conf.d does not bound RuntimeMaxUse="
echo "    keys known to systemd-logind and systemd-journald $(systemd-analyze --version | head -1 | cut -d' ' -f2)"

echo "==> udev rules (systemd 252 has no udevadm verify: syntax checked here)"
usb_rule_line='ACTION=="add", SUBSYSTEM=="usb", ENV{DEVTYPE}=="usb_interface", ATTR{bInterfaceClass}=="08", ENV{GUICHET_ALLOW_STORAGE}!="1", ATTR{authorized}="0"'
for src in "${!DEST[@]}"; do
    [[ $src == *.rules ]] || continue
    [[ ${DEST[$src]} == /usr/lib/udev/rules.d/* ]] || fail "$src is not installed in /usr/lib/udev/rules.d"
    while IFS= read -r l; do
        [[ $l =~ ^[[:space:]]*(#|$) ]] && continue
        IFS=$'\n' read -r -d '' -a keys < <(sed 's/", /"\n/g' <<<"$l" && printf '\0') || true
        for k in "${keys[@]}"; do
            [[ $k =~ ^[A-Z_]+(\{[^}]+\})?(==|!=|=|\+=|-=|:=)\"[^\"]*\"$ ]] ||
                fail "$src: bad key in: $l ($k)"
        done
    done <"$ROOT${DEST[$src]}"
done
grep -qxF "$usb_rule_line" "$ROOT${DEST[systemd/udev/rules.d/90-guichet-usb-storage.rules]}" ||
    fail "the USB storage rule is not the expected line"
echo "    USB interfaces of class 08 are de-authorised"

echo "==> modprobe.d"
modprobe_file=$ROOT${DEST[systemd/modprobe.d/guichet-usb-storage.conf]}
for m in usb-storage uas; do
    grep -qx "install $m /bin/false" "$modprobe_file" || fail "modprobe.d does not refuse $m"
done
if command -v modprobe >/dev/null; then
    # --showconfig only prints the parsed configuration of this one file.
    shown=$(modprobe --config="$modprobe_file" --showconfig 2>&1)
    for m in usb_storage uas; do
        grep -qx "install $m /bin/false" <<<"$shown" || {
            printf '%s\n' "$shown"
            fail "kmod does not read 'install $m /bin/false' from $modprobe_file"
        }
    done
fi
echo "    usb-storage and uas: install /bin/false"

echo "==> pam.d"
pam_file=$ROOT${DEST[systemd/pam.d/guichet-kiosk]}
pam_dir=$(dirname "$(find /usr/lib /lib -name pam_permit.so -path '*security*' 2>/dev/null | head -1)")
while IFS= read -r l; do
    [[ $l =~ ^[[:space:]]*(#|$) ]] && continue
    [[ $l =~ ^(auth|account|password|session)[[:space:]]+(required|requisite|sufficient|optional)[[:space:]]+(pam_[a-z_]+\.so)([[:space:]].*)?$ ]] ||
        fail "pam.d: bad line: $l"
    if [[ $pam_dir != . ]]; then
        [[ -f $pam_dir/${BASH_REMATCH[3]} ]] || fail "pam.d: no module ${BASH_REMATCH[3]} in $pam_dir"
    fi
done <"$pam_file"
grep -Eq '^session[[:space:]]+[a-z]+[[:space:]]+pam_systemd\.so' "$pam_file" || fail "pam.d: no pam_systemd session"
grep -Eq '^auth[[:space:]]+required[[:space:]]+pam_deny\.so' "$pam_file" || fail "pam.d: auth is not pam_deny"
grep -qx 'PAMName=guichet-kiosk' "$ROOT$KIOSK_UNIT" || fail "kiosk.service does not use this PAM service"
echo "    modules present, auth denied, session through pam_systemd"

echo "==> system-preset"
preset_file=$ROOT${DEST[systemd/system-preset/90-guichet.preset]}
while IFS= read -r l; do
    [[ $l =~ ^[[:space:]]*(#|$) ]] && continue
    [[ $l =~ ^(enable|disable)\ [A-Za-z0-9@._-]+$ ]] || fail "preset: bad line: $l"
done <"$preset_file"
echo "    enable agent, kiosk; disable getty@tty1"

echo "units: OK (kiosk ${SCORE[kiosk.service]}, agent ${SCORE[agent.service]})"
