// One session attempt with one manager: open Session and wait for the first SessionMessage,
// then Assignments (each message decoded, checked and handed to the worker in order, the
// stream paused meanwhile), heartbeats at the period the manager gives, status reports sent
// one batch at a time, and log subscriptions. The first failure of any of them ends the
// attempt and everything it opened; `run` resolves with why it ended.

import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { AssignmentChange, TaskStatusReport } from '../../api/wire/assignments.js';
import type { Cancel, Clock } from '../../api/clock/clock.js';
import { encodeJson } from '../../api/wire/json-codec.js';
import { MAX_ASSIGNMENTS_MESSAGE_BYTES } from '../../api/wire/limits.js';
import {
  dispatcherServiceDefinition as def,
  LEADER_ADDR_KEY,
  type DispatcherMethod,
  newAssignmentsRequest,
  newHeartbeatRequest,
  newLogSubscriptionsRequest,
  newSessionRequest,
  newUpdateTaskStatusRequest,
  type Decoded,
  type PbAssignmentsMessage,
  type PbLogSubscription,
  type PbSessionMessage,
} from '../../api/wire/service.js';
import type { NodeDescription } from '../../api/objects/index.js';
import { isValidId } from '../../api/objects/shape.js';
import { isRootsDigest } from '../../ca/cluster-roots.js';
import { decodeAssignments } from './assignments-decoder.js';
import { Backoff } from './backoff.js';
import { ChangeAssembler } from './change-assembler.js';
import type { NodeNetworkView } from '../../api/network/network-view.js';
import { RemovedFromSwarmError, SessionFailedError } from './errors.js';
import { LogPublisher, type LogSource } from './log-publisher.js';
import type { StatusQueue } from './status-queue.js';

export interface SessionInfo {
  readonly sessionId: string;
  readonly nodeId: string;
  /** Managers the leader announced (node IDs and host:port). */
  readonly managers: readonly { readonly nodeId: string; readonly addr: string }[];
  readonly heartbeatPeriodMs: number;
  /** The role the managers want this node to have (it renews its certificate when it differs). */
  readonly desiredRole?: 'manager' | 'worker';
  /** The manager this session is with. */
  readonly manager: string;
  /**
   * The digest of the roots the swarm trusts now (ca/cluster-roots.ts rootsDigest), when the
   * manager says: the node fetches the roots only when it changes.
   */
  readonly rootsDigest?: string;
}

export type ConnectionEnd =
  | { readonly kind: 'stopped'; readonly established: boolean }
  | {
      readonly kind: 'failed';
      readonly error: SessionFailedError | RemovedFromSwarmError;
      readonly established: boolean;
      /** The leader's address, when the manager refused because it does not lead. */
      readonly leaderAddr?: string;
    };

export interface ConnectionOptions {
  readonly addr: string;
  readonly credentials: grpc.ChannelCredentials;
  readonly channelOptions?: grpc.ChannelOptions;
  readonly description: NodeDescription;
  readonly statuses: StatusQueue;
  readonly maxStatusBatch: number;
  readonly logs?: LogSource;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly random: () => number;
  /** How long to wait for the first session message. */
  readonly sessionTimeoutMs: number;
  /** Deadline of unary calls (heartbeat, status) in ms. */
  readonly callTimeoutMs: number;
  /** A session message arrived (the first one establishes the session). */
  readonly onSession: (info: SessionInfo) => void;
  /** Hands a change to the worker; the next one waits for it. */
  readonly deliver: (change: AssignmentChange) => void | Promise<void>;
  /** Reports tasks the node could not read (as rejected). */
  readonly reject: (reports: readonly TaskStatusReport[]) => void;
  /** Wait before asking for a fresh set after a network view could not be read (ms). */
  readonly resyncBackoff?: { readonly initialMs?: number; readonly maxMs?: number };
  /** false: network views are dropped unread (AgentSessionOptions.readNetworkViews). */
  readonly readNetworkViews: boolean;
}

/**
 * Largest message an agent accepts: the dispatcher keeps a message's objects and its network
 * view within their limits (a larger set travels in several messages).
 */
export const MAX_RECEIVE_BYTES = MAX_ASSIGNMENTS_MESSAGE_BYTES;

/** Managers taken from one session message (Raft clusters have a handful), and longest address. */
const MAX_MANAGERS = 64;
const MAX_ADDR = 512;

/** Longest heartbeat period taken from a manager (a longer one would let the session lapse). */
const MAX_PERIOD_MS = 60 * 60 * 1000;

const NO_BYTES = new Uint8Array(0);

