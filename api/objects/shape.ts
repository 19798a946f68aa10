// Runtime shape checks for objects entering the store (from writers, commands and snapshots).
//
// They check what the store itself relies on (identity, meta, every indexed field, unique
// names) and the skeleton of each object, so that a corrupt or hostile command cannot break
// an index or crash a reader. Full validation of user specs (value ranges, Docker's error
// messages) belongs to the API layer's schemas; the store is the last line, not the first.

import {
  NODE_AVAILABILITIES,
  NODE_ROLES,
  NODE_STATES,
  SERVICE_MODE_KINDS,
  TASK_STATES,
  type TableName,
} from './index.js';

type Rec = Record<string, unknown>;
type Problem = string | undefined;

export function isRecord(value: unknown): value is Rec {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Longest object ID the store accepts. */
export const MAX_ID_LENGTH = 128;

/** IDs are letters, digits, '_', '.' and '-' (Swarm's are 25 lower-case base-36 characters). */
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export function isValidId(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_ID_LENGTH && ID_PATTERN.test(value);
}

function str(value: unknown, path: string, nonEmpty = false): Problem {
  if (typeof value !== 'string') return `${path} must be a string`;
  if (nonEmpty && value.length === 0) return `${path} must not be empty`;
  return undefined;
}

function int(value: unknown, path: string, min = 0): Problem {
  return Number.isSafeInteger(value) && (value as number) >= min
    ? undefined
    : `${path} must be an integer >= ${min}`;
}

function bool(value: unknown, path: string): Problem {
  return typeof value === 'boolean' ? undefined : `${path} must be a boolean`;
}

function oneOf(value: unknown, path: string, allowed: readonly string[]): Problem {
  return typeof value === 'string' && allowed.includes(value)
    ? undefined
    : `${path} must be one of ${allowed.join(', ')}`;
}

function rec(value: unknown, path: string): Problem {
  return isRecord(value) ? undefined : `${path} must be an object`;
}

function arr(value: unknown, path: string): Problem {
  return Array.isArray(value) ? undefined : `${path} must be an array`;
}

function stringMap(value: unknown, path: string): Problem {
  if (!isRecord(value)) return `${path} must be an object`;
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') return `${path}.${k} must be a string`;
  }
  return undefined;
}

function driver(value: unknown, path: string): Problem {
  if (!isRecord(value)) return `${path} must be an object`;
  return str(value['name'], `${path}.name`) ?? stringMap(value['options'], `${path}.options`);
}

function optional(value: unknown, check: (v: unknown) => Problem): Problem {
  return value === undefined ? undefined : check(value);
}

/** Checks the fields a `WriteTx`, a command and a snapshot all carry. */
export function checkMeta(value: unknown): Problem {
  if (!isRecord(value)) return 'meta must be an object';
  return (
    int(value['version'], 'meta.version') ??
    str(value['createdAt'], 'meta.createdAt') ??
    str(value['updatedAt'], 'meta.updatedAt')
  );
}

function checkNamedSpec(o: Rec): Problem {
  const spec = o['spec'];
  if (!isRecord(spec)) return 'spec must be an object';
  return str(spec['name'], 'spec.name', true) ?? stringMap(spec['labels'], 'spec.labels');
}

function checkClusterSpec(spec: Rec): Problem {
  return (
    rec(spec['orchestration'], 'spec.orchestration') ??
    rec(spec['raft'], 'spec.raft') ??
    rec(spec['dispatcher'], 'spec.dispatcher') ??
    rec(spec['caConfig'], 'spec.caConfig') ??
    rec(spec['encryptionConfig'], 'spec.encryptionConfig') ??
    optional(spec['taskDefaults'], (v) =>
      isRecord(v)
        ? optional(v['logDriver'], (d) => driver(d, 'spec.taskDefaults.logDriver'))
        : 'spec.taskDefaults must be an object',
    )
  );
}

function checkRootCA(ca: unknown): Problem {
  if (!isRecord(ca)) return 'rootCA must be an object';
  return (
    str(ca['caCert'], 'rootCA.caCert') ??
    str(ca['caCertDigest'], 'rootCA.caCertDigest') ??
    rec(ca['joinTokens'], 'rootCA.joinTokens')
  );
}

