// Brings every short syntax of a compose document to its long form, so files merge entry by
// entry and translation reads one shape: ports, volumes, secrets/configs, networks, ulimits,
// environment/labels as maps, command/entrypoint as word lists, extra_hosts as a list.
import { splitShellWords } from '../commands/service-spec/shell-words.js';
import { ComposeError } from './errors.js';
import type { SourcePositions } from './positions.js';
import { isObj, listOrDict, num, obj, str, strList, stringMap, type Obj } from './values.js';

export interface Located {
  readonly file: string;
  readonly positions: SourcePositions;
}

function fail(where: Located, path: (string | number)[], msg: string): never {
  throw new ComposeError(where.file, where.positions.lineOf(path), msg);
}

/** "8080:80/udp", "127.0.0.1:8080:80", "9000-9001:90-91", "80" as port entries. */
export function parseShortPort(spec: string): Obj[] {
  const [main = '', protocol = 'tcp'] = spec.split('/');
  const parts = main.split(':');
  const target = parts.at(-1) ?? '';
  const published = parts.length >= 2 ? (parts.at(-2) ?? '') : '';
  const range = (s: string): [number, number] => {
    const m = /^(\d+)(?:-(\d+))?$/.exec(s);
    if (m === null) throw new Error(`invalid port ${JSON.stringify(spec)}`);
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (lo < 1 || hi > 65535 || hi < lo) throw new Error(`invalid port ${JSON.stringify(spec)}`);
    return [lo, hi];
  };
  const [tLo, tHi] = range(target);
  const pub = published === '' ? undefined : range(published);
  if (pub !== undefined && pub[1] - pub[0] !== tHi - tLo)
    throw new Error(`invalid port ${JSON.stringify(spec)}: published and target ranges differ in size`);
  if (!['tcp', 'udp', 'sctp'].includes(protocol))
    throw new Error(`invalid port ${JSON.stringify(spec)}: unknown protocol ${protocol}`);
  const out: Obj[] = [];
  for (let i = 0; i <= tHi - tLo; i++) {
    out.push({
      mode: 'ingress',
      target: tLo + i,
      ...(pub !== undefined ? { published: pub[0] + i } : {}),
      protocol,
    });
  }
  return out;
}

