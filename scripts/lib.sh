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
