// A manager node's control plane on the cluster port (2377): one gRPC server with mutual TLS
// carrying Raft, the CA, the dispatcher and the Control service; the replicated store; and the
// leader-only control loops (orchestrators, scheduler, reaper, dispatcher's heartbeat watch),
// which run only while this manager leads.

import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { ForwardedRequest, ForwardedResponse } from './engineapi/swarm-control.js';
import { NodeCaServer } from './ca/ca-server.js';
import { CA_PUBLIC_METHODS } from '../ca/ca-service.js';
import { CallerAuthorizer, type CallerAccess } from './ca/caller-authorizer.js';
import { ManagerStartingError } from '../ca/errors.js';
import type { NodeIdentity } from '../ca/node-certificate.js';
import type { CallWithAuthContext } from '../ca/peer-identity.js';
import { raftSenderRefusal, type RaftIdentities } from './ca/raft-sender.js';
import { storeMembership, storeRaftIdentities } from './ca/store-membership.js';
import { StoreCaBackend } from './ca/store-ca-backend.js';
import { MutableNodeChannelCredentials } from '../ca/mutable-channel-credentials.js';
import { followClusterTrust } from './ca/cluster-trust.js';
import {
  NODE_CHANNEL_OPTIONS,
  serverCredentials,
  type NodeServerCredentials,
} from '../ca/tls-credentials.js';
import type { NodeCredentials } from '../ca/ca-client.js';
import { withControlClient } from './control/control-client.js';
import { registerControlService } from './control/control-service.js';
import { Dispatcher } from './dispatcher/index.js';
import { startLeaderLoops } from './leader-loops.js';
import type { LeaderLoops } from './loop/leadership.js';
import { authorizedIdentify } from './dispatcher/identity.js';
import { systemClock, type Clock } from '../api/clock/clock.js';
import type { RaftId } from './raft/types.js';
import { ReplicatedStore } from './replication/replicated-store.js';
import { NotLeaderError } from '../api/errors.js';
import { parseUnlockKey } from '../api/unlock-key.js';
import { UnlockKeyWatch } from './unlock-key-watch.js';
import type { MemoryStore } from './store/index.js';
import { DashboardServer } from './dashboard/server.js';
import type { ManagerMetrics } from './metrics/manager-metrics.js';

export interface ManagerOptions {
  readonly raftId: RaftId;
  /** Where the Raft log lives (<data-root>/swarm). */
  readonly dataDir: string;
  /** host:port to bind the cluster port on. */
  readonly listenAddr: string;
  /** host:port other nodes reach it at. */
  readonly advertiseAddr: string;
  readonly credentials: NodeCredentials;
  /** Start a new cluster (swarm init), or join one whose members are these (swarm join). */
  readonly raft:
    { readonly bootstrap: true } | { readonly join: ReadonlyMap<RaftId, string> } | { readonly resume: true };
  /** Runs an HTTP API request in this process (requests forwarded by followers). */
  readonly runApiRequest: (req: ForwardedRequest) => Promise<ForwardedResponse>;
  readonly logger: Logger;
  readonly clock?: Clock;
  readonly tickMs?: number;
  /** The swarm's unlock key this manager was unlocked with (its keys are wrapped with it). */
  readonly unlockKey?: string;
  /**
   * Called after this manager re-protected its Raft data key for a new desired unlock key (''
   * when autolock is off), with that data key: the daemon keeps the node's TLS key encrypted
   * under it while autolock is on.
   */
  readonly onUnlockKey?: (key: string, dataKey: Uint8Array) => Promise<void>;
  /** Serve the dashboard (manager/dashboard/) here while this manager runs (port 0: any). */
  readonly dashboard?: { readonly host: string; readonly port: number };
  /** The daemon's metrics: this manager's hooks count into it, and its state is read at scrape. */
  readonly metrics?: ManagerMetrics;
}

export class Manager {
  readonly server: grpc.Server;
  readonly replicated: ReplicatedStore;
  readonly dispatcher: Dispatcher;
  readonly port: number;
  /** The dashboard's server, when asked for and listening. */
  dashboard: DashboardServer | undefined;
  private readonly loops: LeaderLoops;
  private readonly credentials: NodeServerCredentials;
  private readonly unlockKeyWatch: UnlockKeyWatch;
  private readonly channel: MutableNodeChannelCredentials;
  private readonly stopTrust: AbortController;
  /** The node's own TLS material, and the roots the cluster says to trust (once the store is read). */
  private tls: NodeCredentials;
  private clusterTrust: string | undefined;
  #detachMetrics: () => void = () => undefined;

