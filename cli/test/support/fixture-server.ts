// A small Docker-API server on a unix socket that answers with responses recorded from a real
// dockerd (see fixtures.ts). Task and service times are shifted by `shiftMs` so a recording
// can be replayed "as if now". Requests are kept for assertions.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DockerService, DockerTask } from '../../client/types.js';
import { FixtureSwarmData } from './fixture-secrets.js';
import { cluster, exchanges, logsLogger, recordedAtMs } from './fixtures.js';

export interface SeenRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
}

type Reply = { status: number; json?: unknown; raw?: Buffer; contentType?: string };

function shiftTime(value: string, shiftMs: number): string {
  const t = Date.parse(value);
  if (Number.isNaN(t)) return value;
  const frac = /\.(\d+)Z$/.exec(value)?.[1] ?? '';
  const shifted = new Date(t + shiftMs).toISOString().replace(/\.\d+Z$/, '');
  return `${shifted}.${frac.padEnd(9, '0')}Z`;
}

function shiftService(s: DockerService, shiftMs: number): DockerService {
  const u = s.UpdateStatus;
  return {
    ...s,
    CreatedAt: shiftTime(s.CreatedAt, shiftMs),
    UpdatedAt: shiftTime(s.UpdatedAt, shiftMs),
    ...(u !== undefined
      ? {
          UpdateStatus: {
            ...u,
            ...(u.StartedAt !== undefined ? { StartedAt: shiftTime(u.StartedAt, shiftMs) } : {}),
            ...(u.CompletedAt !== undefined ? { CompletedAt: shiftTime(u.CompletedAt, shiftMs) } : {}),
          },
        }
      : {}),
  };
}

function shiftTask(t: DockerTask, shiftMs: number): DockerTask {
  return {
    ...t,
    CreatedAt: shiftTime(t.CreatedAt, shiftMs),
    UpdatedAt: shiftTime(t.UpdatedAt, shiftMs),
    Status: { ...t.Status, Timestamp: shiftTime(t.Status.Timestamp, shiftMs) },
  };
}

function filtersOf(query: URLSearchParams): Record<string, string[]> {
  const raw = query.get('filters');
  if (raw === null || raw === '') return {};
  const parsed = JSON.parse(raw) as Record<string, Record<string, boolean> | string[]>;
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(parsed)) out[k] = Array.isArray(v) ? v : Object.keys(v);
  return out;
}

export class FixtureServer {
  readonly requests: SeenRequest[] = [];
  /** Route overrides: "METHOD /path" (without the version prefix) -> reply. */
  readonly overrides = new Map<string, Reply>();
  private server: http.Server | undefined;
  private shift = 0;
  /** Secrets and configs: an in-memory store seeded beside the recording (fixture-secrets.ts). */
  readonly swarmData = new FixtureSwarmData(recordedAtMs, () => this.shift);

  /** Replays the recording as if it were made `ms` later (whole seconds, to keep fractions). */
  set shiftMs(ms: number) {
    // Rounded down: replayed ages only grow (by under a second), never cross a boundary back.
    this.shift = Math.floor(ms / 1000) * 1000;
  }

  get shiftMs(): number {
    return this.shift;
  }

