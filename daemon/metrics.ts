// A node's Prometheus metrics: one registry per daemon (never prom-client's global default, so
// several daemons or managers in one test process never share or collide), holding the
// process's own metrics (process_*, nodejs_*), the API's request latencies, the agent's data
// plane counts, and, once this node runs a manager, the manager's (manager/metrics/).

import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import type { AgentNetworkCounts } from '../agent/agent.js';
import { registerAgentMetrics } from '../agent/metrics.js';
import type { RequestDurations } from '../manager/engineapi/request-metrics.js';
import { ManagerMetrics } from '../manager/metrics/manager-metrics.js';

/** API latencies: most answers are local reads (ms); writes wait for Raft; forwards cross the network. */
const API_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class DaemonMetrics {
  readonly registry = new Registry();
  readonly manager: ManagerMetrics;
  readonly requestDurations: RequestDurations;

  /** `agentCounts` reads the agent running now (none: undefined). */
  constructor(agentCounts: () => AgentNetworkCounts | undefined) {
    collectDefaultMetrics({ register: this.registry });
    this.requestDurations = new Histogram({
      name: 'shoal_api_request_duration_seconds',
      help: 'Docker API requests served by this node, by method, route pattern and status code',
      labelNames: ['method', 'route', 'code'],
      buckets: API_BUCKETS,
      registers: [this.registry],
    });
    registerAgentMetrics(this.registry, agentCounts);
    this.manager = new ManagerMetrics(this.registry);
  }

  /** The exposition text of every metric, and its content type. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
