// A node's agent: the executor for the local Docker Engine, the worker that turns assignments
// into running containers (and survives restarts), and the session that carries assignments
// from and statuses to the managers.

import { nodeTlsInfo } from '../ca/tls-info.js';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { NodeCredentials } from '../ca/ca-client.js';
import { NODE_CHANNEL_OPTIONS, nodeChannelCredentials } from '../ca/tls-credentials.js';
import type { NodeDescription } from '../api/objects/index.js';
import { DockerExecutor } from './exec/docker/docker-executor.js';
import { DEFAULT_SECRETS_ROOT } from './exec/docker/secret-mounts.js';
import type { TaskStatusReport } from '../api/wire/assignments.js';
import type { LogStream } from './exec/executor.js';
import { AgentSession, type LogRecordOut, type LogRequest, type SessionInfo } from './session/index.js';
import { mergeAsync } from './merge-async.js';
import { NetworkAttachments } from './network-attachments.js';
import { OverlayNetworking } from './overlay-networking.js';
import { ServiceDiscovery } from './service-discovery.js';
import { Worker } from './worker/worker.js';

/**
 * How long a running task on an overlay keeps serving once asked to stop: the managers send
 * every node its new network view in the same change, and each reprograms in milliseconds
 * (Swarm waits 2 s for its gossip to converge).
 */
const LB_DRAIN_MS = 500;

export interface AgentOptions {
  /** <data-root>; the worker keeps its database under it. */
  readonly dataDir: string;
  /** The Docker Engine's unix socket path. */
  readonly engineSocket: string;
  /** host:port of managers to connect to. */
  readonly managers: readonly string[];
  readonly credentials: NodeCredentials;
  /** Reported as the node's hostname (defaults to the engine's). */
  readonly hostname?: string;
  readonly logger: Logger;
  /** Told about each session (new manager list) and its end. */
  readonly onSession?: (info: SessionInfo | undefined) => void;
  /** Told once if the managers say this node was removed from the swarm. */
  readonly onRemoved?: () => void;
  /** The node's underlay address: overlay networking runs on it (absent: no overlays). */
  readonly nodeAddress?: string;
  /**
   * Under which directory tasks' secrets tmpfs are made (default /run/shoal/secrets/<node ID>:
   * in memory, outside the data root, and per node, since each agent sweeps its own).
   */
  readonly secretsRoot?: string;
}

export interface AgentNetworkCounts {
  /** Overlay networks in the last network view. */
  readonly networks: number;
  /** Remote endpoints (forwarding entries) over those networks. */
  readonly peers: number;
  /** VIPs load-balanced in task sandboxes, summed over them. */
  readonly vips: number;
  /** Published ports programmed on the node, by mode (ingress: routing mesh; host). */
  readonly publishedPorts: ReadonlyMap<string, number>;
}

export class Agent {
  readonly executor: DockerExecutor;
  readonly worker: Worker;
  readonly session: AgentSession;
  readonly description: NodeDescription;
  /** Containers outside services on this node's swarm networks (`docker run --network`). */
  readonly attachments: NetworkAttachments;

  private readonly overlay: OverlayNetworking | undefined;
  private readonly discovery: ServiceDiscovery | undefined;

  private constructor(
    executor: DockerExecutor,
    worker: Worker,
    session: AgentSession,
    description: NodeDescription,
    overlay: OverlayNetworking | undefined,
    discovery: ServiceDiscovery | undefined,
  ) {
    this.overlay = overlay;
    this.discovery = discovery;
    this.executor = executor;
    this.worker = worker;
    this.session = session;
    this.description = description;
    this.attachments = new NetworkAttachments(session, worker);
  }

