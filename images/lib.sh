# Shared by the image scripts (sourced, never run). Bash only.

GUICHET_IMAGE_CACHE=${GUICHET_IMAGE_CACHE:-/var/cache/guichet-images}

img_log() { printf '==> %s\n' "$*" >&2; }
img_fail() {
    printf 'FAIL: %s\n' "$*" >&2
    exit 1
}

# The package names of a packages.txt-style file (comments and blank lines dropped), one
# per line, sorted, so that a reordered list keeps the same cache key.
img_packages() { # FILE...
    sed -e 's/#.*//' -e 's/[[:space:]]//g' "$@" | grep -v '^$' | LC_ALL=C sort -u
}

# Seconds since the epoch with milliseconds, for the timings the scripts print.
img_now() { date +%s.%3N; }
img_since() { # START
    awk -v a="$1" -v b="$(img_now)" 'BEGIN { printf "%.1f", b - a }'
}
