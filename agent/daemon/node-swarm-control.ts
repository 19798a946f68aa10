// SwarmControl for a real node: the HTTP API's view of this daemon's swarm membership, backed
// by SwarmNode (init/join/leave, the manager's replicated store) and the local engine.

import { arch, cpus, hostname, release, totalmem, type } from 'node:os';
import Dockerode from 'dockerode';
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
} from '../../manager/api/swarm-control.js';
import { NotInSwarmError, NotManagerError } from '../../manager/api/control-errors.js';
import { generateJoinToken } from '../../manager/ca/join-token.js';
import { NODE_CHANNEL_OPTIONS, nodeChannelCredentials } from '../../manager/ca/tls-credentials.js';
import { withControlClient } from '../../manager/control/control-client.js';
import { markNodeRemoved } from '../../manager/ca/removed-nodes.js';
import { NotLeaderError, NotFoundError, type MemoryStore } from '../../manager/store/index.js';
import { parseHostPort } from './config.js';
import { FailedPreconditionError } from '../../manager/api/control-errors.js';
import type { SwarmNode } from './swarm-node.js';

/** Docker's answer when a manager knows no leader (HTTP 500, as dockerd gives it). */
export class NoLeaderError extends Error {
  readonly code = 'NO_LEADER';
  constructor() {
    super(
      "rpc error: code = Unknown desc = The swarm does not have a leader. It's possible that too few managers are online. Make sure more than half of the managers are online.",
    );
    this.name = 'NoLeaderError';
  }
}

export class NodeSwarmControl implements SwarmControl {
  private readonly node: SwarmNode;
  private readonly engineSocket: string;
  private factsCache: EngineFacts | undefined;

  constructor(node: SwarmNode, engineSocket: string) {
    this.node = node;
    this.engineSocket = engineSocket;
  }

  localNodeState(): LocalNodeState {
    return this.node.nodeState;
  }

  nodeError(): string {
    return this.node.error;
  }

  nodeId(): string | undefined {
    return this.node.state?.nodeId;
  }

  nodeAddr(): string | undefined {
    const a = this.node.state?.advertiseAddr;
    return a === undefined ? undefined : parseHostPort(a, 2377, 'advertise').host;
  }

  isManager(): boolean {
    return this.node.manager !== undefined;
  }

  remoteManagers(): readonly { readonly nodeId: string; readonly addr: string }[] {
    const m = this.node.manager;
    if (m) {
      return m.store.view((tx) =>
        tx
          .list('nodes')
          .filter((n) => n.managerStatus !== undefined)
          .map((n) => ({ nodeId: n.id, addr: n.managerStatus!.addr })),
      );
    }
    return this.node.state?.managers ?? [];
  }

  async engine(): Promise<EngineFacts> {
    if (this.factsCache) return this.factsCache;
    let serverVersion = 'unknown';
    let name = hostname();
    let operatingSystem = type();
    try {
      const info = (await new Dockerode({ socketPath: this.engineSocket }).info()) as {
        ServerVersion?: string;
        Name?: string;
        OperatingSystem?: string;
      };
      serverVersion = info.ServerVersion ?? serverVersion;
      name = info.Name ?? name;
      operatingSystem = info.OperatingSystem ?? operatingSystem;
    } catch {
      // The engine is down: report what the host says.
    }
    const facts: EngineFacts = {
      name: this.node.agent?.description.hostname ?? name,
      serverVersion,
      operatingSystem,
      osType: 'linux',
      architecture: arch() === 'x64' ? 'x86_64' : arch(),
      ncpu: cpus().length,
      memTotal: totalmem(),
      kernelVersion: release(),
    };
    this.factsCache = facts;
    return facts;
  }

  init(req: InitRequest): Promise<string> {
    return this.node.init(req);
  }

  join(req: JoinRequest): Promise<void> {
    return this.node.join(req);
  }

  leave(force: boolean): Promise<void> {
    return this.node.leave(force);
  }

  store(): MemoryStore {
    if (!this.node.state) throw new NotInSwarmError();
    const m = this.node.manager;
    if (!m) throw new NotManagerError();
    // As Docker: without a leader the cluster state cannot be trusted or changed.
    if (m.replicated.raft.leader().id === 0) throw new NoLeaderError();
    return m.store;
  }

  async forwardToLeader(req: ForwardedRequest): Promise<ForwardedResponse> {
    const m = this.node.manager;
    const creds = this.node.credentials;
    if (!m || !creds) throw new NotManagerError();
    const leader = m.replicated.raft.leader();
    if (!leader.address || leader.id === m.replicated.raft.id) {
      throw new NotLeaderError(undefined);
    }
    return withControlClient(leader.address, nodeChannelCredentials(creds), NODE_CHANNEL_OPTIONS, (client) =>
      client.forward(req),
    );
  }

  joinTokens(): JoinTokensView {
    const c = this.store().view((tx) => tx.list('clusters')[0]);
    if (!c) throw new NotInSwarmError();
    return c.rootCA.joinTokens;
  }

  async rotateJoinToken(role: 'worker' | 'manager'): Promise<void> {
    await this.store().update((tx) => {
      const c = tx.list('clusters')[0];
      if (!c) throw new NotInSwarmError();
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
    // Autolock is not enabled on shoal swarms: there is no key, as Docker answers then.
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
      markNodeRemoved(tx, nodeId); // before the delete: it reads when the node's certificate expires
      tx.delete('nodes', nodeId);
    });
  }

  taskLogs(taskIds: readonly string[], opts: LogsOptions): AsyncIterable<LogLine> {
    const m = this.node.manager;
    if (!m) throw new NotManagerError();
    return m.dispatcher.taskLogs(taskIds, opts);
  }
}