function checkCluster(o: Rec): Problem {
  return (
    checkNamedSpec(o) ??
    checkClusterSpec(o['spec'] as Rec) ??
    checkRootCA(o['rootCA']) ??
    arr(o['defaultAddrPool'], 'defaultAddrPool') ??
    int(o['subnetSize'], 'subnetSize') ??
    int(o['dataPathPort'], 'dataPathPort') ??
    arr(o['unlockKeys'], 'unlockKeys')
  );
}

function checkNode(o: Rec): Problem {
  const spec = o['spec'];
  const status = o['status'];
  if (!isRecord(spec)) return 'spec must be an object';
  if (!isRecord(status)) return 'status must be an object';
  return (
    optional(spec['name'], (v) => str(v, 'spec.name')) ??
    stringMap(spec['labels'], 'spec.labels') ??
    oneOf(spec['role'], 'spec.role', NODE_ROLES) ??
    oneOf(spec['availability'], 'spec.availability', NODE_AVAILABILITIES) ??
    oneOf(o['role'], 'role', NODE_ROLES) ??
    optional(o['description'], (v) => rec(v, 'description')) ??
    oneOf(status['state'], 'status.state', NODE_STATES) ??
    str(status['message'], 'status.message') ??
    str(status['addr'], 'status.addr') ??
    optional(o['managerStatus'], (v) => rec(v, 'managerStatus')) ??
    optional(o['certificate'], (v) => rec(v, 'certificate')) ??
    arr(o['attachments'], 'attachments')
  );
}

function checkMode(value: unknown): Problem {
  if (!isRecord(value)) return 'spec.mode must be an object';
  return (
    oneOf(value['kind'], 'spec.mode.kind', SERVICE_MODE_KINDS) ??
    (value['kind'] === 'replicated' ? int(value['replicas'], 'spec.mode.replicas') : undefined) ??
    (value['kind'] === 'replicatedJob'
      ? (int(value['maxConcurrent'], 'spec.mode.maxConcurrent') ??
        int(value['totalCompletions'], 'spec.mode.totalCompletions'))
      : undefined)
  );
}

/**
 * Task specs known to pass `checkTaskSpec`: deeply frozen (so they cannot have changed since)
 * and stored, see `rememberChecked`. Objects built around a stored spec (a task's status or
 * node changes, a task made from its service's template) skip checking it again. A WeakSet:
 * it holds nothing the store has dropped.
 */
const checkedTaskSpecs = new WeakSet<object>();

function checkTaskSpec(value: unknown, path: string): Problem {
  if (!isRecord(value)) return `${path} must be an object`;
  if (checkedTaskSpecs.has(value)) return undefined;
  const container = value['containerSpec'];
  if (!isRecord(container)) return `${path}.containerSpec must be an object`;
  return (
    str(container['image'], `${path}.containerSpec.image`) ??
    stringMap(container['labels'], `${path}.containerSpec.labels`) ??
    arr(container['command'], `${path}.containerSpec.command`) ??
    arr(container['args'], `${path}.containerSpec.args`) ??
    arr(container['env'], `${path}.containerSpec.env`) ??
    arr(container['mounts'], `${path}.containerSpec.mounts`) ??
    rec(value['resources'], `${path}.resources`) ??
    rec(value['restartPolicy'], `${path}.restartPolicy`) ??
    rec(value['placement'], `${path}.placement`) ??
    arr(value['networks'], `${path}.networks`) ??
    int(value['forceUpdate'], `${path}.forceUpdate`) ??
    optional(value['attachment'], (v) =>
      isRecord(v)
        ? str(v['containerId'], `${path}.attachment.containerId`)
        : `${path}.attachment must be an object`,
    )
  );
}

function checkService(o: Rec): Problem {
  return (
    checkNamedSpec(o) ??
    checkMode((o['spec'] as Rec)['mode']) ??
    checkTaskSpec((o['spec'] as Rec)['taskTemplate'], 'spec.taskTemplate') ??
    optional(o['previousSpec'], (v) => rec(v, 'previousSpec')) ??
    optional(o['specVersion'], (v) => int(v, 'specVersion')) ??
    optional(o['updateStatus'], (v) => rec(v, 'updateStatus')) ??
    optional(o['endpoint'], (v) => rec(v, 'endpoint')) ??
    bool(o['pendingDelete'], 'pendingDelete')
  );
}

