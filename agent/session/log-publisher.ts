// The agent's side of task logs: the manager sends subscriptions on the session's
// LogSubscriptions stream; for each, the agent reads the local log source and publishes the
// lines on a PublishLogs call (respecting its flow control), then closes its part. A
// subscription the manager cancels, or a session that ends, stops the reading.

import type * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import {
  dispatcherServiceDefinition,
  newPublishLogsMessage,
  type Decoded,
  type PbLogSubscription,
  type PbPublishLogsResponse,
} from '../../api/wire/service.js';

export interface LogRequest {
  readonly taskIds: readonly string[];
  readonly follow: boolean;
  readonly stdout: boolean;
  readonly stderr: boolean;
  /** RFC 3339, when only later lines are wanted. */
  readonly since?: string;
  readonly tail: number | 'all';
}

export interface LogRecordOut {
  readonly taskId: string;
  readonly stream: 'stdout' | 'stderr';
  /** RFC 3339 with nanoseconds. */
  readonly timestamp: string;
  readonly line: Uint8Array;
}

/** Where the agent reads task logs (the worker, over its executor). */
export type LogSource = (request: LogRequest, signal: AbortSignal) => AsyncIterable<LogRecordOut>;

/**
 * The subscription's tail: an int64 on the wire, which protobufjs hands over as a Long object.
 * Passed on as it came, the engine got `tail=[object Object]`, read it as "all", and every
 * task's whole log was sent whatever `--tail` said. Negative: every line; past 2^53, more lines
 * than any log holds, so every line too.
 */
function tailOf(v: number | { toNumber(): number }): number | 'all' {
  const n = typeof v === 'number' ? v : v.toNumber();
  return n < 0 || !Number.isSafeInteger(n) ? 'all' : n;
}

/** Most subscription task IDs accepted from a manager. */
const MAX_TASKS = 10_000;

export class LogPublisher {
  readonly #client: grpc.Client;
  readonly #sessionId: string;
  readonly #source: LogSource;
  readonly #logger: Logger;
  readonly #running = new Map<string, AbortController>();

  constructor(client: grpc.Client, sessionId: string, source: LogSource, logger: Logger) {
    this.#client = client;
    this.#sessionId = sessionId;
    this.#source = source;
    this.#logger = logger;
  }

  /** Handles one message of the LogSubscriptions stream. */
  handle(sub: PbLogSubscription): void {
    if (sub.close) {
      this.#running.get(sub.id)?.abort();
      return;
    }
    if (sub.id === '' || this.#running.has(sub.id) || sub.taskIds.length > MAX_TASKS) return;
    const controller = new AbortController();
    this.#running.set(sub.id, controller);
    const request: LogRequest = {
      taskIds: sub.taskIds,
      follow: sub.follow,
      stdout: sub.stdout,
      stderr: sub.stderr,
      ...(sub.since !== '' ? { since: sub.since } : {}),
      tail: tailOf(sub.tail),
    };
    void this.#publish(sub.id, request, controller.signal).finally(() => this.#running.delete(sub.id));
  }

  /** Stops every publication (the session ended). */
  close(): void {
    for (const c of this.#running.values()) c.abort();
    this.#running.clear();
  }

  async #publish(id: string, request: LogRequest, signal: AbortSignal): Promise<void> {
    const def = dispatcherServiceDefinition.publishLogs;
    let callError: Error | undefined;
    const call = this.#client.makeClientStreamRequest<
      ReturnType<typeof newPublishLogsMessage>,
      Decoded<PbPublishLogsResponse>
    >(def.path, def.requestSerialize, def.responseDeserialize, (err) => {
      if (err !== null) callError = err;
    });
    const write = async (m: ReturnType<typeof newPublishLogsMessage>): Promise<void> => {
      if (callError !== undefined) throw callError;
      if (call.write(m)) return;
      await new Promise<void>((resolve) => {
        const done = (): void => {
          call.off('drain', done);
          call.off('status', done);
          signal.removeEventListener('abort', done);
          resolve();
        };
        call.on('drain', done);
        call.on('status', done);
        signal.addEventListener('abort', done, { once: true });
      });
    };
    let error = '';
    try {
      for await (const r of this.#source(request, signal)) {
        if (signal.aborted) break;
        await write(
          newPublishLogsMessage({
            sessionId: this.#sessionId,
            subscriptionId: id,
            records: [{ taskId: r.taskId, stream: r.stream, timestamp: r.timestamp, line: r.line }],
          }),
        );
      }
    } catch (e: unknown) {
      if (!signal.aborted) {
        error = e instanceof Error ? e.message : String(e);
        this.#logger.warn({ subscription: id, err: error }, 'could not read task logs');
      }
    }
    try {
      await write(
        newPublishLogsMessage({ sessionId: this.#sessionId, subscriptionId: id, close: true, error }),
      );
      call.end();
    } catch {
      call.cancel();
    }
  }
}
