// Which daemon the CLI talks to: `-H/--host`, else SHOAL_HOST, else DOCKER_HOST, else the
// local socket. Addresses are Docker's: unix:///path or tcp://host[:port] (TLS for tcp).
import { InvalidHostError } from './errors.js';

export const DEFAULT_HOST = 'unix:///run/shoal/shoal.sock';

export type DaemonEndpoint =
  | { readonly kind: 'unix'; readonly socketPath: string; readonly url: string }
  | {
      readonly kind: 'tcp';
      readonly host: string;
      readonly port: number;
      readonly url: string;
    };

export interface HostSources {
  readonly flag?: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** The address the user asked for, before parsing. */
export function chooseHost(sources: HostSources): string {
  const candidates = [sources.flag, sources.env['SHOAL_HOST'], sources.env['DOCKER_HOST']];
  for (const c of candidates) {
    if (c !== undefined && c.trim() !== '') return c.trim();
  }
  return DEFAULT_HOST;
}

/** Parses a Docker-style daemon address. `tls` picks the default tcp port (2376 vs 2375). */
export function parseHost(raw: string, tls = false): DaemonEndpoint {
  const value = raw.trim();
  if (value.startsWith('unix://')) {
    const socketPath = value.slice('unix://'.length);
    if (socketPath === '' || !socketPath.startsWith('/')) throw new InvalidHostError(raw);
    return { kind: 'unix', socketPath, url: value };
  }
  if (value.startsWith('/')) return { kind: 'unix', socketPath: value, url: `unix://${value}` };
  let rest: string;
  if (value.startsWith('tcp://')) rest = value.slice('tcp://'.length);
  else if (!value.includes('://')) rest = value;
  else throw new InvalidHostError(raw);
  rest = rest.replace(/\/+$/, '');
  if (rest.includes('/')) throw new InvalidHostError(raw);
  const defaultPort = tls ? 2376 : 2375;
  let host: string;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d*))?$/.exec(rest);
  if (bracketed) {
    host = bracketed[1] ?? '';
    portText = bracketed[2];
  } else {
    const idx = rest.lastIndexOf(':');
    if (idx >= 0 && rest.indexOf(':') === idx) {
      host = rest.slice(0, idx);
      portText = rest.slice(idx + 1);
    } else if (idx >= 0) {
      throw new InvalidHostError(raw);
    } else {
      host = rest;
    }
  }
  if (host === '') host = '127.0.0.1';
  let port = defaultPort;
  if (portText !== undefined && portText !== '') {
    if (!/^\d+$/.test(portText)) throw new InvalidHostError(raw);
    port = Number(portText);
    if (port < 1 || port > 65535) throw new InvalidHostError(raw);
  }
  const shown = host.includes(':') ? `[${host}]` : host;
  return { kind: 'tcp', host, port, url: `tcp://${shown}:${port}` };
}
