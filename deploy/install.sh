#!/usr/bin/env bash
# Installs shoal on a Debian, Ubuntu, CentOS or Rocky Linux machine from a release tarball
# (`npm run package`): the release goes to /opt/shoal/<version> with /opt/shoal/current and
# /opt/shoal/bin pointing at it, /usr/local/bin/shoal and shoald link to it, Docker Engine is
# installed when missing, /etc/shoal/shoald.json and the systemd unit are written, and shoald is
# enabled and started. Idempotent: every file is compared before it is written, and a second
# run with the same release and flags changes nothing and says "unchanged".
#
# Run `install.sh --help` for the options. Docker Engine, when missing: docker.io on
# Debian/Ubuntu; on CentOS/Rocky/RHEL/AlmaLinux the docker-ce packages from Docker's repository
# (--docker-source docker-ce, the default there) or moby-engine (--docker-source moby, Fedora).
set -euo pipefail

readonly DEFAULT_PREFIX=/opt/shoal
readonly DEFAULT_BIN_DIR=/usr/local/bin
readonly DOCKER_CE_REPO=https://download.docker.com/linux/centos/docker-ce.repo

log() { printf 'shoal-install: %s\n' "$*" >&2; }
die() {
  printf 'shoal-install: error: %s\n' "$*" >&2
  exit 1
}

usage() {
  cat <<'EOF'
usage: install.sh [options]

  --tarball PATH|URL      the release (shoal-<version>-linux-<arch>.tar.gz); default: the
                          release this script was unpacked from
  --root DIR              install under DIR instead of / (tests, image builds); the config
                          then points at DIR/var/lib/shoal and DIR/run/shoal/shoal.sock
  --prefix DIR            where releases go (default /opt/shoal)
  --bin-dir DIR           where the shoal and shoald links go (default /usr/local/bin)
  --data-root DIR         shoald "data-root" (default /var/lib/shoal)
  --host URL              shoald "host", the API socket (default unix:///run/shoal/shoal.sock)
  --engine URL            shoald "engine" (default unix:///var/run/docker.sock)
  --listen-addr ADDR      shoald "listen-addr" (default 0.0.0.0:2377)
  --advertise-addr ADDR   shoald "advertise-addr" (default: chosen at swarm init/join)
  --log-level LEVEL       shoald "log-level" (default warn)
  --docker-mtu N|auto     set "mtu" in /etc/docker/daemon.json (OpenStack: 1450); auto takes
                          the MTU of the default route's interface when it is below 1500
  --docker-source SRC     how to install a missing Docker Engine: distro (docker.io on
                          Debian/Ubuntu), docker-ce (Docker's repository, CentOS/Rocky/RHEL),
                          moby (moby-engine, Fedora)
  --no-docker             never install Docker Engine
  --node-dist PATH|URL    a Node.js build (node-v20.x-linux-<arch>.tar.xz or .tar.gz) to unpack
                          to <prefix>/node when the system has no Node.js >= 20.18
  --no-systemd            do not use systemd: start shoald directly, pid in <root>/run/shoal
                          (the default when systemd is not running)
  --no-start              install and configure, but do not start or restart shoald
  -h, --help              this text
EOF
}

tarball="" root="" prefix=$DEFAULT_PREFIX bin_dir=$DEFAULT_BIN_DIR
data_root="" api_host="" engine=unix:///var/run/docker.sock listen_addr=0.0.0.0:2377
advertise_addr="" log_level=warn docker_mtu="" docker_source="" install_docker=1
node_dist="" use_systemd=auto start=1

need_value() {
  if [ "$#" -lt 2 ] || [ -z "$2" ]; then die "$1 needs a value (see --help)"; fi
}
while [ "$#" -gt 0 ]; do
  case $1 in
    --tarball) need_value "$@"; tarball=$2; shift ;;
    --root) need_value "$@"; root=${2%/}; shift ;;
    --prefix) need_value "$@"; prefix=${2%/}; shift ;;
    --bin-dir) need_value "$@"; bin_dir=${2%/}; shift ;;
    --data-root) need_value "$@"; data_root=$2; shift ;;
    --host) need_value "$@"; api_host=$2; shift ;;
    --engine) need_value "$@"; engine=$2; shift ;;
    --listen-addr) need_value "$@"; listen_addr=$2; shift ;;
    --advertise-addr) need_value "$@"; advertise_addr=$2; shift ;;
    --log-level) need_value "$@"; log_level=$2; shift ;;
    --docker-mtu) need_value "$@"; docker_mtu=$2; shift ;;
    --docker-source) need_value "$@"; docker_source=$2; shift ;;
    --no-docker) install_docker=0 ;;
    --node-dist) need_value "$@"; node_dist=$2; shift ;;
    --no-systemd) use_systemd=0 ;;
    --no-start) start=0 ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
  shift
