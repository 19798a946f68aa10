// Prometheus metrics in the lab (issue 14): every host's shoald runs with
// --metrics-addr <its lab address>:9323; a manager and a worker form a swarm and run a service
// with a published port; a third lab host, outside the swarm, scrapes both over the lab
// network as a Prometheus server would, and the text is read with the strict parser. The
// manager shows Raft, store, scheduler, dispatcher, per-node tasks and API latencies; the
// worker only what it has (process, API, its data plane: overlays, peers, mesh ports).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { parsePromText, sampleValue, samplesOf, type Family } from '../../../api/test/prom-text.js';
import { ok } from '../cli-output.js';
import { ShoalLab, eventually } from '../shoal-lab.js';
import { HTTP_HOSTNAME_SERVER } from '../task-servers.js';

const MANAGER = 0;
const WORKER = 1;
const SCRAPER = 2;
const PORT = 9323;

let s: ShoalLab;

before(async () => {
  s = await ShoalLab.create('metrics', 3, {
    daemonArgs: (_h, addr) => ['--metrics-addr', `${addr}:${PORT}`],
  });
  await ok(s.docker(MANAGER, ['swarm', 'init', '--advertise-addr', s.addr(MANAGER)]));
  const token = (await ok(s.docker(MANAGER, ['swarm', 'join-token', '-q', 'worker']))).trim();
  await ok(s.docker(WORKER, ['swarm', 'join', '--token', token, `${s.addr(MANAGER)}:2377`]));
  await eventually('two ready nodes', async () => {
    const out = await ok(s.docker(MANAGER, ['node', 'ls']));
    return (out.match(/\bReady\b/g) ?? []).length === 2 ? true : undefined;
  });
});

after(async () => {
  await s?.destroy();
});

/** GET http://<host h>:9323<path> from the scraper host: status and body. */
async function get(h: number, path: string): Promise<{ status: number; body: string }> {
  const r = await s.lab.exec(
    SCRAPER,
    ['curl', '-s', '--max-time', '10', '-w', '\n%{http_code}', `http://${s.addr(h)}:${PORT}${path}`],
    { check: false },
  );
  const cut = r.stdout.lastIndexOf('\n');
  return { status: Number(r.stdout.slice(cut + 1)), body: r.stdout.slice(0, cut) };
}

async function scrape(h: number): Promise<Map<string, Family>> {
  const r = await get(h, '/metrics');
  assert.equal(r.status, 200, r.body);
  return parsePromText(r.body);
}

test('the manager and the worker each serve /metrics to a scraper on the lab network', async () => {
  await ok(
    s.docker(MANAGER, [
      'service',
      'create',
      '--name',
      'web',
      '--replicas',
      '2',
      '--publish',
      'published=8080,target=80',
      'shoal/busybox',
      'sh',
      '-c',
      HTTP_HOSTNAME_SERVER,
    ]),
  );
  await eventually('two web replicas running', async () => {
    const out = await ok(s.docker(MANAGER, ['service', 'ls', '--format', '{{.Replicas}}']));
    return out.trim() === '2/2' ? true : undefined;
  });

  // The manager: its Raft group, store, scheduler, dispatcher and the tasks on each node.
  const m = await eventually('the manager to show both running tasks', async () => {
    const fams = await scrape(MANAGER);
    const running = samplesOf(fams, 'shoal_node_tasks', { state: 'running' }).reduce(
      (a, x) => a + x.value,
      0,
    );
    return running === 2 ? fams : undefined;
  });
  assert.ok(sampleValue(m, 'shoal_raft_term') >= 1);
  assert.equal(sampleValue(m, 'shoal_raft_is_leader'), 1);
  assert.ok(sampleValue(m, 'shoal_raft_applied_index') > 1);
  assert.ok(sampleValue(m, 'shoal_raft_proposal_duration_seconds_count') > 0);
  assert.equal(sampleValue(m, 'shoal_store_objects', { kind: 'services' }), 1);
  assert.equal(sampleValue(m, 'shoal_store_objects', { kind: 'nodes' }), 2);
  assert.ok(sampleValue(m, 'shoal_scheduler_placements_total') >= 2);
  assert.equal(sampleValue(m, 'shoal_dispatcher_sessions'), 2);
  for (const h of [MANAGER, WORKER]) {
    const node = s.lab.host(h).name;
    assert.equal(sampleValue(m, 'shoal_node_tasks', { node, state: 'running' }), 1, `one replica on ${node}`);
  }
  assert.ok(
    sampleValue(m, 'shoal_api_request_duration_seconds_count', {
      method: 'POST',
      route: '/services/create',
      code: '201',
    }) >= 1,
  );
  assert.ok(sampleValue(m, 'process_resident_memory_bytes') > 0);
  assert.ok(sampleValue(m, 'shoal_overlay_networks') >= 1, 'the ingress network');
  assert.equal(sampleValue(m, 'shoal_mesh_published_ports', { mode: 'ingress' }), 1);

  // The worker: no manager metrics, its own data plane.
  const w = await scrape(WORKER);
  assert.equal(samplesOf(w, 'shoal_raft_term').length, 0, 'a worker has no Raft');
  assert.equal(samplesOf(w, 'shoal_store_objects').length, 0);
  assert.ok(sampleValue(w, 'process_resident_memory_bytes') > 0);
  assert.ok(sampleValue(w, 'shoal_overlay_networks') >= 1);
  assert.ok(sampleValue(w, 'shoal_overlay_peers') >= 1, "the manager's ingress endpoints");
  assert.equal(sampleValue(w, 'shoal_mesh_published_ports', { mode: 'ingress' }), 1);

  // Nothing but /metrics.
  assert.equal((await get(MANAGER, '/other')).status, 404);
  assert.equal((await get(WORKER, '/')).status, 404);
});