  static async start(o: AgentOptions): Promise<Agent> {
    const log = o.logger.child({ component: 'agent' });
    const overlay = o.nodeAddress
      ? await OverlayNetworking.start({
          nodeAddress: o.nodeAddress,
          engineSocket: o.engineSocket,
          dataDir: o.dataDir,
          logger: o.logger,
        })
      : undefined;
    const discovery = overlay ? await ServiceDiscovery.start(o.logger) : undefined;
    /** Each assigned task's overlay networks (its sandbox's DNS scope and VIPs). */
    const taskNetworks = new Map<string, string[]>();
    const executor = new DockerExecutor({
      socketPath: o.engineSocket,
      // A `docker run --network` container gets the embedded DNS and VIPs a task gets.
      onAttachmentSandbox: (taskId, pid, networkIds) => {
        if (discovery === undefined) return;
        // A restarted container has a new sandbox: the old one's DNS sockets go first.
        discovery.taskStopped(taskId);
        if (pid !== undefined)
          discovery
            .taskRunning(taskId, pid, networkIds)
            .catch((e: unknown) => log.warn({ taskId, err: e }, 'attached container sandbox not programmed'));
      },
      secretsRoot: o.secretsRoot ?? join(DEFAULT_SECRETS_ROOT, o.credentials.nodeId),
      logger: o.logger,
      ...(o.hostname ? { hostname: o.hostname } : {}),
      ...(overlay ? { attacher: overlay.attacher } : {}),
    });
    // The certificate's issuer is reported so the managers can tell when a root rotation is done.
    const description = { ...(await executor.describe()), tlsInfo: nodeTlsInfo(o.credentials) };
    const worker = await Worker.open({
      executor,
      dataDir: o.dataDir,
      logger: o.logger,
      ...(overlay ? { drainMs: LB_DRAIN_MS } : {}),
    });
    const tls = o.credentials;
    const session = new AgentSession({
      managers: o.managers,
      credentials: nodeChannelCredentials(tls),
      channelOptions: NODE_CHANNEL_OPTIONS,
      nodeDescription: description,
      onAssignments: async (change) => {
        // Networks first: task containers are created on them.
        for (const t of change.updated)
          taskNetworks.set(
            t.id,
            t.networksAttachments.map((a) => a.networkId),
          );
        for (const id of change.removed) taskNetworks.delete(id);
        if (change.networks && overlay) {
          await overlay
            .apply(change.networks)
            .catch((e: unknown) => log.error({ err: e }, 'network view not applied'));
          // A view the node cannot program is logged, never allowed to fail the session.
          await discovery
            ?.setView(change.networks)
            .catch((e: unknown) => log.error({ err: e }, 'service discovery not updated'));
        }
        await worker.apply(change);
        // After a restart the running tasks are adopted: program their sandboxes again.
        if (change.full && overlay && discovery)
          followSandboxes(overlay, discovery, taskNetworks, worker, worker.statuses(), log);
      },
      ...(o.onSession ? { onSession: o.onSession } : {}),
      onRemoved: () => {
        log.warn('the managers removed this node from the swarm');
        o.onRemoved?.();
      },
      logs: (req, signal) => taskLogs(worker, req, signal),
      logger: o.logger,
    });
    const report = (reports: readonly TaskStatusReport[]): void => {
      if (overlay && discovery) followSandboxes(overlay, discovery, taskNetworks, worker, reports, log);
      try {
        session.reportStatus(reports);
      } catch (e: unknown) {
        // A report the managers would refuse (malformed) is dropped, not allowed to stop the agent.
        log.error({ err: e, count: reports.length }, 'task status reports refused');
      }
    };
    worker.onStatus(report);
    // Statuses recorded before a restart are sent again: the managers may have missed them.
    const known = worker.statuses();
    if (known.length > 0) report(known);
    session.start();
    log.info({ managers: o.managers, hostname: description.hostname }, 'agent started');
    return new Agent(executor, worker, session, description, overlay, discovery);
  }

  /** What this node's data plane holds now, or undefined without overlay networking (metrics). */
  networkCounts(): AgentNetworkCounts | undefined {
    if (this.overlay === undefined) return undefined;
    return {
      ...this.overlay.programmed(),
      vips: this.discovery?.vipCount() ?? 0,
      publishedPorts: this.overlay.mesh.publishedPorts(),
    };
  }

  async close(): Promise<void> {
    await this.session.stop();
    await this.worker.close();
    this.discovery?.close();
    await this.overlay?.stop();
  }

  /** Leaving the swarm: every task's container and every network device shoal made go. */
  async leave(): Promise<void> {
    await this.worker.apply({ full: true, updated: [], removed: [], secrets: [], configs: [] });
    await this.worker.settled();
    await this.session.stop();
    await this.worker.close();
    this.discovery?.close();
    await this.overlay?.teardown();
  }
}

/** Serves a manager's log subscription from the worker: every task's log at once. */
function taskLogs(worker: Worker, req: LogRequest, signal: AbortSignal): AsyncIterable<LogRecordOut> {
  const streams: LogStream[] = [];
  if (req.stdout) streams.push('stdout');
  if (req.stderr) streams.push('stderr');
  const enc = new TextEncoder();
  const opts = {
    follow: req.follow,
    streams,
    signal,
    ...(req.since ? { since: new Date(req.since) } : {}),
    ...(req.tail === 'all' ? {} : { tail: req.tail }),
  };
  return mergeAsync(
    req.taskIds.map(async function* (taskId): AsyncIterable<LogRecordOut> {
      for await (const e of worker.taskLogs(taskId, opts)) {
        yield { taskId, stream: e.stream, timestamp: e.timestamp, line: enc.encode(e.line) };
      }
    }),
  );
}

const STOPPED = new Set(['complete', 'failed', 'shutdown', 'rejected', 'orphaned', 'remove']);

/**
 * Programs a task's sandbox (and binds its host-mode ports, which its status then shows) once
 * its container runs, and releases both once it stops.
 */
function followSandboxes(
  overlay: OverlayNetworking,
  discovery: ServiceDiscovery,
  taskNetworks: ReadonlyMap<string, string[]>,
  worker: Pick<Worker, 'publishPorts'>,
  reports: readonly TaskStatusReport[],
  log: Logger,
): void {
  const warn = (taskId: string, what: string) => (e: unknown) =>
    log.warn({ taskId, err: e instanceof Error ? e.message : String(e) }, what);
  for (const r of reports) {
    const pid = r.status.containerStatus?.pid ?? 0;
    if (r.status.state === 'running' && pid > 0) {
      overlay.mesh
        .taskRunning(r.taskId, pid)
        .then((ports) => worker.publishPorts(r.taskId, ports))
        .catch(warn(r.taskId, 'host-mode ports not bound'));
      const nets = taskNetworks.get(r.taskId) ?? [];
      discovery.taskRunning(r.taskId, pid, nets).catch(warn(r.taskId, 'sandbox not programmed'));
    } else if (STOPPED.has(r.status.state)) {
      discovery.taskStopped(r.taskId);
      overlay.mesh.taskStopped(r.taskId).catch(warn(r.taskId, 'host-mode ports not unbound'));
    }
  }
}
