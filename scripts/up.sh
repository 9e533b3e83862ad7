#!/usr/bin/env bash
# npm run up: install, provision Asterisk, migrate, start Asterisk + API + worker in the
# background, return once /health is 200. Run it again to restart everything cleanly.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT_DIR"
mkdir -p "$STATE_DIR" "$LOG_DIR"
chmod 700 "$STATE_DIR"

# Settings: .env (optional), then the generated secrets for what neither .env nor the caller's
# environment set. Every default lives in libs/config (loadConfig), which the API, the worker and
# the local Asterisk runner all use; this script copies none of them.
if [ -f "$ROOT_DIR/.env" ]; then set -a; source "$ROOT_DIR/.env"; set +a; fi
SECRETS="$STATE_DIR/secrets.env"
random_hex() { node -e 'process.stdout.write(require("crypto").randomBytes(24).toString("hex"))'; }
if [ ! -f "$SECRETS" ]; then
  # 077 for this file only: dist/ and the rest must stay readable by the API's user (lib.sh)
  (umask 077
  {
    echo "AMI_PASSWORD=$(random_hex)"
    echo "ARI_PASSWORD=$(random_hex)"
    echo "GENERATED_ADMIN_TOKEN=pbx_$(node -e 'process.stdout.write(require("crypto").randomBytes(32).toString("base64url"))')"
  } > "$SECRETS")
  say "generated AMI/ARI secrets and an admin token in $SECRETS"
fi
# the PostgreSQL roles' passwords (added to an older secrets file too); the migrate step below
# sets them on the cluster's roles every run, so this file is the truth for this cluster
for name in DB_APP_PASSWORD DB_ASTERISK_PASSWORD DB_REPORTING_PASSWORD; do
  if ! grep -q "^$name=" "$SECRETS"; then
    (umask 077 && echo "$name=$(random_hex)" >> "$SECRETS")
    say "generated $name in $SECRETS"
  fi
done
while IFS='=' read -r name value; do
  if [ -n "$name" ] && [ -z "${!name:-}" ]; then export "$name=$value"; fi
done < "$SECRETS"
export PBX_ADMIN_TOKEN="${PBX_ADMIN_TOKEN:-$GENERATED_ADMIN_TOKEN}"
export NO_COLOR=1   # plain log files

install_deps
ensure_host_tools
build
ensure_app_user
if [ "${ASTERISK_EXTERNAL:-0}" != "1" ]; then
  say "provisioning Asterisk (cached chroot)"
  ensure_chroot
fi

# validates the whole configuration (stops here with the list of problems) and gives the
# addresses printed below
PBX_CONFIG="$(node dist/scripts/config-shell.js)"
eval "$PBX_CONFIG"
ensure_recordings_dir "$PBX_RECORDINGS_DIR"

say "migrating $PBX_DATABASE and provisioning its roles"
node dist/libs/database/src/migrate.js

# from here on only the roles log in: Asterisk as pbx_asterisk, the API and the worker as pbx_app
# (loadConfig derives their logins from DATABASE_URL's place); the migration role's password stays here
export DATABASE_URL="$PBX_DATABASE_LOCATION"
unset PGPASSWORD

stop_pidfile "$STATE_DIR/api.pid"
stop_pidfile "$STATE_DIR/worker.pid"
if [ "${ASTERISK_EXTERNAL:-0}" != "1" ]; then
  node dist/asterisk/local/cli.js start
fi

# the apps need pbx_app's password only
unset DB_ASTERISK_PASSWORD DB_REPORTING_PASSWORD
# as APP_USER (see lib.sh); this shell opens the logs, so that user needs no write access
"${AS_APP_USER[@]}" nohup node dist/apps/api/src/main.js >>"$LOG_DIR/api.log" 2>&1 &
echo $! > "$STATE_DIR/api.pid"
"${AS_APP_USER[@]}" nohup node dist/apps/worker/src/main.js >>"$LOG_DIR/worker.log" 2>&1 &
echo $! > "$STATE_DIR/worker.pid"

URL="$PBX_API_URL"
for i in $(seq 1 120); do
  if [ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/health" || true)" = "200" ]; then break; fi
  if ! kill -0 "$(cat "$STATE_DIR/api.pid")" 2>/dev/null; then say "the API exited; see $LOG_DIR/api.log"; tail -20 "$LOG_DIR/api.log"; exit 1; fi
  if [ "$i" = 120 ]; then say "/health is not 200 after 60 s:"; curl -s "$URL/health" || true; echo; exit 1; fi
  sleep 0.5
done

cat <<MSG

PBX control plane is up.
  API          $URL   (OpenAPI: $URL/docs, health: $URL/health)
  SIP          udp/tcp $PBX_SIP (realm $PBX_SIP_REALM; register as <extension>@$PBX_SIP_HOST)
  Metrics      $PBX_API_METRICS (API), $PBX_WORKER_METRICS (worker)$PBX_METRICS_NOTE
  Admin token  $PBX_ADMIN_TOKEN
  Logs         $LOG_DIR/api.log, $LOG_DIR/worker.log, $PBX_ASTERISK_LOG
  Stop         npm run down
MSG
