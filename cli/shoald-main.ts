// shoald's body (cli/shoald.ts loads it once the heap is set up): parse, start, wait.

import { Command } from 'commander';
import { ConfigError, readConfigFile, resolveConfig, type DaemonConfig } from '../daemon/config.js';
import { Daemon } from '../daemon/daemon.js';
import { DataRootError, restrictUmask } from '../daemon/data-root.js';
import { StartRefusedError } from '../daemon/storage-fault.js';
import { SHOAL_VERSION } from '../daemon/version.js';

interface Flags {
  config?: string;
  dataRoot?: string;
  host?: string;
  engine?: string;
  listenAddr?: string;
  advertiseAddr?: string;
  logLevel?: string;
  metricsAddr?: string;
  hostname?: string;
  dashboardAddr?: string;
}

async function main(): Promise<void> {
  // First of all: nothing shoald writes (keys, the Raft log, stores) is readable by others.
  restrictUmask();
  const program = new Command()
    .name('shoald')
    .description(
      'shoal node daemon: runs tasks on the local Docker Engine, and the control plane on managers',
    )
    .version(SHOAL_VERSION)
    .option('--config <file>', 'JSON config file (keys as the flags: "data-root", "host", …)')
    .option('--data-root <dir>', 'where the node keeps its state (default /var/lib/shoal)')
    .option('-H, --host <url>', 'API endpoint, unix://PATH (default unix:///run/shoal/shoal.sock)')
    .option('--engine <url>', 'Docker Engine endpoint, unix://PATH (default unix:///var/run/docker.sock)')
    .option('--listen-addr <addr>', 'default cluster listen address (default 0.0.0.0:2377)')
    .option('--advertise-addr <addr>', 'default address advertised to the swarm')
    .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent (default warn)')
    .option('--metrics-addr <addr>', 'serve Prometheus metrics on HOST:PORT at /metrics (default off)')
    .option('--hostname <name>', "hostname to report for this node (default: the engine's)")
    .option(
      '--dashboard-addr <addr>',
      'HOST:PORT to serve the live dashboard on while a manager (default off)',
    )
    .parse();
  const f = program.opts<Flags>();
  const fromFile = f.config ? await readConfigFile(f.config) : {};
  const fromFlags: Partial<DaemonConfig> = {
    ...(f.dataRoot !== undefined ? { dataRoot: f.dataRoot } : {}),
    ...(f.host !== undefined ? { host: f.host } : {}),
    ...(f.engine !== undefined ? { engine: f.engine } : {}),
    ...(f.listenAddr !== undefined ? { listenAddr: f.listenAddr } : {}),
    ...(f.advertiseAddr !== undefined ? { advertiseAddr: f.advertiseAddr } : {}),
    ...(f.logLevel !== undefined ? { logLevel: f.logLevel as DaemonConfig['logLevel'] } : {}),
    ...(f.dashboardAddr !== undefined ? { dashboardAddr: f.dashboardAddr } : {}),
    ...(f.metricsAddr !== undefined ? { metricsAddr: f.metricsAddr } : {}),
  };
  const config = resolveConfig(fromFile, fromFlags);
  const daemon = await Daemon.start({ config, ...(f.hostname ? { hostname: f.hostname } : {}) });
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    daemon.logger.info({ signal }, 'shutting down');
    daemon.close().then(
      () => process.exit(0),
      (e: unknown) => {
        daemon.logger.error({ err: e }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

export function runShoald(): void {
  main().catch(failed);
}

function failed(e: unknown): void {
  const msg =
    e instanceof ConfigError || e instanceof DataRootError || e instanceof StartRefusedError
      ? e.message
      : e instanceof Error
        ? (e.stack ?? e.message)
        : String(e);
  process.stderr.write(`shoald: ${msg}\n`);
  process.exit(e instanceof StartRefusedError ? e.exitCode : 1);
}