done

case $prefix in /*) ;; *) die "--prefix must be an absolute path, not $prefix" ;; esac
case $bin_dir in /*) ;; *) die "--bin-dir must be an absolute path, not $bin_dir" ;; esac
if [ -n "$root" ]; then
  case $root in /*) ;; *) die "--root must be an absolute path, not $root" ;; esac
fi
case $log_level in fatal | error | warn | info | debug | trace | silent) ;;
  *) die "--log-level $log_level: expected fatal, error, warn, info, debug, trace or silent" ;;
esac
case $docker_mtu in '' | auto) ;;
  *[!0-9]*) die "--docker-mtu $docker_mtu: expected a number or auto" ;;
  *)
    if [ "$docker_mtu" -lt 1280 ] || [ "$docker_mtu" -gt 9000 ]; then
      die "--docker-mtu $docker_mtu is outside 1280..9000"
    fi
    ;;
esac
case $docker_source in '' | distro | docker-ce | moby) ;;
  *) die "--docker-source $docker_source: expected distro, docker-ce or moby" ;;
esac
[ -n "$data_root" ] || data_root=$root/var/lib/shoal
[ -n "$api_host" ] || api_host=unix://$root/run/shoal/shoal.sock
# shoald.json is written with printf: its values must need no JSON escaping.
for setting in "data-root=$data_root" "host=$api_host" "engine=$engine" "listen-addr=$listen_addr" \
  "advertise-addr=$advertise_addr" "root=$root" "prefix=$prefix" "bin-dir=$bin_dir"; do
  case ${setting#*=} in
    *[\"\\]* | *[[:cntrl:]]*) die "--${setting%%=*} must not contain quotes, backslashes or control characters" ;;
  esac
done
case $api_host in unix:///*) ;; *) die "--host $api_host: expected unix:///PATH" ;; esac
case $engine in unix:///*) ;; *) die "--engine $engine: expected unix:///PATH" ;; esac

# Where everything goes (under --root when given).
readonly home=$root$prefix
readonly links=$root$bin_dir
readonly config=$root/etc/shoal/shoald.json
readonly unit=$root/etc/systemd/system/shoald.service
readonly docker_json=$root/etc/docker/daemon.json
readonly run_dir=$root/run/shoal
readonly pid_file=$run_dir/shoald.pid
readonly log_file=$root/var/log/shoal/shoald.log

if [ "$use_systemd" = auto ]; then
  if [ -d /run/systemd/system ] && [ -z "$root" ]; then use_systemd=1; else use_systemd=0; fi
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/shoal-install.XXXXXX")
trap 'rm -rf "$work"' EXIT

changed=0 # a file shoald reads changed: restart it
note_change() {
  changed=1
  log "$*"
}

# --- files, compared before they are written ---------------------------------------------------

# put_file SRC DEST MODE: installs SRC as DEST unless DEST already has the same bytes and mode.
put_file() {
  local src=$1 dest=$2 mode=$3
  if [ -f "$dest" ] && cmp -s "$src" "$dest" && [ "$(stat -c %a "$dest")" = "${mode#0}" ]; then
    log "unchanged: $dest"
    return 1
  fi
  mkdir -p "$(dirname "$dest")"
  install -m "$mode" "$src" "$dest.shoal-new"
  mv -f "$dest.shoal-new" "$dest"
  note_change "wrote $dest"
}

# put_link TARGET LINK: makes LINK a symlink to TARGET unless it already is one.
put_link() {
  local target=$1 link=$2
  if [ -L "$link" ] && [ "$(readlink "$link")" = "$target" ]; then
    log "unchanged: $link -> $target"
    return 1
  fi
  [ ! -e "$link" ] || [ -L "$link" ] || die "$link exists and is not a symlink: remove it first"
  mkdir -p "$(dirname "$link")"
  ln -sfn "$target" "$link.shoal-new"
  mv -Tf "$link.shoal-new" "$link"
  note_change "linked $link -> $target"
}

fetch() { # fetch URL DEST
  if command -v curl >/dev/null 2>&1; then
    curl -fsSL --retry 5 --retry-delay 2 -o "$2" "$1"
  elif command -v wget >/dev/null 2>&1; then
    wget -q -O "$2" "$1"
  else
    die "neither curl nor wget is installed: cannot download $1"
  fi
}

# local_copy PATH|URL NAME: prints a local path to the file (downloaded into $work if a URL).
local_copy() {
  case $1 in
    http://* | https://*)
      log "downloading $1"
      fetch "$1" "$work/$2" || die "could not download $1"
      printf '%s\n' "$work/$2"
      ;;
    *)
      [ -f "$1" ] || die "$1 does not exist"
      printf '%s\n' "$1"
      ;;
  esac
}

release_field() { sed -n "s/^$1=//p" "$2" | head -n 1; }

# --- the operating system ------------------------------------------------------------------------

os_id="" os_like="" os_version=""
os_release_field() { sed -n "s/^$1=//p" /etc/os-release | head -n 1 | tr -d "\"'"; }
detect_os() {
  [ -z "$os_id" ] || return 0
  [ -r /etc/os-release ] || die "/etc/os-release is missing: cannot tell which distribution this is"
  os_id=$(os_release_field ID)
  os_like=$(os_release_field ID_LIKE)
  os_version=$(os_release_field VERSION_ID)
}

os_family() { # debian | rhel | fedora | other
  detect_os
  case " $os_id $os_like " in
    *" debian "* | *" ubuntu "*) echo debian ;;
    *" fedora "*) [ "$os_id" = fedora ] && echo fedora || echo rhel ;;
    *" rhel "* | *" centos "* | *" rocky "* | *" almalinux "*) echo rhel ;;
    *) echo other ;;
  esac
}

pkg_install() { # pkg_install PACKAGE...
  case $(os_family) in
    debian)
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq
      apt-get install -y -qq --no-install-recommends "$@"
      ;;
    rhel | fedora)
      if command -v dnf >/dev/null 2>&1; then dnf -y -q install "$@"; else yum -y -q install "$@"; fi
      ;;
    *) return 1 ;;
  esac
}

# --- Docker Engine -------------------------------------------------------------------------------

ensure_docker() {
  if command -v dockerd >/dev/null 2>&1; then
    log "docker: present ($(command -v dockerd))"
    return 0
  fi
  if [ "$install_docker" = 0 ]; then
    log "docker: not installed, and --no-docker was given: shoald needs a Docker Engine at $engine"
    return 0
  fi
  local family source repo=$DOCKER_CE_REPO
  detect_os
  family=$(os_family)
  source=$docker_source
  if [ -z "$source" ]; then
    case $family in debian) source=distro ;; rhel) source=docker-ce ;; fedora) source=moby ;; *) source=none ;; esac
  fi
  log "docker: installing Docker Engine ($source) on $os_id $os_version"
  case $family/$source in
    debian/distro) pkg_install docker.io ;;
    rhel/docker-ce | fedora/docker-ce)
      [ "$family" = rhel ] || repo=${DOCKER_CE_REPO/centos/fedora}
      if command -v dnf >/dev/null 2>&1; then
        dnf -y -q install dnf-plugins-core
        dnf config-manager --add-repo "$repo"
      else
        yum -y -q install yum-utils
        yum-config-manager --add-repo "$repo"
      fi
      pkg_install docker-ce docker-ce-cli containerd.io
      ;;
    rhel/moby | fedora/moby | fedora/distro) pkg_install moby-engine ;;
    *)
      die "do not know how to install Docker Engine on ${os_id:-this system} with --docker-source ${docker_source:-default}: install it yourself, then run again with --no-docker"
      ;;
  esac
  if [ "$use_systemd" = 1 ]; then systemctl enable --now docker; fi
  note_change "docker: installed"
}

# The MTU of the interface the default route leaves through (empty when there is none).
default_route_mtu() {
  command -v ip >/dev/null 2>&1 || return 0
  local dev
  dev=$(ip -o route show default 2>/dev/null | sed -n 's/.* dev \([^ ]*\).*/\1/p' | head -n 1)
  [ -n "$dev" ] || return 0
  ip -o link show dev "$dev" 2>/dev/null | sed -n 's/.* mtu \([0-9]*\).*/\1/p'
}

