// Prometheus metrics end to end over loopback (issue 14): a real manager (mutual TLS, Raft on
// LevelDB, the swarm objects `swarm init` writes) composed with the daemon's metrics as shoald
// composes them, the Docker API over TCP with its latency hook, and a real agent session (no
// engine: this test plays the worker and reports its task running). A service is created
// through the API, /metrics is scraped over HTTP and read with a strict parser, and concrete
// values are checked. Then shoald itself: --metrics-addr on (process metrics, no manager
// metrics outside a swarm, 404 elsewhere), off (no listener), and an address in use (a clear
// startup error).

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { pino } from 'pino';
import { AgentSession } from '../../agent/session/index.js';
import type { NodeDescription } from '../../api/objects/index.js';
import { parsePromText, sampleValue, samplesOf, type Family } from '../../api/test/prom-text.js';
import { NODE_CHANNEL_OPTIONS, nodeChannelCredentials } from '../../ca/tls-credentials.js';
import { ConfigError, resolveConfig } from '../../daemon/config.js';
import { Daemon } from '../../daemon/daemon.js';
import { DaemonMetrics } from '../../daemon/metrics.js';
import { startMetricsServer } from '../../daemon/metrics-server.js';
import { NodeSwarmControl, type SwarmNodeView } from '../../daemon/node-swarm-control.js';
import { newSwarmIdentity } from '../../daemon/swarm-identity.js';
import { serveForwarded } from '../../manager/engineapi/serve-forwarded.js';
import { createApiServer, listenApiServer } from '../../manager/engineapi/server.js';
import { Manager } from '../../manager/manager.js';
import { createSwarmObjects } from '../../manager/swarm-init-objects.js';
import { freePort } from '../../manager/test/secured-manager.js';

const logger = pino({ level: process.env['SHOAL_TEST_LOG'] ?? 'silent' });
const cleanup: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => undefined);
});

