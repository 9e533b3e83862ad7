#!/usr/bin/env bash
# npm run up: install, provision Asterisk, migrate, start Asterisk + API + worker in the
# background, return once /health is 200. Run it again to restart everything cleanly.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT_DIR"
mkdir -p "$STATE_DIR" "$LOG_DIR"
chmod 700 "$STATE_DIR"

# operator settings: .env (optional), then generated secrets kept across runs
if [ -f "$ROOT_DIR/.env" ]; then set -a; source "$ROOT_DIR/.env"; set +a; fi
SECRETS="$STATE_DIR/secrets.env"
if [ ! -f "$SECRETS" ]; then
  umask 077
  {
    echo "AMI_PASSWORD=$(node -e 'process.stdout.write(require("crypto").randomBytes(24).toString("hex"))')"
    echo "ARI_PASSWORD=$(node -e 'process.stdout.write(require("crypto").randomBytes(24).toString("hex"))')"
    echo "GENERATED_ADMIN_TOKEN=pbx_$(node -e 'process.stdout.write(require("crypto").randomBytes(32).toString("base64url"))')"
  } > "$SECRETS"
  say "generated AMI/ARI secrets and an admin token in $SECRETS"
fi
set -a; source "$SECRETS"; set +a
export AMI_PASSWORD ARI_PASSWORD
export PBX_ADMIN_TOKEN="${PBX_ADMIN_TOKEN:-$GENERATED_ADMIN_TOKEN}"
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/pbx}"
export PORT="${PORT:-3000}" SIP_PORT="${SIP_PORT:-5060}" AMI_PORT="${AMI_PORT:-5038}"
export ARI_URL="${ARI_URL:-http://127.0.0.1:8088}"
export NO_COLOR=1   # plain log files

install_deps
build
if [ "${ASTERISK_EXTERNAL:-0}" != "1" ]; then
  say "provisioning Asterisk (cached chroot)"
  ensure_chroot
fi

say "migrating $(echo "$DATABASE_URL" | sed -E 's#//[^@]*@#//***@#')"
node dist/libs/database/src/migrate.js

stop_pidfile "$STATE_DIR/api.pid"
stop_pidfile "$STATE_DIR/worker.pid"
if [ "${ASTERISK_EXTERNAL:-0}" != "1" ]; then
  node dist/asterisk/local/cli.js start
fi

nohup node dist/apps/api/src/main.js >>"$LOG_DIR/api.log" 2>&1 &
echo $! > "$STATE_DIR/api.pid"
nohup node dist/apps/worker/src/main.js >>"$LOG_DIR/worker.log" 2>&1 &
echo $! > "$STATE_DIR/worker.pid"

URL="http://127.0.0.1:$PORT"
for i in $(seq 1 120); do
  if [ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/health" || true)" = "200" ]; then break; fi
  if ! kill -0 "$(cat "$STATE_DIR/api.pid")" 2>/dev/null; then say "the API exited; see $LOG_DIR/api.log"; tail -20 "$LOG_DIR/api.log"; exit 1; fi
  if [ "$i" = 120 ]; then say "/health is not 200 after 60 s:"; curl -s "$URL/health" || true; echo; exit 1; fi
  sleep 0.5
done

API_METRICS="$URL/metrics"
if [ "${API_METRICS_PORT:-0}" != 0 ]; then API_METRICS="http://${METRICS_HOST:-127.0.0.1}:$API_METRICS_PORT/metrics"; fi

cat <<MSG

PBX control plane is up.
  API          $URL   (OpenAPI: $URL/docs, health: $URL/health)
  SIP          udp/tcp 127.0.0.1:$SIP_PORT (realm ${SIP_REALM:-pbx}; register as <extension>@127.0.0.1)
  Metrics      $API_METRICS (API), http://${METRICS_HOST:-127.0.0.1}:${WORKER_METRICS_PORT:-3001}/metrics (worker)${METRICS_TOKEN:+, with the METRICS_TOKEN bearer token}
  Admin token  $PBX_ADMIN_TOKEN
  Logs         $LOG_DIR/api.log, $LOG_DIR/worker.log, ${ASTERISK_CHROOT:-<external>}/srv/pbx/pbx/log/messages.log
  Stop         npm run down
MSG
