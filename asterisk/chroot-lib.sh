# Functions of asterisk/chroot.sh, sourced by it and by its test (asterisk/chroot.spec.ts).
# POSIX sh.

# The ready marker's content: a hash of the sorted package list and of the pin, so that adding a
# package (or moving the pin) reaches every cached chroot on its next use.
#   chroot_marker "pkg pkg ..." PIN
chroot_marker() {
  printf '%s\n' $1 | sort -u | { cat; printf 'pin %s\n' "$2"; } | sha256sum | cut -d' ' -f1
}

# What chroot.sh has to do: "ready" (nothing), "install" (no marker, or one for another package
# list) or "refresh" (apt-get update + upgrade: the marker is older than MAX_AGE_DAYS days).
#   chroot_action MARKER_FILE EXPECTED_CONTENT MAX_AGE_DAYS
chroot_action() {
  if [ ! -f "$1" ] || [ "$(cat "$1")" != "$2" ]; then
    echo install
  elif [ -n "$(find "$1" -mmin +"$(($3 * 1440))" 2>/dev/null)" ]; then
    echo refresh
  else
    echo ready
  fi
}

# Debian's archive as this machine's own apt configuration names it (DEBIAN_MIRROR wins): the
# first enabled "deb" source whose address ends in /debian, from sources.list, *.list (one-line
# format) and *.sources (deb822, Debian 12's default). Nothing is hard-coded here.
#   chroot_mirror [APT_ETC]   (default /etc/apt)
chroot_mirror() {
  if [ -n "${DEBIAN_MIRROR:-}" ]; then
    echo "$DEBIAN_MIRROR"
    return 0
  fi
  etc=${1:-/etc/apt}
  found=$(
    {
      for file in "$etc/sources.list" "$etc"/sources.list.d/*.list; do
        [ -f "$file" ] || continue
        # deb [options] URI suite components
        awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z+]+:\/\//) { print $i; break } }' "$file"
      done
      for file in "$etc"/sources.list.d/*.sources; do
        [ -f "$file" ] || continue
        awk 'BEGIN { RS = ""; FS = "\n" }
          {
            deb = 0; off = 0; uris = ""
            for (i = 1; i <= NF; i++) {
              if ($i ~ /^Types:/ && $i ~ /[ \t]deb([ \t]|$)/) deb = 1
              if ($i ~ /^Enabled:[ \t]*no/) off = 1
              if ($i ~ /^URIs:/) { uris = $i; sub(/^URIs:[ \t]*/, "", uris) }
            }
            if (deb && !off) { n = split(uris, list, /[ \t]+/); for (j = 1; j <= n; j++) print list[j] }
          }' "$file"
      done
    } | grep -E '/debian/?$' | head -n 1
  )
  if [ -z "$found" ]; then
    echo "no Debian archive (an address ending in /debian) in $etc/sources.list*; set DEBIAN_MIRROR" >&2
    return 1
  fi
  echo "${found%/}"
}
