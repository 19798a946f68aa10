// The dashboard in a real browser against a real manager: Manager.start over loopback (mutual
// TLS, Raft on LevelDB, the leader loops) with the dashboard on, three real agent sessions on
// the null executor (the manager's own node and two workers), and the Docker API as shoald
// serves it. Headless chromium opens the page: the three nodes are listed; a service created
// with 2 replicas shows 2 running task cells; a scale to 4 shows 4 without a reload. The
// screenshot is kept in test-artifacts/dashboard.png. Also over real HTTP: the CSP and other
// headers, read-only, and the cap on event streams.

import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { certifiedNode } from '../../ca/test/support/pki-fixtures.js';
import { ensureIngressNetwork } from '../../manager/allocator/ingress.js';
import { DashboardPage } from '../../manager/dashboard/test/dashboard-page.js';
import { CONTENT_SECURITY_POLICY } from '../../manager/dashboard/server.js';
import { createApiServer } from '../../manager/engineapi/server.js';
import {
  memberNode,
  SECURED_CLUSTER_ID,
  SELF_NODE_ID,
  startSecuredManager,
  type SecuredManager,
} from '../../manager/test/secured-manager.js';
import type { SwarmMembership } from '../../daemon/node-state.js';
import { NodeSwarmControl, type SwarmNodeView } from '../../daemon/node-swarm-control.js';
import { startNullAgent, type NullAgent } from './null-agent.js';

const logger = pino({ level: process.env['SHOAL_TEST_LOG'] ?? 'silent' });
const WORKERS = ['worker-1', 'worker-2'];

let m: SecuredManager;
let api: FastifyInstance;
let base: string;
const agents: NullAgent[] = [];

before(async () => {
  m = await startSecuredManager({ dashboard: { host: '127.0.0.1', port: 0 } });
  const dashboard = m.manager.dashboard;
  assert.ok(dashboard, 'the manager serves the dashboard');
  base = `http://127.0.0.1:${dashboard.port}`;
  await m.manager.store.update((tx) => {
    ensureIngressNetwork(tx);
    for (const id of WORKERS) tx.create('nodes', memberNode(id, 'worker', 'worker'));
  });
  const self = await certifiedNode(m.ca, 'manager', { nodeId: SELF_NODE_ID, clusterId: SECURED_CLUSTER_ID });
  agents.push(await startNullAgent(m.target, self, 'manager-1', logger));
  for (const id of WORKERS) {
    const creds = await certifiedNode(m.ca, 'worker', { nodeId: id, clusterId: SECURED_CLUSTER_ID });
    agents.push(await startNullAgent(m.target, creds, id, logger));
  }
  // The Docker API over this manager, as shoald wires it (no engine: service writes need none).
  const state: SwarmMembership = {
    version: 1,
    nodeId: SELF_NODE_ID,
    clusterId: SECURED_CLUSTER_ID,
    role: 'manager',
    raftId: 1,
    listenAddr: m.target,
    advertiseAddr: m.target,
    managers: [],
  };
  const refuse = (): Promise<never> => Promise.reject(new Error('not in this test'));
  const node: SwarmNodeView = {
    nodeState: 'active',
    error: '',
    state,
    credentials: self,
    manager: m.manager,
    agent: undefined,
    init: refuse,
    join: refuse,
    leave: refuse,
    unlock: refuse,
  };
  api = createApiServer({
    control: new NodeSwarmControl(node, '/nonexistent/engine.sock'),
    build: { version: '0.1.0-test' },
  });
  await api.ready();
});

after(async () => {
  await api?.close();
  for (const a of agents) await a.close().catch(() => undefined);
  await m?.close();
});

