#!/usr/bin/env bash
# shoal bootstrap for an OpenStack instance: installs shoal and joins the swarm.
#
#   nova boot --user-data user-data.sh --meta ip=MANAGER_IP --meta token=TOKEN \
#     [--meta role=worker|manager] ... NAME
#
# It reads meta.ip, meta.token and meta.role from the metadata service
# (http://169.254.169.254/openstack/latest/meta_data.json), or from the config drive (the
# vfat/iso9660 filesystem labelled config-2, openstack/latest/meta_data.json) when the service
# does not answer, retrying with back-off until one does. It refuses a malformed token before it
# installs anything, installs shoal with install.sh, then runs `shoal swarm join --token TOKEN
# IP:2377`, retrying with exponential back-off until the manager answers. Every step goes to
# the journal (tag shoal-bootstrap) and to stderr. A node already in a swarm exits 0.
# `shoal swarm join-token --user-data worker` prints this script with the settings filled in.
set -euo pipefail

# --- settings: each may also come from the environment ---------------------------------------
# The manager (IP or IP:PORT), the join token and the role, used where the instance metadata
# has none (meta.ip, meta.token and meta.role take precedence).
SHOAL_MANAGER_IP="${SHOAL_MANAGER_IP:-}"
SHOAL_JOIN_TOKEN="${SHOAL_JOIN_TOKEN:-}"
SHOAL_ROLE="${SHOAL_ROLE:-}"
# The release tarball (shoal-<version>-linux-<arch>.tar.gz), a URL or a path. Empty: shoal is
# already installed in the image (/usr/local/bin/shoal).
SHOAL_TARBALL="${SHOAL_TARBALL:-}"
# install.sh, a URL or a path. Empty: the install.sh inside the release tarball.
SHOAL_INSTALL_SH="${SHOAL_INSTALL_SH:-}"
# More install.sh flags. OpenStack networks run at MTU 1450: give Docker's bridge the same.
SHOAL_INSTALL_ARGS="${SHOAL_INSTALL_ARGS:---docker-mtu auto}"
# Install under this directory instead of / (tests only).
SHOAL_ROOT="${SHOAL_ROOT:-}"
# Where the metadata comes from; set to "" to skip the metadata service.
SHOAL_METADATA_URL="${SHOAL_METADATA_URL-http://169.254.169.254/openstack/latest/meta_data.json}"
# A directory holding openstack/latest/meta_data.json (a mounted config drive). Empty: mount
# the filesystem labelled config-2 when there is one; "none": never look for a config drive.
SHOAL_CONFIG_DRIVE="${SHOAL_CONFIG_DRIVE:-}"
# How long to wait for metadata and for the manager, in seconds, and the longest back-off.
SHOAL_METADATA_TIMEOUT="${SHOAL_METADATA_TIMEOUT:-300}"
SHOAL_JOIN_TIMEOUT="${SHOAL_JOIN_TIMEOUT:-1800}"
SHOAL_BACKOFF_MAX="${SHOAL_BACKOFF_MAX:-30}"
# --- end of settings --------------------------------------------------------------------------

readonly TAG=shoal-bootstrap
readonly TOKEN_RE='^SWMTKN-1-[0-9a-z]{50}-[0-9a-z]{25}$'

log() {
  printf '%s: %s\n' "$TAG" "$*" >&2
  if command -v logger >/dev/null 2>&1; then logger -t "$TAG" -- "$*" 2>/dev/null || true; fi
}
die() {
  log "error: $*"
  exit 1
}

