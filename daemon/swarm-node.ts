// A node's membership in a swarm, across its lifetime: `swarm init` (first manager: new root
// CA, cluster and Raft group), `swarm join` (certificate from the CA with the token; managers
// also join the Raft group), restarts (resume from <data-root>/swarm) and `swarm leave`.

import { randomInt } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type {
  ForwardedRequest,
  ForwardedResponse,
  InitRequest,
  JoinRequest,
  LocalNodeState,
} from '../manager/engineapi/swarm-control.js';
import { swarmLocked } from '../manager/engineapi/control-errors.js';
import {
  checkInit,
  checkJoin,
  checkLeave,
  notSwarmManager,
  swarmNotLocked,
  type Membership,
} from '../manager/controlapi/membership-rules.js';
import {
  fetchAnnouncedRoot,
  fetchSwarmRoots,
  renewNodeCertificate,
  type NodeCredentials,
} from '../ca/ca-client.js';
import type { Manager } from '../manager/manager.js';
import type { ManagerMetrics } from '../manager/metrics/manager-metrics.js';
import { Agent } from '../agent/agent.js';
import { resolveAdvertiseAddr } from './advertise-addr.js';
import { CertRenewal } from './cert-renewal.js';
import { parseHostPort, socketPath, type DaemonConfig } from './config.js';
import { loadManagerSide } from './load-manager-side.js';
import { atLeader, joinRaftGroup, leaveAbandonedRaftJoin } from './control-at-leader.js';
import { joinedIdentity, newSwarmIdentity } from './swarm-identity.js';
import { nodeRegistered, waitFor } from './wait-for.js';
import { isRemovedRefusal, REMOVED_FROM_SWARM_ERROR } from './node-removal.js';
import { NodeStateDir, type SwarmMembership, type TlsMaterial } from './node-state.js';
import { isProtectedNodeKey } from './node-key-protection.js';
import { releaseYoungGeneration } from './young-generation.js';
import { formatUnlockKey, generateUnlockKey, parseUnlockKey } from '../api/unlock-key.js';

export interface SwarmNodeOptions {
  readonly config: DaemonConfig;
  readonly logger: Logger;
  /** Runs an API request in this process (for requests followers forward to this leader). */
  readonly runApiRequest: (req: ForwardedRequest) => Promise<ForwardedResponse>;
  /** Reported as the node's hostname (default: the engine's). */
  readonly hostname?: string;
  /** Raft tick (default 100 ms: elections in 1–2 s). */
  readonly tickMs?: number;
  /** A manager's Raft node failed for good (e.g. disk full); default: log and exit non-zero. */
  readonly onRaftFatal?: (e: Error) => void;
  /** The daemon's manager metrics (--metrics-addr), given to every manager this node starts. */
  readonly metrics?: ManagerMetrics;
}

export class SwarmNode {
  private readonly o: SwarmNodeOptions;
  private readonly dir: NodeStateDir;
  private readonly log: Logger;
  state: SwarmMembership | undefined;
  credentials: NodeCredentials | undefined;
  manager: Manager | undefined;
  agent: Agent | undefined;
  private localState: LocalNodeState = 'inactive';
  private lastError = '';
  private roleChange: Promise<void> | undefined;
  private renewal: CertRenewal | undefined;
  /** A locked manager's TLS material as stored (its key encrypted) until `unlock`. */
  private locked: TlsMaterial | undefined;
  /** The swarm's unlock key while autolock is on (to open the Raft data key again). */
  private unlockKey: Uint8Array | undefined;
  /** The managers removed this node: everything is stopped until `swarm leave`. */
  private removed = false;
  /** Serializes init/join/leave/resume. */
  private busy: Promise<unknown> = Promise.resolve();

  constructor(o: SwarmNodeOptions) {
    this.o = o;
    this.dir = new NodeStateDir(o.config.dataRoot);
    this.log = o.logger.child({ component: 'swarm' });
  }

  get nodeState(): LocalNodeState {
    return this.localState;
  }

