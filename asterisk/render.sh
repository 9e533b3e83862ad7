#!/bin/sh
# The one renderer of asterisk/templates, for the Docker image (docker-entrypoint.sh: the image
# has no Node) and for the local chroot runner (asterisk/local/asterisk-instance.ts).
# POSIX sh and awk only (dash and mawk in Debian, gawk works too).
#
#   render.sh OUTPUT_DIR TEMPLATE_DIR...
#
# Renders every *.conf of each TEMPLATE_DIR, in order (a later file of the same name wins),
# into OUTPUT_DIR (mode 600: passwords live there), replacing each {{NAME}} with the environment
# variable NAME. Other files in OUTPUT_DIR are left alone. Nothing is written unless every
# variable the templates use is valid:
#   - set, and not empty (only DB_PASSWORD may be empty);
#   - no control character: a line break cannot be written in an Asterisk file, and a value
#     cut there would silently become another value; no blank at either end (Asterisk trims);
#   - *_PORT, RTP_START, RTP_END, RING_TIMEOUT: whole numbers 1-65535, RTP_START <= RTP_END;
#   - MAX_CALL_SECONDS: a whole number 1-604800 (a week);
#   - INSTANCE, SIP_REALM, ARI_APP, *_USERNAME, DB_HOST, DB_NAME, DB_USER: letters, digits,
#     '.', '_' and '-' (they are used in section names, dialplan and connection strings);
#   - INSTANCE_DIR: an absolute path; SIP_BIND, CARRIER_BIND (the test peer): an IPv4 address.
# Values are written literally ('&', '/', '\', '|', '$' stay as they are; no sed) with two
# escapes so that Asterisk reads back exactly the value:
#   - ';' starts a comment in Asterisk's files: it is written '\;', which Asterisk reads as ';'
#     (it drops only the one '\' before a ';', so a '\' elsewhere needs nothing);
#   - DB_PASSWORD reaches libpq inside a "password=%s" connection string (res_pgsql, cel_pgsql),
#     where '\', ''' and ' ' are special: each gets a '\' first.
# Errors name the variable and never print a value: secrets pass through here. Values reach awk
# through ENVIRON only, never through a command line.
set -eu
export LC_ALL=C # byte semantics in awk and in patterns, whatever the caller's locale

die() {
  echo "render.sh: $*" >&2
  exit 1
}

[ "$#" -ge 2 ] || die "usage: render.sh OUTPUT_DIR TEMPLATE_DIR..."
out=$1
shift
for dir in "$@"; do
  [ -d "$dir" ] || die "template folder $dir not found"
done

# --- the variables the templates use -----------------------------------------------------
names=""
for dir in "$@"; do
  for template in "$dir"/*.conf; do
    [ -f "$template" ] || continue
    found=$(awk '
      {
        line = $0
        while (match(line, /[{][{][A-Z][A-Z0-9_]*[}][}]/)) {
          print substr(line, RSTART + 2, RLENGTH - 4)
          line = substr(line, RSTART + RLENGTH)
        }
        if (index(line, "{{") || index(line, "}}")) {
          printf "render.sh: %s line %d: malformed placeholder (expected {{UPPER_CASE}})\n", FILENAME, FNR > "/dev/stderr"
          bad = 1
        }
      }
      END { exit bad ? 2 : 0 }
    ' "$template") || exit 1
    names="$names $found"
  done
done
names=$(printf '%s\n' $names | sort -u)

# --- validation: every problem is listed, then nothing is written --------------------------
failed=0
problem() {
  echo "render.sh: $*" >&2
  failed=1
}
number_ok() { # whole number 1..65535
  case $1 in '' | *[!0-9]*) return 1 ;; esac
  [ "${#1}" -le 5 ] && [ "$1" -ge 1 ] && [ "$1" -le 65535 ]
}
seconds_ok() { # whole number 1..604800
  case $1 in '' | *[!0-9]*) return 1 ;; esac
  [ "${#1}" -le 6 ] && [ "$1" -ge 1 ] && [ "$1" -le 604800 ]
}
for name in $names; do
  eval "isset=\${$name+set}"
  if [ "$isset" != set ]; then
    problem "$name is not set"
    continue
  fi
  eval "value=\$$name"
  case $value in
    *[[:cntrl:]]*) problem "$name must not contain a line break or another control character"; continue ;;
    ' '* | *' ') problem "$name must not start or end with a space"; continue ;;
  esac
  if [ -z "$value" ]; then
    [ "$name" = DB_PASSWORD ] || problem "$name must not be empty"
    continue
  fi
  case $name in
    *_PORT | RTP_START | RTP_END | RING_TIMEOUT)
      number_ok "$value" || problem "$name must be a whole number between 1 and 65535" ;;
    MAX_CALL_SECONDS)
      seconds_ok "$value" || problem "$name must be a whole number between 1 and 604800" ;;
    INSTANCE | SIP_REALM | ARI_APP | *_USERNAME | DB_HOST | DB_NAME | DB_USER)
      case $value in *[!A-Za-z0-9._-]*) problem "$name may only use letters, digits, '.', '_' and '-'" ;; esac ;;
    INSTANCE_DIR)
      case $value in /*) ;; *) problem "$name must be an absolute path" ;; esac ;;
    SIP_BIND | CARRIER_BIND)
      case $value in *[!0-9.]* | *..* | .* | *.) problem "$name must be an IPv4 address" ;; esac ;;
  esac
done
if [ "${RTP_START+set}" = set ] && [ "${RTP_END+set}" = set ] \
  && number_ok "$RTP_START" && number_ok "$RTP_END" && [ "$RTP_START" -gt "$RTP_END" ]; then
  problem "RTP_START must not be greater than RTP_END"
fi
unset value isset
[ "$failed" = 0 ] || exit 1

# --- render ----------------------------------------------------------------------------------
umask 077
mkdir -p "$out"
export PBX_RENDER_NAMES="$names"
for dir in "$@"; do
  for template in "$dir"/*.conf; do
    [ -f "$template" ] || continue
    target="$out/$(basename "$template")"
    # written beside the target, then renamed: Asterisk never reads a half-written file
    awk '
      # every occurrence of ch in v prefixed by a backslash; index/substr, not gsub, whose
      # handling of "\\" and "&" in the replacement differs between awks
      function prefix(v, ch,    out, p) {
        out = ""
        while ((p = index(v, ch)) > 0) {
          out = out substr(v, 1, p - 1) "\\" ch
          v = substr(v, p + 1)
        }
        return out v
      }
      BEGIN {
        n = split(ENVIRON["PBX_RENDER_NAMES"], names, /[ \t\n]+/)
        for (i = 1; i <= n; i++) {
          if (names[i] == "") continue
          value = ENVIRON[names[i]]
          if (names[i] == "DB_PASSWORD") value = prefix(prefix(prefix(value, "\\"), "\047"), " ")
          known[names[i]] = prefix(value, ";")
        }
      }
      {
        line = $0
        rendered = ""
        while (match(line, /[{][{][A-Z][A-Z0-9_]*[}][}]/)) {
          rendered = rendered substr(line, 1, RSTART - 1) known[substr(line, RSTART + 2, RLENGTH - 4)]
          line = substr(line, RSTART + RLENGTH)
        }
        print rendered line
      }
    ' "$template" > "$target.tmp" || die "could not render $template"
    mv -f "$target.tmp" "$target"
  done
done
