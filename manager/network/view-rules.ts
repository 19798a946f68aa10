// The rules a network view follows, shared by the view computed from a whole read of the store
// (cluster-network-views.ts, the reference) and the one kept up to date from its changes
// (network-index.ts): which tasks are endpoints and backends, which networks are allocated,
// which ports a service publishes.

import { meshClientIpMode } from '../../api/mesh-client-ip.js';
import { createHash } from 'node:crypto';
import { mtuOf } from '../allocator/network-spec-check.js';
import { vniOf } from '../allocator/vni.js';
import {
  taskStateRank,
  type Cluster,
  type Network,
  type Service,
  type Task,
  isAttachmentTask,
} from '../../api/objects/index.js';
import type { PortView } from '../../api/network/network-view.js';
import type { NetworkHeader } from '../../api/network/network-view-update.js';

const RUNNING = taskStateRank('running');

/** An address without its prefix length. */
export const bare = (address: string): string => address.split('/')[0] ?? address;

/** A task whose interface exists or is about to, as far as the task itself says: placed, not stopped. */
export function isEndpointTask(t: Task): t is Task & { nodeId: string } {
  return t.nodeId !== undefined && taskStateRank(t.status.state) <= RUNNING;
}

/** A backend that takes new connections: running and meant to run. */
export function isHealthyBackend(t: Task): boolean {
  return t.status.state === 'running' && t.desiredState === 'running';
}

export interface Allocation {
  readonly vni: number;
  readonly subnet: string;
  readonly gateway: string;
}

/** A network's VNI and subnet, once the allocator gave it both. */
export function allocated(n: Network): Allocation | undefined {
  const config = n.ipam?.configs[0];
  const vni = vniOf(n.driverState?.options);
  if (config === undefined || vni === undefined) return undefined;
  return { vni, subnet: config.subnet, gateway: config.gateway ?? '' };
}

/** Docker's VXLAN UDP port: a view names the cluster's port only when it is another one. */
export const DEFAULT_VXLAN_PORT = 4789;

/** The cluster's data path port (`swarm init --data-path-port`), Docker's when there is no cluster. */
export function dataPathPortOf(c: Cluster | undefined): number {
  return c?.dataPathPort ?? DEFAULT_VXLAN_PORT;
}

/** Every field of an allocated network's view but its endpoints and services. */
export function networkHeader(n: Network, alloc: Allocation, dataPathPort: number): NetworkHeader {
  const mtu = mtuOf(n.spec);
  return {
    networkId: n.id,
    name: n.spec.name,
    vni: alloc.vni,
    subnet: alloc.subnet,
    gateway: alloc.gateway,
    internal: n.spec.internal,
    attachable: n.spec.attachable,
    ingress: n.spec.ingress,
    ...(mtu === undefined ? {} : { mtu }),
    ...(dataPathPort === DEFAULT_VXLAN_PORT ? {} : { dataPathPort }),
  };
}

export function portsOf(s: Service): PortView[] {
  const ports = s.endpoint?.ports ?? s.spec.endpointSpec?.ports ?? [];
  const preserve = meshClientIpMode(s.spec.labels) === 'preserve';
  return ports.map((p) => ({
    protocol: p.protocol,
    targetPort: p.targetPort,
    publishedPort: p.publishedPort,
    publishMode: p.publishMode,
    ...(preserve && p.publishMode === 'ingress' ? { clientIp: 'preserve' as const } : {}),
  }));
}

export const digestOf = (text: string): string => createHash('sha1').update(text).digest('base64');

/** The names a network attachment's container answers to on `networkId` ({} for a task). */
export function attachmentNames(t: Task, networkId: string): { names?: readonly string[] } {
  if (!isAttachmentTask(t)) return {};
  const names = t.networksAttachments.find((a) => a.networkId === networkId)?.aliases ?? [];
  return names.length === 0 ? {} : { names };
}
