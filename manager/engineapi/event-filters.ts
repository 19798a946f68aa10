// Docker's /events filters and time bounds (since/until as unix seconds with an optional
// fraction, RFC 3339 dates, or Go durations before now).

import { invalidParameter } from './errors.js';
import { filterValues, type Filters } from './filters.js';
import type { DockerEvent } from './translate/event.js';

export const EVENT_FILTERS = [
  'config',
  'container',
  'daemon',
  'event',
  'image',
  'label',
  'network',
  'node',
  'plugin',
  'scope',
  'secret',
  'service',
  'type',
  'volume',
];

const UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** A since/until value as nanoseconds since the epoch. */
export function parseEventTime(value: string, now: Date, what: string): number {
  const unix = /^(\d+)(?:\.(\d{1,9}))?$/.exec(value);
  if (unix !== null) return Number(unix[1]) * 1e9 + Number((unix[2] ?? '').padEnd(9, '0'));
  const duration = /^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/.test(value);
  if (duration) {
    let ns = 0;
    for (const m of value.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g))
      ns += Number(m[1]) * UNIT_NS[m[2]!]!;
    return now.getTime() * 1e6 - ns;
  }
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw invalidParameter(`invalid value for ${what}: ${value}`);
  return ms * 1e6;
}

/** Whether an event passes the filters (a filter on another type's objects excludes it). */
export function eventMatches(event: DockerEvent, filters: Filters): boolean {
  const types = filterValues(filters, 'type');
  if (types.length > 0 ? !types.includes(event.Type) : event.Type === 'task') return false;
  const actions = filterValues(filters, 'event');
  if (actions.length > 0 && !actions.includes(event.Action)) return false;
  const scopes = filterValues(filters, 'scope');
  if (scopes.length > 0 && !scopes.includes('swarm')) return false;
  for (const [type, key] of [
    ['service', 'service'],
    ['node', 'node'],
    ['network', 'network'],
    ['secret', 'secret'],
    ['config', 'config'],
  ] as const) {
    const wanted = filterValues(filters, key);
    if (wanted.length === 0) continue;
    if (event.Type !== type) return false;
    if (
      !wanted.some(
        (w) => w === event.Actor.ID || w === event.Actor.Attributes['name'] || event.Actor.ID.startsWith(w),
      )
    ) {
      return false;
    }
  }
  for (const local of ['container', 'image', 'volume', 'plugin', 'daemon']) {
    if (filterValues(filters, local).length > 0) return false;
  }
  for (const label of filterValues(filters, 'label')) {
    const eq = label.indexOf('=');
    const key = eq < 0 ? label : label.slice(0, eq);
    const value = event.Actor.Attributes[key];
    if (value === undefined || (eq >= 0 && value !== label.slice(eq + 1))) return false;
  }
  return true;
}
