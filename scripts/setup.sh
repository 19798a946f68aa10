#!/usr/bin/env bash
# Installs everything shoal's build, tests and benchmarks need on a fresh Debian 12 machine.
# Idempotent: a second run changes nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
# etcd-server: the benchmark runs etcd beside shoal to compare commit rates.
command -v etcd >/dev/null 2>&1 || need_apt+=(etcd-server)
command -v etcdctl >/dev/null 2>&1 || need_apt+=(etcd-client)
# The e2e lab (lab/): a dockerd per host in network namespaces on a bridge, an image built from
# busybox-static, nftables fault rules, an iptables FORWARD accept rule when br_netfilter is on.
# docker.io brings containerd, runc and the docker CLI the tests drive; util-linux (nsenter,
# unshare), mount and tar are essential packages, always present.
# The deploy tests (e2e/deploy): shellcheck lints every shell script, ruby checks the Vagrantfile,
# systemd-analyze verifies the unit, curl serves as the instances' HTTP client.
# The overlay tests and benchmark: iputils-ping sends DF-marked pings, wrk measures throughput.
# The dashboard's browser test drives Debian's chromium headless (puppeteer-core, no download).
for pkg in docker.io busybox-static iproute2 nftables iptables shellcheck ruby systemd curl iputils-ping wrk chromium; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || need_apt+=("$pkg")
done
# The Docker SDK test drives shoal's API with the Docker SDK for Python (Debian's python3-docker,
# unless a docker module is importable already).
python3 -c 'import docker' >/dev/null 2>&1 || need_apt+=(python3-docker)
if [ "${#need_apt[@]}" -gt 0 ] && [ "${SHOAL_SKIP_APT:-0}" != 1 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
fi

node -e 'const [a,b]=process.versions.node.split(".").map(Number); if (a<20||(a===20&&b<18)) { console.error("shoal needs Node >= 20.18, this is "+process.versions.node); process.exit(1) }'
npm ci --no-audit --no-fund
