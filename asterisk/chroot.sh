#!/usr/bin/env bash
# Builds (once) and caches a Debian sid chroot with Asterisk 22, outside the clone, so that
# every checkout and CI run reuses it, and keeps it current. Prints the root's path on stdout.
#
#   ASTERISK_CHROOT               the root (default /var/cache/pbx-control-plane/asterisk-sid)
#   DEBIAN_MIRROR                 Debian's archive; by default the one this machine's apt uses
#   ASTERISK_CHROOT_MAX_AGE_DAYS  refresh (apt-get update + upgrade) a root older than this (7)
#   chroot.sh --dry-run           print what would be done (ready, install or refresh) and exit
#
# A finished root carries a marker holding a hash of the package list and of the pin
# (chroot-lib.sh): another list means an install, an old marker a refresh. asterisk* stays at
# 1:22.* (an apt preferences file in the root), and a root whose Asterisk is not 22 is refused.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=asterisk/chroot-lib.sh
. "$here/chroot-lib.sh"

ROOT="${ASTERISK_CHROOT:-/var/cache/pbx-control-plane/asterisk-sid}"
MAX_AGE_DAYS="${ASTERISK_CHROOT_MAX_AGE_DAYS:-7}"
MARKER="$ROOT/.pbx-asterisk-ready"
# asterisk-moh-opsound-wav: the music on hold of musiconhold.conf's default class (calls on hold)
PACKAGES="asterisk asterisk-modules asterisk-config asterisk-moh-opsound-wav"
PIN="1:22.*"
WANT="$(chroot_marker "$PACKAGES" "$PIN")"

log() { echo "[asterisk-chroot] $*" >&2; }

[[ "$MAX_AGE_DAYS" =~ ^[0-9]+$ ]] || { log "ASTERISK_CHROOT_MAX_AGE_DAYS must be a whole number of days"; exit 1; }
action="$(chroot_action "$MARKER" "$WANT" "$MAX_AGE_DAYS")"
if [ "${1:-}" = "--dry-run" ]; then echo "$action"; exit 0; fi
if [ "$action" = ready ]; then echo "$ROOT"; exit 0; fi
[ "$(id -u)" = 0 ] || { log "must run as root (debootstrap and chroot)"; exit 1; }

if ! command -v debootstrap >/dev/null 2>&1; then
  log "installing debootstrap"
  apt-get update -qq >&2 || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >&2
fi

mkdir -p "$(dirname "$ROOT")"
exec 9>"$(dirname "$ROOT")/.lock"
flock 9
# another run may have done it while this one waited for the lock
action="$(chroot_action "$MARKER" "$WANT" "$MAX_AGE_DAYS")"
if [ "$action" = ready ]; then echo "$ROOT"; exit 0; fi

if [ ! -x "$ROOT/usr/bin/apt-get" ]; then
  MIRROR="$(chroot_mirror)"
  log "debootstrap sid into $ROOT from $MIRROR (first run only, a few minutes)"
  rm -rf "$ROOT"
  debootstrap --variant=minbase sid "$ROOT" "$MIRROR" >&2
fi
cp /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null || true
mkdir -p "$ROOT/etc/apt/preferences.d"
# every binary package of the asterisk source at 22, none at another version (-1: never)
cat > "$ROOT/etc/apt/preferences.d/pbx-asterisk" <<PIN
Package: src:asterisk
Pin: version $PIN
Pin-Priority: 1001

Package: src:asterisk
Pin: version *
Pin-Priority: -1
PIN
log "$action: $PACKAGES"
# Check-Valid-Until stays off: on machines whose clock runs ahead of the archive (or with a
# snapshot mirror) sid's Release file reads as expired and apt would refuse every update.
apt_get() { chroot "$ROOT" env DEBIAN_FRONTEND=noninteractive apt-get -o Acquire::Check-Valid-Until=false "$@" >&2; }
apt_get -qq update
if [ "$action" = refresh ]; then apt_get -y -qq upgrade; fi
# shellcheck disable=SC2086
apt_get -y -qq install --no-install-recommends $PACKAGES
version="$(chroot "$ROOT" /usr/sbin/asterisk -V)"
log "$version"
case "$version" in
  "Asterisk 22."*) ;;
  *) log "Asterisk 22 is required, found: $version"; exit 1 ;;
esac
echo "$WANT" > "$MARKER" # rewritten: its age counts from this refresh
echo "$ROOT"
