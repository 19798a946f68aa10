// A real SwarmControl for one node and no peers, for tests: a MemoryStore on the local
// proposer (what consensus is with a single member), init/leave for that one node, and task
// logs that tests append. It never needs to forward (it is always the leader) and cannot join
// another swarm (it has no network), and says so.

import { swarmNotLocked } from '../../controlapi/index.js';
import { randomBytes } from 'node:crypto';
import { cpus, hostname as osHostname, release, totalmem } from 'node:os';
import { createLocalStore, generateId, type MemoryStore } from '../../store/index.js';
import { checkInit, checkJoin, checkLeave, type Membership } from '../../controlapi/index.js';
import { InvalidArgumentError, NotInSwarmError } from '../control-errors.js';
import type {
  EngineFacts,
  ForwardedRequest,
  ForwardedResponse,
  InitRequest,
  JoinRequest,
  JoinTokensView,
  LocalNodeState,
  LogLine,
  LogsOptions,
  SwarmControl,
} from '../swarm-control.js';

export interface SingleNodeOptions {
  readonly hostname?: string;
  readonly clock?: () => Date;
}

function secret(length: number): string {
  return BigInt(`0x${randomBytes(32).toString('hex')}`)
    .toString(36)
    .slice(0, length)
    .padStart(length, '0');
}

function joinToken(): string {
  return `SWMTKN-1-${secret(50)}-${secret(25)}`;
}

function hostOf(addr: string): string {
  const m = /^\[?([^\]]*?)\]?(?::\d+)?$/.exec(addr);
  const host = m?.[1] ?? addr;
  return host === '' || host === '0.0.0.0' ? '127.0.0.1' : host;
}

/** The Raft member ID of the one manager's node record. */
const SINGLE_RAFT_ID = 1;

export class SingleNodeControl implements SwarmControl {
  readonly hostname: string;
  readonly #clock: () => Date;
  #store: MemoryStore | undefined;
  #nodeId: string | undefined;
  #addr = '127.0.0.1';
  #unlockKey = '';
  readonly #logs = new Map<string, LogLine[]>();
  readonly #logWaiters = new Set<() => void>();

  constructor(options: SingleNodeOptions = {}) {
    this.hostname = options.hostname ?? osHostname();
    this.#clock = options.clock ?? (() => new Date());
  }

  localNodeState(): LocalNodeState {
    return this.#store === undefined ? 'inactive' : 'active';
  }

  nodeId(): string | undefined {
    return this.#nodeId;
  }

  nodeAddr(): string | undefined {
    return this.#store === undefined ? undefined : this.#addr;
  }

  isManager(): boolean {
    return this.#store !== undefined;
  }

