#!/bin/sh
# Writes cloud-config.yaml (beside this script, or to the path given) from user-data.sh: the
# #cloud-config variant embeds the script verbatim. Run it after changing user-data.sh; a test
# checks that they agree.
set -eu
dir=$(cd "$(dirname "$0")" && pwd)
out=${1:-$dir/cloud-config.yaml}
{
  cat <<'HEAD'
#cloud-config
# shoal bootstrap as a cloud-init #cloud-config: the same steps as user-data.sh (which is
# embedded below, verbatim), for images and tools that take cloud-config rather than a script:
#
#   nova boot --user-data cloud-config.yaml --meta ip=MANAGER_IP --meta token=TOKEN \
#     [--meta role=worker|manager] ... NAME
#
# Set the release to install in /etc/default/shoal-bootstrap below (SHOAL_TARBALL: the URL of
# shoal-<version>-linux-<arch>.tar.gz); any other setting of user-data.sh can go there too.
# Its log: journalctl -t shoal-bootstrap (and /var/log/cloud-init-output.log).
# Generated from user-data.sh by render-cloud-config.sh: edit those, not this.
write_files:
  - path: /etc/default/shoal-bootstrap
    permissions: '0644'
    owner: root:root
    content: |
      SHOAL_TARBALL=
      SHOAL_INSTALL_ARGS="--docker-mtu auto"
  - path: /usr/local/sbin/shoal-bootstrap
    permissions: '0755'
    owner: root:root
    content: |
HEAD
  sed -e 's/^\(.\)/      \1/' "$dir/user-data.sh"
  cat <<'TAIL'
runcmd:
  - [sh, -c, 'set -a; . /etc/default/shoal-bootstrap; set +a; exec /usr/local/sbin/shoal-bootstrap']
TAIL
} >"$out.new"
mv -f "$out.new" "$out"
