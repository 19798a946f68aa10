// Services: swarmkit's validateServiceSpec with its messages, the checks against other objects
// (published-port conflicts, secrets and configs that must exist, the ingress network), and
// the decisions for create and update (with rollback). Pure: (readTx, request) → writes or a
// refusal; the route translates Docker's JSON and resolves network names before calling.

import { MESH_CLIENT_IP_LABEL, MESH_CLIENT_IP_MODES, meshClientIpMode } from '../../api/mesh-client-ip.js';
import type { NewObject, ReadTx, ResourceRequirements, Service, ServiceSpec } from '../store/index.js';
import { decide, type Decision } from './decision.js';
import { isValidImageReference } from './image-reference.js';
import { MAX_MEMORY_SWAPPINESS, MIN_MEMORY_SWAPPINESS } from './limits.js';
import { checkMountRules } from './mount-checks.js';
import { validateName } from './object-name.js';
import { checkReferenceTargets } from './reference-targets.js';
import { badRequest, failedPrecondition, invalidArgument, notFound, unimplemented } from './refusal.js';
import { checkServiceSpecLimits } from './service-limits.js';

/** Go's %g for the small CPU values in the resource message. */
function formatG(n: number): string {
  return String(Number(n.toPrecision(6)));
}

function checkResources(r: { nanoCPUs: number; memoryBytes: number } | undefined): void {
  if (r === undefined) return;
  if (r.nanoCPUs !== 0 && r.nanoCPUs < 1e6) {
    throw invalidArgument(
      `invalid cpu value ${formatG(r.nanoCPUs / 1e9)}: Must be at least ${formatG(1e6 / 1e9)}`,
    );
  }
  if (r.memoryBytes !== 0 && r.memoryBytes < 4 * 1024 * 1024) {
    throw invalidArgument(`invalid memory value ${r.memoryBytes}: Must be at least 4MiB`);
  }
}

/**
 * SwapBytes needs a memory limit (dockerd refuses it when converting the spec); the engine
 * takes a swappiness of 0..100, and -1 as "its default" (Docker's API range).
 */
function checkSwapRules(r: ResourceRequirements): void {
  if (r.swapBytes !== undefined && (r.limits === undefined || r.limits.memoryBytes === 0)) {
    throw badRequest('memory swap provided, but no memory-limit was set');
  }
  const s = r.memorySwappiness;
  if (s !== undefined && (s < MIN_MEMORY_SWAPPINESS || s > MAX_MEMORY_SWAPPINESS)) {
    throw badRequest(`Invalid value: ${s}, valid memory swappiness range is 0-100`);
  }
}

/** A constraint is bounded (service-limits.ts) before this pattern runs on it. */
const CONSTRAINT = /^\s*([a-zA-Z0-9_.\-]+)\s*(==|!=)\s*(.*?)\s*$/;

export function checkConstraint(expr: string): void {
  const m = CONSTRAINT.exec(expr);
  if (m === null || m[3] === '' || /[=!]=/.test(m[3]!)) {
    throw invalidArgument(`constraint expected one operator from ==, !=`);
  }
}

/** swarmkit's validateServiceSpec, after shoal's limits (checkServiceSpecLimits). */
export function checkServiceSpec(spec: ServiceSpec): void {
  checkServiceSpecLimits(spec);
  validateName(spec.name);
  const task = spec.taskTemplate;
  checkResources(task.resources.limits);
  checkResources(task.resources.reservations);
  for (const c of task.placement.constraints) checkConstraint(c);
  const container = task.containerSpec;
  if (container.image === '') throw invalidArgument('ContainerSpec: image reference must be provided');
  if (!isValidImageReference(container.image)) {
    throw invalidArgument(`ContainerSpec: ${JSON.stringify(container.image)} is not a valid repository/tag`);
  }
  const targets = new Set<string>();
  for (const m of container.mounts) {
    if (targets.has(m.target)) throw invalidArgument(`ContainerSpec: duplicate mount point: ${m.target}`);
    targets.add(m.target);
  }
  for (const m of container.mounts) checkMountRules(m);
  checkSwapRules(task.resources);
  checkReferenceTargets(container);
  if (meshClientIpMode(spec.labels) === undefined) {
    throw invalidArgument(
      `label ${MESH_CLIENT_IP_LABEL}=${JSON.stringify(spec.labels[MESH_CLIENT_IP_LABEL])}: ` +
        `expected one of ${MESH_CLIENT_IP_MODES.join(', ')}`,
    );
  }
  const endpoint = spec.endpointSpec;
  if (endpoint !== undefined) {
    const seen = new Set<string>();
    for (const p of endpoint.ports) {
      if (endpoint.mode === 'dnsrr' && p.publishMode === 'ingress') {
        throw invalidArgument("EndpointSpec: port published with ingress mode can't be used with dnsrr mode");
      }
      if (p.publishedPort === 0) continue;
      const key = `${p.publishedPort}/${p.protocol}`;
      if (seen.has(key)) throw invalidArgument('EndpointSpec: duplicate published ports provided');
      seen.add(key);
    }
  }
}

