#!/usr/bin/env bash
# Installs everything shoal's build, tests and benchmarks need on a fresh Debian 12 machine.
# Idempotent: a second run changes nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
# etcd-server: the benchmark runs etcd beside shoal to compare commit rates.
command -v etcd >/dev/null 2>&1 || need_apt+=(etcd-server)
command -v etcdctl >/dev/null 2>&1 || need_apt+=(etcd-client)
if [ "${#need_apt[@]}" -gt 0 ] && [ "${SHOAL_SKIP_APT:-0}" != 1 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
fi

node -e 'const [a,b]=process.versions.node.split(".").map(Number); if (a<20||(a===20&&b<15)) { console.error("shoal needs Node >= 20.15, this is "+process.versions.node); process.exit(1) }'
npm ci --no-audit --no-fund