/** `m` (just decoded, this stream's own) less its network view and view update. */
function withoutView(m: PbAssignmentsMessage): PbAssignmentsMessage {
  m.networkView = NO_BYTES;
  m.networkViewUpdate = NO_BYTES;
  return m;
}

function periodOf(ms: number, otherwise: number): number {
  return ms > 0 && ms <= MAX_PERIOD_MS ? ms : otherwise;
}

/** Bytes of the objects a message carries. */
function objectBytes(m: PbAssignmentsMessage): number {
  let n = 0;
  for (const list of [m.updatedTasks, m.secrets, m.configs]) for (const b of list) n += b.byteLength;
  return n;
}

type AnyCall = { cancel(): void };

export class Connection {
  readonly #o: ConnectionOptions;
  readonly #client: grpc.Client;
  #info: SessionInfo | undefined;
  #ended = false;
  #finish: (end: ConnectionEnd) => void = () => undefined;
  readonly #calls = new Set<AnyCall>();
  readonly #timers = new Set<Cancel>();
  #sending = false;
  #publisher: LogPublisher | undefined;
  /** Wait before asking for a fresh set after a network view could not be read. */
  readonly #resync: Backoff;

  constructor(o: ConnectionOptions) {
    this.#o = o;
    this.#client = new grpc.Client(o.addr, o.credentials, {
      'grpc.max_receive_message_length': MAX_RECEIVE_BYTES,
      'grpc.keepalive_time_ms': 10_000,
      'grpc.keepalive_timeout_ms': 5_000,
      'grpc.keepalive_permit_without_calls': 1,
      ...o.channelOptions,
    });
    this.#resync = new Backoff({
      initialMs: o.resyncBackoff?.initialMs ?? 1000,
      maxMs: o.resyncBackoff?.maxMs ?? 60_000,
      random: o.random,
    });
  }

  get info(): SessionInfo | undefined {
    return this.#info;
  }

  /** Runs the session until it fails or `signal` aborts. */
  run(signal: AbortSignal): Promise<ConnectionEnd> {
    return new Promise<ConnectionEnd>((resolve) => {
      this.#finish = (end) => {
        if (this.#ended) return;
        this.#ended = true;
        signal.removeEventListener('abort', onAbort);
        this.#cleanup();
        resolve(end);
      };
      const onAbort = (): void => this.#finish({ kind: 'stopped', established: this.#info !== undefined });
      if (signal.aborted) {
        onAbort();
        return;
      }
      signal.addEventListener('abort', onAbort, { once: true });
      this.#openSession();
    });
  }

  /**
   * A unary call on this session (network attachments): its answer, or its gRPC error. It
   * concerns that one call: a refusal never ends the session.
   */
  call<Req, Res>(method: DispatcherMethod<Req, Res>, build: (sessionId: string) => Req): Promise<Res> {
    const info = this.#info;
    if (info === undefined || this.#ended)
      return Promise.reject(new SessionFailedError(this.#o.addr, 'no session established'));
    return new Promise<Res>((resolve, reject) => {
      const call = this.#client.makeUnaryRequest(
        method.path,
        method.requestSerialize,
        method.responseDeserialize,
        build(info.sessionId),
        { deadline: this.#deadline() },
        (err, res) => {
          this.#calls.delete(call);
          if (err !== null) reject(err);
          else if (res === undefined || !res.ok)
            reject(new SessionFailedError(this.#o.addr, `malformed ${method.path} response`));
          else resolve(res.value);
        },
      );
      this.#calls.add(call);
    });
  }

  /** New status reports are queued: send them if nothing is in flight. */
  kick(): void {
    if (this.#info === undefined || this.#sending || this.#ended || this.#o.statuses.size === 0) return;
    this.#sendStatuses(this.#info.sessionId);
  }

  #fail(message: string, e?: grpc.ServiceError): void {
    if (this.#ended) return;
    const addr = this.#o.addr;
    const established = this.#info !== undefined;
    if (e?.code === grpc.status.PERMISSION_DENIED) {
      this.#finish({ kind: 'failed', error: new RemovedFromSwarmError(addr, e.details), established });
      return;
    }
    const leader = e?.metadata?.get(LEADER_ADDR_KEY)[0];
    const error = new SessionFailedError(
      addr,
      e === undefined ? message : `${message}: ${e.details}`,
      e?.code,
    );
    this.#finish({
      kind: 'failed',
      error,
      established,
      ...(typeof leader === 'string' && leader !== '' && leader !== addr ? { leaderAddr: leader } : {}),
    });
  }

  #cleanup(): void {
    for (const cancel of this.#timers) cancel();
    this.#timers.clear();
    for (const c of this.#calls) c.cancel();
    this.#calls.clear();
    this.#publisher?.close();
    this.#client.close();
  }

  #timer(fn: () => void, ms: number): void {
    const cancel = this.#o.clock.setTimeout(() => {
      this.#timers.delete(cancel);
      fn();
    }, ms);
    this.#timers.add(cancel);
  }

  #deadline(): grpc.Deadline {
    return Date.now() + this.#o.callTimeoutMs;
  }

  #openSession(): void {
    const call = this.#client.makeServerStreamRequest(
      def.session.path,
      def.session.requestSerialize,
      def.session.responseDeserialize,
      newSessionRequest({ description: encodeJson(this.#o.description) }),
    );
    this.#calls.add(call);
    this.#timer(() => {
      if (this.#info === undefined) this.#fail(`no session message within ${this.#o.sessionTimeoutMs} ms`);
    }, this.#o.sessionTimeoutMs);
    call.on('data', (d: Decoded<PbSessionMessage>) => this.#onSessionMessage(d));
    call.on('error', (e: grpc.ServiceError) => this.#fail('session stream failed', e));
    call.on('end', () => this.#fail('session stream ended by the manager'));
  }

  #onSessionMessage(d: Decoded<PbSessionMessage>): void {
    if (this.#ended) return;
    if (!d.ok) return this.#fail(`malformed session message (${d.error})`);
    const m = d.value;
    if (m.sessionId === '' || m.sessionId.length > 128 || !isValidId(m.nodeId)) {
      return this.#fail('malformed session message (missing session or node ID)');
    }
    if (
      this.#info !== undefined &&
      (m.sessionId !== this.#info.sessionId || m.nodeId !== this.#info.nodeId)
    ) {
      return this.#fail('the manager changed the session ID mid-session');
    }
    const first = this.#info === undefined;
    this.#info = {
      sessionId: m.sessionId,
      nodeId: m.nodeId,
      managers: m.managers
        .slice(0, MAX_MANAGERS)
        .flatMap((p) =>
          typeof p.nodeId === 'string' &&
          typeof p.addr === 'string' &&
          p.addr !== '' &&
          p.addr.length <= MAX_ADDR &&
          p.nodeId.length <= MAX_ADDR
            ? [{ nodeId: p.nodeId, addr: p.addr }]
            : [],
        ),
      heartbeatPeriodMs: periodOf(m.heartbeatPeriodMs, 5000),
      ...(m.desiredRole === 'manager' || m.desiredRole === 'worker' ? { desiredRole: m.desiredRole } : {}),
      // Anything but a digest (absent, or from a hostile peer) is as if the manager did not say.
      ...(isRootsDigest(m.rootsDigest) ? { rootsDigest: m.rootsDigest } : {}),
      manager: this.#o.addr,
    };
    this.#o.onSession(this.#info);
    if (!first) return;
    this.#o.logger.debug({ manager: this.#o.addr, nodeId: m.nodeId }, 'session established');
    // Log subscriptions first: on one HTTP/2 connection the manager sees the streams in this
    // order, so by the time assignments arrive it can already send log subscriptions.
    if (this.#o.logs !== undefined) this.#openLogs(m.sessionId, this.#o.logs);
    this.#openAssignments(m.sessionId, m.nodeId);
    this.#scheduleHeartbeat();
    this.kick();
  }

  #openAssignments(sessionId: string, nodeId: string): void {
    const call = this.#client.makeServerStreamRequest(
      def.assignments.path,
      def.assignments.requestSerialize,
      def.assignments.responseDeserialize,
      newAssignmentsRequest({ sessionId }),
    );
    this.#calls.add(call);
    /** Set once this stream is given up for a fresh one: its end is then expected. */
    let retired = false;
    /** The network view this stream carried last (updates apply to it). */
    let view: NodeNetworkView | undefined;
    const parts = new ChangeAssembler();
    call.on('data', (d: Decoded<PbAssignmentsMessage>) => {
      if (this.#ended || retired) return;
      let change: AssignmentChange | undefined;
      let resync = false;
      try {
        if (!d.ok) throw new Error(d.error);
        const m = this.#o.readNetworkViews ? d.value : withoutView(d.value);
        const decoded = decodeAssignments(m, nodeId, view);
        if (decoded.problems.length > 0) {
          this.#o.logger.warn(
            {
              manager: this.#o.addr,
              problems: decoded.problems.slice(0, 20),
              count: decoded.problems.length,
            },
            'assignment entries could not be read; left out',
          );
        }
        if (decoded.rejected.length > 0) this.#o.reject(decoded.rejected);
        view = decoded.viewFailed ? undefined : (decoded.change.networks ?? view);
        if (decoded.change.full && decoded.change.networks !== undefined) this.#resync.reset();
        resync = decoded.viewFailed;
        change = parts.add(decoded.change, decoded.more, objectBytes(d.value));
      } catch (e: unknown) {
        return this.#fail(`malformed assignments (${e instanceof Error ? e.message : String(e)})`);
      }
      if (resync) {
        // The view this stream held is unknown now: ask for a fresh set (and view), not at once.
        retired = true;
        this.#calls.delete(call);
        call.cancel();
        const wait = this.#resync.next();
        this.#o.logger.warn({ manager: this.#o.addr, retryInMs: wait }, 'network view lost; resynchronizing');
        this.#timer(() => {
          if (!this.#ended) this.#openAssignments(sessionId, nodeId);
        }, wait);
      }
      // Not yet whole (more parts to come), or dropped with the stream it was coming on.
      if (change === undefined) return;
      const whole = change;
      call.pause();
      Promise.resolve()
        .then(() => this.#o.deliver(whole))
        .then(
          () => call.resume(),
          (e: unknown) =>
            this.#fail(
              `the worker could not take assignments (${e instanceof Error ? e.message : String(e)})`,
            ),
        );
    });
    call.on('error', (e: grpc.ServiceError) => {
      if (!retired) this.#fail('assignments stream failed', e);
    });
    call.on('end', () => {
      if (!retired) this.#fail('assignments stream ended by the manager');
    });
  }

  #scheduleHeartbeat(): void {
    const period = this.#info?.heartbeatPeriodMs ?? 5000;
    // Beat a little early, at a random point of the last quarter, so agents spread out.
    this.#timer(() => this.#heartbeat(), Math.max(1, Math.round(period * (0.75 + 0.25 * this.#o.random()))));
  }

  #heartbeat(): void {
    const info = this.#info;
    if (info === undefined || this.#ended) return;
    const call = this.#client.makeUnaryRequest(
      def.heartbeat.path,
      def.heartbeat.requestSerialize,
      def.heartbeat.responseDeserialize,
      newHeartbeatRequest({ sessionId: info.sessionId }),
      { deadline: this.#deadline() },
      (err, res) => {
        this.#calls.delete(call);
        if (this.#ended) return;
        if (err !== null) return this.#fail('heartbeat failed', err);
        if (res === undefined || !res.ok) return this.#fail('malformed heartbeat response');
        const period = periodOf(res.value.periodMs, info.heartbeatPeriodMs);
        if (period !== info.heartbeatPeriodMs && this.#info !== undefined) {
          this.#info = { ...this.#info, heartbeatPeriodMs: period };
        }
        this.#scheduleHeartbeat();
      },
    );
    this.#calls.add(call);
  }

  #sendStatuses(sessionId: string): void {
    const batch = this.#o.statuses.peek(this.#o.maxStatusBatch);
    if (batch.length === 0) return;
    this.#sending = true;
    const call = this.#client.makeUnaryRequest(
      def.updateTaskStatus.path,
      def.updateTaskStatus.requestSerialize,
      def.updateTaskStatus.responseDeserialize,
      newUpdateTaskStatusRequest({
        sessionId,
        updates: batch.map((r) => ({ taskId: r.taskId, status: encodeJson(r.status) })),
      }),
      { deadline: this.#deadline() },
      (err, res) => {
        this.#calls.delete(call);
        this.#sending = false;
        if (this.#ended) return;
        if (err !== null && err.code === grpc.status.INVALID_ARGUMENT) {
          // Never accepted however often it is sent: drop it rather than wedge the queue.
          this.#o.logger.error(
            { err: err.details, count: batch.length },
            'managers refused status reports as malformed; dropping them',
          );
          this.#o.statuses.ack(batch);
        } else if (err !== null) {
          return this.#fail('status update failed', err);
        } else if (res === undefined || !res.ok) {
          return this.#fail('malformed status update response');
        } else {
          this.#o.statuses.ack(batch);
        }
        this.kick();
      },
    );
    this.#calls.add(call);
  }

  #openLogs(sessionId: string, source: LogSource): void {
    const publisher = new LogPublisher(this.#client, sessionId, source, this.#o.logger);
    this.#publisher = publisher;
    const call = this.#client.makeServerStreamRequest(
      def.logSubscriptions.path,
      def.logSubscriptions.requestSerialize,
      def.logSubscriptions.responseDeserialize,
      newLogSubscriptionsRequest({ sessionId }),
    );
    this.#calls.add(call);
    call.on('data', (d: Decoded<PbLogSubscription>) => {
      if (d.ok && !this.#ended) publisher.handle(d.value);
    });
    call.on('error', (e: grpc.ServiceError) => {
      if (!this.#ended) this.#o.logger.debug({ err: e.details }, 'log subscriptions stream ended');
    });
  }
}
