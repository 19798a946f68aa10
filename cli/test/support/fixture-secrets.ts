// The /secrets and /configs part of the fixture server: an in-memory store with dockerd's
// routes, lookups (full ID, exact name, ID prefix), filters (id and name prefixes, exact
// names, labels) and messages. Not a recording: no dockerd was run for these; the seeded
// objects are written in dockerd's JSON shape, and the goldens that use them were printed
// by the real docker CLI against this server.
import { randomInt } from 'node:crypto';
import type { DockerConfig, DockerSecret } from '../../client/secret-config-types.js';

type Kind = 'secret' | 'config';
/** What the test server keeps: the object as listed plus its data (a secret's is never sent back). */
type Stored = (DockerSecret | DockerConfig) & { Spec: { Data?: string } };
export type FixtureReply = { status: number; json?: unknown };

const LIMITS: Record<Kind, number> = { secret: 500 * 1024, config: 1000 * 1024 };

function rfc3339Nano(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d+)Z$/, (_m, f: string) => `.${f.padEnd(9, '0')}Z`);
}

function newId(): string {
  const alphabet = '0123456789abcdefghijklmnopqrstuvwxyz';
  let id = '';
  for (let i = 0; i < 25; i++) id += alphabet.charAt(randomInt(alphabet.length));
  return id;
}

function seed(
  id: string,
  name: string,
  ageMs: number,
  baseMs: number,
  labels: Record<string, string>,
  data?: string,
): Stored {
  const at = rfc3339Nano(baseMs - ageMs);
  return {
    ID: id,
    Version: { Index: 40 },
    CreatedAt: at,
    UpdatedAt: at,
    Spec: {
      Name: name,
      Labels: labels,
      ...(data !== undefined ? { Data: Buffer.from(data).toString('base64') } : {}),
    },
  };
}

function filtersOf(query: URLSearchParams): Record<string, string[]> {
  const raw = query.get('filters');
  if (raw === null || raw === '') return {};
  const parsed = JSON.parse(raw) as Record<string, Record<string, boolean>>;
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(parsed)) out[k] = Object.keys(v);
  return out;
}

function labelMatches(labels: Record<string, string> | undefined, filter: string): boolean {
  const eq = filter.indexOf('=');
  if (eq < 0) return labels?.[filter] !== undefined;
  return labels?.[filter.slice(0, eq)] === filter.slice(eq + 1);
}

export class FixtureSwarmData {
  private readonly objects: Record<Kind, Stored[]>;
  private version = 100;

  /** Seeds two of each kind, created `recordedAtMs` minus a few minutes. */
  constructor(
    recordedAtMs: number,
    private readonly shiftMs: () => number,
  ) {
    this.objects = {
      secret: [
        seed('q7ssbxw1wp3hp7a7y5k8rkj2d', 'db_password', 300_000, recordedAtMs, { env: 'prod', tier: 'db' }),
        seed('5m1eggyb8ybw2o9pgq4ztqfcv', 'tls_key', 7_200_000, recordedAtMs, {}),
      ],
      config: [
        seed(
          'z3h0lyg8k2t3f6i1u9w2x4c5v',
          'nginx_conf',
          240_000,
          recordedAtMs,
          { app: 'web' },
          'server {\n  listen 80;\n}\n',
        ),
        seed('a8e4ry1m6wq0b5n2c7v9p3j1k', 'app_settings', 90_000, recordedAtMs, {}, 'debug=false\n'),
      ],
    };
  }

  private shifted(o: Stored, kind: Kind): Stored {
    const shift = (t: string): string => rfc3339Nano(Date.parse(t) + this.shiftMs());
    const spec = { ...o.Spec };
    if (kind === 'secret') delete spec.Data;
    return { ...o, CreatedAt: shift(o.CreatedAt), UpdatedAt: shift(o.UpdatedAt), Spec: spec };
  }

  private find(kind: Kind, ref: string): Stored | undefined {
    const all = this.objects[kind];
    const byId = all.find((o) => o.ID === ref) ?? all.find((o) => o.Spec.Name === ref);
    if (byId !== undefined) return byId;
    const prefixed = all.filter((o) => o.ID.startsWith(ref));
    return prefixed.length === 1 ? prefixed[0] : undefined;
  }

  /** The reply for a /secrets or /configs request, or undefined for any other path. */
  route(method: string, path: string, query: URLSearchParams, body: unknown): FixtureReply | undefined {
    const m = /^\/(secrets|configs)(?:\/([^/]+))?(\/update)?$/.exec(path);
    if (m === null) return undefined;
    const kind: Kind = m[1] === 'secrets' ? 'secret' : 'config';
    const ref = m[2] === undefined ? undefined : decodeURIComponent(m[2]);
    const all = this.objects[kind];
    if (method === 'GET' && ref === undefined) {
      const f = filtersOf(query);
      const list = all.filter(
        (o) =>
          (f['id'] === undefined || f['id'].some((p) => o.ID.startsWith(p))) &&
          (f['name'] === undefined || f['name'].some((p) => (o.Spec.Name ?? '').startsWith(p))) &&
          (f['names'] === undefined || f['names'].includes(o.Spec.Name ?? '')) &&
          (f['label'] === undefined || f['label'].every((l) => labelMatches(o.Spec.Labels, l))),
      );
      return { status: 200, json: list.map((o) => this.shifted(o, kind)) };
    }
    if (method === 'POST' && ref === 'create') return this.create(kind, body);
    if (ref === undefined) return { status: 404, json: { message: 'page not found' } };
    const found = this.find(kind, ref);
    if (found === undefined) return { status: 404, json: { message: `${kind} ${ref} not found` } };
    if (method === 'GET' && m[3] === undefined) return { status: 200, json: this.shifted(found, kind) };
    if (method === 'DELETE' && m[3] === undefined) {
      all.splice(all.indexOf(found), 1);
      return { status: 204 };
    }
    if (method === 'POST' && m[3] === '/update') {
      const spec = (body ?? {}) as Stored['Spec'];
      found.Spec = { ...found.Spec, Labels: spec.Labels ?? {} };
      found.Version = { Index: ++this.version };
      return { status: 200 };
    }
    return { status: 404, json: { message: 'page not found' } };
  }

  private create(kind: Kind, body: unknown): FixtureReply {
    const spec = (body ?? {}) as Stored['Spec'];
    const name = spec.Name ?? '';
    if (this.objects[kind].some((o) => o.Spec.Name === name)) {
      return {
        status: 409,
        json: { message: `rpc error: code = AlreadyExists desc = ${kind} ${name} already exists` },
      };
    }
    const size = Buffer.from(spec.Data ?? '', 'base64').length;
    if (!(kind === 'secret' && 'Driver' in spec) && (size === 0 || size >= LIMITS[kind])) {
      return {
        status: 400,
        json: {
          message: `rpc error: code = InvalidArgument desc = ${kind} data must be larger than 0 and less than ${LIMITS[kind]} bytes`,
        },
      };
    }
    const now = rfc3339Nano(Date.now() - this.shiftMs());
    const id = newId();
    this.objects[kind].push({
      ID: id,
      Version: { Index: ++this.version },
      CreatedAt: now,
      UpdatedAt: now,
      Spec: spec,
    });
    return { status: 201, json: { ID: id } };
  }
}