configure_docker_mtu() {
  [ -n "$docker_mtu" ] || return 0
  local mtu=$docker_mtu
  if [ "$mtu" = auto ]; then
    mtu=$(default_route_mtu)
    if [ -z "$mtu" ] || [ "$mtu" -ge 1500 ]; then
      log "docker: MTU left as it is (default route interface MTU: ${mtu:-none})"
      return 0
    fi
  fi
  # Merge "mtu" into daemon.json, keeping every other setting.
  # shellcheck disable=SC2016 # JavaScript, not shell
  "$node" -e '
    const fs = require("node:fs");
    const [file, out, mtu] = process.argv.slice(1);
    let cfg = {};
    if (fs.existsSync(file)) {
      try { cfg = JSON.parse(fs.readFileSync(file, "utf8")); }
      catch (e) { console.error(`${file} is not valid JSON: ${e.message}`); process.exit(1); }
    }
    cfg.mtu = Number(mtu);
    fs.writeFileSync(out, JSON.stringify(cfg, null, 2) + "\n");
  ' "$docker_json" "$work/daemon.json" "$mtu" || die "could not update $docker_json"
  if put_file "$work/daemon.json" "$docker_json" 0644; then
    if [ "$use_systemd" = 1 ] && systemctl is-active --quiet docker; then
      log "docker: restarting to apply MTU $mtu"
      systemctl restart docker
    else
      log "docker: MTU $mtu applies when dockerd next starts"
    fi
  fi
}

