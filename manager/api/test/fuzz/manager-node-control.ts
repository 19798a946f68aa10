// The SwarmControl of a manager-only node, for the fuzzer's child manager: the API's view of a
// real Manager (Raft on LevelDB, the replicated store, leader loops) that is the first and only
// manager of its swarm. It answers as shoald's NodeSwarmControl does for a node that is already
// in a swarm (init/join refused, leave refused without force) but has no agent, so no Docker
// Engine: it is the control plane alone. Leaving with force would end the cluster under test,
// which the fuzzer never asks for (see fuzz-request.ts), and is refused here as unsupported.

import { arch, cpus, hostname, release, totalmem, type } from 'node:os';
import {
  FailedPreconditionError,
  ManagerLeaveRefusedError,
  NotManagerError,
  SwarmExistsError,
} from '../../control-errors.js';
import { ApiError } from '../../errors.js';
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
} from '../../swarm-control.js';
import { generateJoinToken } from '../../../ca/join-token.js';
import type { Manager } from '../../../manager.js';
import { NotFoundError, NotLeaderError, type MemoryStore } from '../../../store/index.js';

/** The one refusal a real node would not give: leaving would end the cluster under test. */
export class HarnessLeaveError extends ApiError {
  constructor() {
    super(501, 'the fuzz harness manager does not leave its swarm (it has no agent to tear down)');
    this.name = 'HarnessLeaveError';
  }
}

export interface ManagerNodeControlOptions {
  readonly manager: Manager;
  readonly nodeId: string;
  /** host:port other nodes reach the manager at. */
  readonly advertiseAddr: string;
}

export class ManagerNodeControl implements SwarmControl {
  readonly #o: ManagerNodeControlOptions;

  constructor(o: ManagerNodeControlOptions) {
    this.#o = o;
  }

  localNodeState(): LocalNodeState {
    return 'active';
  }

  nodeId(): string | undefined {
    return this.#o.nodeId;
  }

  nodeAddr(): string | undefined {
    return this.#o.advertiseAddr.replace(/:\d+$/, '');
  }

  isManager(): boolean {
    return true;
  }

  remoteManagers(): readonly { readonly nodeId: string; readonly addr: string }[] {
    return this.#o.manager.store.view((tx) =>
      tx
        .list('nodes')
        .filter((n) => n.managerStatus !== undefined)
        .map((n) => ({ nodeId: n.id, addr: n.managerStatus!.addr })),
    );
  }

  engine(): Promise<EngineFacts> {
    return Promise.resolve({
      name: hostname(),
      serverVersion: 'none (manager-only fuzz harness)',
      operatingSystem: type(),
      osType: 'linux',
      architecture: arch() === 'x64' ? 'x86_64' : arch(),
      ncpu: cpus().length,
      memTotal: totalmem(),
      kernelVersion: release(),
    });
  }

  init(_req: InitRequest): Promise<string> {
    return Promise.reject(new SwarmExistsError());
  }

  join(_req: JoinRequest): Promise<void> {
    return Promise.reject(new SwarmExistsError());
  }

  leave(force: boolean): Promise<void> {
    return Promise.reject(force ? new HarnessLeaveError() : new ManagerLeaveRefusedError());
  }

  store(): MemoryStore {
    return this.#o.manager.store;
  }

  hasLeader(): boolean {
    return this.#o.manager.replicated.raft.leader().id !== 0;
  }

  forwardToLeader(_req: ForwardedRequest): Promise<ForwardedResponse> {
    // The only manager: when it does not lead there is no one to forward to.
    return Promise.reject(new NotLeaderError(undefined));
  }

  joinTokens(): JoinTokensView {
    const c = this.store().view((tx) => tx.list('clusters')[0]);
    if (!c) throw new NotManagerError();
    return c.rootCA.joinTokens;
  }

  async rotateJoinToken(role: 'worker' | 'manager'): Promise<void> {
    await this.store().update((tx) => {
      const c = tx.list('clusters')[0];
      if (!c) throw new NotManagerError();
      tx.update('clusters', {
        ...c,
        rootCA: {
          ...c.rootCA,
          joinTokens: { ...c.rootCA.joinTokens, [role]: generateJoinToken(c.rootCA.caCertDigest) },
        },
      });
    });
  }

  unlockKey(): string {
    return '';
  }

  async removeNode(nodeId: string, force: boolean): Promise<void> {
    await this.store().update((tx) => {
      const n = tx.get('nodes', nodeId);
      if (!n) throw new NotFoundError('nodes', nodeId);
      if (n.role === 'manager' || n.managerStatus) {
        throw new FailedPreconditionError(
          `rpc error: code = FailedPrecondition desc = node ${nodeId} is a cluster manager and is a member of the raft cluster. It must be demoted to worker before removal`,
        );
      }
      if (!force && n.status.state !== 'down') {
        throw new FailedPreconditionError(
          `rpc error: code = FailedPrecondition desc = node ${nodeId} is not down and can't be removed`,
        );
      }
      tx.delete('nodes', nodeId);
    });
  }

  taskLogs(taskIds: readonly string[], opts: LogsOptions): AsyncIterable<LogLine> {
    return this.#o.manager.dispatcher.taskLogs(taskIds, opts);
  }
}
