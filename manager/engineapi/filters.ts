// Docker's `filters` query parameter: JSON mapping each filter name to its values, either as
// {"name": {"web": true}} (current clients) or {"name": ["web"]} (old ones). Its size and
// nesting are bounded (json-limits.ts) before it is parsed.

import { invalidParameter } from './errors.js';
import { FILTERS_MAX_BYTES, FILTERS_MAX_DEPTH, jsonTooDeep } from './json-limits.js';

export type Filters = ReadonlyMap<string, readonly string[]>;

/** Parses and validates `filters`; names outside `accepted` get Docker's "invalid filter". */
export function parseFilters(raw: string | undefined, accepted: readonly string[]): Filters {
  const out = new Map<string, string[]>();
  if (raw === undefined || raw === '') return out;
  if (raw.length > FILTERS_MAX_BYTES) {
    throw invalidParameter(`invalid filter: longer than the limit of ${FILTERS_MAX_BYTES} characters`);
  }
  if (jsonTooDeep(raw, FILTERS_MAX_DEPTH)) {
    throw invalidParameter(`invalid filter: nested deeper than the limit of ${FILTERS_MAX_DEPTH} levels`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (e: unknown) {
    throw invalidParameter(`invalid filter: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalidParameter('invalid filter: filters must be a JSON object');
  }
  for (const [name, values] of Object.entries(parsed as Record<string, unknown>)) {
    const list: string[] = [];
    if (Array.isArray(values)) {
      for (const v of values) {
        if (typeof v !== 'string')
          throw invalidParameter(`invalid filter: values of '${name}' must be strings`);
        list.push(v);
      }
    } else if (typeof values === 'object' && values !== null) {
      for (const [v, on] of Object.entries(values)) if (on === true) list.push(v);
    } else {
      throw invalidParameter(`invalid filter: values of '${name}' must be an object or an array`);
    }
    if (!accepted.includes(name)) throw invalidParameter(`invalid filter '${name}'`);
    out.set(name, list);
  }
  return out;
}

/** The values of one filter (empty when absent). */
export function filterValues(filters: Filters, name: string): readonly string[] {
  return filters.get(name) ?? [];
}

/** True when the filter is absent or any of its values is a prefix of `value` (case-insensitive if asked). */
export function matchesPrefix(
  filters: Filters,
  name: string,
  values: readonly string[],
  ignoreCase = false,
): boolean {
  const wanted = filterValues(filters, name);
  if (wanted.length === 0) return true;
  const norm = (s: string): string => (ignoreCase ? s.toLowerCase() : s);
  return wanted.some((w) => values.some((v) => norm(v).startsWith(norm(w))));
}

/** True when the filter is absent or `value` equals one of its values. */
export function matchesExact(filters: Filters, name: string, value: string): boolean {
  const wanted = filterValues(filters, name);
  return wanted.length === 0 || wanted.includes(value);
}

/** Docker's label filter: every "key" must be present and every "key=value" must match. */
export function matchesLabels(
  filters: Filters,
  name: string,
  labels: Readonly<Record<string, string>>,
): boolean {
  for (const want of filterValues(filters, name)) {
    const eq = want.indexOf('=');
    const key = eq < 0 ? want : want.slice(0, eq);
    if (!Object.hasOwn(labels, key)) return false;
    if (eq >= 0 && labels[key] !== want.slice(eq + 1)) return false;
  }
  return true;
}
