// Secondary indexes of every table: what each is keyed by and whether keys are unique.
// Tables maintain them incrementally on each change (see table.ts); readers query them through
// `ReadTx.find(table, index, key)`.

import type { ObjectOf, TableName } from '../../api/objects/index.js';

export interface IndexDef<T> {
  /** At most one object per key (creates and updates that would break it are refused). */
  readonly unique: boolean;
  /** The indexed value of an object; undefined leaves the object out of the index. */
  value(obj: T): string | undefined;
  /** Maps a value (or a query) to its key; names are case-insensitive, as in Swarm. */
  normalize?(value: string): string;
}

const lowerCase = (value: string): string => value.toLowerCase();

function byName<T extends { spec: { name: string } }>(): IndexDef<T> {
  return { unique: true, value: (o) => o.spec.name, normalize: lowerCase };
}

/** Key of the serviceSlot index: the task(s) of one replica slot of a service. */
export function serviceSlotKey(serviceId: string, slot: number): string {
  return `${serviceId}/${slot}`;
}

/** Key of the serviceNode index: the task(s) of a (global) service on one node. */
export function serviceNodeKey(serviceId: string, nodeId: string): string {
  return `${serviceId}/${nodeId}`;
}

type IndexDefs = { readonly [K in TableName]: Readonly<Record<string, IndexDef<ObjectOf<K>>>> };

export const INDEXES = {
  clusters: { name: byName() },
  configs: { name: byName() },
  networks: { name: byName() },
  nodes: {
    /** The role the node has now (not the one requested in spec). */
    role: { unique: false, value: (n) => n.role },
    availability: { unique: false, value: (n) => n.spec.availability },
  },
  secrets: { name: byName() },
  services: { name: byName() },
  tasks: {
    serviceId: { unique: false, value: (t) => t.serviceId },
    /** Unassigned tasks are not in this index. */
    nodeId: { unique: false, value: (t) => t.nodeId },
    /** Key with serviceSlotKey(serviceId, slot). */
    serviceSlot: { unique: false, value: (t) => serviceSlotKey(t.serviceId, t.slot) },
    /** Key with serviceNodeKey(serviceId, nodeId); unassigned tasks are not in this index. */
    serviceNode: {
      unique: false,
      value: (t) => (t.nodeId === undefined ? undefined : serviceNodeKey(t.serviceId, t.nodeId)),
    },
    desiredState: { unique: false, value: (t) => t.desiredState },
  },
} as const satisfies IndexDefs;

/** The index names of a table, e.g. IndexName<'tasks'> is 'serviceId' | 'nodeId' | ... */
export type IndexName<K extends TableName> = Extract<keyof (typeof INDEXES)[K], string>;

/** Tables with a unique, case-insensitive `name` index. */
export type NamedTable = 'clusters' | 'configs' | 'networks' | 'secrets' | 'services';
