#!/usr/bin/env bash
# Checks the Raspberry Pi recipe before a long build, in seconds:
#   - layer/guichet.yaml installs exactly the packages of images/packages.txt;
#   - with RPI_IMAGE_GEN (a checkout of rpi-image-gen): every layer the configs name
#     (device, image, base) exists in that checkout, so a checkout too old or too new
#     for this recipe fails here with the name of what is missing, not after an hour.
#
# Usage: images/rpi/check-layer.sh [RPI_IMAGE_GEN]
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
source "$REPO/images/lib.sh"
RIG=${1:-}

# The layer's list: the "    - name" lines under "  packages:".
layer_packages() {
    awk '/^  packages:/ { on = 1; next } on && /^    - / { print $2; next } on && !/^ *#/ { on = 0 }' \
        "$HERE/layer/guichet.yaml" | LC_ALL=C sort -u
}
diff_out=$(diff <(img_packages "$REPO/images/packages.txt") <(layer_packages)) || {
    echo "images/packages.txt (<) and images/rpi/layer/guichet.yaml (>) differ:" >&2
    printf '%s\n' "$diff_out" >&2
    exit 1
}
echo "packages: layer/guichet.yaml = images/packages.txt ($(layer_packages | wc -l) packages)"

[[ -n $RIG ]] || exit 0
[[ -x $RIG/rpi-image-gen ]] || img_fail "$RIG is not an rpi-image-gen checkout (no rpi-image-gen there)"
missing=0
for cfg in "$HERE"/config/*.yaml; do
    for want in $(awk '/^(device|image|layer):/ { s = $1 } /^  (layer|base):/ && s != "" { print $2 }' "$cfg"); do
        [[ $want == guichet ]] && continue
        if grep -rqs --include='*.yaml' -E "^# X-Env-Layer-Name: $want\$" "$RIG"; then
            echo "    ${cfg##*/}: layer $want found"
        else
            echo "    ${cfg##*/}: no layer named $want in $RIG" >&2
            missing=1
        fi
    done
done
((missing == 0)) || img_fail "this rpi-image-gen checkout lacks layers the configs name (see above)"
echo "layers: every layer the configs name exists in $RIG"
