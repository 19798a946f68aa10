// Networks: the limits of a network spec, what dockerd and swarmkit check before creating or
// removing a swarm network (their messages and status codes), plus what shoal cannot do yet
// (other drivers, config-only networks, auxiliary addresses), said plainly. Pure: (readTx,
// request) → writes or a refusal.

import { checkNoOverlap } from '../allocator/ipam-config.js';
import { AllocatorError, InvalidIpamConfigError, PoolOverlapError } from '../allocator/errors.js';
import { findIngress } from '../allocator/ingress.js';
import { checkNetworkSpec, OVERLAY_DRIVER } from '../allocator/network-spec-check.js';
import { networkUser } from '../allocator/network-users.js';
import type { Network, NetworkSpec, ReadTx } from '../store/index.js';
import { decide, type Decision, type Write } from './decision.js';
import { checkCount, checkMap, checkSerializedSize, checkString } from './field-checks.js';
import {
  LABEL_LIMITS,
  MAX_ADDRESS_BYTES,
  MAX_IPAM_CONFIGS,
  MAX_OBJECT_SPEC_BYTES,
  MAX_SHORT_STRING_BYTES,
  OPTION_LIMITS,
} from './limits.js';
import { validateName } from './object-name.js';
import {
  alreadyExists,
  badRequest,
  failedPrecondition,
  invalidArgument,
  notFound,
  permissionDenied,
  Refusal,
} from './refusal.js';

/** Networks every Docker engine has locally; a swarm network cannot take their names. */
export const PREDEFINED_NETWORKS: readonly string[] = ['bridge', 'host', 'none', 'default'];
/** The label swarmkit reserves for the networks it creates itself. */
export const PREDEFINED_LABEL = 'com.docker.swarm.predefined';

/** Every field of a network spec within its limits. */
export function checkNetworkSpecLimits(spec: NetworkSpec): void {
  checkSerializedSize('network spec', spec, MAX_OBJECT_SPEC_BYTES);
  checkString('Name', spec.name, MAX_SHORT_STRING_BYTES);
  checkMap('Labels', spec.labels, LABEL_LIMITS);
  if (spec.driverConfig !== undefined) {
    checkString('Driver', spec.driverConfig.name, MAX_SHORT_STRING_BYTES);
    checkMap('Options', spec.driverConfig.options, OPTION_LIMITS);
  }
  const ipam = spec.ipam;
  if (ipam !== undefined) {
    if (ipam.driver !== undefined) {
      checkString('IPAM: Driver', ipam.driver.name, MAX_SHORT_STRING_BYTES);
      checkMap('IPAM: Options', ipam.driver.options, OPTION_LIMITS);
    }
    checkCount('IPAM: Config', ipam.configs, MAX_IPAM_CONFIGS);
    for (const c of ipam.configs) {
      checkString('IPAM: Config: Subnet', c.subnet, MAX_ADDRESS_BYTES);
      if (c.range !== undefined) checkString('IPAM: Config: IPRange', c.range, MAX_ADDRESS_BYTES);
      if (c.gateway !== undefined) checkString('IPAM: Config: Gateway', c.gateway, MAX_ADDRESS_BYTES);
    }
  }
}

function allocatorFailure(e: unknown): never {
  if (e instanceof InvalidIpamConfigError) throw invalidArgument(e.message);
  if (e instanceof PoolOverlapError) throw new Refusal('permission-denied', e.message, 'POOL_OVERLAP');
  if (e instanceof AllocatorError) throw new Refusal('invalid-argument', e.message, e.code);
  throw e;
}

export interface CreateNetworkRequest {
  readonly id: string;
  readonly spec: NetworkSpec;
  /** What Docker's request asks for that a NetworkSpec has no place for. */
  readonly scope: string;
  readonly configOnly: boolean;
  readonly configFrom: string;
  readonly hasAuxiliaryAddresses: boolean;
}

