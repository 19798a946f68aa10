// Compose variable interpolation of every string value (keys are left as written, as compose
// does): $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}, and $$ for
// a literal $. A default may itself hold ${...}.
import { dottedPath } from './errors.js';

export type Lookup = (name: string) => string | undefined;

/** A value that could not be interpolated; `path` says where in the document it was. */
export class InterpolationError extends Error {
  constructor(
    readonly path: readonly (string | number)[],
    readonly detail: string,
  ) {
    super(detail);
    this.name = 'InterpolationError';
  }
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

/** Interpolates one string; throws a plain message for the caller to place. */
export function interpolateString(input: string, lookup: Lookup): string {
  let out = '';
  let i = 0;
  while (i < input.length) {
    const ch = input[i];
    if (ch !== '$') {
      out += ch;
      i++;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (next === '{') {
      const close = matchingBrace(input, i + 2);
      if (close < 0) throw new Error(invalidFormat(input));
      out += braced(input.slice(i + 2, close), input, lookup);
      i = close + 1;
      continue;
    }
    const name = NAME.exec(input.slice(i + 1));
    if (name === null) throw new Error(invalidFormat(input));
    out += lookup(name[0]) ?? '';
    i += 1 + name[0].length;
  }
  return out;
}

function matchingBrace(s: string, from: number): number {
  let depth = 1;
  for (let i = from; i < s.length; i++) {
    if (s[i] === '$' && s[i + 1] === '$') {
      i++;
    } else if (s[i] === '$' && s[i + 1] === '{') {
      depth++;
      i++;
    } else if (s[i] === '}') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

function invalidFormat(input: string): string {
  return `invalid interpolation format: "${input}". You may need to escape any $ with another $`;
}

function braced(body: string, whole: string, lookup: Lookup): string {
  const name = NAME.exec(body);
  if (name === null) throw new Error(invalidFormat(whole));
  const rest = body.slice(name[0].length);
  const value = lookup(name[0]);
  if (rest === '') return value ?? '';
  const op = /^(:-|-|:\?|\?)/.exec(rest);
  if (op === null) throw new Error(invalidFormat(whole));
  const arg = rest.slice(op[0].length);
  // ":" forms treat an empty value as unset; the bare forms only an absent one.
  const unset = op[0].startsWith(':') ? value === undefined || value === '' : value === undefined;
  if (!unset) return value ?? '';
  if (op[0].endsWith('-')) return interpolateString(arg, lookup);
  const why = interpolateString(arg, lookup);
  throw new Error(`required variable ${name[0]} is missing a value${why === '' ? '' : `: ${why}`}`);
}

/** Turns a substituted string into the type its place wants (see cast.ts). */
export type Cast = (path: readonly (string | number)[], value: string) => unknown;

/** Interpolates every string value of a parsed document, keeping its shape. */
export function interpolateValue(
  value: unknown,
  lookup: Lookup,
  cast: Cast = (_p, v) => v,
  path: readonly (string | number)[] = [],
): unknown {
  if (typeof value === 'string') {
    if (!value.includes('$')) return value;
    try {
      return cast(path, interpolateString(value, lookup));
    } catch (e: unknown) {
      const msg = e instanceof Error ? e.message : String(e);
      throw new InterpolationError(path, `${dottedPath(path)}: ${msg}`);
    }
  }
  if (Array.isArray(value))
    return value.map((v: unknown, i) => interpolateValue(v, lookup, cast, [...path, i]));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = interpolateValue(v, lookup, cast, [...path, k]);
    return out;
  }
  return value;
}
