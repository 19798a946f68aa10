// One node of the idle-RSS bench, in its own process. It first sets up the heap and loads what
// shoald loads at start (daemon/daemon.js and all it imports eagerly), then only what its role
// needs, as shoald does once it knows the node's role: a manager (manager-role.ts) or a worker
// (worker-role.ts).
//
// Usage: node node-process.js --dir DIR --role manager|worker [--manager ADDR --token TOKEN]

import { mkdir } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { holdYoungGeneration } from '../../daemon/young-generation.js';
import type { IdleNodeMessage, IdleNodeRequest } from './protocol.js';

function send(m: IdleNodeMessage): void {
  process.send?.(m);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      dir: { type: 'string' },
      role: { type: 'string' },
      manager: { type: 'string' },
      token: { type: 'string' },
    },
  });
  const { dir, role } = values;
  if (dir === undefined || (role !== 'manager' && role !== 'worker'))
    throw new Error('usage: node-process --dir DIR --role manager|worker [--manager ADDR --token TOKEN]');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // As cli/shoald.ts: the young generation is held before the daemon's modules load.
  holdYoungGeneration();
  // What shoald holds before it knows its role.
  await import('../../daemon/daemon.js');
  const { pino } = await import('pino');
  const logger = pino({ level: process.env['SHOAL_IDLE_LOG'] ?? 'error' });
  let running;
  if (role === 'manager') {
    const { freePort } = await import('../../manager/test/secured-manager.js');
    const { runManager } = await import('./manager-role.js');
    running = await runManager(dir, `127.0.0.1:${await freePort()}`, logger);
  } else {
    const { manager, token } = values;
    if (manager === undefined || token === undefined) throw new Error('a worker needs --manager and --token');
    const { runWorker } = await import('./worker-role.js');
    running = await runWorker(dir, manager, token, logger);
  }
  send({
    type: 'ready',
    ...(running.addr !== undefined ? { addr: running.addr } : {}),
    ...(running.workerToken !== undefined ? { workerToken: running.workerToken } : {}),
  });
  process.on('message', (raw: unknown) => {
    if ((raw as IdleNodeRequest).type === 'stop') void running.stop().finally(() => process.exit(0));
  });
}

main().catch((e: unknown) => {
  send({ type: 'failed', error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  process.exit(1);
});
