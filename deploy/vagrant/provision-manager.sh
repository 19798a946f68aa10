#!/usr/bin/env bash
# Vagrant: provisions the manager VM. Installs shoal with deploy/install.sh, initializes the
# swarm (once), and leaves the join tokens and the manager's address in /vagrant/.shoal/ (the
# project folder, shared with every VM) for the workers. Safe to run again (vagrant provision).
#
# Environment (set by the Vagrantfile): SHOAL_TARBALL (the release, under /vagrant),
# SHOAL_ADVERTISE_ADDR (this VM's address on the private network), SHOAL_NODE_DIST (optional).
set -euo pipefail

: "${SHOAL_TARBALL:?no release found: run 'npm run package' on the host first (dist-release/shoal-<version>-linux-x64.tar.gz)}"
: "${SHOAL_ADVERTISE_ADDR:?the Vagrantfile sets SHOAL_ADVERTISE_ADDR}"
shared=/vagrant/.shoal

args=(--tarball "$SHOAL_TARBALL" --advertise-addr "$SHOAL_ADVERTISE_ADDR")
[ -z "${SHOAL_NODE_DIST:-}" ] || args+=(--node-dist "$SHOAL_NODE_DIST")
bash /vagrant/deploy/install.sh "${args[@]}"

state=$(shoal info 2>/dev/null | sed -n 's/^ *Swarm: *//p' | head -n 1)
if [ "$state" = active ]; then
  echo "shoal-vagrant: the manager is already part of a swarm"
else
  shoal swarm init --advertise-addr "$SHOAL_ADVERTISE_ADDR"
fi

mkdir -p "$shared"
for role in worker manager; do
  shoal swarm join-token -q "$role" >"$shared/$role-token.new"
  mv -f "$shared/$role-token.new" "$shared/$role-token"
done
printf '%s\n' "$SHOAL_ADVERTISE_ADDR" >"$shared/manager-addr.new"
mv -f "$shared/manager-addr.new" "$shared/manager-addr"
echo "shoal-vagrant: worker token in $shared/worker-token"