  private constructor(
    server: grpc.Server,
    port: number,
    credentials: NodeServerCredentials,
    channel: MutableNodeChannelCredentials,
    tls: NodeCredentials,
    replicated: ReplicatedStore,
    dispatcher: Dispatcher,
    loops: LeaderLoops,
    log: Logger,
    unlockKeyWatch: UnlockKeyWatch,
  ) {
    this.unlockKeyWatch = unlockKeyWatch;
    this.server = server;
    this.port = port;
    this.credentials = credentials;
    this.channel = channel;
    this.tls = tls;
    this.replicated = replicated;
    this.dispatcher = dispatcher;
    this.loops = loops;
    this.stopTrust = new AbortController();
    // Client certificates are checked against the cluster's roots: both during a root rotation.
    void followClusterTrust(
      replicated.store,
      (bundle) => {
        this.clusterTrust = bundle;
        this.#serve();
      },
      this.stopTrust.signal,
      log,
    );
  }

  get store(): MemoryStore {
    return this.replicated.store;
  }

  static async start(o: ManagerOptions): Promise<Manager> {
    const log = o.logger.child({ component: 'manager' });
    const clock = o.clock ?? systemClock;
    const tls = o.credentials;
    const server = new grpc.Server({
      'grpc.max_receive_message_length': 64 * 1024 * 1024,
      'grpc.max_send_message_length': 64 * 1024 * 1024,
    });
    const creds = serverCredentials(
      { rootCaPem: tls.rootCaPem, certPem: tls.certPem, keyPem: tls.keyPem },
      { publicMethods: CA_PUBLIC_METHODS },
    );
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(o.listenAddr, creds, (e, p) => (e ? reject(e) : resolve(p))),
    );
    // Every method on the port checks its caller against the cluster's current state (the
    // store, read once the replicated store is open), not only its certificate.
    const callers: { authorizer?: CallerAuthorizer; raftIds?: RaftIdentities } = {};
    const authorize = (call: CallWithAuthContext, access: CallerAccess): NodeIdentity => {
      if (callers.authorizer === undefined) throw new ManagerStartingError(call.getPath?.() ?? 'this call');
      return callers.authorizer.authorize(call, access);
    };
    // Raft and Control clients are built once; their certificate and roots change in place.
    const channel = new MutableNodeChannelCredentials(tls);
    const managerChannel = channel.credentials;
    const unlockKey = o.unlockKey === undefined ? undefined : parseUnlockKey(o.unlockKey);
    if (o.unlockKey !== undefined && unlockKey === undefined) {
      server.forceShutdown();
      throw new RangeError('the unlock key given to the manager is not a SWMKEY-1- key');
    }
    let replicated: ReplicatedStore;
    try {
      replicated = await ReplicatedStore.open({
        id: o.raftId,
        dataDir: o.dataDir,
        listen: '',
        advertise: o.advertiseAddr,
        server,
        logger: o.logger,
        ...(o.tickMs !== undefined ? { tickMs: o.tickMs } : {}),
        ...(unlockKey !== undefined ? { unlockKey } : {}),
        channelCredentials: managerChannel,
        channelOptions: NODE_CHANNEL_OPTIONS,
        // The caller, and the Raft member its messages may speak as (raft-sender.ts).
        authorize: (call) => {
          const caller = authorize(call, 'raft').nodeId;
          return (from) =>
            callers.raftIds === undefined
              ? 'manager starting'
              : raftSenderRefusal(caller, from, o.raftId, callers.raftIds);
        },
        ...('bootstrap' in o.raft ? { bootstrap: new Map([[o.raftId, o.advertiseAddr]]) } : {}),
        ...('join' in o.raft ? { join: o.raft.join } : {}),
        ...(o.metrics !== undefined ? { proposalTimer: o.metrics.proposalSeconds } : {}),
      });
    } catch (e: unknown) {
      server.forceShutdown();
      throw e;
    }
    const store = replicated.store;
    const raft = replicated.raft;
    callers.authorizer = new CallerAuthorizer(
      storeMembership({ store, clusterId: tls.clusterId, raftMembers: () => raft.status().confState }),
    );
    callers.raftIds = storeRaftIdentities({ store, raftMembers: () => raft.status().confState });