async function docker(method: 'GET' | 'POST', url: string, body?: unknown): Promise<unknown> {
  const res = await api.inject({
    method,
    url: `/v1.41${url}`,
    ...(body !== undefined
      ? { payload: JSON.stringify(body), headers: { 'content-type': 'application/json' } }
      : {}),
  });
  assert.ok(res.statusCode < 300, `${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.body === '' ? undefined : (JSON.parse(res.body) as unknown);
}

const SPEC = {
  Name: 'web',
  TaskTemplate: { ContainerSpec: { Image: 'shoal/busybox:latest', Args: ['httpd', '-f'] } },
  Mode: { Replicated: { Replicas: 2 } },
  EndpointSpec: { Ports: [{ Protocol: 'tcp', TargetPort: 80, PublishedPort: 8080 }] },
};

test('the page lists the nodes, shows 2 running tasks, then 4 after a scale, without a reload', async () => {
  const page = await DashboardPage.open(`${base}/`);
  try {
    assert.equal(page.csp, CONTENT_SECURITY_POLICY);
    await page.waitFor(`document.body.dataset.conn === 'live'`, 'the event stream to be live');
    await page.waitFor(
      `document.querySelectorAll('#nodes tbody tr').length === 3 && ` +
        `Array.from(document.querySelectorAll('#nodes tbody tr')).every((r) => r.textContent.includes('ready'))`,
      'the three nodes, ready',
    );
    const hosts = await page.texts('#nodes tbody tr td:first-child');
    assert.deepEqual([...hosts].sort(), ['manager-1', 'worker-1', 'worker-2']);
    assert.ok(
      (await page.texts('#nodes tbody tr')).some((r) => r.includes('manager-1') && r.includes('Leader')),
      'the leader is marked',
    );

    const created = (await docker('POST', '/services/create', SPEC)) as { ID: string };
    const id = created.ID;
    await page.waitFor(
      `document.querySelectorAll(${JSON.stringify(DashboardPage.taskCells(id, 'running'))}).length === 2`,
      'two running task cells',
    );
    assert.deepEqual(await page.texts(`#services tbody tr[data-service="${id}"] td`), [
      'web',
      'replicated',
      '2/2',
      'shoal/busybox:latest',
      '8080:80/tcp',
    ]);

    // Selecting the service shows its recent events (from the manager's ring, then live).
    await page.page.click(`#services tbody tr[data-service="${id}"]`);
    await page.waitFor(`!document.getElementById('events-section').hidden`, 'the events section');
    await page.waitFor(
      `Array.from(document.querySelectorAll('#events li')).some((li) => li.textContent.includes('created: replicated, 2 replicas'))`,
      'the creation event',
    );

    const svc = (await docker('GET', `/services/${id}`)) as { Version: { Index: number }; Spec: unknown };
    await docker('POST', `/services/${id}/update?version=${svc.Version.Index}`, {
      ...SPEC,
      Mode: { Replicated: { Replicas: 4 } },
    });
    await page.waitFor(
      `document.querySelectorAll(${JSON.stringify(DashboardPage.taskCells(id, 'running'))}).length === 4`,
      'four running task cells',
    );
    await page.waitFor(
      `Array.from(document.querySelectorAll('#events li')).some((li) => li.textContent.includes('scaled from 2 to 4'))`,
      'the scale event, live',
    );
    assert.equal(page.reloads, 0, 'the page was never reloaded');
    // The grid places the tasks on the nodes that run them: every node has one at least.
    const cells = await page.page.evaluate(
      `Array.from(document.querySelectorAll('#grid .task[data-state="running"]'), (e) => e.dataset.node)`,
    );
    assert.ok(Array.isArray(cells));
    assert.equal(new Set(cells).size, 3, `tasks spread over the three nodes: ${JSON.stringify(cells)}`);
    const shot = await page.screenshot('dashboard.png');
    assert.ok(shot.endsWith('test-artifacts/dashboard.png'));
    assert.deepEqual(page.errors, [], 'no page errors (a CSP refusal would be one)');
  } finally {
    await page.close();
  }
});

function get(
  path: string,
  method = 'GET',
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('read-only, restrictive headers, JSON state and a service events route', async () => {
  const page = await get('/');
  assert.equal(page.status, 200);
  assert.equal(page.headers['content-security-policy'], CONTENT_SECURITY_POLICY);
  assert.equal(page.headers['x-content-type-options'], 'nosniff');
  assert.match(String(page.headers['content-type']), /^text\/html/);
  assert.equal((await get('/api/state', 'POST')).status, 405);
  assert.equal((await get('/api/nothing')).status, 404);
  assert.equal((await get('/api/services/..%2f..%2fetc/events')).status, 404);
  const state = JSON.parse((await get('/api/state')).body) as { index: number; nodes: unknown[] };
  assert.ok(state.index > 0);
  assert.equal(state.nodes.length, 3);
  const events = JSON.parse((await get('/api/services/nosuchservice/events')).body) as { events: unknown[] };
  assert.deepEqual(events.events, []);
});

test('event streams are capped: the one past the cap gets 503', async () => {
  const hub = m.manager.dashboard!.hub;
  const open: (() => void)[] = [];
  try {
    while (hub.clientCount < hub.maxClients) {
      await new Promise<void>((resolve, reject) => {
        const req = request(`${base}/api/events`, (res) => {
          assert.equal(res.statusCode, 200);
          assert.match(String(res.headers['content-type']), /^text\/event-stream/);
          open.push(() => req.destroy());
          res.once('data', () => resolve());
        });
        req.on('error', reject);
        req.end();
      });
    }
    const refused = await get('/api/events');
    assert.equal(refused.status, 503);
    assert.match(refused.body, /too many dashboard streams/);
  } finally {
    for (const close of open) close();
  }
});
