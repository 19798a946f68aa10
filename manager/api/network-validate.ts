// What dockerd and swarmkit check before creating or removing a swarm network, with their
// messages and status codes, plus what shoal cannot do yet (other drivers, IPv6, encryption),
// said plainly.

import { checkNoOverlap } from '../allocator/ipam-config.js';
import { AllocatorError, InvalidIpamConfigError, PoolOverlapError } from '../allocator/errors.js';
import { findIngress } from '../allocator/ingress.js';
import { checkNetworkSpec, OVERLAY_DRIVER } from '../allocator/network-spec-check.js';
import { networkUser } from '../allocator/network-users.js';
import type { Network, NetworkSpec, ReadTx, ServiceSpec } from '../store/index.js';
import { ApiError, conflict, invalidParameter, rpcMessage } from './errors.js';
import type { DockerNetworkCreate } from './schemas/network.js';
import { validateName } from './service-validate.js';

/** Networks every Docker engine has locally; a swarm network cannot take their names. */
export const PREDEFINED_NETWORKS: readonly string[] = ['bridge', 'host', 'none', 'default'];
/** The label swarmkit reserves for the networks it creates itself. */
export const PREDEFINED_LABEL = 'com.docker.swarm.predefined';

function allocatorFailure(e: unknown): never {
  if (e instanceof InvalidIpamConfigError) throw invalidParameter(rpcMessage('InvalidArgument', e.message));
  if (e instanceof PoolOverlapError) throw new ApiError(403, e.message, 'POOL_OVERLAP');
  if (e instanceof AllocatorError) throw new ApiError(400, e.message, e.code);
  throw e;
}

/** Refuses a create request as dockerd would, in its order. */
export function checkNetworkCreate(tx: ReadTx, body: DockerNetworkCreate, spec: NetworkSpec): void {
  if (tx.getByName('networks', spec.name) !== undefined) {
    throw conflict(`network with name ${spec.name} already exists`);
  }
  if (PREDEFINED_NETWORKS.includes(spec.name)) {
    throw new ApiError(403, `${spec.name} is a pre-defined network and cannot be created`, 'FORBIDDEN');
  }
  const driver = spec.driverConfig?.name ?? OVERLAY_DRIVER;
  if (driver !== OVERLAY_DRIVER) {
    throw invalidParameter(
      `network driver "${driver}" is not supported: shoal networks are swarm-scoped; use --driver overlay`,
    );
  }
  const scope = body.Scope ?? '';
  if (scope !== '' && scope !== 'swarm') {
    throw new ApiError(403, `cannot downgrade network scope for ${driver} networks`, 'FORBIDDEN');
  }
  if (body.ConfigOnly === true || (body.ConfigFrom?.Network ?? '') !== '') {
    throw invalidParameter('config-only networks (--config-only, --config-from) are not supported');
  }
  if (spec.attachable && spec.ingress) {
    throw invalidParameter(rpcMessage('InvalidArgument', 'ingress network cannot be attachable'));
  }
  validateName(spec.name);
  if (Object.hasOwn(spec.labels, PREDEFINED_LABEL)) {
    throw new ApiError(
      403,
      rpcMessage(
        'PermissionDenied',
        `label ${PREDEFINED_LABEL} is for internally created predefined networks and cannot be applied by users`,
      ),
      'FORBIDDEN',
    );
  }
  if ((body.IPAM?.Config ?? []).some((c) => Object.keys(c.AuxiliaryAddresses ?? {}).length > 0)) {
    throw invalidParameter('auxiliary addresses (--aux-address) are not supported yet');
  }
  try {
    const addressing = checkNetworkSpec(spec);
    if (addressing !== undefined) checkNoOverlap(addressing.subnet, tx.list('networks'));
  } catch (e: unknown) {
    allocatorFailure(e);
  }
  if (spec.ingress) {
    const existing = findIngress(tx);
    if (existing !== undefined) {
      throw conflict(rpcMessage('AlreadyExists', `ingress network (${existing.id}) is already present`));
    }
  }
}

/** Refuses to remove a network something still uses (swarmkit's RemoveNetwork). */
export function checkNetworkRemove(tx: ReadTx, network: Network): void {
  if (network.spec.labels[PREDEFINED_LABEL] === 'true') {
    throw new ApiError(
      403,
      rpcMessage(
        'PermissionDenied',
        `network ${network.id} (${network.spec.name}) is a swarm predefined network and cannot be removed`,
      ),
      'FORBIDDEN',
    );
  }
  const user = networkUser(tx, network);
  if (user === undefined) return;
  const desc = network.spec.ingress
    ? `ingress network cannot be removed because service ${user.id} depends on it`
    : `network ${network.id} is in use by ${user.kind} ${user.id}`;
  throw invalidParameter(rpcMessage('FailedPrecondition', desc));
}

/**
 * swarmkit's validateNetworks for a service spec whose targets are resolved to IDs: no service
 * attaches to the ingress network by hand (publishing a port puts it there).
 */
export function checkServiceNetworks(tx: ReadTx, spec: ServiceSpec): void {
  for (const n of spec.taskTemplate.networks) {
    const network = tx.get('networks', n.target);
    if (network?.spec.ingress === true) {
      throw invalidParameter(
        rpcMessage(
          'InvalidArgument',
          `Service cannot be explicitly attached to the ingress network "${network.spec.name}"`,
        ),
      );
    }
  }
}
