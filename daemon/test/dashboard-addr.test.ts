// --dashboard-addr: off by default, from a flag or the config file, HOST:PORT required, and an
// address this machine cannot listen on is a clear error at start.

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, DEFAULT_CONFIG, dashboardOption, readConfigFile, resolveConfig } from '../config.js';
import { checkDashboardAddr } from '../dashboard-addr.js';

test('the dashboard is off unless asked for; the config file and the flag set it', async () => {
  assert.equal(DEFAULT_CONFIG.dashboardAddr, '');
  assert.deepEqual(dashboardOption(resolveConfig()), {});
  const dir = await mkdtemp(join(tmpdir(), 'shoal-dash-config-'));
  try {
    const file = join(dir, 'shoald.json');
    await writeFile(file, JSON.stringify({ 'dashboard-addr': '0.0.0.0:8090' }));
    const c = resolveConfig(await readConfigFile(file));
    assert.equal(c.dashboardAddr, '0.0.0.0:8090');
    assert.deepEqual(dashboardOption(c), { dashboard: { host: '0.0.0.0', port: 8090 } });
    const flagWins = resolveConfig(await readConfigFile(file), { dashboardAddr: '[::1]:9000' });
    assert.deepEqual(dashboardOption(flagWins), { dashboard: { host: '::1', port: 9000 } });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a dashboard address without a usable port is refused with what to write', () => {
  for (const bad of ['0.0.0.0', 'localhost:', ':8080', '10.0.0.1:0', '10.0.0.1:70000', 'a:b:c']) {
    assert.throws(
      () => resolveConfig({ dashboardAddr: bad }),
      (e: unknown) => e instanceof ConfigError && e.message.startsWith(`--dashboard-addr ${bad}:`),
      bad,
    );
  }
});

test('an address that cannot be listened on fails at start, naming it', async () => {
  const taken = createServer();
  await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
  const a = taken.address();
  const port = typeof a === 'object' && a !== null ? a.port : 0;
  try {
    await assert.rejects(
      checkDashboardAddr(resolveConfig({ dashboardAddr: `127.0.0.1:${port}` })),
      (e: unknown) => e instanceof ConfigError && /cannot listen there \(EADDRINUSE\)/.test(e.message),
    );
  } finally {
    await new Promise((r) => taken.close(r));
  }
  await checkDashboardAddr(resolveConfig({ dashboardAddr: `127.0.0.1:${port}` }));
});