  get error(): string {
    return this.lastError;
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.busy.then(fn, fn);
    this.busy = run.catch(() => undefined);
    return run;
  }

  /**
   * On daemon start: rejoins the swarm this node was part of, if any. A manager of an
   * autolocked swarm stays locked (swarm-lock.ts) until `unlock`.
   */
  resume(): Promise<void> {
    return this.serial(async () => {
      const saved = await this.dir.load();
      if (!saved) return;
      const { state, tls } = saved;
      this.state = state;
      const side = state.role === 'manager' ? await loadManagerSide() : undefined;
      if (side !== undefined && (await side.isSwarmLocked(this.dir.dir))) {
        this.locked = tls;
        this.localState = 'locked';
        this.log.warn('this manager is locked (autolock): run `docker swarm unlock` with the unlock key');
        return;
      }
      let nodeKey = tls.nodeKey;
      if (side !== undefined) {
        nodeKey = (await side.openManagerKeys(this.dir.dir, tls.nodeKey, undefined)).nodeKey;
        // Autolock was being turned off when the daemon stopped: finish it.
        if (isProtectedNodeKey(tls.nodeKey)) await this.dir.saveNodeKey(nodeKey);
      }
      await this.startSaved(state, { ...tls, nodeKey }, undefined);
    });
  }

  /** `swarm unlock`: opens a locked manager's keys with the unlock key and starts it. */
  unlock(key: Uint8Array): Promise<void> {
    return this.serial(async () => {
      const state = this.state;
      const tls = this.locked;
      if (this.localState !== 'locked' || state === undefined || tls === undefined) throw swarmNotLocked();
      const keys = await (await loadManagerSide()).openManagerKeys(this.dir.dir, tls.nodeKey, key);
      this.locked = undefined;
      this.unlockKey = key;
      this.dir.tlsKeySecret = keys.tlsKeySecret;
      // Autolock was being turned on when the daemon stopped: finish it.
      if (!isProtectedNodeKey(tls.nodeKey)) await this.dir.saveNodeKey(keys.nodeKey);
      await this.startSaved(state, { ...tls, nodeKey: keys.nodeKey }, formatUnlockKey(key));
      this.log.info('swarm unlocked');
    });
  }

  private async startSaved(
    state: SwarmMembership,
    tls: TlsMaterial,
    unlockKey: string | undefined,
  ): Promise<void> {
    this.credentials = {
      nodeId: state.nodeId,
      role: state.role,
      clusterId: state.clusterId,
      rootCaPem: tls.caCert,
      certPem: tls.nodeCert,
      keyPem: tls.nodeKey,
    };
    this.localState = 'pending';
    try {
      if (state.role === 'manager' && state.raftId !== undefined) {
        this.manager = await this.startManager(state, this.credentials, { resume: true }, unlockKey);
      }
      this.agent = await this.startAgent(state, this.credentials);
      this.startRenewal();
      this.localState = 'active';
    } catch (e: unknown) {
      this.localState = 'error';
      this.lastError = e instanceof Error ? e.message : String(e);
      throw e;
    }
  }

  /** What the membership rules (controlapi) need to know of this node. */
  private membership(): Membership {
    const s = this.state;
    return { inSwarm: s !== undefined, manager: s?.role === 'manager', removed: this.removed };
  }

