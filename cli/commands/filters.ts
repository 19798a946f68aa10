// -f/--filter "key=value" flags into Docker's filter map.
import type { FilterArgs } from '../client/types.js';
import { CliError } from './cli-error.js';

export function collectFilter(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function parseFilters(values: readonly string[]): FilterArgs {
  const out: Record<string, string[]> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq <= 0) throw new CliError(`bad format of filter (expected name=value)`, 'FILTER');
    const key = v.slice(0, eq).trim().toLowerCase();
    const value = v.slice(eq + 1).trim();
    out[key] = [...(out[key] ?? []), value];
  }
  return out;
}
