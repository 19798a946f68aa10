// Merges compose files given with several -c, later over earlier, as the docker CLI does:
// top-level networks/volumes/secrets/configs replace whole entries by name; a service present
// in both is merged field by field: maps merge (later keys win), lists append, scalars are
// replaced, except ports (deduplicated, ordered by published port), secrets and configs (one
// per source), volumes (one per target), command/entrypoint (replaced), logging (options
// merged when the driver is the same, else replaced), ulimits (replaced per name) and a
// network's aliases (replaced).
import type { NormalizedCompose } from './normalize.js';
import { isObj, num, str, type Obj } from './values.js';

function deepMerge(base: unknown, over: unknown): unknown {
  if (over === undefined || over === null) return base;
  if (Array.isArray(base) && Array.isArray(over)) return [...(base as unknown[]), ...(over as unknown[])];
  if (isObj(base) && isObj(over)) {
    const out: Obj = { ...base };
    for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
    return out;
  }
  return over;
}

function byKey(
  base: unknown,
  over: unknown,
  key: (o: Obj) => string,
  order: (a: Obj, b: Obj) => number,
): Obj[] {
  const m = new Map<string, Obj>();
  for (const list of [base, over]) {
    if (!Array.isArray(list)) continue;
    for (const item of list) if (isObj(item)) m.set(key(item), item);
  }
  return [...m.values()].sort(order);
}

const compareStr = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function portKey(p: Obj): string {
  return JSON.stringify(
    Object.keys(p)
      .sort()
      .map((k) => [k, p[k]]),
  );
}

function mergeService(base: Obj, over: Obj): Obj {
  const out: Obj = {};
  for (const k of new Set([...Object.keys(base), ...Object.keys(over)])) {
    const b = base[k];
    const o = over[k];
    if (o === undefined) {
      out[k] = b;
      continue;
    }
    if (b === undefined) {
      out[k] = o;
      continue;
    }
    switch (k) {
      case 'ports':
        out[k] = byKey(b, o, portKey, (x, y) => (num(x['published']) ?? 0) - (num(y['published']) ?? 0));
        break;
      case 'secrets':
      case 'configs':
        out[k] = byKey(
          b,
          o,
          (x) => str(x['source']) ?? '',
          (x, y) => compareStr(str(x['source']) ?? '', str(y['source']) ?? ''),
        );
        break;
      case 'volumes':
        out[k] = byKey(
          b,
          o,
          (x) => str(x['target']) ?? '',
          (x, y) => compareStr(str(x['target']) ?? '', str(y['target']) ?? ''),
        );
        break;
      case 'command':
      case 'entrypoint':
        out[k] = Array.isArray(o) && o.length === 0 ? b : o;
        break;
      case 'logging':
        out[k] = mergeLogging(b, o);
        break;
      case 'ulimits':
        out[k] = isObj(b) && isObj(o) ? { ...b, ...o } : o;
        break;
      case 'networks':
        out[k] = mergeNetworks(b, o);
        break;
      default:
        out[k] = deepMerge(b, o);
    }
  }
  return out;
}

function mergeLogging(b: unknown, o: unknown): unknown {
  if (!isObj(b) || !isObj(o)) return o;
  const bd = str(b['driver']) ?? '';
  const od = str(o['driver']) ?? '';
  if (bd !== od && bd !== '' && od !== '') return o;
  const driver = od !== '' ? od : bd;
  return {
    ...(driver !== '' ? { driver } : {}),
    options: { ...(isObj(b['options']) ? b['options'] : {}), ...(isObj(o['options']) ? o['options'] : {}) },
  };
}

function mergeNetworks(b: unknown, o: unknown): unknown {
  if (!isObj(b) || !isObj(o)) return o;
  const out: Obj = { ...b };
  for (const [name, cfg] of Object.entries(o)) {
    const prev = b[name];
    out[name] = isObj(prev) && isObj(cfg) ? { ...prev, ...cfg } : (cfg ?? prev ?? null);
  }
  return out;
}

export function mergeCompose(files: readonly NormalizedCompose[]): NormalizedCompose {
  const [first, ...rest] = files;
  if (first === undefined) return { services: {}, networks: {}, volumes: {}, secrets: {}, configs: {} };
  const out: NormalizedCompose = {
    services: { ...first.services },
    networks: { ...first.networks },
    volumes: { ...first.volumes },
    secrets: { ...first.secrets },
    configs: { ...first.configs },
  };
  for (const f of rest) {
    for (const [name, svc] of Object.entries(f.services)) {
      const prev = out.services[name];
      out.services[name] = prev === undefined ? svc : mergeService(prev, svc);
    }
    Object.assign(out.networks, f.networks);
    Object.assign(out.volumes, f.volumes);
    Object.assign(out.secrets, f.secrets);
    Object.assign(out.configs, f.configs);
  }
  return out;
}