/** Published ports already taken by other services (swarmkit's checkPortConflicts). */
export function checkPortConflicts(tx: ReadTx, spec: ServiceSpec, selfId?: string): void {
  const wanted = (spec.endpointSpec?.ports ?? []).filter((p) => p.publishedPort !== 0);
  if (wanted.length === 0) return;
  const wantedKeys = new Map(wanted.map((p) => [`${p.publishedPort}/${p.protocol}`, p]));
  for (const other of tx.list('services')) {
    if (other.id === selfId) continue;
    const taken = [...(other.spec.endpointSpec?.ports ?? []), ...(other.endpoint?.ports ?? [])];
    for (const t of taken) {
      const p = wantedKeys.get(`${t.publishedPort}/${t.protocol}`);
      if (p === undefined || t.publishedPort === 0) continue;
      if (p.publishMode === 'host' && t.publishMode === 'host') continue;
      const as = p.publishMode === 'host' ? 'a host-published port' : 'an ingress port';
      throw invalidArgument(
        `port '${p.publishedPort}' is already in use by service '${other.spec.name}' (${other.id}) as ${as}`,
      );
    }
  }
}

/** Secrets and configs a spec references must exist under the names it gives. */
export function checkReferences(tx: ReadTx, spec: ServiceSpec): void {
  const c = spec.taskTemplate.containerSpec;
  const badSecrets = c.secrets
    .filter((r) => tx.get('secrets', r.secretId)?.spec.name !== r.secretName)
    .map((r) => r.secretName);
  if (badSecrets.length > 0) {
    throw invalidArgument(
      `${badSecrets.length === 1 ? 'secret' : 'secrets'} not found: ${badSecrets.join(', ')}`,
    );
  }
  const badConfigs = c.configs
    .filter((r) => tx.get('configs', r.configId)?.spec.name !== r.configName)
    .map((r) => r.configName);
  if (badConfigs.length > 0) {
    throw invalidArgument(
      `${badConfigs.length === 1 ? 'config' : 'configs'} not found: ${badConfigs.join(', ')}`,
    );
  }
}

/**
 * swarmkit's validateNetworks for a spec whose targets are resolved to IDs: no service attaches
 * to the ingress network by hand (publishing a port puts it there).
 */
export function checkServiceNetworks(tx: ReadTx, spec: ServiceSpec): void {
  for (const n of spec.taskTemplate.networks) {
    const network = tx.get('networks', n.target);
    if (network?.spec.ingress === true) {
      throw invalidArgument(
        `Service cannot be explicitly attached to the ingress network "${network.spec.name}"`,
      );
    }
  }
}

function checkAgainstCluster(tx: ReadTx, spec: ServiceSpec, selfId?: string): void {
  checkServiceNetworks(tx, spec);
  checkPortConflicts(tx, spec, selfId);
  checkReferences(tx, spec);
}

/**
 * How the transport finds the network a spec's attachment names (Docker resolves a name or an
 * ID prefix, dockerd's populateNetworkID); it throws the transport's own "not found".
 */
export type NetworkResolver = (tx: ReadTx, target: string) => string;

/** The spec with its network targets resolved to IDs (after the spec's own checks). */
function withNetworkIds(tx: ReadTx, spec: ServiceSpec, networkId: NetworkResolver | undefined): ServiceSpec {
  if (networkId === undefined) return spec;
  const networks = spec.taskTemplate.networks.map((n) => ({ ...n, target: networkId(tx, n.target) }));
  return { ...spec, taskTemplate: { ...spec.taskTemplate, networks } };
}

export interface CreateServiceRequest {
  readonly id: string;
  /** The spec as the client gave it: network targets are names, IDs or ID prefixes. */
  readonly spec: ServiceSpec;
  /** Absent: the spec's network targets are IDs already. */
  readonly networkId?: NetworkResolver;
  /** ISO time: a job's first execution (its JobStatus.LastExecution). */
  readonly now?: string;
}

