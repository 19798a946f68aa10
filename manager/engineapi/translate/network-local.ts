// What `docker network inspect` shows of a swarm network on the node that answers: the task
// containers attached to it on this node (Containers, keyed by container ID) and, when the node
// takes part in the network, every node that does (Peers), as dockerd shows them for an overlay.
// Computed from the node's network view (api/network/network-view.ts), the state the node's
// data plane is programmed from.

import { taskName } from '../../../api/task-identity.js';
import type { DockerEndpointResource, DockerPeerInfo } from '../../../api/docker/network-resource.js';
import { nodeNetworkView, type NetworkViewSource } from '../../network/cluster-network-views.js';

export type { DockerEndpointResource };
/** A node taking part in the network (Docker's PeerInfo). */
export type DockerPeer = DockerPeerInfo;

export interface LocalNetworkState {
  Containers: Record<string, DockerEndpointResource>;
  /** Absent when this node does not take part in the network. */
  Peers?: DockerPeer[];
}

export function localNetworkState(
  source: NetworkViewSource,
  networkId: string,
  localNodeId: string | undefined,
): LocalNetworkState {
  if (localNodeId === undefined) return { Containers: {} };
  const network = nodeNetworkView(source, localNodeId).networks.find((n) => n.networkId === networkId);
  if (network === undefined) return { Containers: {} };
  const containers: Record<string, DockerEndpointResource> = {};
  const peers = new Map<string, DockerPeer>();
  for (const e of network.endpoints) {
    if (!peers.has(e.nodeId)) {
      const node = source.get('nodes', e.nodeId);
      peers.set(e.nodeId, { Name: node?.description?.hostname ?? e.nodeId, IP: e.nodeAddr });
    }
    if (e.kind !== 'task' || e.nodeId !== localNodeId) continue;
    const task = source.get('tasks', e.taskId);
    const containerId = task?.status.containerStatus?.containerId;
    if (task === undefined || containerId === undefined || containerId === '') continue;
    containers[containerId] = {
      Name: taskName(task),
      EndpointID: '',
      MacAddress: e.mac,
      IPv4Address: e.address,
      IPv6Address: '',
    };
  }
  return { Containers: containers, Peers: [...peers.values()] };
}
