// A network attachment task on a Docker Engine: no container of its own, but the address of a
// container the user runs outside any service (`docker run --network NET`). Preparing it makes
// the network ready on the node (its engine copy, the overlay); it "runs" while a container of
// the engine holds its address on that network, and ends, complete, once none does (the
// container was removed or disconnected) or none came within the grace period (its creation
// failed). The managers then delete it and its address goes back to the pool.

import type { Task } from '../../../api/objects/index.js';
import { AbortedError } from '../errors.js';
import type { ContainerInfo, Controller, ExitStatus, LogEntry, StepOptions } from '../executor.js';
import type { NetworkAttacher } from '../network-attacher.js';
import type { AttachmentHolders, Holder } from './attachment-holders.js';

/** How long an attachment waits for its container to appear (docker run creates it next). */
export const ATTACHMENT_GRACE_MS = 60_000;

export class AttachmentController implements Controller {
  readonly taskId: string;
  #endpoint: { network: string; address: string } | undefined;
  #stopped = false;
  readonly #stop = new AbortController();

  constructor(
    private readonly task: Task,
    private readonly attacher: NetworkAttacher,
    private readonly holders: AttachmentHolders,
    private readonly graceMs = ATTACHMENT_GRACE_MS,
  ) {
    this.taskId = task.id;
  }

  async prepare(options: StepOptions = {}): Promise<void> {
    const networking = await this.attacher.prepare(this.task, options.signal);
    const e = networking.endpoints[0];
    if (e?.ipv4Address !== undefined) this.#endpoint = { network: e.network, address: e.ipv4Address };
  }

  start(): Promise<void> {
    // Nothing runs: the user's container is started by the user.
    return Promise.resolve();
  }

  async wait(signal?: AbortSignal): Promise<ExitStatus> {
    // After an agent restart the task may be adopted as running: find its engine network again.
    if (this.#endpoint === undefined) await this.prepare(signal === undefined ? {} : { signal });
    const endpoint = this.#endpoint;
    const done = (): ExitStatus => ({ exitCode: 0, oomKilled: false, finishedAt: new Date().toISOString() });
    if (endpoint === undefined) return done();
    const since = Date.now();
    let seen = false;
    for (;;) {
      if (signal?.aborted === true) throw new AbortedError('waiting for the attachment');
      if (this.#stopped) return done();
      const holder: Holder | undefined = this.holders.holder(endpoint.network, endpoint.address);
      if (holder !== undefined) {
        seen = true;
        this.holders.sandbox(
          this.taskId,
          holder,
          this.task.networksAttachments.map((a) => a.networkId),
        );
      } else {
        this.holders.sandbox(this.taskId, undefined, []);
        if (seen || Date.now() - since >= this.graceMs) return done();
      }
      await this.holders.changed([signal, this.#stop.signal]);
    }
  }

  shutdown(): Promise<void> {
    this.#stopped = true;
    this.#stop.abort();
    return Promise.resolve();
  }

  async terminate(): Promise<void> {
    await this.shutdown();
  }

  async remove(): Promise<void> {
    this.holders.sandbox(this.taskId, undefined, []);
    await this.attacher.release(this.task);
  }

  inspect(): Promise<ContainerInfo | undefined> {
    return Promise.resolve(undefined);
  }

  /** An attachment writes no output of its own. */
  logs(): AsyncIterable<LogEntry> {
    return (async function* () {})();
  }
}
