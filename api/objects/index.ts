// The store's tables and the object type each holds. Every name here is a table name.

import type { Cluster } from './cluster.js';
import type { Config } from './config.js';
import type { Network } from './network.js';
import type { Node } from './node.js';
import type { Secret } from './secret.js';
import type { Service } from './service.js';
import type { Task } from './task.js';

export type * from './cluster.js';
export type * from './common.js';
export type * from './config.js';
export type * from './network.js';
export type * from './secret.js';
export type * from './task-spec.js';
export { containerSpecFor } from './container-spec.js';
export { NODE_AVAILABILITIES, NODE_ROLES, NODE_STATES } from './node.js';
export type * from './node.js';
export { SERVICE_MODE_KINDS } from './service.js';
export type * from './service.js';
export { TASK_STATES, isAttachmentTask, taskStateRank } from './task.js';
export type * from './task.js';

/** Table name → the type of object it stores. */
export interface ObjectTypes {
  clusters: Cluster;
  configs: Config;
  networks: Network;
  nodes: Node;
  secrets: Secret;
  services: Service;
  tasks: Task;
}

export type TableName = keyof ObjectTypes;
export type ObjectOf<K extends TableName> = ObjectTypes[K];
/** Any object the store holds. */
export type StoredObject = ObjectTypes[TableName];

/** Every table, sorted by name (the canonical order for snapshots, hashes and restore events). */
export const TABLE_NAMES: readonly TableName[] = [
  'clusters',
  'configs',
  'networks',
  'nodes',
  'secrets',
  'services',
  'tasks',
];

/** Singular object kind per table, as used in messages ("service web not found"). */
export const KIND_OF: Readonly<Record<TableName, string>> = {
  clusters: 'cluster',
  configs: 'config',
  networks: 'network',
  nodes: 'node',
  secrets: 'secret',
  services: 'service',
  tasks: 'task',
};

export function isTableName(value: unknown): value is TableName {
  return typeof value === 'string' && (TABLE_NAMES as readonly string[]).includes(value);
}

/** An object as a writer hands it to `WriteTx.create`: the store fills in `meta`. */
export type NewObject<K extends TableName> = Omit<ObjectOf<K>, 'meta'>;
