# Shared by up.sh, down.sh and test.sh.
ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE_DIR="${PBX_STATE_DIR:-$ROOT_DIR/.pbx}"
LOG_DIR="$STATE_DIR/logs"

say() { echo "[pbx] $*"; }

# npm install (pinned by package-lock.json) when node_modules is missing or older than the lock.
# Not `npm ci`: npm 11 writes lock files without other platforms' optional binaries
# (@swc/core-*), and `npm ci` then refuses them as out of sync.
install_deps() {
  if [ ! -d "$ROOT_DIR/node_modules" ] || [ "$ROOT_DIR/package-lock.json" -nt "$ROOT_DIR/node_modules/.package-lock.json" ]; then
    say "installing npm dependencies"
    (cd "$ROOT_DIR" && npm install --no-audit --no-fund --loglevel=error)
  fi
}

build() {
  say "building"
  (cd "$ROOT_DIR" && npm run --silent build)
}

# Debian's lame (the worker encodes recordings to MP3) and mpg123 (reads MP3s back) on this
# host, where the worker runs; installed with apt when missing and this runs as root.
HOST_TOOLS=(lame mpg123)
ensure_host_tools() {
  local missing=() tool
  for tool in "${HOST_TOOLS[@]}"; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
  [ "${#missing[@]}" = 0 ] && return 0
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    say "missing ${missing[*]} (Debian packages): recordings cannot be encoded until they are installed"
    return 0
  fi
  say "installing ${missing[*]} (apt)"
  apt-get update -qq || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# RECORDINGS_DIR: the worker writes the MP3s there, so it belongs to APP_USER when run as root.
ensure_recordings_dir() {
  local dir="$1"
  mkdir -p "$dir"
  if [ "$(id -u)" = 0 ]; then chown "$APP_USER:$APP_USER" "$dir"; fi
}

ensure_chroot() {
  ASTERISK_CHROOT="$(bash "$ROOT_DIR/asterisk/chroot.sh")"
  export ASTERISK_CHROOT
}

stop_pidfile() {
  local file="$1" pid
  [ -f "$file" ] || return 0
  pid="$(cat "$file")"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}

# The API and the worker never run as root: started by root, they run as the system user
# PBX_APP_USER (default pbx, created without a login shell or home when missing), which needs
# only to read the checkout (dist/, node_modules/). Their logs and pid files are opened and
# written by this script, so that user needs no write access anywhere. Started by another
# user, they simply run as that user.
APP_USER="${PBX_APP_USER:-pbx}"

ensure_app_user() {
  [ "$(id -u)" = 0 ] || return 0
  if ! id -u "$APP_USER" >/dev/null 2>&1; then
    say "creating the system user $APP_USER (no login shell) for the API and the worker"
    useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$APP_USER"
  fi
  [ "$(id -u "$APP_USER")" != 0 ] || { say "PBX_APP_USER must not be root"; exit 1; }
  local file
  for file in dist/apps/api/src/main.js node_modules/@nestjs/core/package.json; do
    if ! as_app_user test -r "$ROOT_DIR/$file"; then
      say "the user $APP_USER cannot read $ROOT_DIR/$file: give it read access to the checkout (every parent folder needs o+x)"
      exit 1
    fi
  done
}

# The prefix that runs a command as APP_USER (when root): setpriv and env exec in turn, so a
# backgrounded `"${AS_APP_USER[@]}" node ... &` leaves $! the pid of node itself; no setuid
# helper, and no new privileges for anything node starts.
AS_APP_USER=()
if [ "$(id -u)" = 0 ]; then
  AS_APP_USER=(setpriv --reuid="$APP_USER" --regid="$APP_USER" --init-groups --no-new-privs -- env HOME=/nonexistent)
fi
as_app_user() { "${AS_APP_USER[@]}" "$@"; }