function checkTask(o: Rec): Problem {
  const status = o['status'];
  if (!isRecord(status)) return 'status must be an object';
  return (
    int(o['slot'], 'slot') ??
    // A network attachment (a container outside any service) has no service, and has a node.
    (isRecord(o['spec']) && o['spec']['attachment'] !== undefined
      ? o['serviceId'] === '' && isValidId(o['nodeId'])
        ? undefined
        : 'a network attachment task has no serviceId and a valid nodeId'
      : isValidId(o['serviceId'])
        ? undefined
        : 'serviceId must be a valid ID') ??
    optional(o['nodeId'], (v) => (isValidId(v) ? undefined : 'nodeId must be a valid ID')) ??
    checkTaskSpec(o['spec'], 'spec') ??
    optional(o['specVersion'], (v) => int(v, 'specVersion')) ??
    rec(o['serviceAnnotations'], 'serviceAnnotations') ??
    oneOf(o['desiredState'], 'desiredState', TASK_STATES) ??
    str(status['timestamp'], 'status.timestamp') ??
    oneOf(status['state'], 'status.state', TASK_STATES) ??
    str(status['message'], 'status.message') ??
    optional(status['err'], (v) => str(v, 'status.err')) ??
    optional(status['containerStatus'], (v) => rec(v, 'status.containerStatus')) ??
    arr(o['networksAttachments'], 'networksAttachments') ??
    optional(o['jobIteration'], (v) => int(v, 'jobIteration')) ??
    optional(o['logDriver'], (v) => driver(v, 'logDriver'))
  );
}

function checkNetwork(o: Rec): Problem {
  const spec = o['spec'] as Rec;
  return (
    checkNamedSpec(o) ??
    bool(spec['ipv6Enabled'], 'spec.ipv6Enabled') ??
    bool(spec['internal'], 'spec.internal') ??
    bool(spec['attachable'], 'spec.attachable') ??
    bool(spec['ingress'], 'spec.ingress') ??
    bool(o['pendingDelete'], 'pendingDelete')
  );
}

function checkSecret(o: Rec): Problem {
  return checkNamedSpec(o) ?? str((o['spec'] as Rec)['data'], 'spec.data') ?? bool(o['internal'], 'internal');
}

function checkConfig(o: Rec): Problem {
  return checkNamedSpec(o) ?? str((o['spec'] as Rec)['data'], 'spec.data');
}

const CHECKS: Readonly<Record<TableName, (o: Rec) => Problem>> = {
  clusters: checkCluster,
  configs: checkConfig,
  networks: checkNetwork,
  nodes: checkNode,
  secrets: checkSecret,
  services: checkService,
  tasks: checkTask,
};

/** Deepest nesting of objects and arrays an object may have (bounds every recursive walk). */
export const MAX_DEPTH = 32;

/** True when `value` nests objects/arrays deeper than `limit` levels (stops early). */
export function tooDeep(value: unknown, limit = MAX_DEPTH): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (limit === 0) return true;
  if (Array.isArray(value)) {
    for (const child of value as unknown[]) if (tooDeep(child, limit - 1)) return true;
    return false;
  }
  const record = value as Record<string, unknown>;
  for (const key in record) {
    if (Object.hasOwn(record, key) && tooDeep(record[key], limit - 1)) return true;
  }
  return false;
}

/**
 * Returns why `value` is not a valid object of `table` (identity, meta and body), or undefined.
 * Does not bound nesting depth: callers also use `tooDeep` or `freezeWithin`.
 */
export function checkObject(table: TableName, value: unknown): Problem {
  if (!isRecord(value)) return 'object must be a JSON object';
  if (!isValidId(value['id'])) {
    return `id must be 1 to ${MAX_ID_LENGTH} letters, digits, '_', '.' or '-'`;
  }
  return checkMeta(value['meta']) ?? CHECKS[table](value);
}

/**
 * Notes that `value`, an object of `table` that passed `checkObject` and is deeply frozen (as
 * every object the store holds is), has a valid task spec, so that checks of other objects
 * holding the very same spec object skip it. A spec that is not frozen is not remembered.
 */
export function rememberChecked(table: TableName, value: object): void {
  const spec: unknown =
    table === 'tasks'
      ? (value as Rec)['spec']
      : table === 'services'
        ? ((value as Rec)['spec'] as Rec)['taskTemplate']
        : undefined;
  if (isRecord(spec) && Object.isFrozen(spec)) checkedTaskSpecs.add(spec);
}

/** True when `spec` is a task spec the store holds (deeply frozen and checked). */
export function isStoredTaskSpec(spec: unknown): boolean {
  return typeof spec === 'object' && spec !== null && checkedTaskSpecs.has(spec);
}
