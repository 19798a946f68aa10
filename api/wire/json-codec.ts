// Store objects as they travel inside dispatcher messages: JSON (UTF-8) in `bytes` fields.
// Decoding is defensive on both ends: a size limit before parsing, a depth limit, the store's
// own shape checks for tasks, secrets and configs, and field-by-field rebuilding of what an
// agent sends (node description, task status), so unknown fields never reach the store.
// Every failure throws MalformedMessageError.

import { MalformedMessageError } from './errors.js';
import {
  TASK_STATES,
  type Config,
  type ContainerStatus,
  type GenericResource,
  type NodeDescription,
  type PortConfig,
  type Secret,
  type Task,
  type TaskState,
  type TaskStatus,
} from '../objects/index.js';
import { checkObject, isRecord, isValidId, MAX_DEPTH, tooDeep } from '../objects/shape.js';
import { MAX_OBJECT_BYTES } from './limits.js';

export { MAX_OBJECT_BYTES };
/** Largest node description accepted. */
export const MAX_DESCRIPTION_BYTES = 256 * 1024;
/** Largest task status accepted. */
export const MAX_STATUS_BYTES = 64 * 1024;
/** Longest free-text field (status message, error) kept; longer ones are refused. */
export const MAX_TEXT = 16 * 1024;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function encodeJson(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

/** A store object as it would reach a node, or why the node would refuse it. */
export type EncodedObject =
  | { readonly ok: true; readonly bytes: Uint8Array }
  | { readonly ok: false; readonly tooLarge: boolean; readonly bytes: number; readonly problem: string };

/**
 * Encodes a task, secret or config for a node, or says why the node could not take it: it does
 * not encode, or it is larger than a node accepts. Shape and depth are not checked again here:
 * the store holds only objects that pass them (every write, log entry and snapshot is checked),
 * and the agent checks what it decodes, skipping and reporting what it cannot read.
 */
export function encodeObject(value: unknown): EncodedObject {
  let bytes: Uint8Array;
  try {
    const json = JSON.stringify(value) as string | undefined;
    if (json === undefined) return { ok: false, tooLarge: false, bytes: 0, problem: 'it has no JSON form' };
    bytes = encoder.encode(json);
  } catch (e: unknown) {
    const problem = `it cannot be encoded (${e instanceof Error ? e.message : String(e)})`;
    return { ok: false, tooLarge: false, bytes: 0, problem };
  }
  const size = bytes.byteLength;
  if (size > MAX_OBJECT_BYTES) {
    return {
      ok: false,
      tooLarge: true,
      bytes: size,
      problem: `it is ${size} bytes, more than the limit of ${MAX_OBJECT_BYTES}`,
    };
  }
  return { ok: true, bytes };
}

type Rec = Record<string, unknown>;

function parse(bytes: Uint8Array, limit: number, what: string): unknown {
  if (bytes.byteLength > limit) {
    throw new MalformedMessageError(`${what} is ${bytes.byteLength} bytes, more than the limit of ${limit}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch (e: unknown) {
    throw new MalformedMessageError(
      `${what} is not valid UTF-8 JSON (${e instanceof Error ? e.message : String(e)})`,
    );
  }
  if (tooDeep(value, MAX_DEPTH))
    throw new MalformedMessageError(`${what} is nested deeper than ${MAX_DEPTH} levels`);
  return value;
}

function storeObject<K extends 'tasks' | 'secrets' | 'configs'>(table: K, bytes: Uint8Array): unknown {
  const value = parse(bytes, MAX_OBJECT_BYTES, table.slice(0, -1));
  const problem = checkObject(table, value);
  if (problem !== undefined) throw new MalformedMessageError(`${table.slice(0, -1)}: ${problem}`);
  return value;
}

export function decodeTask(bytes: Uint8Array): Task {
  return storeObject('tasks', bytes) as Task;
}

export function decodeSecret(bytes: Uint8Array): Secret {
  return storeObject('secrets', bytes) as Secret;
}

export function decodeConfig(bytes: Uint8Array): Config {
  return storeObject('configs', bytes) as Config;
}

// Field readers for what agents send: each returns the value or throws with its path.

function fail(path: string, expected: string): never {
  throw new MalformedMessageError(`${path} must be ${expected}`);
}

function text(o: Rec, key: string, path: string, max = MAX_TEXT): string {
  const v = o[key];
  if (typeof v !== 'string' || v.length > max)
    fail(`${path}.${key}`, `a string of at most ${max} characters`);
  return v;
}

function optText(o: Rec, key: string, path: string, max = MAX_TEXT): string | undefined {
  return o[key] === undefined ? undefined : text(o, key, path, max);
}

function integer(o: Rec, key: string, path: string, min: number): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min)
    fail(`${path}.${key}`, `an integer >= ${min}`);
  return v;
}

function record(o: Rec, key: string, path: string): Rec {
  const v = o[key];
  if (!isRecord(v)) fail(`${path}.${key}`, 'an object');
  return v;
}

function list(o: Rec, key: string, path: string, max: number): unknown[] {
  const v = o[key];
  if (!Array.isArray(v) || v.length > max) fail(`${path}.${key}`, `an array of at most ${max} items`);
  return v;
}

function labels(o: Rec, key: string, path: string): Record<string, string> {
  const v = record(o, key, path);
  const out: Record<string, string> = {};
  for (const [k, value] of Object.entries(v)) {
    if (typeof value !== 'string') fail(`${path}.${key}.${k}`, 'a string');
    out[k] = value;
  }
  return out;
}

function oneOf<T extends string>(o: Rec, key: string, path: string, allowed: readonly T[]): T {
  const v = o[key];
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    fail(`${path}.${key}`, `one of ${allowed.join(', ')}`);
  }
  return v as T;
}

function genericResource(v: unknown, path: string): GenericResource {
  if (!isRecord(v)) fail(path, 'an object');
  const kind = oneOf(v, 'kind', path, ['discrete', 'named'] as const);
  const resourceKind = text(v, 'resourceKind', path, 256);
  if (kind === 'discrete') return { kind, resourceKind, value: integer(v, 'value', path, 0) };
  return { kind, resourceKind, value: text(v, 'value', path, 256) };
}

/** The description an agent reports when its session starts. */
export function decodeNodeDescription(bytes: Uint8Array): NodeDescription {
  const v = parse(bytes, MAX_DESCRIPTION_BYTES, 'node description');
  const p = 'description';
  if (!isRecord(v)) fail(p, 'a JSON object');
  const platform = record(v, 'platform', p);
  const resources = record(v, 'resources', p);
  const engine = record(v, 'engine', p);
  const out: NodeDescription = {
    hostname: text(v, 'hostname', p, 255),
    platform: {
      architecture: text(platform, 'architecture', `${p}.platform`, 64),
      os: text(platform, 'os', `${p}.platform`, 64),
    },
    resources: {
      nanoCPUs: integer(resources, 'nanoCPUs', `${p}.resources`, 0),
      memoryBytes: integer(resources, 'memoryBytes', `${p}.resources`, 0),
      generic: list(resources, 'generic', `${p}.resources`, 1024).map((g, i) =>
        genericResource(g, `${p}.resources.generic[${i}]`),
      ),
    },
    engine: {
      engineVersion: text(engine, 'engineVersion', `${p}.engine`, 256),
      labels: labels(engine, 'labels', `${p}.engine`),
      plugins: list(engine, 'plugins', `${p}.engine`, 1024).map((pl, i) => {
        const path = `${p}.engine.plugins[${i}]`;
        if (!isRecord(pl)) fail(path, 'an object');
        return { type: text(pl, 'type', path, 256), name: text(pl, 'name', path, 256) };
      }),
    },
  };
  if (v['tlsInfo'] !== undefined) {
    const tls = record(v, 'tlsInfo', p);
    out.tlsInfo = {
      trustRoot: text(tls, 'trustRoot', `${p}.tlsInfo`),
      certIssuerSubject: text(tls, 'certIssuerSubject', `${p}.tlsInfo`),
      certIssuerPublicKey: text(tls, 'certIssuerPublicKey', `${p}.tlsInfo`),
    };
  }
  return out;
}

function port(v: unknown, path: string): PortConfig {
  if (!isRecord(v)) fail(path, 'an object');
  const out: PortConfig = {
    protocol: oneOf(v, 'protocol', path, ['tcp', 'udp', 'sctp'] as const),
    targetPort: integer(v, 'targetPort', path, 0),
    publishedPort: integer(v, 'publishedPort', path, 0),
    publishMode: oneOf(v, 'publishMode', path, ['ingress', 'host'] as const),
  };
  const name = optText(v, 'name', path, 256);
  if (name !== undefined) out.name = name;
  return out;
}

function containerStatus(v: Rec, path: string): ContainerStatus {
  const exitCode = v['exitCode'];
  if (typeof exitCode !== 'number' || !Number.isSafeInteger(exitCode)) fail(`${path}.exitCode`, 'an integer');
  return {
    containerId: text(v, 'containerId', path, 256),
    pid: integer(v, 'pid', path, 0),
    exitCode,
  };
}

/**
 * The status an agent reports for a task. `appliedBy` and `appliedAt` are the manager's to
 * set and are dropped here.
 */
export function decodeTaskStatus(bytes: Uint8Array): TaskStatus {
  const v = parse(bytes, MAX_STATUS_BYTES, 'task status');
  const p = 'status';
  if (!isRecord(v)) fail(p, 'a JSON object');
  const timestamp = text(v, 'timestamp', p, 64);
  if (Number.isNaN(Date.parse(timestamp))) fail(`${p}.timestamp`, 'an ISO-8601 time');
  const out: TaskStatus = {
    timestamp,
    state: oneOf<TaskState>(v, 'state', p, TASK_STATES),
    message: text(v, 'message', p),
  };
  const err = optText(v, 'err', p);
  if (err !== undefined) out.err = err;
  if (v['containerStatus'] !== undefined) {
    out.containerStatus = containerStatus(record(v, 'containerStatus', p), `${p}.containerStatus`);
  }
  if (v['portStatus'] !== undefined) {
    const ps = record(v, 'portStatus', p);
    out.portStatus = {
      ports: list(ps, 'ports', `${p}.portStatus`, 1024).map((x, i) => port(x, `${p}.portStatus.ports[${i}]`)),
    };
  }
  return out;
}

/** A task ID as it appears in a message. */
export function checkTaskId(id: string, path: string): string {
  if (!isValidId(id)) fail(path, 'a valid task ID');
  return id;
}