  init(req: InitRequest): Promise<string> {
    return this.serial(async () => {
      if (checkInit(this.membership(), req.forceNewCluster) === 'force-new-cluster') {
        return this.forceNewCluster(req);
      }
      const listenAddr = req.listenAddr || this.o.config.listenAddr;
      const advertiseAddr = resolveAdvertiseAddr(
        req.advertiseAddr ?? this.o.config.advertiseAddr,
        listenAddr,
      );
      const { ca, clusterId, nodeId, key, certPem, creds, state } = await newSwarmIdentity(
        listenAddr,
        advertiseAddr,
      );
      this.localState = 'pending';
      try {
        const manager = await this.startManager(state, creds, { bootstrap: true });
        this.manager = manager;
        await waitFor(() => manager.replicated.raft.isLeader(), 10_000, 'this manager to lead its new swarm');
        const { createSwarmObjects } = await loadManagerSide();
        await manager.store.update((tx) =>
          createSwarmObjects(tx, {
            clusterId,
            ca,
            ...(req.spec !== undefined ? { spec: req.spec } : {}),
            ...(req.autoLockManagers === true ? { unlockKey: generateUnlockKey() } : {}),
            manager: {
              nodeId,
              addr: parseHostPort(advertiseAddr, 2377, 'advertise').host,
              raftId: state.raftId!,
              advertiseAddr,
              certPem,
              csrPem: key.csrPem,
            },
          }),
        );
        await this.dir.save(state, { caCert: ca.certPem, nodeCert: certPem, nodeKey: key.keyPem });
        this.state = state;
        this.credentials = creds;
        this.agent = await this.startAgent(state, creds);
        await nodeRegistered(manager.store, nodeId);
        this.startRenewal();
        this.localState = 'active';
        this.log.info({ nodeId, clusterId, advertiseAddr }, 'swarm initialized');
        return nodeId;
      } catch (e: unknown) {
        await this.teardown();
        await this.dir.clear();
        this.localState = 'inactive';
        throw e;
      }
    });
  }

  /**
   * Disaster recovery on this manager (daemon/force-new-cluster.ts): stops it, rewrites its Raft
   * log for a group of itself alone, and starts it again as the swarm's leader. On failure the
   * state on disk stays for a retry (or a restart of the daemon, which resumes from it).
   */
  private async forceNewCluster(req: InitRequest): Promise<string> {
    const state = this.state;
    const creds = this.credentials;
    if (this.localState === 'locked') throw swarmLocked();
    if (state?.raftId === undefined || creds === undefined) throw notSwarmManager();
    const raftId = state.raftId;
    const unlockKey = this.unlockKey;
    this.log.warn({ nodeId: state.nodeId }, 'force-new-cluster: stopping this manager to recover the swarm');
    await this.teardown();
    this.localState = 'pending';
    try {
      const next = await (
        await loadManagerSide()
      ).rewriteAsNewCluster({
        swarmDir: this.dir.dir,
        state: { ...state, raftId },
        req,
        logger: this.log,
        ...(unlockKey !== undefined ? { unlockKey } : {}),
      });
      await this.dir.save(next);
      this.state = next;
      const manager = await this.startManager(
        next,
        creds,
        { resume: true },
        unlockKey === undefined ? undefined : formatUnlockKey(unlockKey),
      );
      this.manager = manager;
      await waitFor(
        () => manager.replicated.raft.isLeader(),
        20_000,
        'this manager to lead the recovered swarm',
      );
      this.agent = await this.startAgent(next, creds);
      this.startRenewal();
      this.localState = 'active';
      this.lastError = '';
      this.log.info(
        { nodeId: next.nodeId, advertiseAddr: next.advertiseAddr },
        'swarm recovered (force-new-cluster)',
      );
      return next.nodeId;
    } catch (e: unknown) {
      await this.teardown();
      this.localState = 'error';
      this.lastError = e instanceof Error ? e.message : String(e);
      throw e;
    }
  }

