// SwarmControl for a real node: the HTTP API's view of this daemon's swarm membership, backed
// by SwarmNode (init/join/leave, the manager's replicated store) and the local engine.

import { managerUnlockKey } from '../api/unlock-key.js';
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
  NetworkAttachRequest,
  NetworkAttachResult,
  SwarmControl,
} from '../manager/engineapi/swarm-control.js';
import { ApiError } from '../manager/engineapi/errors.js';
import { NetworkAttachmentError } from '../agent/session/index.js';
import {
  LeaderNotReachedError,
  NoLeaderError,
  NotInSwarmError,
  NotManagerError,
} from '../manager/engineapi/control-errors.js';
import { generateJoinToken } from '../ca/join-token.js';
import { NODE_CHANNEL_OPTIONS, nodeChannelCredentials } from '../ca/tls-credentials.js';
import { withControlClient } from '../manager/control/control-client.js';
import type { MemoryStore } from '../manager/store/index.js';
import { parseHostPort } from './config.js';
import { forwardFailure } from './forward-failure.js';
import type { SwarmNode } from './swarm-node.js';

export { NoLeaderError };

/** What the control needs of the node: its membership, manager and agent (a SwarmNode). */
export type SwarmNodeView = Pick<
  SwarmNode,
  'nodeState' | 'error' | 'state' | 'credentials' | 'manager' | 'agent' | 'init' | 'join' | 'leave' | 'unlock'
>;

export class NodeSwarmControl implements SwarmControl {
  private readonly node: SwarmNodeView;
  private readonly engineSocket: string;
  private factsCache: EngineFacts | undefined;

  constructor(node: SwarmNodeView, engineSocket: string) {
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

  async attachNetwork(
    req: NetworkAttachRequest,
    signal?: AbortSignal,
  ): Promise<NetworkAttachResult | undefined> {
    const agent = this.node.agent;
    if (agent === undefined || this.node.nodeState !== 'active') return undefined;
    try {
      return await agent.attachments.attach(req, signal);
    } catch (e: unknown) {
      if (!(e instanceof NetworkAttachmentError)) throw e;
      if (e.httpStatus === 404) return undefined;
      throw new ApiError(e.httpStatus, `Could not attach to network ${req.network}: ${e.message}`);
    }
  }

  async detachNetwork(attachmentId: string): Promise<void> {
    await this.node.agent?.attachments.detach(attachmentId);
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
    // Also without a leader: reads are this manager's last copy (hasLeader says so, and the
    // API marks them stale); writes are refused by the store and answered 503 (forward.ts).
    return m.store;
  }

  leaderRaftId(): number {
    return this.node.manager?.replicated.raft.leader().id ?? 0;
  }

  async forwardToLeader(req: ForwardedRequest): Promise<ForwardedResponse> {
    const m = this.node.manager;
    const creds = this.node.credentials;
    if (!m || !creds) throw new NotManagerError();
    const raft = m.replicated.raft;
    const leader = raft.leader();
    if (leader.id === 0 || !leader.address) throw new LeaderNotReachedError('the swarm has no leader');
    // Elected between the store's refusal and now: the next attempt runs it here.
    if (leader.id === raft.id) throw new LeaderNotReachedError('this manager has just become the leader');
    const address = leader.address;
    try {
      return await withControlClient(address, nodeChannelCredentials(creds), NODE_CHANNEL_OPTIONS, (client) =>
        client.forward(req),
      );
    } catch (e: unknown) {
      throw forwardFailure(e, address);
    }
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
    return this.store().view((tx) => {
      const c = tx.list('clusters')[0];
      if (!c) throw new NotInSwarmError();
      return c.spec.encryptionConfig.autoLockManagers ? managerUnlockKey(c) : '';
    });
  }

  unlock(key: Uint8Array): Promise<void> {
    return this.node.unlock(key);
  }

  taskLogs(taskIds: readonly string[], opts: LogsOptions): AsyncIterable<LogLine> {
    const m = this.node.manager;
    if (!m) throw new NotManagerError();
    return m.dispatcher.taskLogs(taskIds, opts);
  }
}