work=$(mktemp -d "${TMPDIR:-/tmp}/shoal-bootstrap.XXXXXX")
mounted=""
cleanup() {
  if [ -n "$mounted" ]; then umount "$mounted" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# --- metadata ---------------------------------------------------------------------------------

# json_field FILE KEY: meta.KEY from a meta_data.json, empty when absent.
json_field() {
  if command -v jq >/dev/null 2>&1; then
    jq -r --arg k "$2" '(.meta // {})[$k] // empty | tostring' "$1"
  elif command -v python3 >/dev/null 2>&1; then
    python3 -c 'import json,sys; v=(json.load(open(sys.argv[1])).get("meta") or {}).get(sys.argv[2]); print("" if v is None else v)' "$1" "$2"
  else
    die "reading meta_data.json needs jq or python3, and neither is installed"
  fi
}

valid_json() {
  if command -v jq >/dev/null 2>&1; then
    jq -e 'type == "object"' "$1" >/dev/null 2>&1
  else
    python3 -c 'import json,sys; sys.exit(0 if isinstance(json.load(open(sys.argv[1])), dict) else 1)' "$1" 2>/dev/null
  fi
}

# from_service: fetch meta_data.json from the metadata service into $work/meta_data.json.
from_service() {
  local out=$work/meta_data.json
  [ -n "$SHOAL_METADATA_URL" ] || return 1
  if command -v curl >/dev/null 2>&1; then
    curl -fsS --connect-timeout 3 --max-time 10 -o "$out" "$SHOAL_METADATA_URL" 2>/dev/null || return 1
  elif command -v wget >/dev/null 2>&1; then
    wget -q -T 10 -O "$out" "$SHOAL_METADATA_URL" 2>/dev/null || return 1
  else
    die "fetching metadata needs curl or wget, and neither is installed"
  fi
  valid_json "$out"
}

# from_config_drive: copy openstack/latest/meta_data.json from the config drive.
from_config_drive() {
  local dir=$SHOAL_CONFIG_DRIVE dev
  [ "$dir" != none ] || return 1
  if [ -z "$dir" ]; then
    dev=""
    if command -v blkid >/dev/null 2>&1; then
      dev=$(blkid -t LABEL=config-2 -o device 2>/dev/null | head -n 1 || true)
      [ -n "$dev" ] || dev=$(blkid -t LABEL=CONFIG-2 -o device 2>/dev/null | head -n 1 || true)
    fi
    [ -n "$dev" ] || { [ -e /dev/disk/by-label/config-2 ] && dev=/dev/disk/by-label/config-2; } || true
    [ -n "$dev" ] || return 1
    if [ -z "$mounted" ]; then
      mkdir -p "$work/config-drive"
      mount -o ro "$dev" "$work/config-drive" 2>/dev/null || return 1
      mounted=$work/config-drive
      log "mounted the config drive $dev"
    fi
    dir=$mounted
  fi
  [ -f "$dir/openstack/latest/meta_data.json" ] || return 1
  cp "$dir/openstack/latest/meta_data.json" "$work/meta_data.json"
  valid_json "$work/meta_data.json"
}

read_metadata() {
  local deadline delay=1 attempt=1
  if [ -z "$SHOAL_METADATA_URL" ] && [ "$SHOAL_CONFIG_DRIVE" = none ]; then
    log "instance metadata is off (no SHOAL_METADATA_URL, SHOAL_CONFIG_DRIVE=none)"
    return 1
  fi
  deadline=$(($(date +%s) + SHOAL_METADATA_TIMEOUT))
  while :; do
    if from_service; then
      log "read metadata from $SHOAL_METADATA_URL"
      return 0
    fi
    if from_config_drive; then
      log "the metadata service did not answer; read metadata from the config drive"
      return 0
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      log "no metadata after ${SHOAL_METADATA_TIMEOUT}s (neither $SHOAL_METADATA_URL nor a config drive)"
      return 1
    fi
    log "metadata not reachable yet (attempt $attempt); retrying in ${delay}s"
    sleep "$delay"
    attempt=$((attempt + 1))
    delay=$((delay * 2))
    [ "$delay" -le "$SHOAL_BACKOFF_MAX" ] || delay=$SHOAL_BACKOFF_MAX
  done
}

# --- the steps --------------------------------------------------------------------------------

# The installed CLI, pointed at the API socket shoald.json names (install.sh --host may move it).
shoal_cli() {
  local config=$SHOAL_ROOT/etc/shoal/shoald.json api=""
  [ ! -f "$config" ] || api=$(sed -n 's/^ *"host": *"\([^"]*\)".*/\1/p' "$config" | head -n 1)
  "$SHOAL_ROOT/usr/local/bin/shoal" ${api:+-H "$api"} "$@"
}

download() { # download URL FILE, with retries
  if command -v curl >/dev/null 2>&1; then
    curl -fsSL --retry 10 --retry-delay 3 --retry-connrefused -o "$2" "$1"
  elif command -v wget >/dev/null 2>&1; then
    wget -q --tries=10 --waitretry=3 --retry-connrefused -O "$2" "$1"
  else
    die "downloading $1 needs curl or wget, and neither is installed"
  fi
}

install_shoal() {
  local installer="" args
  if [ -z "$SHOAL_TARBALL" ] && [ -z "$SHOAL_INSTALL_SH" ]; then
    [ -x "$SHOAL_ROOT/usr/local/bin/shoal" ] ||
      die "shoal is not installed and SHOAL_TARBALL is empty: set it to the release tarball's URL"
    log "using the shoal installed in the image"
    return 0
  fi
  local tarball=$SHOAL_TARBALL
  case $tarball in
    http://* | https://*)
      log "downloading $tarball"
      download "$tarball" "$work/release.tar.gz" || die "could not download $tarball"
      tarball=$work/release.tar.gz
      ;;
  esac
  case $SHOAL_INSTALL_SH in
    '')
      tar -xzf "$tarball" -C "$work" --wildcards '*/deploy/install.sh' || die "$tarball holds no deploy/install.sh"
      installer=$(find "$work" -path '*/deploy/install.sh' | head -n 1)
      ;;
    http://* | https://*)
      download "$SHOAL_INSTALL_SH" "$work/install.sh" || die "could not download $SHOAL_INSTALL_SH"
      installer=$work/install.sh
      ;;
    *) installer=$SHOAL_INSTALL_SH ;;
  esac
  read -r -a args <<<"$SHOAL_INSTALL_ARGS"
  [ -z "$SHOAL_ROOT" ] || args+=(--root "$SHOAL_ROOT")
  [ -z "$tarball" ] || args+=(--tarball "$tarball")
  log "installing shoal: install.sh ${args[*]+${args[*]}}"
  # (${args[@]+…}: bash before 4.4 calls an empty array unbound under set -u)
  if ! bash "$installer" ${args[@]+"${args[@]}"} 2>&1 | while IFS= read -r line; do log "$line"; done; then
    die "install.sh failed (its messages are above)"
  fi
}