  join(req: JoinRequest): Promise<void> {
    return this.serial(async () => {
      checkJoin(this.membership(), req);
      const remote = req.remoteAddrs[0]!; // checkJoin: there is one
      const { host, port } = parseHostPort(remote, 2377, 'remote address');
      const target = `${host}:${port}`;
      const listenAddr = req.listenAddr || this.o.config.listenAddr;
      const advertiseAddr = resolveAdvertiseAddr(
        req.advertiseAddr ?? this.o.config.advertiseAddr,
        listenAddr,
      );
      this.localState = 'pending';
      /** Set once the leader added this manager to the Raft group (to undo if the join fails). */
      let joinedRaft: { raftId: number; creds: NodeCredentials } | undefined;
      try {
        const creds = await joinedIdentity(target, req.joinToken);
        const base = {
          version: 1 as const,
          nodeId: creds.nodeId,
          clusterId: creds.clusterId,
          role: creds.role,
          listenAddr,
          advertiseAddr,
          managers: [{ nodeId: '', addr: target }],
        };
        let state: SwarmMembership = base;
        if (creds.role === 'manager') {
          const raftId = randomInt(1, 2 ** 47);
          state = { ...base, raftId };
          const members = await joinRaftGroup(target, creds, raftId, advertiseAddr);
          joinedRaft = { raftId, creds };
          const manager = await this.startManager(state, creds, { join: members });
          this.manager = manager;
          // Ready when it follows a leader and has caught up to the cluster's state.
          await waitFor(
            () =>
              manager.replicated.raft.leader().id !== 0 &&
              manager.store.view((tx) => tx.get('nodes', creds.nodeId)) !== undefined,
            60_000,
            'this manager to catch up with the swarm',
          );
        }
        if (req.availability && req.availability !== 'active' && this.manager === undefined) {
          this.log.warn(
            { availability: req.availability },
            'availability at join is applied by a manager (node update)',
          );
        }
        await this.dir.save(state, {
          caCert: creds.rootCaPem,
          nodeCert: creds.certPem,
          nodeKey: creds.keyPem,
        });
        this.state = state;
        this.credentials = creds;
        this.agent = await this.startAgent(state, creds);
        this.startRenewal();
        this.localState = 'active';
        this.log.info({ nodeId: creds.nodeId, role: creds.role, manager: target }, 'joined the swarm');
      } catch (e: unknown) {
        await this.teardown();
        // An abandoned join must not leave its learner in the Raft group (nobody would remove
        // it: this node forgets its Raft ID now). Best effort: the leader's role loop removes a
        // member whose node is removed later anyway.
        if (joinedRaft !== undefined) await leaveAbandonedRaftJoin(target, joinedRaft, this.log);
        await this.dir.clear();
        this.localState = 'inactive';
        throw e;
      }
    });
  }

  leave(force: boolean): Promise<void> {
    return this.serial(async () => {
      // A removed node has nothing left to protect: its manager is stopped and out of the group.
      checkLeave(this.membership(), force);
      const raftId = this.state?.raftId;
      if (this.manager && raftId !== undefined) {
        // Leave the Raft group first if others remain, so they keep their quorum.
        const raft = this.manager.replicated.raft;
        const others = raft.status().confState.voters.filter((v) => v !== raftId);
        if (others.length > 0 && raft.isLeader()) {
          const to = others[0]!;
          raft.transferLeadership(to);
          await waitFor(() => !raft.isLeader(), 5_000, 'leadership to move').catch(() => undefined);
        }
        // Then leave it, so the others no longer count this manager toward their quorum (as
        // Docker's `swarm leave --force` does). Without a reachable leader it stays a member.
        const leader = raft.leader().address;
        if (others.length > 0 && leader && this.credentials) {
          await atLeader(leader, this.credentials, "leave the managers' Raft group", (client) =>
            client.leaveRaft(raftId, 10_000),
          ).then(
            () => this.log.info({ raftId }, 'left the Raft group'),
            (e: unknown) =>
              this.log.warn(
                { err: e instanceof Error ? e.message : String(e) },
                'could not leave the Raft group; `docker node demote` it from a manager, or `node rm` it',
              ),
          );
        }
      }
      const agent = this.agent;
      this.agent = undefined;
      await agent?.leave();
      await this.teardown();
      await this.dir.clear();
      await rm(join(this.o.config.dataRoot, 'agent'), { recursive: true, force: true });
      this.state = undefined;
      this.credentials = undefined;
      this.locked = undefined;
      this.unlockKey = undefined;
      this.dir.tlsKeySecret = undefined;
      this.localState = 'inactive';
      this.lastError = '';
      this.removed = false;
      this.log.info('left the swarm');
    });
  }

