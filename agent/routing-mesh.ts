// A node's published ports. The routing mesh: the node holds the ingress overlay (its bridge
// exists even with no task here) with its own ingress address on the bridge, and its nftables
// table `shoal_mesh` translates every ingress-mode published port to the service's tasks on the
// ingress network, wherever they run, round robin, masqueraded to that address so the answers
// come back through this node. Host mode: a port published by a task on this node leads to the
// task's own address on the bridge its default route leaves by (shoal's gateway bridge, or the
// engine's default bridge for a task on no overlay), and is bound only while such a task runs.
// Everything is done by the kernel; no packet passes through this process.

import type { Logger } from 'pino';
import type { HostCommands } from './network/overlay/host-commands.js';
import type { OverlayDataPlane } from './network/overlay/overlay-data-plane.js';
import { boundHostPorts, hostPortsFromView, nodeSpecFromView } from './network/lb/lb-from-view.js';
import { LbProgrammer } from './network/lb/lb-programmer.js';
import { Nft } from './network/lb/nft.js';
import { macOf, type NodeNetworkView, type PortView } from '../api/network/network-view.js';

export interface RoutingMeshOptions {
  readonly dataPlane: OverlayDataPlane;
  readonly commands: HostCommands;
  readonly logger: Logger;
  /** The node's network namespace (default: this process's own). */
  readonly netnsPath?: string;
}

export class RoutingMesh {
  private readonly lb: LbProgrammer;
  private readonly netnsPath: string;
  private readonly log: Logger;
  private view: NodeNetworkView | undefined;
  private ingressHeld: string | undefined;
  /** Running local tasks' addresses the node reaches them at (only tasks with host-mode ports). */
  private readonly taskAddresses = new Map<string, string>();

  constructor(private readonly o: RoutingMeshOptions) {
    this.log = o.logger.child({ component: 'routing-mesh' });
    this.lb = new LbProgrammer(new Nft(), { logger: this.log });
    this.netnsPath = o.netnsPath ?? `/proc/${process.pid}/ns/net`;
  }

  /** A new network view: the ingress sandbox follows it, then the node's published ports. */
  async apply(view: NodeNetworkView): Promise<void> {
    this.view = view;
    const ingress = view.networks.find((n) => n.ingress);
    const address = ingress && view.ingressAddress;
    if (ingress && address) {
      await this.o.dataPlane.holdNetwork(
        {
          id: ingress.networkId,
          vni: ingress.vni,
          ...(ingress.mtu === undefined ? {} : { mtu: ingress.mtu }),
          ...(ingress.dataPathPort === undefined ? {} : { port: ingress.dataPathPort }),
        },
        address,
        macOf(address),
      );
      this.ingressHeld = ingress.networkId;
    } else if (this.ingressHeld !== undefined) {
      await this.o.dataPlane.releaseNetwork(this.ingressHeld);
      this.ingressHeld = undefined;
    }
    const running = new Set(view.hostPorts?.map((h) => h.taskId));
    for (const id of this.taskAddresses.keys()) if (!running.has(id)) this.taskAddresses.delete(id);
    await this.program();
  }

  /**
   * A local task runs: if it publishes host-mode ports, find its address and bind them.
   * Resolves with the ports bound for it (none when it publishes none, or they could not be).
   */
  async taskRunning(taskId: string, pid: number): Promise<PortView[]> {
    const view = this.view;
    if (view === undefined || !view.hostPorts?.some((h) => h.taskId === taskId)) return [];
    if (!this.taskAddresses.has(taskId)) {
      const address = await this.outboundAddressOf(pid);
      if (address === undefined) {
        this.log.warn(
          { taskId },
          'task has host-mode ports but no default route, so they are not bound ' +
            '(a task on no network needs the engine’s default bridge; or attach it to an overlay)',
        );
        return [];
      }
      this.taskAddresses.set(taskId, address);
      await this.program();
    }
    return this.view === undefined ? [] : boundHostPorts(this.view, taskId);
  }

  /** A local task stopped: its host-mode ports are unbound. */
  async taskStopped(taskId: string): Promise<void> {
    if (!this.taskAddresses.delete(taskId)) return;
    await this.program();
  }

  /** Published ports programmed on this node, by mode (for metrics). */
  publishedPorts(): ReadonlyMap<string, number> {
    return this.lb.programmed().ports;
  }

  /** Leaving the swarm: the node's table and its ingress address go (the devices go with the overlay). */
  async teardown(): Promise<void> {
    await this.lb.removeNode(this.netnsPath);
    if (this.ingressHeld !== undefined) await this.o.dataPlane.releaseNetwork(this.ingressHeld);
    this.ingressHeld = undefined;
    this.view = undefined;
    this.taskAddresses.clear();
  }

  private async program(): Promise<void> {
    if (this.view === undefined) return;
    const hostPorts = hostPortsFromView(this.view, (id) => this.taskAddresses.get(id));
    const result = await this.lb.applyNode(this.netnsPath, nodeSpecFromView(this.view, hostPorts));
    if (result.mode !== 'unchanged') this.log.debug({ ...result }, 'published ports programmed');
  }

  /** The source address the task's traffic leaves by (its default route's), read in its namespace. */
  private async outboundAddressOf(pid: number): Promise<string | undefined> {
    const r = await this.o.commands.run(
      ['nsenter', `--net=/proc/${pid}/ns/net`, '--', 'ip', '-j', '-4', 'route', 'get', '192.0.2.1'],
      { allowFailure: true },
    );
    if (r.code !== 0) return undefined;
    const [route] = JSON.parse(r.stdout || '[]') as { prefsrc?: string }[];
    return route?.prefsrc;
  }
}
