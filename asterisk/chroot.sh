#!/usr/bin/env bash
# Builds (once) and caches a Debian sid chroot with Asterisk 22, outside the clone, so that
# every checkout and CI run reuses it. Idempotent: a finished root carries a marker file.
# Prints the root's path on stdout.
set -euo pipefail

ROOT="${ASTERISK_CHROOT:-/var/cache/pbx-control-plane/asterisk-sid}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
MARKER="$ROOT/.pbx-asterisk-ready"
PACKAGES="asterisk asterisk-modules asterisk-config"

log() { echo "[asterisk-chroot] $*" >&2; }

if [ -f "$MARKER" ]; then echo "$ROOT"; exit 0; fi
[ "$(id -u)" = 0 ] || { log "must run as root (debootstrap and chroot)"; exit 1; }

if ! command -v debootstrap >/dev/null 2>&1; then
  log "installing debootstrap"
  apt-get update -qq >&2 || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >&2
fi

mkdir -p "$(dirname "$ROOT")"
exec 9>"$(dirname "$ROOT")/.lock"
flock 9
if [ -f "$MARKER" ]; then echo "$ROOT"; exit 0; fi

if [ ! -x "$ROOT/usr/bin/apt-get" ]; then
  log "debootstrap sid into $ROOT (first run only, about a minute)"
  rm -rf "$ROOT"
  debootstrap --variant=minbase sid "$ROOT" "$MIRROR" >&2
fi
cp /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null || true
log "installing $PACKAGES"
chroot "$ROOT" apt-get -o Acquire::Check-Valid-Until=false update -qq >&2
chroot "$ROOT" env DEBIAN_FRONTEND=noninteractive apt-get -o Acquire::Check-Valid-Until=false \
  install -y -qq --no-install-recommends $PACKAGES >&2
chroot "$ROOT" /usr/sbin/asterisk -V >&2
touch "$MARKER"
echo "$ROOT"
