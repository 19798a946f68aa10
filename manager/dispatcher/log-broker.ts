// Task logs gathered from the agents that run the tasks. A subscription names tasks; the
// broker sends each node that runs some of them a LogSubscription on that node's log stream,
// and the nodes answer on PublishLogs calls, which the broker checks (the node, the tasks and
// the streams must be the ones asked for) and queues for the reader. Without `follow` the
// subscription ends when every node has closed its part. A reader that falls behind pauses
// the publishing calls (gRPC flow control reaches the agent) until it catches up.
// Nodes that cannot be reached are reported at the end, as Swarm does ("incomplete log
// stream"), after every line that could be retrieved.

import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { LogLine, LogsOptions } from '../engineapi/swarm-control.js';
import type { MemoryStore } from '../store/index.js';
import { MalformedMessageError } from '../../api/wire/errors.js';
import type { Session } from './session.js';
import { newLogSubscription, type PbPublishLogsMessage } from '../../api/wire/service.js';

/** Longest log line accepted from an agent. */
export const MAX_LOG_LINE = 1024 * 1024;
/** Lines queued for a reader before publishers are paused. */
const HIGH_WATER = 1024;

/** Some nodes could not deliver their logs. */
export class IncompleteLogsError extends Error {
  readonly code = 'INCOMPLETE_LOGS';
  readonly reasons: readonly string[];
  constructor(reasons: readonly string[]) {
    super(
      `warning: incomplete log stream. some logs could not be retrieved for the following reasons: ${reasons.join(', ')}`,
    );
    this.name = 'IncompleteLogsError';
    this.reasons = reasons;
  }
}

interface NodePart {
  readonly taskIds: ReadonlySet<string>;
  done: boolean;
}

class Subscription {
  readonly id = randomUUID();
  readonly opts: LogsOptions;
  readonly nodes = new Map<string, NodePart>();
  readonly serviceOf = new Map<string, string>();
  readonly reasons: string[] = [];
  readonly #queue: LogLine[] = [];
  #head = 0;
  #wake: (() => void) | undefined;
  #ended = false;
  readonly #paused = new Set<() => void>();

