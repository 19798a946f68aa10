#!/bin/sh
# The release's bin/shoal and bin/shoald (scripts/package.mjs copies this file under both names):
# runs dist/cli/<name>.js with a Node.js >= 20.18. It takes the first of these that is new
# enough: $SHOAL_NODE, the Node shipped in the release (node/bin/node), the Node that install.sh
# unpacked beside the releases (../node/bin/node), `node` on PATH. Otherwise it says so and exits 1.
set -eu

self=$(readlink -f "$0")
root=$(dirname "$(dirname "$self")")
name=$(basename "$self")
case $name in
  shoal | shoald) ;;
  *)
    echo "shoal: this launcher must be named shoal or shoald, not $name" >&2
    exit 2
    ;;
esac

# Succeeds when $1 runs and reports a version >= 20.18; sets $found_version.
node_ok() {
  found_version=$("$1" --version 2>/dev/null | head -n 1)
  v=${found_version#v}
  major=${v%%.*}
  rest=${v#*.}
  minor=${rest%%.*}
  case "$major.$minor" in
    *[!0-9.]* | .* | *.) return 1 ;;
  esac
  [ "$major" -gt 20 ] || { [ "$major" -eq 20 ] && [ "$minor" -ge 18 ]; }
}

tried=""
try_node() {
  [ -n "$1" ] || return 1
  if [ ! -x "$1" ]; then
    command -v "$1" >/dev/null 2>&1 || return 1
  fi
  if node_ok "$1"; then
    node=$1
    return 0
  fi
  tried="$tried
  $1: ${found_version:-does not run}"
  return 1
}

node=""
if [ -n "${SHOAL_NODE:-}" ]; then
  if ! try_node "$SHOAL_NODE"; then
    echo "$name: SHOAL_NODE=$SHOAL_NODE is not a Node.js >= 20.18:$tried" >&2
    exit 1
  fi
else
  try_node "$root/node/bin/node" ||
    try_node "$(dirname "$root")/node/bin/node" ||
    try_node "$(command -v node 2>/dev/null || true)" ||
    true
fi
if [ -z "$node" ]; then
  echo "$name: shoal needs Node.js >= 20.18, and none was found. Tried:${tried:-
  (no node on PATH)}
Install Node.js 20 or newer, set SHOAL_NODE=/path/to/node, or reinstall with
'install.sh --node-dist <node-v20.x-linux-<arch>.tar.xz>'." >&2
  exit 1
fi
exec "$node" "$root/dist/cli/$name.js" "$@"