function ports(v: unknown, where: Located, path: (string | number)[]): Obj[] {
  if (!Array.isArray(v)) return [];
  return v.flatMap((p: unknown, i): Obj[] => {
    if (isObj(p)) {
      return [{ mode: str(p['mode']) ?? 'ingress', protocol: str(p['protocol']) ?? 'tcp', ...p }];
    }
    try {
      return parseShortPort(str(p) ?? '');
    } catch (e: unknown) {
      return fail(
        where,
        [...path, i],
        `${path.join('.')}.${i}: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  });
}

function isPathLike(s: string): boolean {
  return s.startsWith('/') || s.startsWith('.') || s.startsWith('~');
}

function volumes(v: unknown, where: Located, path: (string | number)[]): Obj[] {
  if (!Array.isArray(v)) return [];
  return v.map((m: unknown, i): Obj => {
    if (isObj(m)) return m;
    const parts = (str(m) ?? '').split(':');
    if (parts.length === 1) return { type: 'volume', target: parts[0] };
    if (parts.length > 3 || parts[0] === '' || parts[1] === '')
      fail(where, [...path, i], `${path.join('.')}.${i}: invalid volume spec ${JSON.stringify(m)}`);
    const [source = '', target = '', mode = ''] = parts;
    const opts = mode.split(',');
    const type = isPathLike(source) ? 'bind' : 'volume';
    const out: Obj = { type, source, target, read_only: opts.includes('ro') };
    const propagation = opts.find((o) => /^r?(shared|slave|private)$/.test(o));
    if (type === 'bind' && propagation !== undefined) out['bind'] = { propagation };
    if (type === 'volume' && opts.includes('nocopy')) out['volume'] = { nocopy: true };
    return out;
  });
}

function fileRefs(v: unknown): Obj[] {
  if (!Array.isArray(v)) return [];
  return v.map((r: unknown): Obj => (isObj(r) ? r : { source: str(r) ?? '' }));
}

function networks(v: unknown): Record<string, Obj | null> {
  if (Array.isArray(v)) return Object.fromEntries(v.map((n: unknown) => [str(n) ?? '', null]));
  const out: Record<string, Obj | null> = {};
  for (const [k, x] of Object.entries(obj(v))) out[k] = isObj(x) ? x : null;
  return out;
}

function ulimits(v: unknown): Record<string, Obj> {
  const out: Record<string, Obj> = {};
  for (const [k, x] of Object.entries(obj(v))) {
    const n = num(x);
    out[k] = n !== undefined ? { soft: n, hard: n } : obj(x);
  }
  return out;
}

function words(v: unknown): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) return strList(v);
  return splitShellWords(str(v) ?? '');
}

function extraHosts(v: unknown): string[] {
  if (isObj(v)) return Object.entries(v).map(([h, ip]) => `${h}:${str(ip) ?? ''}`);
  return strList(v);
}

function service(raw: Obj, where: Located, path: (string | number)[]): Obj {
  const s: Obj = { ...raw };
  const set = (k: string, v: unknown): void => {
    if (raw[k] !== undefined) s[k] = v;
  };
  set('environment', listOrDict(raw['environment']));
  set('env_file', strList(raw['env_file']));
  set('labels', stringMap(raw['labels']));
  set('sysctls', stringMap(raw['sysctls']));
  set('ports', ports(raw['ports'], where, [...path, 'ports']));
  set('volumes', volumes(raw['volumes'], where, [...path, 'volumes']));
  set('secrets', fileRefs(raw['secrets']));
  set('configs', fileRefs(raw['configs']));
  set('networks', networks(raw['networks']));
  set('ulimits', ulimits(raw['ulimits']));
  set('command', words(raw['command']));
  set('entrypoint', words(raw['entrypoint']));
  set('extra_hosts', extraHosts(raw['extra_hosts']));
  set('dns', strList(raw['dns']));
  set('dns_search', strList(raw['dns_search']));
  if (isObj(raw['healthcheck'])) {
    const hc = { ...raw['healthcheck'] };
    if (typeof hc['test'] === 'string') hc['test'] = ['CMD-SHELL', hc['test']];
    s['healthcheck'] = hc;
  }
  if (isObj(raw['logging'])) {
    s['logging'] = { ...raw['logging'], options: stringMap(raw['logging']['options']) };
  }
  if (isObj(raw['deploy'])) {
    const d = { ...raw['deploy'] };
    if (d['labels'] !== undefined) d['labels'] = stringMap(d['labels']);
    s['deploy'] = d;
  }
  return s;
}

function topLevel(v: unknown): Record<string, Obj> {
  const out: Record<string, Obj> = {};
  for (const [k, x] of Object.entries(obj(v))) {
    const o = { ...obj(x) };
    if (o['labels'] !== undefined) o['labels'] = stringMap(o['labels']);
    out[k] = o;
  }
  return out;
}

/** A compose document in long form (still plain JSON, now in one shape per key). */
export interface NormalizedCompose {
  services: Record<string, Obj>;
  networks: Record<string, Obj>;
  volumes: Record<string, Obj>;
  secrets: Record<string, Obj>;
  configs: Record<string, Obj>;
}

export function normalizeCompose(doc: unknown, where: Located): NormalizedCompose {
  const d = obj(doc);
  const services: Record<string, Obj> = {};
  for (const [name, raw] of Object.entries(obj(d['services'])))
    services[name] = service(obj(raw), where, ['services', name]);
  return {
    services,
    networks: topLevel(d['networks']),
    volumes: topLevel(d['volumes']),
    secrets: topLevel(d['secrets']),
    configs: topLevel(d['configs']),
  };
}