/** Refuses a create request as dockerd would, in its order, after shoal's limits. */
export function checkNetworkCreate(tx: ReadTx, req: CreateNetworkRequest): void {
  const spec = req.spec;
  checkNetworkSpecLimits(spec);
  if (tx.getByName('networks', spec.name) !== undefined) {
    throw alreadyExists(`network with name ${spec.name} already exists`, false);
  }
  if (PREDEFINED_NETWORKS.includes(spec.name)) {
    throw permissionDenied(`${spec.name} is a pre-defined network and cannot be created`, false);
  }
  const driver = spec.driverConfig?.name ?? OVERLAY_DRIVER;
  if (driver !== OVERLAY_DRIVER) {
    throw badRequest(
      `network driver "${driver}" is not supported: shoal networks are swarm-scoped; use --driver overlay`,
    );
  }
  if (req.scope !== '' && req.scope !== 'swarm') {
    throw permissionDenied(`cannot downgrade network scope for ${driver} networks`, false);
  }
  if (req.configOnly || req.configFrom !== '') {
    throw badRequest('config-only networks (--config-only, --config-from) are not supported');
  }
  if (spec.attachable && spec.ingress) throw invalidArgument('ingress network cannot be attachable');
  validateName(spec.name);
  if (Object.hasOwn(spec.labels, PREDEFINED_LABEL)) {
    throw permissionDenied(
      `label ${PREDEFINED_LABEL} is for internally created predefined networks and cannot be applied by users`,
    );
  }
  if (req.hasAuxiliaryAddresses)
    throw badRequest('auxiliary addresses (--aux-address) are not supported yet');
  try {
    const addressing = checkNetworkSpec(spec);
    if (addressing !== undefined) checkNoOverlap(addressing.subnet, tx.list('networks'));
  } catch (e: unknown) {
    allocatorFailure(e);
  }
  if (spec.ingress) {
    const existing = findIngress(tx);
    if (existing !== undefined) throw alreadyExists(`ingress network (${existing.id}) is already present`);
  }
}

export function createNetwork(tx: ReadTx, req: CreateNetworkRequest): Decision {
  return decide(() => {
    checkNetworkCreate(tx, req);
    return [
      { op: 'create', table: 'networks', object: { id: req.id, spec: req.spec, pendingDelete: false } },
    ];
  });
}

/** Refuses to remove a network something still uses (swarmkit's RemoveNetwork). */
export function checkNetworkRemove(tx: ReadTx, network: Network): void {
  if (network.spec.labels[PREDEFINED_LABEL] === 'true') {
    throw permissionDenied(
      `network ${network.id} (${network.spec.name}) is a swarm predefined network and cannot be removed`,
    );
  }
  const user = networkUser(tx, network);
  if (user === undefined) return;
  const desc = network.spec.ingress
    ? `ingress network cannot be removed because service ${user.id} depends on it`
    : `network ${network.id} is in use by ${user.kind} ${user.id}`;
  throw failedPrecondition(desc);
}

export function removeNetwork(tx: ReadTx, networkId: string): Decision {
  return decide(() => {
    const network = tx.get('networks', networkId);
    if (network === undefined) throw notFound(`network ${networkId} not found`);
    checkNetworkRemove(tx, network);
    return [{ op: 'delete', table: 'networks', id: network.id }];
  });
}

export interface PruneNetworksRequest {
  /** Whether the request's label filters pick a network. */
  readonly selected: (n: Network) => boolean;
  /** Values of the request's `until` filter. */
  readonly until: readonly string[];
}

/** shoal keeps no network's age for `until` to compare with: said plainly, not ignored. */
export function checkPruneRequest(req: Pick<PruneNetworksRequest, 'until'>): void {
  if (req.until.length > 0) throw badRequest('the until filter of network prune is not supported yet');
}

/** Deletes the networks the request picks that nothing uses (never the ingress network). */
export function pruneNetworks(tx: ReadTx, req: PruneNetworksRequest): Decision {
  return decide(() => {
    checkPruneRequest(req);
    const writes: Write[] = [];
    for (const n of tx.list('networks')) {
      if (n.spec.ingress || n.spec.labels[PREDEFINED_LABEL] === 'true') continue;
      if (networkUser(tx, n) !== undefined || !req.selected(n)) continue;
      writes.push({ op: 'delete', table: 'networks', id: n.id });
    }
    return writes;
  });
}