    const caBackend = new StoreCaBackend(store, {
      forwardToLeader: async (issued) => {
        const leader = raft.leader();
        if (!leader.address || leader.id === raft.id) throw new NotLeaderError();
        await withControlClient(leader.address, managerChannel, NODE_CHANNEL_OPTIONS, (client) =>
          client.recordCertificate(issued),
        );
      },
    });
    new NodeCaServer({ backend: caBackend, logger: o.logger }).addTo(server);
    const dispatcher: Dispatcher = new Dispatcher({
      store,
      identify: authorizedIdentify({
        authorize: (call) => authorize(call, 'node'),
        leading: () => dispatcher.running,
        leaderAddr: () => raft.leader().address,
      }),
      logger: o.logger,
      clock,
      leaderAddr: () => raft.leader().address,
      ...(o.metrics !== undefined ? { heartbeatsMissed: o.metrics.heartbeatsMissed } : {}),
    });
    dispatcher.register(server);
    registerControlService(server, {
      raft,
      runApiRequest: o.runApiRequest,
      recordCertificate: (issued) => caBackend.recordCertificate(issued),
      authorizeManager: (call) => authorize(call, 'manager'),
      raftIdOf: (nodeId) => store.view((tx) => tx.get('nodes', nodeId)?.managerStatus?.raftId),
      logger: o.logger,
      onJoined: async (m) => {
        await store.update((tx) => {
          const n = tx.get('nodes', m.nodeId);
          if (!n) return;
          tx.update('nodes', {
            ...n,
            role: 'manager',
            managerStatus: { raftId: m.raftId, addr: m.addr, leader: false, reachability: 'unknown' },
          });
        });
      },
    });

    // Every leader-only loop (allocator, orchestrators, scheduler, the dispatcher's leader side,
    // manager status, roles) is built in leader-loops.ts and runs only while this manager leads.
    const loops = startLeaderLoops(
      {
        store,
        clock,
        logger: o.logger,
        raft,
        dispatcher,
        ...(o.metrics !== undefined ? { placements: o.metrics.placements } : {}),
      },
      log,
    );
    // Autolock: this manager's keys follow the cluster object's unlock key, on every manager.
    const unlockKeyWatch = new UnlockKeyWatch({
      store,
      current: o.unlockKey ?? '',
      protect: async (key) => {
        const bytes = key === '' ? undefined : parseUnlockKey(key);
        if (key !== '' && bytes === undefined)
          throw new RangeError('the cluster holds an unlock key that is not a SWMKEY-1- key');
        await replicated.protectKey(bytes);
        await o.onUnlockKey?.(key, replicated.dataKey);
      },
      logger: o.logger,
      clock,
    });
    unlockKeyWatch.start();
    log.info({ addr: o.advertiseAddr, raftId: o.raftId, port }, 'manager started');
    const manager = new Manager(
      server,
      port,
      creds,
      channel,
      tls,
      replicated,
      dispatcher,
      loops,
      log,
      unlockKeyWatch,
    );
    // The dashboard is a view: a manager runs without it if its address cannot be had.
    if (o.dashboard !== undefined) {
      const { host, port: dashboardPort } = o.dashboard;
      manager.dashboard = await DashboardServer.start({
        store,
        host,
        port: dashboardPort,
        logger: o.logger,
      }).catch((e: unknown) => {
        log.error(
          { err: e, host, port: dashboardPort },
          'the dashboard could not listen; the manager runs without it',
        );
        return undefined;
      });
    }
    if (o.metrics !== undefined) {
      manager.#detachMetrics = o.metrics.attach({
        store,
        raft,
        sessionCount: () => dispatcher.sessionCount,
        snapshotBytes: () => replicated.snapshotBytes,
      });
    }
    return manager;
  }

  /** Serves a renewed certificate (or new trusted roots) on new connections, and dials with it. */
  updateCredentials(tls: NodeCredentials): void {
    this.tls = tls;
    this.channel.update({ rootCaPem: tls.rootCaPem, certPem: tls.certPem, keyPem: tls.keyPem });
    this.#serve();
  }

  #serve(): void {
    const t = this.tls;
    this.credentials.update({
      rootCaPem: this.clusterTrust ?? t.rootCaPem,
      certPem: t.certPem,
      keyPem: t.keyPem,
    });
  }

  async close(): Promise<void> {
    await this.dashboard?.close();
    this.dashboard = undefined;
    this.#detachMetrics();
    await this.unlockKeyWatch.stop();
    this.stopTrust.abort();
    await this.loops.stop();
    await this.replicated.close();
    this.server.forceShutdown();
  }
}
