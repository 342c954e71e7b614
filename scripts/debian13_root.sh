#!/usr/bin/env bash
# Builds (once) a minimal Debian 13 ("trixie") root whose tools are the oracles for the systems that keep no
# utmp: coreutils 9.7 (who, users: linked with libsystemd), procps 4.0.4 (w), wtmpdb 0.73 (Debian 13's last),
# util-linux's lastlog2, and systemd-journal-remote (writes real journal files). Cached outside the repository;
# the machine's apt configuration is not touched (mmdebstrap takes the suite and mirror as arguments).
#
# Usage: scripts/debian13_root.sh [DIR]   (default: $UTMP_DEBIAN13_ROOT or /var/cache/utmp/debian13)
# Prints the root's path on its last line. Exit 0 when the root is ready, 1 when it cannot be built.
set -euo pipefail
dir=${1:-${UTMP_DEBIAN13_ROOT:-/var/cache/utmp/debian13}}
packages=coreutils,procps,util-linux,wtmpdb,lastlog2,systemd,libpam-systemd,systemd-journal-remote,sqlite3
stamp="$dir/.utmp-oracle"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$packages" ]; then
  echo "$dir"
  exit 0
fi
command -v mmdebstrap >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq mmdebstrap; } >/dev/null
# The mirror this machine's apt uses (deb822 or one-line sources), else Debian's own.
mirror=$(grep -hoE '^URIs: *\S+' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v security | head -1 | awk '{print $2}' || true)
[ -n "$mirror" ] || mirror=$(grep -hoE '^deb +\S+' /etc/apt/sources.list 2>/dev/null | grep -v security | head -1 | awk '{print $2}' || true)
[ -n "$mirror" ] || mirror=http://deb.debian.org/debian
rm -rf "$dir.tmp" && mkdir -p "$(dirname "$dir")"
mmdebstrap --quiet --variant=minbase --include="$packages" trixie "$dir.tmp" "deb $mirror trixie main" >&2
rm -rf "$dir" && mv "$dir.tmp" "$dir"
printf '%s' "$packages" >"$stamp"
echo "$dir"
