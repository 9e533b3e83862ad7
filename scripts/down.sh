#!/usr/bin/env bash
# npm run down: stops the API, the worker and the local Asterisk started by npm run up.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT_DIR"
stop_pidfile "$STATE_DIR/api.pid"
stop_pidfile "$STATE_DIR/worker.pid"
if [ -f "$STATE_DIR/secrets.env" ] && [ -f dist/asterisk/local/cli.js ] && [ "${ASTERISK_EXTERNAL:-0}" != "1" ]; then
  set -a; source "$STATE_DIR/secrets.env"; [ -f .env ] && source .env; set +a
  ensure_chroot
  node dist/asterisk/local/cli.js stop
fi
say "stopped"