# --- Node.js -------------------------------------------------------------------------------------

node_version_ok() { # node_version_ok PATH: >= 20.18
  local v major minor
  v=$("$1" --version 2>/dev/null) || return 1
  v=${v#v}
  major=${v%%.*}
  minor=${v#*.}
  minor=${minor%%.*}
  case "$major$minor" in '' | *[!0-9]*) return 1 ;; esac
  [ "$major" -gt 20 ] || { [ "$major" -eq 20 ] && [ "$minor" -ge 18 ]; }
}

node=""
find_node() {
  local c
  for c in "$home/current/node/bin/node" "$home/node/bin/node" "$(command -v node 2>/dev/null || true)"; do
    if [ -n "$c" ] && [ -x "$c" ] && node_version_ok "$c"; then
      node=$c
      return 0
    fi
  done
  return 1
}

ensure_node() {
  if find_node; then
    log "node: $node ($("$node" --version))"
    return 0
  fi
  if [ -n "$node_dist" ]; then
    local file
    file=$(local_copy "$node_dist" node-dist.tar)
    rm -rf "$work/node" && mkdir -p "$work/node"
    tar -xf "$file" -C "$work/node" --strip-components=1 || die "could not unpack $node_dist"
    node_version_ok "$work/node/bin/node" || die "$node_dist holds no Node.js >= 20.18 for this machine"
    rm -rf "$home/node"
    mkdir -p "$home"
    mv "$work/node" "$home/node"
    note_change "node: unpacked $node_dist to $home/node"
    find_node && return 0
  fi
  if [ -z "$root" ]; then
    log "node: no Node.js >= 20.18 found; trying the distribution's nodejs package"
    case $(os_family) in
      rhel) (dnf -y -q module reset nodejs && dnf -y -q module enable nodejs:20) >/dev/null 2>&1 || true ;;
    esac
    pkg_install nodejs >/dev/null 2>&1 || true
    find_node && return 0
  fi
  die "shoal needs Node.js >= 20.18 and this machine has $(node --version 2>/dev/null || echo none). Use a release built with 'npm run package -- --bundle-node', pass --node-dist with a Node.js 20 build (node-v20.x-linux-$(uname -m | sed 's/x86_64/x64/;s/aarch64/arm64/').tar.xz), or install Node.js 20 and run again"
}