  private async startManager(
    state: SwarmMembership,
    creds: NodeCredentials,
    raft: { bootstrap: true } | { join: ReadonlyMap<number, string> } | { resume: true },
    unlockKey?: string,
  ): Promise<Manager> {
    const { startNodeManager } = await loadManagerSide();
    // A manager's store work needs V8's default young generation (young-generation.ts).
    releaseYoungGeneration();
    return startNodeManager({
      config: this.o.config,
      swarmDir: this.dir.dir,
      state,
      credentials: creds,
      raft,
      runApiRequest: this.o.runApiRequest,
      logger: this.o.logger,
      ...(this.o.tickMs !== undefined ? { tickMs: this.o.tickMs } : {}),
      ...(unlockKey !== undefined ? { unlockKey } : {}),
      ...(this.o.metrics !== undefined ? { metrics: this.o.metrics } : {}),
      ...(this.o.onRaftFatal !== undefined ? { onRaftFatal: this.o.onRaftFatal } : {}),
      // Autolock turned on or off, or the key rotated: the TLS key follows the Raft key.
      onUnlockKey: async (key, dataKey) => {
        this.unlockKey = key === '' ? undefined : parseUnlockKey(key);
        this.dir.tlsKeySecret = key === '' ? undefined : dataKey;
        if (this.credentials) await this.dir.saveNodeKey(this.credentials.keyPem);
      },
    });
  }

  private async startAgent(state: SwarmMembership, creds: NodeCredentials): Promise<Agent> {
    const managers = this.manager ? [state.advertiseAddr] : state.managers.map((m) => m.addr);
    return Agent.start({
      dataDir: join(this.o.config.dataRoot, 'agent'),
      engineSocket: socketPath(this.o.config.engine),
      managers,
      credentials: creds,
      logger: this.o.logger,
      nodeAddress: parseHostPort(state.advertiseAddr, 2377, 'advertise').host,
      ...(this.o.hostname ? { hostname: this.o.hostname } : {}),
      onSession: (info) => {
        if (!info || !this.state) return;
        // A root CA rotation is learned here, not by polling the managers (cert-renewal.ts).
        this.renewal?.rootsAnnounced(info.rootsDigest);
        if (info.desiredRole !== undefined && info.desiredRole !== this.state.role) {
          this.changeRole(info.desiredRole, info.manager);
        }
        const next = info.managers.map((m) => ({ nodeId: m.nodeId, addr: m.addr }));
        if (next.length === 0 || JSON.stringify(next) === JSON.stringify(this.state.managers)) return;
        this.state = { ...this.state, managers: next };
        this.dir
          .save(this.state)
          .catch((e: unknown) => this.log.warn({ err: e }, 'could not save the manager list'));
      },
      onRemoved: () => void this.nodeRemoved(),
    });
  }

  /**
   * The managers refused this node as removed (`docker node rm`; its agent session or its
   * certificate renewal): stops renewing, closes the manager and the agent, and reports it
   * (Swarm.Error) until `swarm leave`, which works from here. Resolves once all is stopped.
   */
  nodeRemoved(): Promise<void> {
    if (this.removed) return this.busy.then(() => undefined);
    this.removed = true;
    this.log.error(REMOVED_FROM_SWARM_ERROR);
    return this.serial(async () => {
      await this.teardown();
      this.localState = 'error';
      this.lastError = REMOVED_FROM_SWARM_ERROR;
    });
  }