async function until(cond: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** GET /metrics: the status, content type, and (on 200) the exposition read strictly. */
async function scrape(base: string): Promise<{ type: string | null; families: Map<string, Family> }> {
  const res = await fetch(`${base}/metrics`);
  assert.equal(res.status, 200);
  return { type: res.headers.get('content-type'), families: parsePromText(await res.text()) };
}

const DESCRIPTION: NodeDescription = {
  hostname: 'metrics-node',
  platform: { architecture: 'x86_64', os: 'linux' },
  resources: { nanoCPUs: 2e9, memoryBytes: 2 ** 31, generic: [] },
  engine: { engineVersion: '28.0.0', labels: {}, plugins: [] },
};

test('a manager with metrics on: Raft, store, scheduler, dispatcher, node tasks and API latency scraped over HTTP', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'shoal-metrics-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  const addr = `127.0.0.1:${await freePort()}`;
  const id = await newSwarmIdentity(addr, addr);
  const metrics = new DaemonMetrics(() => undefined);

  // As SwarmNode.init: a new one-manager swarm, with the daemon's manager metrics.
  const served: { api?: Parameters<typeof serveForwarded>[0] } = {};
  const manager = await Manager.start({
    raftId: id.state.raftId!,
    dataDir: join(dir, 'swarm'),
    listenAddr: addr,
    advertiseAddr: addr,
    credentials: id.creds,
    raft: { bootstrap: true },
    runApiRequest: (req) => serveForwarded(served.api!, req),
    logger,
    tickMs: 20,
    metrics: metrics.manager,
  });
  cleanup.push(() => manager.close());
  await until(() => manager.replicated.raft.isLeader(), 'the manager to lead');
  await manager.store.update((tx) =>
    createSwarmObjects(tx, {
      clusterId: id.clusterId,
      ca: id.ca,
      manager: {
        nodeId: id.nodeId,
        addr: '127.0.0.1',
        raftId: id.state.raftId!,
        advertiseAddr: addr,
        certPem: id.certPem,
        csrPem: id.key.csrPem,
      },
    }),
  );

  // The Docker API as shoald serves it (over TCP here), with the latency hook.
  const refuse = (): Promise<never> => Promise.reject(new Error('not in this test'));
  const view: SwarmNodeView = {
    nodeState: 'active',
    error: '',
    state: id.state,
    credentials: id.creds,
    manager,
    agent: undefined,
    init: refuse,
    join: refuse,
    leave: refuse,
    unlock: refuse,
  };
  const api = createApiServer({
    control: new NodeSwarmControl(view, join(dir, 'no-engine.sock')),
    build: { version: '0.1.0-test' },
    requestDurations: metrics.requestDurations,
  });
  served.api = api;
  cleanup.push(() => api.close());
  const listening = await listenApiServer(api, { tcp: { host: '127.0.0.1', port: 0 } });
  cleanup.push(() => listening.close());
  const apiBase = `http://127.0.0.1:${listening.tcp!.port}`;

  const server = await startMetricsServer('127.0.0.1:0', metrics, logger);
  cleanup.push(() => server.close());
  const base = `http://127.0.0.1:${server.address.port}`;

  // The node's agent session (the worker's part played here: assigned tasks report running).
  const running = new Set<string>();
  const session: AgentSession = new AgentSession({
    managers: [addr],
    credentials: nodeChannelCredentials(id.creds),
    channelOptions: NODE_CHANNEL_OPTIONS,
    nodeDescription: DESCRIPTION,
    onAssignments: (change) => {
      const now = new Date().toISOString();
      const starts = change.updated.filter((t) => t.desiredState === 'running' && !running.has(t.id));
      for (const t of starts) running.add(t.id);
      if (starts.length > 0)
        session.reportStatus(
          starts.map((t) => ({
            taskId: t.id,
            status: { timestamp: now, state: 'running', message: 'started' },
          })),
        );
    },
    logger,
  });
  session.start();
  cleanup.push(() => session.stop());
  await until(
    () => manager.store.view((tx) => tx.get('nodes', id.nodeId)?.status.state === 'ready'),
    'the node to register',
  );

  const created = await fetch(`${apiBase}/v1.41/services/create`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      Name: 'web',
      TaskTemplate: { ContainerSpec: { Image: 'shoal/busybox:latest', Args: ['sleep', '1000'] } },
      Mode: { Replicated: { Replicas: 1 } },
    }),
  });
  assert.equal(created.status, 201, await created.clone().text());
  const { ID: serviceId } = (await created.json()) as { ID: string };
  assert.equal((await fetch(`${apiBase}/services/${serviceId}`)).status, 200);
  assert.equal((await fetch(`${apiBase}/services/nosuchservice`)).status, 404);
  assert.equal((await fetch(`${apiBase}/no/such/route`)).status, 404);
  await until(
    () =>
      manager.store.view((tx) =>
        tx.find('tasks', 'serviceId', serviceId).some((t) => t.status.state === 'running'),
      ),
    'the task to run',
  );

  const { type, families: m } = await scrape(base);
  assert.equal(type, metrics.registry.contentType);
  assert.ok(sampleValue(m, 'shoal_raft_term') >= 1);
  assert.equal(sampleValue(m, 'shoal_raft_is_leader'), 1);
  assert.ok(sampleValue(m, 'shoal_raft_commit_index') >= sampleValue(m, 'shoal_raft_applied_index'));
  assert.ok(sampleValue(m, 'shoal_raft_applied_index') > 1);
  assert.equal(sampleValue(m, 'shoal_raft_leader_changes_total'), 1, 'its own election');
  assert.ok(sampleValue(m, 'shoal_raft_snapshot_size_bytes') > 0, 'the bootstrap snapshot');
  assert.ok(sampleValue(m, 'shoal_raft_proposal_duration_seconds_count') > 0);
  assert.equal(sampleValue(m, 'shoal_store_objects', { kind: 'services' }), 1);
  assert.equal(sampleValue(m, 'shoal_store_objects', { kind: 'nodes' }), 1);
  assert.equal(sampleValue(m, 'shoal_store_objects', { kind: 'clusters' }), 1);
  assert.equal(sampleValue(m, 'shoal_store_objects', { kind: 'networks' }), 1, 'ingress');
  assert.ok(sampleValue(m, 'shoal_scheduler_placements_total') > 0);
  assert.equal(sampleValue(m, 'shoal_scheduler_pending_tasks', { reason: 'resources' }), 0);
  assert.equal(sampleValue(m, 'shoal_dispatcher_sessions'), 1);
  assert.equal(sampleValue(m, 'shoal_dispatcher_heartbeats_missed_total'), 0);
  assert.equal(
    sampleValue(m, 'shoal_node_tasks', { node: 'metrics-node', node_id: id.nodeId, state: 'running' }),
    1,
  );
  assert.equal(sampleValue(m, 'shoal_node_tasks', { node: 'metrics-node', state: 'failed' }), 0);
  const api201 = { method: 'POST', route: '/services/create', code: '201' };
  assert.equal(sampleValue(m, 'shoal_api_request_duration_seconds_count', api201), 1);
  assert.ok(sampleValue(m, 'shoal_api_request_duration_seconds_sum', api201) > 0);
  assert.equal(
    sampleValue(m, 'shoal_api_request_duration_seconds_count', { route: '/services/:id', code: '200' }),
    1,
    'the route pattern, never the URL',
  );
  assert.equal(
    sampleValue(m, 'shoal_api_request_duration_seconds_count', { route: '/services/:id', code: '404' }),
    1,
  );
  assert.equal(
    sampleValue(m, 'shoal_api_request_duration_seconds_count', { route: 'unmatched', code: '404' }),
    1,
  );
  assert.equal(
    samplesOf(m, 'shoal_api_request_duration_seconds_count').filter((s) =>
      s.labels['route']!.includes(serviceId),
    ).length,
    0,
  );
  assert.ok(sampleValue(m, 'process_resident_memory_bytes') > 0);
  assert.ok(samplesOf(m, 'nodejs_heap_size_used_bytes').length === 1);
  // No agent in this process: the data-plane gauges read 0.
  assert.equal(sampleValue(m, 'shoal_overlay_networks'), 0);

  const other = await fetch(`${base}/other`);
  assert.equal(other.status, 404);
  assert.equal((await fetch(`${base}/metrics`, { method: 'POST' })).status, 405);
});

