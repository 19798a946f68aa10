// The agent's Prometheus metrics: what its data plane holds, read at scrape time from the
// agent running now (the daemon replaces it on a role change or a certificate renewal, so
// nothing is kept here between scrapes). A node without overlay networking shows none.

import { Gauge, type Registry } from 'prom-client';
import type { AgentNetworkCounts } from './agent.js';

/** Registers the agent's gauges in `registry`; `current` gives the counts of the agent now. */
export function registerAgentMetrics(
  registry: Registry,
  current: () => AgentNetworkCounts | undefined,
): void {
  const registers = [registry];
  const value = (name: string, help: string, read: (c: AgentNetworkCounts) => number): void => {
    const g: Gauge = new Gauge({
      name,
      help,
      registers,
      collect: () => {
        g.reset();
        const c = current();
        if (c !== undefined) g.set(read(c));
      },
    });
  };
  value('shoal_overlay_networks', 'Overlay networks programmed on this node', (c) => c.networks);
  value(
    'shoal_overlay_peers',
    'Remote endpoints in the overlay forwarding tables (FDB entries) of this node',
    (c) => c.peers,
  );
  value('shoal_lb_vip_rules', 'Service VIPs load-balanced in the task sandboxes on this node', (c) => c.vips);
  const ports: Gauge = new Gauge({
    name: 'shoal_mesh_published_ports',
    help: 'Published ports programmed on this node, by mode (ingress: routing mesh; host)',
    labelNames: ['mode'],
    registers,
    collect: () => {
      ports.reset();
      const c = current();
      if (c === undefined) return;
      for (const mode of ['ingress', 'host']) ports.set({ mode }, c.publishedPorts.get(mode) ?? 0);
      for (const [mode, n] of c.publishedPorts) ports.set({ mode }, n);
    },
  });
}
