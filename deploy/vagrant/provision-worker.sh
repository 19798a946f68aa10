#!/usr/bin/env bash
# Vagrant: provisions a worker VM. Waits for the manager's worker token in /vagrant/.shoal/,
# then runs the OpenStack bootstrap, deploy/openstack/user-data.sh, with the manager and token
# given directly instead of through instance metadata: it installs shoal with
# deploy/install.sh and joins, retrying until the manager answers. Safe to run again.
#
# Environment (set by the Vagrantfile): SHOAL_TARBALL, SHOAL_ADVERTISE_ADDR (this VM's address
# on the private network), SHOAL_NODE_DIST (optional).
set -euo pipefail

: "${SHOAL_TARBALL:?no release found: run 'npm run package' on the host first (dist-release/shoal-<version>-linux-x64.tar.gz)}"
: "${SHOAL_ADVERTISE_ADDR:?the Vagrantfile sets SHOAL_ADVERTISE_ADDR}"
shared=/vagrant/.shoal

# `vagrant up` may bring the VMs up in parallel (libvirt does): wait for the manager.
for _ in $(seq 1 300); do
  [ -s "$shared/worker-token" ] && [ -s "$shared/manager-addr" ] && break
  sleep 2
done
if [ ! -s "$shared/worker-token" ] || [ ! -s "$shared/manager-addr" ]; then
  echo "shoal-vagrant: no $shared/worker-token after 10 minutes: is the manager up? (vagrant up manager)" >&2
  exit 1
fi

install_args="--advertise-addr $SHOAL_ADVERTISE_ADDR"
[ -z "${SHOAL_NODE_DIST:-}" ] || install_args="$install_args --node-dist $SHOAL_NODE_DIST"
SHOAL_MANAGER_IP=$(cat "$shared/manager-addr") \
  SHOAL_JOIN_TOKEN=$(cat "$shared/worker-token") \
  SHOAL_ROLE=worker \
  SHOAL_INSTALL_SH=/vagrant/deploy/install.sh \
  SHOAL_INSTALL_ARGS=$install_args \
  SHOAL_METADATA_URL="" \
  SHOAL_CONFIG_DRIVE=none \
  SHOAL_TARBALL=$SHOAL_TARBALL \
  bash /vagrant/deploy/openstack/user-data.sh