  /**
   * `node promote` / `node demote`, on this node: renews the certificate (the CA issues the
   * role the operator asked for), then starts a manager and joins the Raft group, or stops the
   * manager (the leader has removed it from the Raft group), and restarts the agent with the
   * new certificate (its containers are adopted, not restarted).
   */
  private changeRole(desired: 'manager' | 'worker', via: string): void {
    if (this.roleChange) return;
    this.roleChange = this.serial(async () => {
      const state = this.state;
      const current = this.credentials;
      if (!state || !current || state.role === desired) return;
      const renewed = await renewNodeCertificate(via, current);
      if (renewed.role !== desired) {
        this.log.info({ desired, issued: renewed.role }, 'role change not granted yet; will retry');
        return;
      }
      this.log.info({ from: state.role, to: desired }, 'changing role');
      await this.agent?.close();
      this.agent = undefined;
      let next: SwarmMembership;
      if (desired === 'manager') {
        const raftId = randomInt(1, 2 ** 47);
        next = { ...state, role: 'manager', raftId };
        const members = await joinRaftGroup(via, renewed, raftId, state.advertiseAddr);
        const manager = await this.startManager(next, renewed, { join: members });
        this.manager = manager;
        await waitFor(
          () => manager.replicated.raft.leader().id !== 0,
          60_000,
          'the new manager to follow a leader',
        );
      } else {
        await this.manager?.close();
        this.manager = undefined;
        await rm(join(this.dir.dir, 'raft'), { recursive: true, force: true });
        // Autolock protects managers: a worker's key is stored as is (before the data key it
        // may be encrypted under goes).
        this.unlockKey = undefined;
        this.dir.tlsKeySecret = undefined;
        const { raftId: _gone, ...rest } = state;
        next = { ...rest, role: 'worker' };
      }
      await this.dir.save(next, {
        caCert: renewed.rootCaPem,
        nodeCert: renewed.certPem,
        nodeKey: renewed.keyPem,
      });
      if (desired === 'worker')
        await rm(join(this.dir.dir, (await loadManagerSide()).RAFT_KEY_FILE), { force: true });
      this.state = next;
      this.credentials = renewed;
      this.agent = await this.startAgent(next, renewed);
    });
    this.roleChange
      .catch((e: unknown) =>
        this.log.error({ err: e }, 'role change failed; will retry at the next session message'),
      )
      .finally(() => (this.roleChange = undefined));
  }

  /** Renews the node certificate before it expires, at a manager (the leader, for managers). */
  private startRenewal(): void {
    this.renewal?.stop();
    this.renewal = new CertRenewal({
      current: () => this.credentials,
      target: () => {
        const m = this.manager?.replicated.raft.leader().address;
        return m ?? this.state?.managers[0]?.addr;
      },
      renew: (target, current) =>
        renewNodeCertificate(target, current).catch((e: unknown) => {
          if (isRemovedRefusal(e)) void this.nodeRemoved();
          throw e;
        }),
      onRenewed: (renewed) =>
        this.serial(async () => {
          const state = this.state;
          if (!state) return;
          await this.dir.save(state, {
            caCert: renewed.rootCaPem,
            nodeCert: renewed.certPem,
            nodeKey: renewed.keyPem,
          });
          this.credentials = renewed;
          this.manager?.updateCredentials(renewed);
          // The agent's session reconnects with the new certificate; containers are adopted.
          await this.agent?.close();
          this.agent = await this.startAgent(state, renewed);
        }),
      // A root CA rotation: renew from the next root, then trust the swarm's roots (cert-renewal.ts).
      fetchRoots: (target, current) => fetchSwarmRoots(target, current),
      announcedRoot: (target) => fetchAnnouncedRoot(target),
      onLockedOut: (e) => (this.lastError = e.message),
      logger: this.log,
    });
    this.renewal.start();
  }

  private async teardown(): Promise<void> {
    this.renewal?.stop();
    this.renewal = undefined;
    const agent = this.agent;
    const manager = this.manager;
    this.agent = undefined;
    this.manager = undefined;
    await agent?.close().catch((e: unknown) => this.log.warn({ err: e }, 'agent shutdown failed'));
    await manager?.close().catch((e: unknown) => this.log.warn({ err: e }, 'manager shutdown failed'));
  }

  /** Stops serving (daemon shutdown); the swarm state stays on disk for the next start. */
  close(): Promise<void> {
    return this.serial(() => this.teardown());
  }
}
