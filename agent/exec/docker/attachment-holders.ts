// Which of the engine's containers hold which network attachment: a container configured on an
// engine network with an attachment's address holds it. One shared view for every attachment of
// the node, refreshed from the engine's container list when the engine reports a container or
// network event (and every few seconds besides, should an event be missed), and only while some
// attachment waits on it: a node with no `docker run --network` containers asks nothing.

import type Dockerode from 'dockerode';
import type { Logger } from 'pino';

export interface Holder {
  readonly containerId: string;
  /** The container's process while it runs (its sandbox is /proc/<pid>/ns/net); 0 otherwise. */
  readonly pid: number;
}

/** Told when an attachment's container starts (pid) or stops running (undefined). */
export type SandboxListener = (
  taskId: string,
  pid: number | undefined,
  networkIds: readonly string[],
) => void;

const POLL_MS = 2000;
const EVENT_RETRY_MS = 1000;

export class AttachmentHolders {
  #held = new Map<string, Holder>();
  #waiters = new Set<() => void>();
  #refreshing: Promise<void> | undefined;
  #again = false;
  #events: NodeJS.ReadableStream | undefined;
  #poll: NodeJS.Timeout | undefined;
  readonly #programmed = new Map<string, string>();
  /** Whether #held was read since attachments began to wait. */
  #loaded = false;
  #idle: NodeJS.Timeout | undefined;

  constructor(
    private readonly docker: Dockerode,
    private readonly logger: Logger,
    private readonly onSandbox?: SandboxListener,
  ) {}

  /** The container holding `address` on the engine network `network`, as last read. */
  holder(network: string, address: string): Holder | undefined {
    return this.#held.get(`${network}\n${address}`);
  }

  /** Tells the listener when the holder of a task's attachment runs in a new sandbox or stops. */
  sandbox(taskId: string, holder: Holder | undefined, networkIds: readonly string[]): void {
    const key = holder === undefined || holder.pid === 0 ? '' : `${holder.containerId}:${holder.pid}`;
    if ((this.#programmed.get(taskId) ?? '') === key) return;
    if (key === '') this.#programmed.delete(taskId);
    else this.#programmed.set(taskId, key);
    this.onSandbox?.(taskId, key === '' ? undefined : holder!.pid, networkIds);
  }

  /** Resolves after the next refresh (the first one at once), or when a signal aborts. */
  changed(signals: readonly (AbortSignal | undefined)[]): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        this.#waiters.delete(done);
        for (const s of signals) s?.removeEventListener('abort', done);
        if (this.#waiters.size === 0) this.#idleSoon();
        resolve();
      };
      for (const s of signals) {
        if (s?.aborted === true) return resolve();
        s?.addEventListener('abort', done, { once: true });
      }
      this.#waiters.add(done);
      this.#listen();
      if (!this.#loaded) this.#refresh();
    });
  }

  /** No attachment waits: stop following the engine unless one waits again soon. */
  #idleSoon(): void {
    if (this.#idle !== undefined) return;
    this.#idle = setTimeout(() => {
      this.#idle = undefined;
      if (this.#waiters.size === 0) this.#quiet();
    }, POLL_MS);
    this.#idle.unref();
  }

  #refresh(): void {
    if (this.#refreshing !== undefined) {
      this.#again = true;
      return;
    }
    this.#refreshing = this.#read()
      .catch((e: unknown) => this.logger.warn({ err: e }, 'network attachments: containers not listed'))
      .finally(() => {
        this.#refreshing = undefined;
        const waiting = [...this.#waiters];
        for (const w of waiting) w();
        if (this.#again) {
          this.#again = false;
          if (this.#waiters.size > 0) this.#refresh();
        }
      });
  }

  async #read(): Promise<void> {
    const list = await this.docker.listContainers({ all: true });
    const held = new Map<string, Holder>();
    const running: string[] = [];
    for (const c of list) {
      for (const [network, e] of Object.entries(c.NetworkSettings?.Networks ?? {})) {
        const ipam = e.IPAMConfig as { IPv4Address?: string } | undefined;
        const address = ipam?.IPv4Address || e.IPAddress;
        if (!address) continue;
        held.set(`${network}\n${address}`, { containerId: c.Id, pid: 0 });
        if (c.State === 'running') running.push(`${network}\n${address}`);
      }
    }
    // The pid only of the containers that hold an attachment and run (one inspect each).
    for (const key of running) {
      const h = held.get(key)!;
      if (h.pid !== 0) continue;
      const info = await this.docker
        .getContainer(h.containerId)
        .inspect()
        .catch(() => undefined);
      const pid = info?.State.Running === true ? info.State.Pid : 0;
      for (const [k, v] of held) if (v.containerId === h.containerId) held.set(k, { ...v, pid });
    }
    this.#held = held;
    this.#loaded = true;
  }

  /** Follows the engine's container and network events while attachments wait. */
  #listen(): void {
    this.#poll ??= setInterval(() => this.#refresh(), POLL_MS);
    if (this.#events !== undefined) return;
    this.docker
      .getEvents({ filters: { type: ['container', 'network'] } })
      .then((stream) => {
        if (this.#waiters.size === 0) {
          (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
          return;
        }
        this.#events = stream;
        stream.on('data', () => this.#refresh());
        const ended = (): void => {
          if (this.#events !== stream) return;
          this.#events = undefined;
          if (this.#waiters.size > 0)
            setTimeout(() => this.#waiters.size > 0 && this.#listen(), EVENT_RETRY_MS);
        };
        stream.on('end', ended);
        stream.on('error', ended);
      })
      .catch((e: unknown) =>
        this.logger.debug({ err: e }, 'network attachments: engine events not followed'),
      );
  }

  #quiet(): void {
    this.#loaded = false;
    if (this.#poll !== undefined) clearInterval(this.#poll);
    this.#poll = undefined;
    const events = this.#events as (NodeJS.ReadableStream & { destroy?: () => void }) | undefined;
    this.#events = undefined;
    events?.destroy?.();
  }
}