  constructor(opts: LogsOptions) {
    this.opts = opts;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Queues a line; returns false when the publisher should pause (it is resumed by `onDrain`). */
  push(line: LogLine, resume: () => void): boolean {
    this.#queue.push(line);
    this.#poke();
    if (this.#queue.length - this.#head < HIGH_WATER) return true;
    this.#paused.add(resume);
    return false;
  }

  end(): void {
    this.#ended = true;
    this.#poke();
  }

  /** Marks a node's part finished; ends the subscription when every part is. */
  finish(nodeId: string, reason?: string): void {
    const part = this.nodes.get(nodeId);
    if (part === undefined || part.done) return;
    part.done = true;
    if (reason !== undefined) this.reasons.push(reason);
    if ([...this.nodes.values()].every((p) => p.done)) this.end();
  }

  /** The next line, or undefined once the subscription ended and its queue is empty. */
  async next(): Promise<LogLine | undefined> {
    for (;;) {
      if (this.#head < this.#queue.length) {
        const line = this.#queue[this.#head++];
        if (this.#head === this.#queue.length) {
          this.#queue.length = 0;
          this.#head = 0;
          const paused = [...this.#paused];
          this.#paused.clear();
          for (const resume of paused) resume();
        }
        return line;
      }
      if (this.#ended) return undefined;
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  #poke(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}

export interface LogBrokerOptions {
  readonly store: MemoryStore;
  readonly logger: Logger;
  readonly session: (nodeId: string) => Session | undefined;
}

export class LogBroker {
  readonly #o: LogBrokerOptions;
  readonly #subs = new Map<string, Subscription>();

  constructor(o: LogBrokerOptions) {
    this.#o = o;
  }

  /** Log lines of `taskIds` from the nodes that run them. */
  async *subscribe(taskIds: readonly string[], opts: LogsOptions): AsyncGenerator<LogLine, void, undefined> {
    const sub = new Subscription(opts);
    this.#subs.set(sub.id, sub);
    const onAbort = (): void => sub.end();
    opts.signal.addEventListener('abort', onAbort, { once: true });
    try {
      this.#send(sub, taskIds);
      if (opts.signal.aborted) sub.end();
      for (;;) {
        const line = await sub.next();
        if (line === undefined) break;
        yield line;
      }
      if (sub.reasons.length > 0 && !opts.signal.aborted) throw new IncompleteLogsError(sub.reasons);
    } finally {
      opts.signal.removeEventListener('abort', onAbort);
      this.#subs.delete(sub.id);
      for (const [nodeId, part] of sub.nodes) {
        if (!part.done)
          this.#o.session(nodeId)?.sendLogSubscription(newLogSubscription({ id: sub.id, close: true }));
      }
    }
  }

  #send(sub: Subscription, taskIds: readonly string[]): void {
    const byNode = new Map<string, Set<string>>();
    this.#o.store.view((tx) => {
      for (const id of taskIds) {
        const task = tx.get('tasks', id);
        if (task?.nodeId === undefined) continue;
        sub.serviceOf.set(id, task.serviceId);
        let set = byNode.get(task.nodeId);
        if (set === undefined) byNode.set(task.nodeId, (set = new Set()));
        set.add(id);
      }
    });
    for (const [nodeId, ids] of byNode) sub.nodes.set(nodeId, { taskIds: ids, done: false });
    if (byNode.size === 0) {
      sub.end();
      return;
    }
    const o = sub.opts;
    for (const [nodeId, ids] of byNode) {
      const sent =
        this.#o.session(nodeId)?.sendLogSubscription(
          newLogSubscription({
            id: sub.id,
            taskIds: [...ids],
            follow: o.follow,
            stdout: o.stdout,
            stderr: o.stderr,
            since: o.since ?? '',
            tail: o.tail === 'all' ? -1 : o.tail,
          }),
        ) ?? false;
      if (!sent) sub.finish(nodeId, `node ${nodeId} is not available`);
    }
  }

  /**
   * One PublishLogs message from `nodeId`. Throws MalformedMessageError for lines the node was
   * not asked for. Returns false when the caller should pause reading until `resume` is called.
   */
  publish(nodeId: string, m: PbPublishLogsMessage, resume: () => void): boolean {
    const sub = this.#subs.get(m.subscriptionId);
    if (sub === undefined || sub.ended) return true; // the reader went away: drop quietly
    const part = sub.nodes.get(nodeId);
    if (part === undefined)
      throw new MalformedMessageError(`subscription ${m.subscriptionId} was not sent to this node`);
    let keepReading = true;
    for (const rec of m.records) {
      const r = {
        taskId: rec.taskId ?? '',
        stream: rec.stream ?? '',
        timestamp: rec.timestamp ?? '',
        line: rec.line ?? new Uint8Array(),
      };
      if (!part.taskIds.has(r.taskId))
        throw new MalformedMessageError(`task ${r.taskId} is not in this subscription`);
      if (r.stream !== 'stdout' && r.stream !== 'stderr')
        throw new MalformedMessageError('stream must be stdout or stderr');
      if ((r.stream === 'stdout' && !sub.opts.stdout) || (r.stream === 'stderr' && !sub.opts.stderr))
        continue;
      if (r.line.byteLength > MAX_LOG_LINE)
        throw new MalformedMessageError(`log line longer than ${MAX_LOG_LINE} bytes`);
      if (r.timestamp.length > 64) throw new MalformedMessageError('timestamp too long');
      const line: LogLine = {
        stream: r.stream,
        timestamp: r.timestamp,
        line: r.line,
        taskId: r.taskId,
        nodeId,
        serviceId: sub.serviceOf.get(r.taskId) ?? '',
      };
      keepReading = sub.push(line, resume) && keepReading;
    }
    if (m.close) sub.finish(nodeId, m.error === '' ? undefined : `node ${nodeId}: ${m.error}`);
    return keepReading;
  }

  /** A node's session ended: its parts of open subscriptions are finished. */
  sessionClosed(s: Session): void {
    for (const sub of this.#subs.values()) {
      if (sub.nodes.get(s.nodeId)?.done === false) sub.finish(s.nodeId, `node ${s.nodeId} is not available`);
    }
  }

  /** Ends every subscription (the dispatcher stopped). */
  close(): void {
    for (const sub of this.#subs.values()) {
      for (const nodeId of sub.nodes.keys()) sub.finish(nodeId, `node ${nodeId} is not available`);
      sub.end();
    }
  }
}
