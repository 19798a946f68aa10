// The Swarm section of /info: this node's state and, on a manager, the cluster's.

import type { DockerClusterInfo } from '../translate/docker-types.js';
import { clusterInfoFromStore } from '../translate/cluster.js';
import type { LocalNodeState, SwarmControl } from '../swarm-control.js';

export interface DockerSwarmInfo {
  NodeID: string;
  NodeAddr: string;
  LocalNodeState: LocalNodeState;
  ControlAvailable: boolean;
  Error: string;
  RemoteManagers: { NodeID: string; Addr: string }[] | null;
  Nodes?: number;
  Managers?: number;
  Cluster?: DockerClusterInfo;
}

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
  out.ControlAvailable = true;
  try {
    control.store().view((tx) => {
      const nodes = tx.list('nodes');
      out.Nodes = nodes.length;
      out.Managers = nodes.filter((n) => n.managerStatus !== undefined).length;
      const cluster = tx.list('clusters')[0];
      if (cluster !== undefined) out.Cluster = clusterInfoFromStore(cluster);
    });
  } catch (e: unknown) {
    // e.g. no leader: /info still answers, and says why the cluster is unavailable (as Docker).
    out.Error = e instanceof Error ? e.message : String(e);
  }
  return out;
}
