#!/bin/sh
# Container entrypoint for the PBX's Asterisk: fills in the defaults of the settings left unset
# (defaults.env, generated from libs/config's loadConfig), renders templates/{common,pbx} with
# render.sh into $INSTANCE_DIR/etc (what asterisk.conf's astetcdir points to), then runs
# Asterisk in the foreground in place of this shell (or runs the given command instead).
#
#   PBX_RENDER_ONLY=1   render and exit
#   PBX_TEMPLATES       template root (default: templates/ beside this script)
#   INSTANCE_DIR        Asterisk's etc/, lib/, spool/, run/, log/ (default /var/lib/pbx-asterisk)
#
# render.sh, defaults.env and templates/ are found beside this script, as in asterisk/ of the
# repository and in the image. test/asterisk-entrypoint.e2e-spec.ts runs this very script in
# the Asterisk chroot, so it is exercised on machines without Docker.
#
# The image runs it as the asterisk user (USER in asterisk/Dockerfile): INSTANCE_DIR must be
# writable by whoever runs it, and Asterisk then never holds root.
#
# Never prints a variable's value: AMI_PASSWORD, ARI_PASSWORD and DB_PASSWORD pass through.
set -eu

die() {
  echo "pbx-asterisk: $*" >&2
  exit 1
}

here=$(cd "$(dirname "$0")" && pwd)
[ -f "$here/render.sh" ] && [ -f "$here/defaults.env" ] || die "render.sh or defaults.env missing beside $0"
: "${PBX_TEMPLATES:=$here/templates}"
: "${INSTANCE_DIR:=/var/lib/pbx-asterisk}"

# Defaults for what is unset or empty (compose passes unset settings as empty strings). The
# file holds NAME=value lines of plain characters, written by asterisk/local/defaults-env.ts.
while IFS='=' read -r name value; do
  case $name in '' | '#'*) continue ;; esac
  case $name in *[!A-Z0-9_]*) die "defaults.env: bad line for $name" ;; esac
  eval "current=\${$name:-}"
  [ -n "$current" ] || export "$name=$value"
done < "$here/defaults.env"
unset name value current
export INSTANCE_DIR DB_PASSWORD="${DB_PASSWORD:-}"

[ -d "$PBX_TEMPLATES/common" ] && [ -d "$PBX_TEMPLATES/pbx" ] \
  || die "templates not found under $PBX_TEMPLATES (expected common/ and pbx/)"
case $INSTANCE_DIR in /*) ;; *) die "INSTANCE_DIR must be an absolute path" ;; esac

umask 077
for dir in etc lib spool run log; do
  mkdir -p "$INSTANCE_DIR/$dir"
done
# stale control socket / pid from a previous container run on the same volume; configuration
# files of an earlier version must not linger either
rm -f "$INSTANCE_DIR/run/asterisk.ctl" "$INSTANCE_DIR/run/asterisk.pid"
find "$INSTANCE_DIR/etc" -mindepth 1 -maxdepth 1 -type f -exec rm -f {} +

/bin/sh "$here/render.sh" "$INSTANCE_DIR/etc" "$PBX_TEMPLATES/common" "$PBX_TEMPLATES/pbx" \
  || die "configuration not rendered (see above)"

echo "pbx-asterisk: rendered $(ls "$INSTANCE_DIR/etc" | wc -l) files into $INSTANCE_DIR/etc" \
  "(SIP $SIP_BIND:$SIP_PORT, AMI 127.0.0.1:$AMI_PORT, ARI 127.0.0.1:$ARI_PORT," \
  "database $DB_USER@$DB_HOST:$DB_PORT/$DB_NAME)"

if [ "${PBX_RENDER_ONLY:-0}" = 1 ]; then
  exit 0
fi

# Keep the secrets out of Asterisk's environment (and of anything it spawns).
unset AMI_PASSWORD ARI_PASSWORD DB_PASSWORD

if [ "$#" -gt 0 ]; then
  exec "$@"
fi
exec asterisk -C "$INSTANCE_DIR/etc/asterisk.conf" -f -n
