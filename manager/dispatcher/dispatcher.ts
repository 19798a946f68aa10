// The dispatcher: the gRPC service agents talk to (proto/dispatcher.proto). It is registered
// on the manager's 2377 server at start-up on every manager, and does its work only while
// `run(signal)` runs, which the daemon calls when this manager becomes the leader (like every
// leader-only loop). Other managers answer UNAVAILABLE with the leader's address in the
// `shoal-leader-addr` trailer, and agents go there.
//
// Every handler identifies the caller from its TLS certificate (the injected `identify`),
// decodes defensively (INVALID_ARGUMENT for anything malformed, never a crash) and maps
// errors to gRPC statuses.

import type * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { LogLine, LogsOptions } from '../engineapi/swarm-control.js';
import { systemClock, type Clock } from '../../api/clock/clock.js';
import type { MemoryStore } from '../store/index.js';
import { ActiveDispatcher, type ViewBacklog } from './active-dispatcher.js';
import type { MessageLimits } from './assignment-messages.js';
import { ClusterError, NotLeaderError, UnauthenticatedError } from '../../api/errors.js';
import { DispatcherError, MalformedMessageError, toServiceError } from '../../api/wire/errors.js';
import { peerHost, type Identify, type CallerIdentity, type ServerCall } from './identity.js';
import type { ManagerPeer } from './settings.js';
import { checkTaskId, decodeNodeDescription, decodeTaskStatus } from '../../api/wire/json-codec.js';
import {
  dispatcherServiceDefinition,
  newAttachNetworkResponse,
  newDetachNetworkResponse,
  newHeartbeatResponse,
  newPublishLogsResponse,
  newUpdateTaskStatusResponse,
  type Decoded,
  type PbAttachNetworkRequest,
  type PbAttachNetworkResponse,
  type PbDetachNetworkRequest,
  type PbDetachNetworkResponse,
  type PbHeartbeatRequest,
  type PbHeartbeatResponse,
  type PbPublishLogsMessage,
  type PbPublishLogsResponse,
  type PbUpdateTaskStatusRequest,
  type PbUpdateTaskStatusResponse,
} from '../../api/wire/service.js';
import type { AssignmentsStream, LogSubscriptionsStream, SessionStream } from './session.js';
import { attachNetwork, detachNetwork } from './network-attachments.js';
import { MAX_NETWORK_ALIASES } from '../controlapi/limits.js';

export interface DispatcherOptions {
  readonly store: MemoryStore;
  /** The caller's node identity from its certificate (manager/ca's `peerIdentity`). */
  readonly identify: Identify;
  readonly logger: Logger;
  readonly clock?: Clock;
  /** host:port of the leader's 2377 endpoint, for agents that reach a follower. */
  readonly leaderAddr?: () => string | undefined;
  /** Managers to announce to agents (default: the store's manager nodes and their addresses). */
  readonly managers?: () => readonly ManagerPeer[];
  /** Fixed heartbeat period in ms (default: the cluster's, else 5 s). */
  readonly heartbeatPeriodMs?: number;
  /** Margin on top of three periods before a silent node is marked down (default min(period, 1 s)). */
  readonly heartbeatGraceExtraMs?: number;
  /** Most task status reports applied in one store transaction (default 1000). */
  readonly maxStatusBatch?: number;
  /** Store events the dispatcher's watch may hold before it resynchronizes every agent. */
  readonly watchBufferSize?: number;
  /** Per-message limits of assignments (default: what an agent accepts; smaller in tests). */
  readonly messageLimits?: MessageLimits;
  /** Counts nodes marked down for missing their heartbeats (metrics). */
  readonly heartbeatsMissed?: { inc(): void };
}

/** Most status updates one UpdateTaskStatus call may carry. */
export const MAX_UPDATES_PER_CALL = 10_000;
/** Longest session ID accepted. */
const MAX_SESSION_ID = 128;

function unwrap<T>(d: Decoded<T>): T {
  if (!d.ok) throw new MalformedMessageError(d.error);
  return d.value;
}

/** Aliases of one attachment: Docker's per-endpoint aliases, bounded before anything is kept. */
function boundedAliases(aliases: readonly string[]): string[] {
  if (aliases.length > MAX_NETWORK_ALIASES)
    throw new MalformedMessageError(`more than ${MAX_NETWORK_ALIASES} aliases`);
  return [...aliases];
}

function sessionId(id: string): string {
  if (id.length === 0 || id.length > MAX_SESSION_ID)
    throw new MalformedMessageError('session_id is missing or too long');
  return id;
}

type AnyWritable = { emit(event: 'error', e: unknown): boolean; cancelled: boolean; writableEnded: boolean };

export class Dispatcher {
  readonly #o: DispatcherOptions;
  readonly #clock: Clock;
  #active: ActiveDispatcher | undefined;

  constructor(o: DispatcherOptions) {
    this.#o = o;
    this.#clock = o.clock ?? systemClock;
  }

  /** True while this manager's dispatcher serves agents (it leads). */
  get running(): boolean {
    return this.#active !== undefined;
  }

