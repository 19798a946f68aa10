// --dashboard-addr at daemon start: checked once (a clear error instead of a manager that
// later logs it could not listen), and a note on a node that is not a manager. The address is
// handed to every manager the node starts (config.ts: dashboardOption), so the dashboard
// follows the node's role: it listens while the node is a manager (after init, join,
// promotion) and stops with the manager (demotion, leave).

import { createServer } from 'node:net';
import type { Logger } from 'pino';
import { ConfigError, parseListenAddr, type DaemonConfig } from './config.js';

/** Listens on the address for a moment: a host that is not this machine's, or a taken port, fails here. */
export async function checkDashboardAddr(c: DaemonConfig): Promise<void> {
  if (c.dashboardAddr === '') return;
  const { host, port } = parseListenAddr(c.dashboardAddr, '--dashboard-addr');
  await new Promise<void>((resolve, reject) => {
    const s = createServer();
    s.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        new ConfigError(`--dashboard-addr ${c.dashboardAddr}: cannot listen there (${e.code ?? e.message})`),
      ),
    );
    s.listen(port, host, () => s.close(() => resolve()));
  });
}

/** Says once, on a node that is not a manager, why the dashboard is not listening. */
export function noteDashboardRole(c: DaemonConfig, isManager: boolean, logger: Logger): void {
  if (c.dashboardAddr === '' || isManager) return;
  logger.info(
    { dashboardAddr: c.dashboardAddr },
    'the dashboard runs on managers: this node is not one, so it does not listen (it will once the node is a manager)',
  );
}
