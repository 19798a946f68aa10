// shoald's settings: defaults, then a JSON config file, then command-line flags (each later
// source overrides the earlier). Validated once, with messages that name the bad setting.

import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export interface DaemonConfig {
  /** Where the node keeps its state: Raft log, certificates, the agent's task database. */
  readonly dataRoot: string;
  /** The API endpoint for `shoal` and `docker`: unix://PATH (tcp:// only with TLS, not yet). */
  readonly host: string;
  /** The local Docker Engine: unix://PATH. */
  readonly engine: string;
  /** Default listen address for the cluster port when `swarm init/join` does not give one. */
  readonly listenAddr: string;
  /** Default advertise address (host or host:port); empty means "choose at init/join". */
  readonly advertiseAddr: string;
  readonly logLevel: LogLevel;
  /** HOST:PORT the dashboard is served on while this node is a manager; empty: off. */
  readonly dashboardAddr: string;
  /** HOST:PORT to serve Prometheus metrics on (GET /metrics); empty: no metrics listener. */
  readonly metricsAddr: string;
}

export const DEFAULT_CONFIG: DaemonConfig = {
  dataRoot: '/var/lib/shoal',
  host: 'unix:///run/shoal/shoal.sock',
  engine: 'unix:///var/run/docker.sock',
  listenAddr: '0.0.0.0:2377',
  advertiseAddr: '',
  logLevel: 'warn',
  dashboardAddr: '',
  metricsAddr: '',
};

export class ConfigError extends Error {
  readonly code = 'CONFIG';
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const KEYS: Readonly<Record<string, keyof DaemonConfig>> = {
  'data-root': 'dataRoot',
  dataRoot: 'dataRoot',
  host: 'host',
  engine: 'engine',
  'listen-addr': 'listenAddr',
  listenAddr: 'listenAddr',
  'advertise-addr': 'advertiseAddr',
  advertiseAddr: 'advertiseAddr',
  'log-level': 'logLevel',
  logLevel: 'logLevel',
  'dashboard-addr': 'dashboardAddr',
  dashboardAddr: 'dashboardAddr',
  'metrics-addr': 'metricsAddr',
  metricsAddr: 'metricsAddr',
};

/** Reads a JSON config file (keys as the flags: "data-root", "host", … or camelCase). */
export async function readConfigFile(path: string): Promise<Partial<DaemonConfig>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e: unknown) {
    throw new ConfigError(`cannot read config file ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e: unknown) {
    throw new ConfigError(
      `config file ${path} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`config file ${path} must hold a JSON object`);
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed)) {
    const key = KEYS[k];
    if (!key)
      throw new ConfigError(
        `config file ${path}: unknown setting "${k}" (known: ${Object.keys(KEYS)
          .filter((x) => x.includes('-') || x === 'host' || x === 'engine')
          .join(', ')})`,
      );
    if (typeof v !== 'string') throw new ConfigError(`config file ${path}: "${k}" must be a string`);
    out[key] = v;
  }
  return out;
}

/** Merges sources (later wins) and validates the result. */
export function resolveConfig(...sources: Partial<DaemonConfig>[]): DaemonConfig {
  const c: DaemonConfig = Object.assign({}, DEFAULT_CONFIG, ...sources.map(definedOnly)) as DaemonConfig;
  if (!c.host.startsWith('unix://')) {
    throw new ConfigError(
      `--host ${c.host}: only unix:// sockets are served (tcp:// needs TLS client certificates, not yet supported)`,
    );
  }
  if (!c.engine.startsWith('unix://')) throw new ConfigError(`--engine ${c.engine}: expected unix://PATH`);
  if (!LOG_LEVELS.includes(c.logLevel)) {
    throw new ConfigError(`--log-level ${String(c.logLevel)}: expected one of ${LOG_LEVELS.join(', ')}`);
  }
  parseHostPort(c.listenAddr, 2377, '--listen-addr');
  if (c.metricsAddr !== '') parseMetricsAddr(c.metricsAddr);
  if (c.dataRoot === '') throw new ConfigError('--data-root must not be empty');
  if (c.dashboardAddr !== '') parseListenAddr(c.dashboardAddr, '--dashboard-addr');
  return c;
}

function definedOnly(o: Partial<DaemonConfig>): Partial<DaemonConfig> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/** Splits "host:port" (or "host", or "[v6]:port") with a default port; throws ConfigError. */
export function parseHostPort(
  addr: string,
  defaultPort: number,
  what: string,
): { host: string; port: number } {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(addr) ?? /^([^:]+)(?::(\d+))?$/.exec(addr);
  if (!m || !m[1]) throw new ConfigError(`${what} ${addr}: expected HOST or HOST:PORT`);
  const port = m[2] === undefined ? defaultPort : Number(m[2]);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new ConfigError(`${what} ${addr}: invalid port`);
  return { host: m[1], port };
}

/** "HOST:PORT" (or "[v6]:PORT") to listen on, the port required (1-65535); throws ConfigError. */
export function parseListenAddr(addr: string, what: string): { host: string; port: number } {
  const expected = `${what} ${addr}: expected HOST:PORT with a port from 1 to 65535 (e.g. 0.0.0.0:8080)`;
  if (!/:\d{1,5}$/.test(addr)) throw new ConfigError(expected);
  const { host, port } = parseHostPort(addr, 0, what);
  if (port < 1) throw new ConfigError(expected);
  return { host, port };
}

/**
 * The manager option for the dashboard ({} when off): every manager this node starts serves
 * it, so it follows the node's role.
 */
export function dashboardOption(c: DaemonConfig): { dashboard?: { host: string; port: number } } {
  return c.dashboardAddr === '' ? {} : { dashboard: parseListenAddr(c.dashboardAddr, '--dashboard-addr') };
}

/** `--metrics-addr`: HOST:PORT, the port given (as dockerd's flag of that name). */
export function parseMetricsAddr(addr: string): { host: string; port: number } {
  if (!/:\d+$/.test(addr))
    throw new ConfigError(`--metrics-addr ${addr}: expected HOST:PORT, e.g. 127.0.0.1:9323`);
  const hp = parseHostPort(addr, 0, '--metrics-addr');
  if (isIP(hp.host) === 0 && !/^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})$/.test(hp.host))
    throw new ConfigError(`--metrics-addr ${addr}: ${hp.host} is neither an IP address nor a host name`);
  return hp;
}

export function socketPath(url: string): string {
  return url.replace(/^unix:\/\//, '');
}
