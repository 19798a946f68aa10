// Containers outside services on swarm networks (`docker run --network NET`, `docker network
// connect NET C` on an attachable overlay), as the node's API asks for them: the managers record
// an attachment task and give it an address, the node's worker prepares it (the network's engine
// copy and its overlay), and the container is then created on that engine network with that
// address. The attachment ends when its container goes (agent/exec/docker/attachment-controller.ts)
// or at once when its creation failed (detach).

import type { Task, TaskStatus } from '../api/objects/index.js';
import { stripPrefix } from './network/overlay/addresses.js';
import { NetworkAttachmentError, type AgentSession } from './session/index.js';
import type { Worker } from './worker/worker.js';
import { isTerminal } from './worker/task-progress.js';

/** How long a container's creation waits for its attachment to be ready on this node. */
export const ATTACH_TIMEOUT_MS = 30_000;

export interface AttachRequest {
  /** The network as the user named it (ID, name or ID prefix). */
  readonly network: string;
  /** The container's ID when it exists (`docker network connect`). */
  readonly containerId?: string;
  /** `--ip`, if given. */
  readonly address?: string;
  readonly aliases?: readonly string[];
}

export interface ContainerAttachment {
  readonly attachmentId: string;
  readonly networkId: string;
  /** The network's name in the node's engine (its copy of the cluster network). */
  readonly engineNetwork: string;
  /** The container's address on it, without prefix length. */
  readonly address: string;
}

export class NetworkAttachments {
  constructor(
    private readonly session: AgentSession,
    private readonly worker: Worker,
    private readonly timeoutMs = ATTACH_TIMEOUT_MS,
  ) {}

  /** Attaches a container-to-be; resolves once the network is ready on this node. */
  async attach(req: AttachRequest, signal?: AbortSignal): Promise<ContainerAttachment> {
    const attached = await this.session.attachNetwork(req);
    try {
      const task = await this.#ready(attached.attachmentId, signal);
      const address = task.networksAttachments.find((a) => a.networkId === attached.networkId)?.addresses[0];
      if (address === undefined)
        throw new NetworkAttachmentError(500, `attachment ${attached.attachmentId} has no address`);
      const bare = stripPrefix(address);
      if (req.address !== undefined && req.address !== '' && req.address !== bare)
        throw new NetworkAttachmentError(
          400,
          `Address already in use: ${req.address} is taken on network ${attached.networkName}`,
        );
      return {
        attachmentId: attached.attachmentId,
        networkId: attached.networkId,
        engineNetwork: attached.networkName,
        address: bare,
      };
    } catch (e: unknown) {
      await this.detach(attached.attachmentId).catch(() => undefined);
      throw e;
    }
  }

  /** Releases an attachment (its container was not created after all). */
  detach(attachmentId: string): Promise<void> {
    return this.session.detachNetwork(attachmentId);
  }

  /** The attachment task once this node runs it (its network is programmed here). */
  #ready(taskId: string, signal?: AbortSignal): Promise<Task> {
    return new Promise<Task>((resolve, reject) => {
      let stop = (): void => undefined;
      const settle = (fn: () => void): void => {
        stop();
        clearTimeout(timer);
        signal?.removeEventListener('abort', aborted);
        fn();
      };
      const check = (status: TaskStatus | undefined): void => {
        const held = this.worker.assigned(taskId);
        const state = status?.state ?? held?.status.state;
        if (held === undefined || state === undefined) return;
        if (state === 'running') settle(() => resolve(held.task));
        else if (isTerminal(state))
          settle(() =>
            reject(
              new NetworkAttachmentError(
                500,
                `the network attachment could not be made ready on this node: ${status?.err ?? held.status.err ?? state}`,
              ),
            ),
          );
      };
      const aborted = (): void =>
        settle(() => reject(new NetworkAttachmentError(499, 'the request was cancelled')));
      const timer = setTimeout(
        () =>
          settle(() =>
            reject(
              new NetworkAttachmentError(
                503,
                `the network attachment was not ready on this node within ${this.timeoutMs / 1000} s; ` +
                  'is a manager reachable and the network still in the swarm?',
              ),
            ),
          ),
        this.timeoutMs,
      );
      signal?.addEventListener('abort', aborted, { once: true });
      stop = this.worker.onStatus((reports) => {
        for (const r of reports) if (r.taskId === taskId) check(r.status);
      });
      check(undefined);
    });
  }
}
