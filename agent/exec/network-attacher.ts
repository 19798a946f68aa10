// The seam between the executor and the node's networking: before a task's container is
// created, the attacher prepares the networks the task is attached to and says how the
// container joins them; after the container is removed, it releases what it made.
// The overlay implementation (agent/network) plugs in here; until then the engine-default
// attacher below puts every container on the engine's own default network.

import type { Task } from '../../manager/store/objects/index.js';

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
  /** Docker's HostConfig.NetworkMode: 'none', 'bridge', 'host' or a network name. */
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
 * Uses the engine's default networking for every task: its `bridge` network when the engine has
 * one, `none` otherwise (the lab's engines run with `--bridge none`). Task network attachments
 * are left to the overlay attacher.
 */
export class EngineDefaultAttacher implements NetworkAttacher {
  private mode: Promise<string> | undefined;

  /** @param hasBridge asks the engine whether its default `bridge` network exists. */
  constructor(private readonly hasBridge: () => Promise<boolean>) {}

  async prepare(): Promise<ContainerNetworking> {
    this.mode ??= this.hasBridge().then(
      (yes) => (yes ? 'bridge' : 'none'),
      (e: unknown) => {
        this.mode = undefined;
        throw e;
      },
    );
    return { networkMode: await this.mode, endpoints: [] };
  }

  async release(): Promise<void> {}
}