function isJobMode(spec: ServiceSpec): boolean {
  return spec.mode.kind === 'replicatedJob' || spec.mode.kind === 'globalJob';
}

export function createService(tx: ReadTx, req: CreateServiceRequest): Decision {
  return decide(() => {
    checkServiceSpec(req.spec);
    const spec = withNetworkIds(tx, req.spec, req.networkId);
    checkAgainstCluster(tx, spec);
    const object: NewObject<'services'> = { id: req.id, spec, specVersion: 0, pendingDelete: false };
    // A job carries its JobStatus from the start, iteration 0, as in swarmkit: clients (the
    // docker CLI's job progress) read it right after create.
    if (isJobMode(spec)) {
      object.jobStatus =
        req.now === undefined ? { jobIteration: 0 } : { jobIteration: 0, lastExecution: req.now };
    }
    return [{ op: 'create', table: 'services', object }];
  });
}

export interface UpdateServiceRequest {
  readonly serviceId: string;
  /** The client's ?version= (the store refuses a stale one). */
  readonly version: number;
  /** The spec as the client gave it: network targets are names, IDs or ID prefixes. */
  readonly spec: ServiceSpec;
  /** Absent: the spec's network targets are IDs already. */
  readonly networkId?: NetworkResolver;
  readonly rollback: string;
  readonly registryAuthFrom: string;
  /** ISO time, for the rollback's update status. */
  readonly now: string;
}

/** dockerd's checks of the update query (before the spec is read). */
export function checkUpdateQuery(rollback: string, registryAuthFrom: string): void {
  if (rollback !== '' && rollback !== 'none' && rollback !== 'previous') {
    throw badRequest(`unrecognized rollback option ${rollback}`);
  }
  if (registryAuthFrom !== '' && registryAuthFrom !== 'spec' && registryAuthFrom !== 'previous-spec') {
    throw badRequest('unsupported registryAuthFrom value');
  }
}

/** swarmkit's UpdateService: a new spec, or a rollback to the previous one. */
export function updateService(tx: ReadTx, req: UpdateServiceRequest): Decision {
  return decide(() => {
    checkUpdateQuery(req.rollback, req.registryAuthFrom);
    const current = tx.get('services', req.serviceId);
    if (current === undefined) throw notFound(`service ${req.serviceId} not found`);
    checkServiceSpec(req.spec);
    const spec = withNetworkIds(tx, req.spec, req.networkId);
    if (req.registryAuthFrom === 'previous-spec' && current.previousSpec === undefined) {
      throw badRequest('service does not have a previous spec');
    }
    checkServiceNetworks(tx, spec);
    if (spec.mode.kind !== current.spec.mode.kind) throw unimplemented('service mode change is not allowed');
    if (spec.name !== current.spec.name) throw unimplemented('renaming services is not supported');
    checkPortConflicts(tx, spec, current.id);
    checkReferences(tx, spec);
    const meta = { ...current.meta, version: req.version };
    // Every update of a job runs it again (swarmkit): the next iteration, whose tasks replace
    // the earlier ones.
    const jobStatus =
      current.jobStatus === undefined
        ? undefined
        : { jobIteration: current.jobStatus.jobIteration + 1, lastExecution: req.now };
    if (req.rollback === 'previous') {
      if (current.previousSpec === undefined) {
        throw failedPrecondition(`service ${current.id} does not have a previous spec`);
      }
      const rolledBack: Service = {
        ...current,
        meta,
        spec: current.previousSpec,
        previousSpec: current.spec,
        specVersion: current.meta.version,
        ...(jobStatus === undefined ? {} : { jobStatus }),
        updateStatus: {
          state: 'rollback_started',
          startedAt: req.now,
          message: 'manually requested rollback',
        },
      };
      return [{ op: 'update', table: 'services', object: rolledBack }];
    }
    const next: Service = {
      ...current,
      meta,
      spec,
      previousSpec: current.spec,
      specVersion: current.meta.version,
      ...(jobStatus === undefined ? {} : { jobStatus }),
    };
    delete next.updateStatus;
    return [{ op: 'update', table: 'services', object: next }];
  });
}

/** swarmkit's RemoveService: the orchestrators remove its tasks. */
export function removeService(tx: ReadTx, serviceId: string): Decision {
  return decide(() => {
    if (tx.get('services', serviceId) === undefined) throw notFound(`service ${serviceId} not found`);
    return [{ op: 'delete', table: 'services', id: serviceId }];
  });
}