swarm_state() { # the node's LocalNodeState (inactive, pending, active, error, locked)
  local info
  info=$(shoal_cli info 2>&1) || die "shoald does not answer: $info"
  printf '%s\n' "$info" | sed -n 's/^ *Swarm: *//p' | head -n 1
}

join_swarm() {
  local deadline delay=1 attempt=1 out
  deadline=$(($(date +%s) + SHOAL_JOIN_TIMEOUT))
  while :; do
    log "joining the swarm at $manager_addr (attempt $attempt)"
    if out=$(shoal_cli swarm join --token "$token" "$manager_addr" 2>&1); then
      log "$out"
      return 0
    fi
    case $out in
      *"already part of a swarm"*)
        log "this node is already part of a swarm"
        return 0
        ;;
      *"join token"*)
        # The token is unknown, rotated, or pins another swarm's CA: retrying cannot help.
        die "the manager refused the join token: $out"
        ;;
    esac
    if [ "$(date +%s)" -ge "$deadline" ]; then
      die "the manager at $manager_addr did not answer within ${SHOAL_JOIN_TIMEOUT}s: $out"
    fi
    log "not joined yet: $out; retrying in ${delay}s"
    sleep "$delay"
    attempt=$((attempt + 1))
    delay=$((delay * 2))
    [ "$delay" -le "$SHOAL_BACKOFF_MAX" ] || delay=$SHOAL_BACKOFF_MAX
  done
}

log "starting (metadata: ${SHOAL_METADATA_URL:-off}, config drive: ${SHOAL_CONFIG_DRIVE:-label config-2})"
manager_ip=$SHOAL_MANAGER_IP token=$SHOAL_JOIN_TOKEN role=$SHOAL_ROLE
if read_metadata; then
  m=$(json_field "$work/meta_data.json" ip)
  if [ -n "$m" ]; then manager_ip=$m; fi
  m=$(json_field "$work/meta_data.json" token)
  if [ -n "$m" ]; then token=$m; fi
  m=$(json_field "$work/meta_data.json" role)
  if [ -n "$m" ]; then role=$m; fi
elif [ -n "$manager_ip" ] && [ -n "$token" ]; then
  log "using the manager and token written in this script"
else
  die "no metadata, and this script names no manager and token: boot with --meta ip=MANAGER_IP --meta token=TOKEN"
fi

[ -n "$manager_ip" ] || die "no manager address: boot with --meta ip=MANAGER_IP"
[ -n "$token" ] || die "no join token: boot with --meta token=TOKEN (from 'shoal swarm join-token -q worker')"
if ! [[ $token =~ $TOKEN_RE ]]; then
  die "malformed join token '${token:0:20}...': expected SWMTKN-1-<50 characters 0-9a-z>-<25 characters 0-9a-z>, as 'shoal swarm join-token -q worker' prints it"
fi
case $role in '' | worker | manager) ;; *) die "meta.role is '$role': expected worker or manager" ;; esac
# IP, IP:PORT, host name, host:PORT, IPv6, [IPv6] or [IPv6]:PORT; the port defaults to 2377.
if [[ $manager_ip =~ ^\[[0-9A-Fa-f:.]+\]:[0-9]+$ ]]; then
  manager_addr=$manager_ip
elif [[ $manager_ip =~ ^\[[0-9A-Fa-f:.]+\]$ ]]; then
  manager_addr=$manager_ip:2377
elif [[ $manager_ip =~ ^[0-9A-Fa-f]*:[0-9A-Fa-f]*:[0-9A-Fa-f:.]*$ ]]; then
  manager_addr=[$manager_ip]:2377
elif [[ $manager_ip =~ ^[0-9A-Za-z._-]+:[0-9]+$ ]]; then
  manager_addr=$manager_ip
elif [[ $manager_ip =~ ^[0-9A-Za-z._-]+$ ]]; then
  manager_addr=$manager_ip:2377
else
  die "malformed manager address '$manager_ip': expected an IP address or host name, with an optional :PORT"
fi
log "manager $manager_addr, role ${role:-as the token says}"

install_shoal
state=$(swarm_state)
if [ "$state" = active ] || [ "$state" = pending ]; then
  log "already part of a swarm ($state): nothing to do"
  exit 0
fi
join_swarm
if [ -n "$role" ]; then
  info=$(shoal_cli info 2>/dev/null || true)
  case $info in *"Is Manager: true"*) joined=manager ;; *) joined=worker ;; esac
  [ "$joined" = "$role" ] || log "warning: meta.role is $role but the token made this node a $joined"
fi
log "done: this node is part of the swarm"