  remoteManagers(): readonly { nodeId: string; addr: string }[] {
    return this.#nodeId === undefined || this.#store === undefined
      ? []
      : [{ nodeId: this.#nodeId, addr: `${this.#addr}:2377` }];
  }

  engine(): Promise<EngineFacts> {
    return Promise.resolve({
      name: this.hostname,
      serverVersion: '20.10.24',
      operatingSystem: 'Debian GNU/Linux 12 (bookworm)',
      osType: 'linux',
      architecture: 'x86_64',
      ncpu: cpus().length,
      memTotal: totalmem(),
      kernelVersion: release(),
    });
  }

  /** This node as the membership rules see it: the only manager of its swarm, if any. */
  #membership(): Membership {
    return { inSwarm: this.#store !== undefined, manager: this.#store !== undefined };
  }

  async init(req: InitRequest): Promise<string> {
    checkInit(this.#membership());
    const store = createLocalStore({ clock: this.#clock });
    const nodeId = generateId();
    this.#addr = hostOf(req.advertiseAddr ?? req.listenAddr);
    const spec = req.spec ?? {};
    await store.update((tx) => {
      tx.create('clusters', {
        id: generateId(),
        spec: {
          name: spec.name ?? 'default',
          labels: {},
          orchestration: { taskHistoryRetentionLimit: spec.taskHistoryRetentionLimit ?? 5 },
          raft: {
            snapshotInterval: 10000,
            keepOldSnapshots: 0,
            logEntriesForSlowFollowers: 500,
            electionTick: 10,
            heartbeatTick: 1,
          },
          dispatcher: { heartbeatPeriod: spec.heartbeatPeriodMs ?? 5000 },
          caConfig: {
            nodeCertExpiry: spec.nodeCertExpiryMs ?? 90 * 24 * 3600 * 1000,
            externalCAs: [],
            forceRotate: 0,
          },
          encryptionConfig: { autoLockManagers: req.autoLockManagers ?? false },
          ...(spec.taskDefaults === undefined ? {} : { taskDefaults: spec.taskDefaults }),
        },
        rootCA: { caCert: '', caCertDigest: '', joinTokens: { worker: joinToken(), manager: joinToken() } },
        defaultAddrPool: ['10.0.0.0/8'],
        subnetSize: 24,
        dataPathPort: spec.dataPathPort ?? 4789,
        unlockKeys: [],
      });
      tx.create('nodes', {
        id: nodeId,
        spec: { labels: {}, role: 'manager', availability: 'active' },
        role: 'manager',
        description: {
          hostname: this.hostname,
          platform: { architecture: 'x86_64', os: 'linux' },
          resources: { nanoCPUs: cpus().length * 1e9, memoryBytes: totalmem(), generic: [] },
          engine: { engineVersion: '20.10.24', labels: {}, plugins: [] },
        },
        status: { state: 'ready', message: '', addr: this.#addr },
        managerStatus: {
          raftId: SINGLE_RAFT_ID,
          addr: `${this.#addr}:2377`,
          leader: true,
          reachability: 'reachable',
        },
        attachments: [],
      });
    });
    this.#store = store;
    this.#nodeId = nodeId;
    this.#unlockKey = req.autoLockManagers === true ? `SWMKEY-1-${secret(43)}` : '';
    return nodeId;
  }

  join(req: JoinRequest): Promise<void> {
    try {
      checkJoin(this.#membership(), req);
    } catch (e: unknown) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
    return Promise.reject(
      new InvalidArgumentError('this single-node daemon has no network to join another swarm over'),
    );
  }

  leave(force: boolean): Promise<void> {
    try {
      checkLeave(this.#membership(), force);
    } catch (e: unknown) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
    this.#store = undefined;
    this.#nodeId = undefined;
    this.#unlockKey = '';
    return Promise.resolve();
  }

  store(): MemoryStore {
    if (this.#store === undefined) throw new NotInSwarmError();
    return this.#store;
  }

  leaderRaftId(): number {
    // The only manager, always its own leader (its record's Raft ID).
    return this.#store === undefined ? 0 : SINGLE_RAFT_ID;
  }

  forwardToLeader(_req: ForwardedRequest): Promise<ForwardedResponse> {
    return Promise.reject(new Error('this node is the only manager and the leader: nothing to forward to'));
  }

  joinTokens(): JoinTokensView {
    const cluster = this.store().view((tx) => tx.list('clusters')[0]);
    return {
      worker: cluster?.rootCA.joinTokens.worker ?? '',
      manager: cluster?.rootCA.joinTokens.manager ?? '',
    };
  }

  async rotateJoinToken(role: 'worker' | 'manager'): Promise<void> {
    await this.store().update((tx) => {
      const cluster = tx.list('clusters')[0];
      if (cluster === undefined) return;
      const joinTokens = { ...cluster.rootCA.joinTokens, [role]: joinToken() };
      tx.update('clusters', { ...cluster, rootCA: { ...cluster.rootCA, joinTokens } });
    });
  }

  unlockKey(): string {
    return this.#unlockKey;
  }

  /** Never locked: the route refuses (409) before it gets here. */
  unlock(): Promise<void> {
    return Promise.reject(swarmNotLocked());
  }

  /** Records a line a task wrote (what an agent would report); followers of the logs get it. */
  appendLog(line: LogLine): void {
    const lines = this.#logs.get(line.taskId) ?? [];
    lines.push(line);
    this.#logs.set(line.taskId, lines);
    for (const wake of [...this.#logWaiters]) wake();
  }

  async *taskLogs(taskIds: readonly string[], opts: LogsOptions): AsyncIterable<LogLine> {
    const sent = new Map<string, number>();
    for (const id of taskIds) {
      const lines = (this.#logs.get(id) ?? []).filter((l) =>
        l.stream === 'stdout' ? opts.stdout : opts.stderr,
      );
      const from = opts.tail === 'all' ? 0 : Math.max(0, lines.length - opts.tail);
      for (const line of lines.slice(from)) yield line;
      sent.set(id, (this.#logs.get(id) ?? []).length);
    }
    if (!opts.follow) return;
    while (!opts.signal.aborted) {
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          this.#logWaiters.delete(wake);
          resolve();
        };
        this.#logWaiters.add(wake);
        opts.signal.addEventListener('abort', wake, { once: true });
      });
      for (const id of taskIds) {
        const lines = this.#logs.get(id) ?? [];
        for (const line of lines.slice(sent.get(id) ?? 0)) {
          if (line.stream === 'stdout' ? opts.stdout : opts.stderr) yield line;
        }
        sent.set(id, lines.length);
      }
    }
  }
}