test('shoald: --metrics-addr serves /metrics and nothing else; off without it; an address in use stops the start', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'shoal-metricsd-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  const settings = (name: string, metricsAddr?: string) =>
    resolveConfig({
      dataRoot: join(dir, name),
      host: `unix://${join(dir, `${name}.sock`)}`,
      engine: `unix://${join(dir, 'no-engine.sock')}`,
      ...(metricsAddr === undefined ? {} : { metricsAddr }),
    });

  const port = await freePort();
  const on = await Daemon.start({ config: settings('on', `127.0.0.1:${port}`), logger });
  try {
    assert.equal(on.metrics?.address.port, port);
    const { families: m } = await scrape(`http://127.0.0.1:${port}`);
    assert.ok(sampleValue(m, 'process_resident_memory_bytes') > 0);
    assert.equal(samplesOf(m, 'shoal_raft_term').length, 0, 'not in a swarm: no manager metrics');
    assert.equal(samplesOf(m, 'shoal_store_objects').length, 0);
    assert.ok(m.has('shoal_api_request_duration_seconds'));
    assert.equal((await fetch(`http://127.0.0.1:${port}/other`)).status, 404);
    assert.equal((await fetch(`http://127.0.0.1:${port}/`)).status, 404);
  } finally {
    await on.close();
  }

  const off = await Daemon.start({ config: settings('off'), logger });
  try {
    assert.equal(off.metrics, undefined);
    await assert.rejects(fetch(`http://127.0.0.1:${port}/metrics`), 'nothing listens once the flag is off');
  } finally {
    await off.close();
  }

  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  cleanup.push(() => new Promise((resolve) => taken.close(resolve)));
  const busy = (taken.address() as { port: number }).port;
  await assert.rejects(
    Daemon.start({ config: settings('busy', `127.0.0.1:${busy}`), logger }),
    (e: unknown) =>
      e instanceof ConfigError && /--metrics-addr 127\.0\.0\.1:\d+: cannot listen there/.test(e.message),
  );
});
