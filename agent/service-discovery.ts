// Service discovery in each task's sandbox: the embedded DNS (service name -> VIP, tasks.<name>
// -> task addresses, scoped to the task's networks) and the VIP load balancing rules (nftables
// round robin over the service's healthy tasks), programmed once the task's container runs
// (its network namespace exists only then) and refreshed with every network view.

import type { Logger } from 'pino';
import { EmbeddedDns } from './network/dns/dns-server.js';
import { dnsRecordsFromView } from './network/dns/dns-from-view.js';
import { readNodeResolvers } from './network/dns/resolv-conf.js';
import { openSandboxSockets } from './network/dns/sandbox-sockets.js';
import { Upstream } from './network/dns/upstream.js';
import { meshReplySpecFromView, sandboxSpecFromView } from './network/lb/lb-from-view.js';
import { MeshReply } from './network/lb/mesh-reply.js';
import type { SandboxDnsRedirect } from './network/lb/lb-spec.js';
import { LbProgrammer } from './network/lb/lb-programmer.js';
import { Nft } from './network/lb/nft.js';
import type { NodeNetworkView } from '../api/network/network-view.js';

interface Sandbox {
  readonly netnsPath: string;
  readonly networkIds: readonly string[];
  readonly dns: SandboxDnsRedirect;
}

export class ServiceDiscovery {
  private readonly lb: LbProgrammer;
  private readonly dns: EmbeddedDns;
  private readonly logger: Logger;
  private view: NodeNetworkView | undefined;
  private readonly sandboxes = new Map<string, Sandbox>();
  private readonly opening = new Set<string>();
  /** Reply routing of tasks whose service keeps the client's address through the mesh. */
  private readonly meshReply: MeshReply;

  private constructor(lb: LbProgrammer, dns: EmbeddedDns, logger: Logger, nft: Nft) {
    this.lb = lb;
    this.dns = dns;
    this.logger = logger;
    this.meshReply = new MeshReply(nft, logger);
  }

  static async start(logger: Logger): Promise<ServiceDiscovery> {
    const upstream = new Upstream({ servers: await readNodeResolvers() });
    const log = logger.child({ component: 'service-discovery' });
    const nft = new Nft();
    return new ServiceDiscovery(
      new LbProgrammer(nft, { logger: log }),
      new EmbeddedDns({ upstream, logger: log }),
      log,
      nft,
    );
  }

  /** A new network view: DNS records and every sandbox's VIP rules follow it. */
  async setView(view: NodeNetworkView): Promise<void> {
    this.view = view;
    this.dns.setRecords(dnsRecordsFromView(view));
    for (const [taskId, s] of this.sandboxes) {
      await this.lb
        .applySandbox(s.netnsPath, sandboxSpecFromView(view, s.networkIds, s.dns))
        .catch((e: unknown) =>
          this.logger.warn(
            { taskId, err: e instanceof Error ? e.message : String(e) },
            'sandbox rules not updated',
          ),
        );
      await this.meshReply
        .apply(s.netnsPath, meshReplySpecFromView(view, taskId))
        .catch((e: unknown) =>
          this.logger.warn(
            { taskId, err: e instanceof Error ? e.message : String(e) },
            'sandbox reply routing not updated',
          ),
        );
    }
  }

  /** A task's container runs (pid known): serve its DNS and program its VIP rules. */
  async taskRunning(taskId: string, pid: number, networkIds: readonly string[]): Promise<void> {
    if (networkIds.length === 0 || this.sandboxes.has(taskId) || this.opening.has(taskId)) return;
    this.opening.add(taskId);
    try {
      const netnsPath = `/proc/${pid}/ns/net`;
      const sockets = await openSandboxSockets(netnsPath);
      this.dns.serve(taskId, sockets, networkIds);
      const dns: SandboxDnsRedirect = {
        address: sockets.address,
        udpPort: sockets.udpPort,
        tcpPort: sockets.tcpPort,
      };
      this.sandboxes.set(taskId, { netnsPath, networkIds, dns });
      if (this.view) {
        await this.lb.applySandbox(netnsPath, sandboxSpecFromView(this.view, networkIds, dns));
        await this.meshReply.apply(netnsPath, meshReplySpecFromView(this.view, taskId));
      }
      this.logger.debug({ taskId, pid }, 'sandbox service discovery programmed');
    } finally {
      this.opening.delete(taskId);
    }
  }

  /** The task stopped: its sockets close (so its namespace can go) and its rules are forgotten. */
  taskStopped(taskId: string): void {
    const s = this.sandboxes.get(taskId);
    if (!s) return;
    this.sandboxes.delete(taskId);
    this.dns.unserve(taskId);
    this.lb.forgetSandbox(s.netnsPath);
    this.meshReply.forget(s.netnsPath);
  }

  /** VIPs load-balanced in the task sandboxes, summed over them (for metrics). */
  vipCount(): number {
    return this.lb.programmed().vips;
  }

  close(): void {
    for (const id of [...this.sandboxes.keys()]) this.taskStopped(id);
    this.dns.close();
  }
}
