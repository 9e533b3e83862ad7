#!/bin/sh
# Container entrypoint for the PBX's Asterisk: renders asterisk/templates/{common,pbx} from
# the environment into $INSTANCE_DIR/etc (what asterisk.conf's astetcdir points to), then
# runs Asterisk in the foreground as PID 1's child (or runs the given command instead).
#
#   PBX_RENDER_ONLY=1   render and exit (used to test the rendering without Docker)
#   PBX_TEMPLATES       template root (default: where the image copies asterisk/templates)
#
# Never prints a variable's value: secrets (AMI_PASSWORD, ARI_PASSWORD, DB_PASSWORD) pass
# from the environment to awk through ENVIRON only, never through a command line.
set -eu

die() {
  echo "pbx-asterisk: $*" >&2
  exit 1
}

# --- settings -------------------------------------------------------------------------
: "${PBX_TEMPLATES:=/usr/local/share/pbx-asterisk/templates}"
: "${INSTANCE:=pbx}"
: "${INSTANCE_DIR:=/var/lib/pbx-asterisk}"
: "${SIP_BIND:=0.0.0.0}"
: "${SIP_PORT:=5060}"
: "${SIP_REALM:=pbx}"
: "${AMI_PORT:=5038}"
: "${AMI_USERNAME:=pbx}"
: "${ARI_PORT:=8088}"
: "${ARI_USERNAME:=pbx}"
: "${ARI_APP:=pbx}"
: "${RTP_START:=10000}"
: "${RTP_END:=10999}"
: "${RING_TIMEOUT:=30}"
: "${DB_HOST:=127.0.0.1}"
: "${DB_PORT:=5432}"
: "${DB_NAME:=pbx}"
: "${DB_USER:=postgres}"
: "${DB_PASSWORD:=}"

# Every placeholder the templates may use; anything else left in a template is an error.
VARS="INSTANCE INSTANCE_DIR SIP_BIND SIP_PORT SIP_REALM AMI_PORT AMI_USERNAME AMI_PASSWORD
ARI_PORT ARI_USERNAME ARI_PASSWORD ARI_APP RTP_START RTP_END RING_TIMEOUT
DB_HOST DB_PORT DB_NAME DB_USER DB_PASSWORD"

# --- validation (messages name the variable, never its value) ------------------------
missing=""
for name in AMI_PASSWORD ARI_PASSWORD; do
  eval "value=\${$name:-}"
  [ -n "$value" ] || missing="$missing $name"
done
[ -z "$missing" ] || die "required variable(s) not set:$missing (set them in the environment or .env)"
unset value

for name in SIP_PORT AMI_PORT ARI_PORT DB_PORT RTP_START RTP_END RING_TIMEOUT; do
  eval "value=\$$name"
  case "$value" in
    '' | *[!0-9]*) die "$name must be a whole number" ;;
  esac
  [ "$value" -ge 1 ] && [ "$value" -le 65535 ] || die "$name must be between 1 and 65535"
done
[ "$RTP_START" -le "$RTP_END" ] || die "RTP_START must not be greater than RTP_END"

for name in INSTANCE SIP_REALM ARI_APP AMI_USERNAME ARI_USERNAME; do
  eval "value=\$$name"
  case "$value" in
    '' | *[!A-Za-z0-9._-]*) die "$name must be 1 or more letters, digits, '.', '_' or '-'" ;;
  esac
done
case "$INSTANCE_DIR" in
  /*) ;;
  *) die "INSTANCE_DIR must be an absolute path" ;;
esac
unset value

[ -d "$PBX_TEMPLATES/common" ] && [ -d "$PBX_TEMPLATES/pbx" ] \
  || die "templates not found under $PBX_TEMPLATES (expected common/ and pbx/)"

# --- render ---------------------------------------------------------------------------
# Values are substituted literally (no sed: '&', '/', '\' and '|' in passwords stay as
# they are). Two exceptions imposed by Asterisk's config syntax: a ';' starts a comment
# there, so it is written as '\;' (Asterisk reads it back as ';'); a line break cannot be
# represented at all, so a value containing one is refused.
export $VARS
umask 077
for dir in etc lib spool run log; do
  mkdir -p "$INSTANCE_DIR/$dir"
done
# stale control socket / pid from a previous container run on the same volume
rm -f "$INSTANCE_DIR/run/asterisk.ctl" "$INSTANCE_DIR/run/asterisk.pid"
find "$INSTANCE_DIR/etc" -mindepth 1 -maxdepth 1 -type f -exec rm -f {} +

for folder in common pbx; do
  for template in "$PBX_TEMPLATES/$folder"/*.conf; do
    [ -f "$template" ] || continue
    target="$INSTANCE_DIR/etc/$(basename "$template")"
    PBX_VARS="$VARS" awk '
      BEGIN {
        n = split(ENVIRON["PBX_VARS"], names, /[ \t\n]+/)
        for (i = 1; i <= n; i++) {
          if (names[i] == "") continue
          value = ENVIRON[names[i]]
          if (index(value, "\n") || index(value, "\r")) {
            printf "pbx-asterisk: %s must not contain a line break\n", names[i] > "/dev/stderr"
            failed = 1
            exit 2
          }
          # escape ";" for Asterisk without gsub (its "&" and "\\" rules vary by awk)
          escaped = ""
          while ((p = index(value, ";")) > 0) {
            escaped = escaped substr(value, 1, p - 1) "\\;"
            value = substr(value, p + 1)
          }
          known[names[i]] = escaped value
        }
      }
      {
        line = $0
        out = ""
        while (match(line, /[{][{][A-Z0-9_]+[}][}]/)) {
          key = substr(line, RSTART + 2, RLENGTH - 4)
          if (key in known) {
            out = out substr(line, 1, RSTART - 1) known[key]
          } else {
            out = out substr(line, 1, RSTART + RLENGTH - 1)
            if (!(key in unknown)) {
              printf "pbx-asterisk: %s uses unknown placeholder {{%s}}\n", FILENAME, key > "/dev/stderr"
            }
            unknown[key] = 1
            failed = 1
          }
          line = substr(line, RSTART + RLENGTH)
        }
        print out line
      }
      END { if (failed) exit 2 }
    ' "$template" > "$target" || die "could not render $folder/$(basename "$template")"
  done
done

# Belt and braces: nothing that looks like a placeholder may survive (e.g. lower case).
if grep -l '{{' "$INSTANCE_DIR"/etc/*.conf >/dev/null 2>&1; then
  die "unrendered placeholders left in: $(grep -l '{{' "$INSTANCE_DIR"/etc/*.conf | tr '\n' ' ')"
fi

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