# --- the release ---------------------------------------------------------------------------------

install_release() {
  local src release version id arch installed_id
  if [ -n "$tarball" ]; then
    src=$(local_copy "$tarball" release.tar.gz)
    # Stops reading at the first match (RELEASE sorts early), so gzip may see a closed pipe.
    tar -xzOf "$src" --wildcards --occurrence=1 '*/RELEASE' >"$work/RELEASE" 2>/dev/null || true
    [ -s "$work/RELEASE" ] || die "$tarball is not a shoal release (it has no RELEASE file)"
    release=$work/RELEASE
  else
    local here
    here=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
    [ -f "$here/RELEASE" ] || die "no release given: pass --tarball shoal-<version>-linux-<arch>.tar.gz"
    release=$here/RELEASE
  fi
  version=$(release_field version "$release")
  id=$(release_field id "$release")
  arch=$(release_field arch "$release")
  case $version in '' | *[!0-9A-Za-z.+-]*) die "the release names no usable version" ;; esac
  [ -n "$id" ] || die "the release has no id"
  case "$arch/$(uname -m)" in
    x64/x86_64 | arm64/aarch64 | arm/armv7l) ;;
    *) die "this release is for $arch, this machine is $(uname -m)" ;;
  esac
  installed_id=""
  [ -f "$home/$version/RELEASE" ] && installed_id=$(release_field id "$home/$version/RELEASE")
  if [ "$installed_id" = "$id" ]; then
    log "unchanged: shoal $version in $home/$version"
  else
    mkdir -p "$home"
    rm -rf "$home/.$version.new"
    mkdir "$home/.$version.new"
    if [ -n "$tarball" ]; then
      tar -xzf "$src" -C "$home/.$version.new" --strip-components=1 --no-same-owner
    else
      cp -a "$here/." "$home/.$version.new/"
    fi
    # RELEASE goes last: a partial copy never looks installed.
    rm -f "$home/.$version.new/RELEASE"
    rm -rf "${home:?}/$version"
    mv "$home/.$version.new" "$home/$version"
    cp "$release" "$home/$version/RELEASE"
    note_change "installed shoal $version in $home/$version"
  fi
  put_link "$version" "$home/current" || true
  put_link current/bin "$home/bin" || true
  put_link "$home/bin/shoal" "$links/shoal" || true
  put_link "$home/bin/shoald" "$links/shoald" || true
  shoal_version=$version
}

# --- shoald's config and unit --------------------------------------------------------------------

