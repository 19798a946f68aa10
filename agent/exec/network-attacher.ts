// The seam between the executor and the node's networking: before a task's container is
// created, the attacher prepares the networks the task is attached to and says how the
// container joins them; after the container is removed, it releases what it made.
// The overlay implementation (agent/network) plugs in here; until then the engine-default
// attacher below puts every container on the engine's own default network.

import type { Task } from '../../api/objects/index.js';

/** One network a container joins at creation (Docker's EndpointSettings subset). */
export interface EndpointSettings {
  /** Network name or ID as the engine knows it. */
  network: string;
  /** Fixed addresses the allocator chose, without prefix length. */
  ipv4Address?: string;
  ipv6Address?: string;
  aliases: string[];
  driverOpts: Record<string, string>;
}

/** How a container joins the networks: a network mode plus endpoints to connect at creation. */
export interface ContainerNetworking {
  /** Docker's HostConfig.NetworkMode: 'default', 'none', 'bridge', 'host' or a network name. */
  networkMode: string;
  endpoints: EndpointSettings[];
}

export interface NetworkAttacher {
  /** Makes the task's networks ready on this node and tells how its container joins them. */
  prepare(task: Task, signal?: AbortSignal): Promise<ContainerNetworking>;
  /** Releases what prepare() made for the task (called after its container is removed). */
  release(task: Task): Promise<void>;
}

/**
 * Uses the engine's default networking for every task (NetworkMode `default`), as Swarm's own
 * executor does: the engine's `bridge` network when it has one; on an engine without it (the
 * lab's run with `--bridge none`) a namespace of the container's own with loopback only, the
 * isolation `none` gives but about twice as fast to start (50 containers at once: 3.7 s
 * against 6.7 s here, as `none` goes through a libnetwork sandbox). Task network attachments
 * are left to the overlay attacher.
 */
export class EngineDefaultAttacher implements NetworkAttacher {
  prepare(): Promise<ContainerNetworking> {
    return Promise.resolve({ networkMode: 'default', endpoints: [] });
  }

  async release(): Promise<void> {}
}
