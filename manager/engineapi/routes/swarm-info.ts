// The Swarm section of /info: this node's state and, on a manager, the cluster's.

import type { DockerSwarmInfo } from '../../../api/docker/system-info.js';
import { clusterInfoFromStore } from '../translate/cluster.js';
import { noLeader } from '../control-errors.js';
import type { SwarmControl } from '../swarm-control.js';

export function swarmInfo(control: SwarmControl): DockerSwarmInfo {
  const state = control.localNodeState();
  const remote = control.remoteManagers().map((m) => ({ NodeID: m.nodeId, Addr: m.addr }));
  const out: DockerSwarmInfo = {
    NodeID: control.nodeId() ?? '',
    NodeAddr: control.nodeAddr() ?? '',
    LocalNodeState: state,
    ControlAvailable: false,
    Error: control.nodeError?.() ?? '',
    RemoteManagers: remote.length > 0 ? remote : null,
  };
  if (state !== 'active' || !control.isManager()) return out;
  // As dockerd: a manager has its control API, leader or not; what is wrong goes in Error.
  out.ControlAvailable = true;
  if (control.leaderRaftId() === 0) out.Error = noLeader().message;
  try {
    // The local replica's copy (the last one known while there is no leader).
    control.store().view((tx) => {
      const nodes = tx.list('nodes');
      out.Nodes = nodes.length;
      out.Managers = nodes.filter((n) => n.managerStatus !== undefined).length;
      const cluster = tx.list('clusters')[0];
      if (cluster !== undefined) out.Cluster = clusterInfoFromStore(cluster);
    });
  } catch (e: unknown) {
    out.Error = e instanceof Error ? e.message : String(e);
  }
  // The docker CLI prints Cluster's fields whenever ControlAvailable: never leave it out
  // (dockerd sends an empty one when it cannot read the cluster).
  out.Cluster ??= {};
  return out;
}