write_config() { # the values were checked at the start: none needs JSON escaping
  {
    printf '{\n'
    printf '  "data-root": "%s",\n' "$data_root"
    printf '  "host": "%s",\n' "$api_host"
    printf '  "engine": "%s",\n' "$engine"
    printf '  "listen-addr": "%s",\n' "$listen_addr"
    [ -z "$advertise_addr" ] || printf '  "advertise-addr": "%s",\n' "$advertise_addr"
    printf '  "log-level": "%s"\n' "$log_level"
    printf '}\n'
  } >"$work/shoald.json"
  put_file "$work/shoald.json" "$config" 0644 || true
}

write_unit() {
  local template
  template=$home/current/deploy/systemd/shoald.service
  [ -f "$template" ] || die "the release has no deploy/systemd/shoald.service"
  sed -e "s#/opt/shoal/bin/shoald#$home/bin/shoald#g" \
    -e "s#/etc/shoal/shoald.json#$config#g" "$template" >"$work/shoald.service"
  unit_changed=0
  if put_file "$work/shoald.service" "$unit" 0644; then unit_changed=1; fi
}

# --- running shoald ------------------------------------------------------------------------------

direct_pid() { # the pid of the shoald this script started directly, if it still runs
  local pid
  [ -f "$pid_file" ] || return 1
  pid=$(cat "$pid_file")
  case $pid in '' | *[!0-9]*) return 1 ;; esac
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q shoald || return 1
  printf '%s\n' "$pid"
}

wait_for_api() {
  local i
  for i in $(seq 1 150); do
    if "$home/bin/shoal" -H "$api_host" info >/dev/null 2>&1; then return 0; fi
    if [ "$use_systemd" = 0 ] && ! direct_pid >/dev/null; then
      die "shoald exited at start; see $log_file: $(tail -n 5 "$log_file" 2>/dev/null | tr '\n' ' ')"
    fi
    sleep 0.2
    : "$i"
  done
  die "shoald does not answer on $api_host after 30 s"
}

run_systemd() {
  [ "$unit_changed" = 0 ] || systemctl daemon-reload
  if ! systemctl is-enabled --quiet shoald 2>/dev/null; then
    systemctl enable --quiet shoald
    log "enabled shoald.service"
  fi
  [ "$start" = 1 ] || return 0
  if systemctl is-active --quiet shoald; then
    if [ "$changed" = 1 ]; then
      systemctl restart shoald
      log "restarted shoald"
    else
      log "unchanged: shoald is running"
      return 0
    fi
  else
    systemctl start shoald
    log "started shoald"
  fi
  wait_for_api
}

run_direct() {
  [ "$start" = 1 ] || return 0
  local pid
  if pid=$(direct_pid); then
    if [ "$changed" = 0 ]; then
      log "unchanged: shoald is running (pid $pid)"
      return 0
    fi
    kill -TERM "$pid"
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    log "stopped shoald (pid $pid) to apply the changes"
  fi
  mkdir -p "$run_dir" "$(dirname "$log_file")"
  if command -v setsid >/dev/null 2>&1; then
    setsid "$home/bin/shoald" --config "$config" >>"$log_file" 2>&1 </dev/null &
  else
    nohup "$home/bin/shoald" --config "$config" >>"$log_file" 2>&1 </dev/null &
  fi
  echo "$!" >"$pid_file"
  log "started shoald directly (pid $!, log $log_file)"
  wait_for_api
}

# --- main ----------------------------------------------------------------------------------------

[ -n "$root" ] || [ "$(id -u)" = 0 ] || die "run as root (or with --root DIR to install into a directory)"
shoal_version=""
unit_changed=0
install_release
ensure_node
ensure_docker
configure_docker_mtu
write_config
write_unit
if [ "$use_systemd" = 1 ]; then run_systemd; else run_direct; fi
if [ "$changed" = 0 ]; then
  log "shoal $shoal_version: unchanged"
else
  log "shoal $shoal_version: installed"
fi
