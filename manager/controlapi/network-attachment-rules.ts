// Network attachments: a container outside any service joining a swarm network on its own node
// (`docker run --network NET`, `docker network connect NET C`), as swarmkit's ResourceAllocator
// does it. The manager records one task per attachment (Docker's NetworkAttachmentSpec, no
// service); the allocator gives it an address and the node's assignments carry it, so every
// node on the network learns the container as it learns a task. Only attachable overlays can be
// joined this way (the ingress network never); a node holds a bounded number of them. Pure:
// (readTx, request) → writes or a refusal.

import { formatAddress, maskOf, parseCidr, parseIPv4 } from '../../api/network/ipv4.js';
import { containerSpecFor, isAttachmentTask, type NewObject, type Network } from '../../api/objects/index.js';
import { serviceNodeKey, type ReadTx } from '../store/index.js';
import { decide, type Decision } from './decision.js';
import { checkString, checkStrings } from './field-checks.js';
import {
  MAX_ADDRESS_BYTES,
  MAX_ATTACHMENTS_PER_NODE,
  MAX_CONTAINER_ID_BYTES,
  MAX_DNS_NAME_BYTES,
  MAX_NETWORK_ALIASES,
  MAX_SHORT_STRING_BYTES,
} from './limits.js';
import { invalidArgument, notFound, permissionDenied, Refusal } from './refusal.js';

export interface AttachNetworkRequest {
  /** The new task's ID (made by the caller, so that deciding stays pure). */
  readonly id: string;
  /** The node the container runs on: the caller's own, from its certificate. */
  readonly nodeId: string;
  /** The network's ID, name or unique ID prefix, as the user gave it. */
  readonly network: string;
  /** The container's ID when it exists already; '' while it is being created. */
  readonly containerId: string;
  /** An IPv4 address the user asked for (`--ip`), or ''. */
  readonly address: string;
  readonly aliases: readonly string[];
  /** ISO-8601 time of the request. */
  readonly now: string;
}

export interface DetachNetworkRequest {
  readonly nodeId: string;
  readonly attachmentId: string;
}

/** The network a user names: full ID, name, then unique ID prefix (dockerd's order). */
function findNetwork(tx: ReadTx, input: string): Network {
  const byId = tx.get('networks', input);
  if (byId !== undefined) return byId;
  const byName = tx.getByName('networks', input);
  if (byName !== undefined) return byName;
  const prefixed = input === '' ? [] : tx.list('networks').filter((n) => n.id.startsWith(input));
  if (prefixed.length === 1) return prefixed[0]!;
  if (prefixed.length > 1)
    throw invalidArgument(`network ${input} is ambiguous (${prefixed.length} matches found)`);
  throw notFound(`network ${input} not found`);
}

function checkLimits(req: AttachNetworkRequest): void {
  checkString('network', req.network, MAX_SHORT_STRING_BYTES);
  checkString('container ID', req.containerId, MAX_CONTAINER_ID_BYTES);
  checkString('address', req.address, MAX_ADDRESS_BYTES);
  checkStrings('aliases', req.aliases, MAX_NETWORK_ALIASES, MAX_DNS_NAME_BYTES);
}

/** The requested address with the network's prefix length, checked to lie in its subnet. */
function requestedAddress(network: Network, address: string): string | undefined {
  if (address === '') return undefined;
  const ip = parseIPv4(address);
  if (ip === undefined) throw invalidArgument(`invalid IPv4 address ${JSON.stringify(address)}`);
  const subnet = parseCidr(network.ipam?.configs[0]?.subnet ?? '');
  if (subnet === undefined)
    throw invalidArgument(`network ${network.spec.name} has no subnet yet to take ${address} from`);
  if ((ip & maskOf(subnet.prefix)) >>> 0 !== subnet.base)
    throw invalidArgument(`address ${address} is not in network ${network.spec.name}'s subnet`);
  return formatAddress(ip, subnet.prefix);
}

/** Records an attachment task for a container joining `network` on the caller's node. */
export function attachNetwork(tx: ReadTx, req: AttachNetworkRequest): Decision {
  return decide(() => {
    checkLimits(req);
    if (tx.get('nodes', req.nodeId) === undefined) throw notFound(`node ${req.nodeId} not found`);
    const network = findNetwork(tx, req.network);
    if (network.spec.ingress || !network.spec.attachable)
      throw permissionDenied(`network ${network.spec.name} not manually attachable`);
    // Attachment tasks have no service: they are the node's tasks of service ''.
    const held = tx
      .find('tasks', 'serviceNode', serviceNodeKey('', req.nodeId))
      .filter((t) => isAttachmentTask(t)).length;
    if (held >= MAX_ATTACHMENTS_PER_NODE)
      throw new Refusal(
        'failed-precondition',
        `node ${req.nodeId} already holds ${held} network attachments (the most one node may hold); ` +
          'remove containers attached to swarm networks first',
        'TOO_MANY_ATTACHMENTS',
      );
    const address = requestedAddress(network, req.address);
    const task: NewObject<'tasks'> = {
      id: req.id,
      serviceId: '',
      slot: 0,
      nodeId: req.nodeId,
      spec: {
        containerSpec: containerSpecFor(''),
        attachment: { containerId: req.containerId },
        resources: {},
        restartPolicy: { condition: 'none', delay: 0, maxAttempts: 0, window: 0 },
        placement: { constraints: [], preferences: [], maxReplicas: 0, platforms: [] },
        networks: [{ target: network.id, aliases: [...req.aliases], driverOpts: {} }],
        forceUpdate: 0,
      },
      serviceAnnotations: { name: '', labels: {} },
      desiredState: 'running',
      status: { timestamp: req.now, state: 'new', message: 'network attachment created' },
      networksAttachments:
        address === undefined
          ? []
          : [{ networkId: network.id, addresses: [address], aliases: [...req.aliases] }],
    };
    return [{ op: 'create', table: 'tasks', object: task }];
  });
}

/** Deletes an attachment task of the caller's node (its address goes back to the pool). */
export function detachNetwork(tx: ReadTx, req: DetachNetworkRequest): Decision {
  return decide(() => {
    checkString('attachment ID', req.attachmentId, MAX_SHORT_STRING_BYTES);
    const task = tx.get('tasks', req.attachmentId);
    // Another node's attachment is as unknown to the caller as a missing one.
    if (task === undefined || !isAttachmentTask(task) || task.nodeId !== req.nodeId)
      throw notFound(`network attachment ${req.attachmentId} not found`);
    return [{ op: 'delete', table: 'tasks', id: task.id }];
  });
}
