// Fields shared by every stored object, and small value types reused across tables.
//
// Durations are integer milliseconds throughout the store (Docker's API uses nanoseconds; the
// HTTP layer converts). Binary payloads (secret and config data) are base64 strings so that
// every object is plain JSON and serializes identically on every replica.

/** Bookkeeping the store maintains on every object. */
export interface Meta {
  /** Raft index of the transaction that last changed the object (0 until first applied). */
  version: number;
  /** ISO-8601 time the proposer created the object (never changes afterwards). */
  createdAt: string;
  /** ISO-8601 time the proposer last changed the object. */
  updatedAt: string;
}

/** Free-form key/value metadata set by users (Docker's Labels). */
export type Labels = Record<string, string>;

/** A pluggable driver and its options (log drivers, network drivers, IPAM, secret drivers). */
export interface Driver {
  name: string;
  options: Record<string, string>;
}

/** A generic (named) resource such as a GPU: either a discrete count or a set of named values. */
export type GenericResource =
  | { kind: 'discrete'; resourceKind: string; value: number }
  | { kind: 'named'; resourceKind: string; value: string };

/** CPU and memory amounts (Docker's Resources / ResourceRequirements halves). */
export interface Resources {
  /** CPU in units of 1e-9 CPUs (Docker's NanoCPUs). */
  nanoCPUs: number;
  memoryBytes: number;
  generic: GenericResource[];
}

export interface Platform {
  architecture: string;
  os: string;
}

export type PortProtocol = 'tcp' | 'udp' | 'sctp';
export type PublishMode = 'ingress' | 'host';

/** One port a service exposes (Docker's PortConfig). */
export interface PortConfig {
  name?: string;
  protocol: PortProtocol;
  targetPort: number;
  /** 0 means "let the allocator choose" in a spec; always set once allocated. */
  publishedPort: number;
  publishMode: PublishMode;
}

/** An object every stored type extends: identity plus bookkeeping. */
export interface StoredObjectBase {
  id: string;
  meta: Meta;
}