  constructor(readonly socketPath: string) {}

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://fixture');
        const path = url.pathname.replace(/^\/v\d+\.\d+/, '');
        const text = Buffer.concat(chunks).toString('utf8');
        const body: unknown = text === '' ? undefined : JSON.parse(text);
        const method = req.method ?? 'GET';
        this.requests.push({ method, path, query: url.searchParams, body });
        const reply: Reply =
          this.overrides.get(`${method} ${path}`) ??
          this.swarmData.route(method, path, url.searchParams, body) ??
          this.route(method, path, url.searchParams);
        const headers: Record<string, string> = {
          'Api-Version': '1.41',
          'Content-Type': reply.contentType ?? 'application/json',
        };
        res.writeHead(reply.status, headers);
        if (reply.raw !== undefined) res.end(reply.raw);
        else res.end(reply.json === undefined ? '' : `${JSON.stringify(reply.json)}\n`);
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(this.socketPath, resolve));
  }

  async stop(): Promise<void> {
    const s = this.server;
    if (s === undefined) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  address(): string | AddressInfo | null {
    return this.server?.address() ?? null;
  }

  private services(): DockerService[] {
    return cluster.responses['/services?status=true'].body.map((x) => shiftService(x, this.shift));
  }

  private findService(ref: string): DockerService | undefined {
    const all = this.services();
    const s =
      all.find((x) => x.ID === ref) ??
      all.find((x) => x.Spec.Name === ref) ??
      all.find((x) => x.ID.startsWith(ref));
    if (s === undefined) return undefined;
    const full = cluster.servicesWithDefaults[s.Spec.Name ?? ''];
    return full === undefined ? s : shiftService(full, this.shift);
  }

  private route(method: string, path: string, query: URLSearchParams): Reply {
    const r = cluster.responses;
    const notFound = (what: string, ref: string): Reply => ({
      status: 404,
      json: { message: `${what} ${ref} not found` },
    });
    if (path === '/_ping')
      return { status: 200, raw: Buffer.from('OK'), contentType: 'text/plain; charset=utf-8' };
    if (method === 'GET' && path === '/version') return { status: 200, json: r['/version'].body };
    if (method === 'GET' && path === '/info') return { status: 200, json: r['/info'].body };
    if (method === 'GET' && path === '/swarm') return { status: 200, json: r['/swarm'].body };
    if (method === 'GET' && path === '/swarm/unlockkey') return { status: 200, json: { UnlockKey: '' } };
    if (method === 'GET' && path === '/nodes') {
      const f = filtersOf(query);
      const role = f['role'];
      return {
        status: 200,
        json: r['/nodes'].body.filter(
          (n) => role === undefined || (n.Spec.Role !== undefined && role.includes(n.Spec.Role)),
        ),
      };
    }
    let m = /^\/nodes\/([^/]+)$/.exec(path);
    if (m !== null && method === 'GET') {
      const ref = decodeURIComponent(m[1] ?? '');
      const n = r['/nodes'].body.find(
        (x) => x.ID === ref || x.Description?.Hostname === ref || x.ID.startsWith(ref),
      );
      return n === undefined ? notFound('node', ref) : { status: 200, json: n };
    }
    if (method === 'GET' && path === '/services') {
      const f = filtersOf(query);
      let list = this.services();
      if (f['id'] !== undefined) list = list.filter((s) => (f['id'] ?? []).some((id) => s.ID.startsWith(id)));
      if (f['name'] !== undefined)
        list = list.filter((s) => (f['name'] ?? []).some((n) => (s.Spec.Name ?? '').startsWith(n)));
      if (query.get('status') !== 'true') list = list.map(({ ServiceStatus: _omit, ...rest }) => rest);
      return { status: 200, json: list };
    }
    m = /^\/services\/([^/]+)\/logs$/.exec(path);
    if (m !== null && method === 'GET') {
      const ref = decodeURIComponent(m[1] ?? '');
      if (this.findService(ref)?.Spec.Name !== 'logger') return notFound('service', ref);
      return {
        status: 200,
        raw: Buffer.from(logsLogger.bodyBase64, 'base64'),
        contentType: 'application/vnd.docker.raw-stream',
      };
    }
    m = /^\/services\/([^/]+)(\/update)?$/.exec(path);
    if (m !== null) {
      const ref = decodeURIComponent(m[1] ?? '');
      const s = this.findService(ref);
      if (method === 'GET') return s === undefined ? notFound('service', ref) : { status: 200, json: s };
      if (method === 'DELETE') {
        return s === undefined
          ? { status: 404, json: exchanges['serviceRemoveMissing']?.body }
          : { status: 200 };
      }
      if (method === 'POST' && m[2] === '/update') {
        return s === undefined
          ? notFound('service', ref)
          : { status: 200, json: exchanges['serviceScale']?.body };
      }
    }
    if (method === 'POST' && path === '/services/create')
      return { status: 201, json: exchanges['serviceCreateMinimal']?.body };
    if (method === 'GET' && path === '/tasks') {
      const f = filtersOf(query);
      const tasks = r['/tasks'].body.filter(
        (t) =>
          (f['service'] === undefined || (f['service'] ?? []).includes(t.ServiceID)) &&
          (f['node'] === undefined || (f['node'] ?? []).includes(t.NodeID ?? '')) &&
          (f['desired-state'] === undefined || (f['desired-state'] ?? []).includes(t.DesiredState)) &&
          (f['_up-to-date'] === undefined || t.DesiredState === 'running' || t.DesiredState === 'complete'),
      );
      return { status: 200, json: tasks.map((t) => shiftTask(t, this.shiftMs)) };
    }
    m = /^\/tasks\/([^/]+)$/.exec(path);
    if (m !== null && method === 'GET') {
      const ref = decodeURIComponent(m[1] ?? '');
      const t = r['/tasks'].body.find((x) => x.ID === ref);
      return t === undefined ? notFound('task', ref) : { status: 200, json: shiftTask(t, this.shiftMs) };
    }
    return { status: 404, json: { message: `page not found` } };
  }
}
