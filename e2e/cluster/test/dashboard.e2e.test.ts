// The dashboard in the lab: a 3-node swarm (shoald and dockerd on each host) whose manager runs
// with `--dashboard-addr 0.0.0.0:8090`. Headless chromium, started inside the manager's host
// (its network namespace, so it reaches the host's address as a browser on the LAN would),
// opens the page: it lists the three nodes; a service created with 2 replicas shows 2 running
// tasks, and `docker service scale web=4` shows 4 without a reload. The screenshot is kept in
// test-artifacts/dashboard-lab.png (docs/dashboard.png in the README comes from it).

import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CHROMIUM, DashboardPage } from '../../../manager/dashboard/test/dashboard-page.js';
import { ok, rows } from '../cli-output.js';
import { ShoalLab, eventually } from '../shoal-lab.js';

const DASHBOARD_PORT = 8090;
let s: ShoalLab;
let scratch: string;

before(async () => {
  s = await ShoalLab.create('dashboard', 3, {
    daemonArgs: (h) => (h === 0 ? ['--dashboard-addr', `0.0.0.0:${DASHBOARD_PORT}`] : []),
  });
  scratch = await mkdtemp(join(tmpdir(), 'shoal-dashboard-e2e-'));
});

after(async () => {
  await s?.destroy();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** A chromium that runs in host h's network namespace (puppeteer talks to it over a pipe). */
async function chromiumInHost(h: number): Promise<string> {
  const path = join(scratch, `chromium-in-host${h}.sh`);
  const netns = s.lab.host(h).netnsPath;
  await writeFile(path, `#!/bin/sh\nexec nsenter --net=${netns} -- ${CHROMIUM} "$@"\n`);
  await chmod(path, 0o755);
  return path;
}

test('the dashboard shows the lab swarm and follows a scale from 2 to 4 without a reload', async () => {
  await ok(s.docker(0, ['swarm', 'init', '--advertise-addr', s.addr(0)]));
  const token = (await ok(s.docker(0, ['swarm', 'join-token', '-q', 'worker']))).trim();
  for (const h of [1, 2]) await ok(s.docker(h, ['swarm', 'join', '--token', token, `${s.addr(0)}:2377`]));
  await eventually('three ready nodes', async () => {
    const r = rows(await ok(s.docker(0, ['node', 'ls'])));
    return r.filter((x) => x.includes('Ready')).length === 3 ? true : undefined;
  });

  // The browser runs inside the manager's host: it reaches the host's address as one on the LAN.
  const url = `http://${s.addr(0)}:${DASHBOARD_PORT}/`;
  const inHost = await DashboardPage.open(url, { executablePath: await chromiumInHost(0) });
  try {
    await inHost.waitFor(`document.body.dataset.conn === 'live'`, 'the event stream to be live');
    await inHost.waitFor(
      `Array.from(document.querySelectorAll('#nodes tbody tr')).filter((r) => r.textContent.includes('ready')).length === 3`,
      'the three lab nodes, ready',
      60_000,
    );
    assert.deepEqual([...(await inHost.texts('#nodes tbody tr td:first-child'))].sort(), [
      'node1',
      'node2',
      'node3',
    ]);

    await ok(
      s.docker(0, [
        'service',
        'create',
        '--name',
        'web',
        '--replicas',
        '2',
        'shoal/busybox',
        'sleep',
        '100000',
      ]),
    );
    const id = (await ok(s.docker(0, ['service', 'inspect', '--format', '{{.ID}}', 'web']))).trim();
    await inHost.waitFor(
      `document.querySelectorAll(${JSON.stringify(DashboardPage.taskCells(id, 'running'))}).length === 2`,
      'two running tasks of web',
      90_000,
    );
    await ok(s.docker(0, ['service', 'scale', '--detach', 'web=4']));
    await inHost.waitFor(
      `document.querySelectorAll(${JSON.stringify(DashboardPage.taskCells(id, 'running'))}).length === 4`,
      'four running tasks of web',
      90_000,
    );
    assert.equal(inHost.reloads, 0, 'the page was never reloaded');
    assert.deepEqual(await inHost.texts(`#services tbody tr[data-service="${id}"] td:nth-child(3)`), ['4/4']);
    const shot = await inHost.screenshot('dashboard-lab.png');
    assert.ok(shot.endsWith('test-artifacts/dashboard-lab.png'));
    assert.deepEqual(inHost.errors, [], 'no page errors');
  } finally {
    await inHost.close();
  }
});