  /** Open agent sessions (0 when not running). */
  get sessionCount(): number {
    return this.#active?.sessionCount ?? 0;
  }

  /** Views still on their way to nodes (ActiveDispatcher.viewBacklog; none when not running). */
  get viewBacklog(): ViewBacklog {
    return this.#active?.viewBacklog ?? { behind: 0, inFlightBytes: 0 };
  }

  /** Adds the Dispatcher service to the manager's gRPC server. */
  register(server: grpc.Server): void {
    server.addService(dispatcherServiceDefinition, {
      session: (call: SessionStream) => this.#session(call),
      heartbeat: (
        call: grpc.ServerUnaryCall<Decoded<PbHeartbeatRequest>, PbHeartbeatResponse>,
        cb: grpc.sendUnaryData<PbHeartbeatResponse>,
      ) => this.#heartbeat(call, cb),
      updateTaskStatus: (
        call: grpc.ServerUnaryCall<Decoded<PbUpdateTaskStatusRequest>, PbUpdateTaskStatusResponse>,
        cb: grpc.sendUnaryData<PbUpdateTaskStatusResponse>,
      ) => this.#updateTaskStatus(call, cb),
      assignments: (call: AssignmentsStream) => this.#assignments(call),
      logSubscriptions: (call: LogSubscriptionsStream) => this.#logSubscriptions(call),
      publishLogs: (
        call: grpc.ServerReadableStream<Decoded<PbPublishLogsMessage>, PbPublishLogsResponse>,
        cb: grpc.sendUnaryData<PbPublishLogsResponse>,
      ) => this.#publishLogs(call, cb),
      attachNetwork: (
        call: grpc.ServerUnaryCall<Decoded<PbAttachNetworkRequest>, PbAttachNetworkResponse>,
        cb: grpc.sendUnaryData<PbAttachNetworkResponse>,
      ) =>
        this.#unary(call, cb, async (who, active, req) => {
          active.checkSession(who, sessionId(req.sessionId));
          const attached = await attachNetwork(
            this.#o.store,
            who.nodeId,
            {
              network: req.network ?? '',
              containerId: req.containerId ?? '',
              address: req.address ?? '',
              aliases: boundedAliases(req.aliases ?? []),
            },
            new Date(this.#clock.now()).toISOString(),
          );
          return newAttachNetworkResponse(attached);
        }),
      detachNetwork: (
        call: grpc.ServerUnaryCall<Decoded<PbDetachNetworkRequest>, PbDetachNetworkResponse>,
        cb: grpc.sendUnaryData<PbDetachNetworkResponse>,
      ) =>
        this.#unary(call, cb, async (who, active, req) => {
          active.checkSession(who, sessionId(req.sessionId));
          await detachNetwork(this.#o.store, who.nodeId, req.attachmentId ?? '');
          return newDetachNetworkResponse();
        }),
    });
  }

  /** Removes the service from the server (the manager is leaving the swarm). */
  unregister(server: grpc.Server): void {
    server.removeService(dispatcherServiceDefinition);
  }

  /**
   * Serves agents until `signal` aborts (leadership lost or shutdown); then every session is
   * ended with UNAVAILABLE so agents reconnect to the next leader.
   */
  async run(signal: AbortSignal): Promise<void> {
    if (this.#active !== undefined) throw new Error('Dispatcher.run called while already running');
    const active = new ActiveDispatcher({
      store: this.#o.store,
      clock: this.#clock,
      logger: this.#o.logger,
      ...(this.#o.heartbeatPeriodMs !== undefined ? { heartbeatPeriodMs: this.#o.heartbeatPeriodMs } : {}),
      ...(this.#o.heartbeatGraceExtraMs !== undefined
        ? { heartbeatGraceExtraMs: this.#o.heartbeatGraceExtraMs }
        : {}),
      ...(this.#o.managers !== undefined ? { managers: this.#o.managers } : {}),
      ...(this.#o.maxStatusBatch !== undefined ? { maxStatusBatch: this.#o.maxStatusBatch } : {}),
      ...(this.#o.watchBufferSize !== undefined ? { watchBufferSize: this.#o.watchBufferSize } : {}),
      ...(this.#o.messageLimits !== undefined ? { messageLimits: this.#o.messageLimits } : {}),
      ...(this.#o.heartbeatsMissed !== undefined ? { heartbeatsMissed: this.#o.heartbeatsMissed } : {}),
    });
    this.#active = active;
    this.#o.logger.info('dispatcher started');
    try {
      await active.run(signal);
    } finally {
      active.close();
      this.#active = undefined;
      this.#o.logger.info('dispatcher stopped');
    }
  }

  /**
   * Log lines of tasks, gathered from the agents that run them (the SwarmControl's
   * `taskLogs`). Throws NotLeaderError on a manager that does not lead.
   */
  taskLogs(taskIds: readonly string[], opts: LogsOptions): AsyncIterable<LogLine> {
    return this.#leader().logs.subscribe(taskIds, opts);
  }

  #leader(): ActiveDispatcher {
    const active = this.#active;
    if (active === undefined) throw new NotLeaderError(this.#o.leaderAddr?.());
    return active;
  }

  #who(call: ServerCall): CallerIdentity {
    const who = this.#o.identify(call);
    if (who === undefined) throw new UnauthenticatedError('the dispatcher');
    return who;
  }

  #fail(call: AnyWritable, e: unknown): void {
    this.#log(e);
    if (call.cancelled || call.writableEnded) return;
    call.emit('error', toServiceError(e));
  }

  #log(e: unknown): void {
    if (e instanceof DispatcherError || e instanceof ClusterError)
      this.#o.logger.debug({ code: e.code, err: e.message }, 'dispatcher call refused');
    else this.#o.logger.error({ err: e }, 'dispatcher call failed');
  }

  #session(call: SessionStream): void {
    try {
      const who = this.#who(call);
      const active = this.#leader();
      const description = decodeNodeDescription(unwrap(call.request).description);
      active
        .openSession(who, description, peerHost(call.getPeer()), call)
        .catch((e: unknown) => this.#fail(call, e));
    } catch (e: unknown) {
      this.#fail(call, e);
    }
  }

  /** A unary call answered by `handle` on the leader, for the caller's identity. */
  #unary<Req, Res>(
    call: grpc.ServerUnaryCall<Decoded<Req>, Res>,
    cb: grpc.sendUnaryData<Res>,
    handle: (who: CallerIdentity, active: ActiveDispatcher, req: Req) => Promise<Res>,
  ): void {
    try {
      const who = this.#who(call);
      handle(who, this.#leader(), unwrap(call.request)).then(
        (res) => cb(null, res),
        (e: unknown) => {
          this.#log(e);
          cb(toServiceError(e));
        },
      );
    } catch (e: unknown) {
      this.#log(e);
      cb(toServiceError(e));
    }
  }

  #heartbeat(
    call: grpc.ServerUnaryCall<Decoded<PbHeartbeatRequest>, PbHeartbeatResponse>,
    cb: grpc.sendUnaryData<PbHeartbeatResponse>,
  ): void {
    try {
      const who = this.#who(call);
      const active = this.#leader();
      const periodMs = active.heartbeat(who, sessionId(unwrap(call.request).sessionId));
      cb(null, newHeartbeatResponse({ periodMs }));
    } catch (e: unknown) {
      this.#log(e);
      cb(toServiceError(e));
    }
  }

  #updateTaskStatus(
    call: grpc.ServerUnaryCall<Decoded<PbUpdateTaskStatusRequest>, PbUpdateTaskStatusResponse>,
    cb: grpc.sendUnaryData<PbUpdateTaskStatusResponse>,
  ): void {
    try {
      const who = this.#who(call);
      const active = this.#leader();
      const req = unwrap(call.request);
      const session = sessionId(req.sessionId);
      if (req.updates.length > MAX_UPDATES_PER_CALL) {
        throw new MalformedMessageError(`more than ${MAX_UPDATES_PER_CALL} updates in one call`);
      }
      const reports = req.updates.map((u, i) => ({
        taskId: checkTaskId(u.taskId ?? '', `updates[${i}].task_id`),
        status: decodeTaskStatus(u.status ?? new Uint8Array()),
      }));
      active.updateTaskStatus(who, session, reports).then(
        (applied) => cb(null, newUpdateTaskStatusResponse({ applied })),
        (e: unknown) => {
          this.#log(e);
          cb(toServiceError(e));
        },
      );
    } catch (e: unknown) {
      this.#log(e);
      cb(toServiceError(e));
    }
  }

  #assignments(call: AssignmentsStream): void {
    try {
      const who = this.#who(call);
      this.#leader().openAssignments(who, sessionId(unwrap(call.request).sessionId), call);
    } catch (e: unknown) {
      this.#fail(call, e);
    }
  }

  #logSubscriptions(call: LogSubscriptionsStream): void {
    try {
      const who = this.#who(call);
      this.#leader().openLogSubscriptions(who, sessionId(unwrap(call.request).sessionId), call);
    } catch (e: unknown) {
      this.#fail(call, e);
    }
  }

  #publishLogs(
    call: grpc.ServerReadableStream<Decoded<PbPublishLogsMessage>, PbPublishLogsResponse>,
    cb: grpc.sendUnaryData<PbPublishLogsResponse>,
  ): void {
    let done = false;
    const finish = (e?: unknown): void => {
      if (done) return;
      done = true;
      if (e === undefined) {
        cb(null, newPublishLogsResponse());
        return;
      }
      this.#log(e);
      cb(toServiceError(e));
      call.destroy();
    };
    let who: CallerIdentity;
    let active: ActiveDispatcher;
    try {
      who = this.#who(call);
      active = this.#leader();
    } catch (e: unknown) {
      finish(e);
      return;
    }
    call.on('data', (d: Decoded<PbPublishLogsMessage>) => {
      if (done) return;
      try {
        const m = unwrap(d);
        active.checkSession(who, sessionId(m.sessionId));
        if (!active.logs.publish(who.nodeId, m, () => call.resume())) call.pause();
      } catch (e: unknown) {
        finish(e);
      }
    });
    call.on('end', () => finish());
    call.on('error', () => {
      done = true;
    });
  }
}
