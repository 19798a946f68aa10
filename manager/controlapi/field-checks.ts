// Bounds on one field: sizes of strings, lists and maps, ranges of numbers. Each refuses with
// InvalidArgument naming the field (`where`, e.g. "ContainerSpec: Env") and the limit, so a
// user can see what to shorten.

import { invalidArgument } from './refusal.js';

export function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** A string of at most `max` UTF-8 bytes. */
export function checkString(where: string, value: string, max: number): void {
  if (typeof value !== 'string') throw invalidArgument(`${where} must be a string`);
  // A UTF-8 character is at most 4 bytes: short strings need no count.
  if (value.length * 3 <= max) return;
  const bytes = byteLength(value);
  if (bytes > max) throw invalidArgument(`${where} is ${bytes} bytes, more than the limit of ${max}`);
}

/** A list of at most `maxCount` strings of at most `maxBytes` each. */
export function checkStrings(
  where: string,
  values: readonly string[],
  maxCount: number,
  maxBytes: number,
): void {
  checkCount(where, values, maxCount);
  for (const v of values) checkString(`${where} entry`, v, maxBytes);
}

/** A list of at most `max` entries. */
export function checkCount(where: string, values: readonly unknown[], max: number): void {
  if (!Array.isArray(values)) throw invalidArgument(`${where} must be a list`);
  if (values.length > max) {
    throw invalidArgument(`${where} has ${values.length} entries, more than the limit of ${max}`);
  }
}

export interface MapLimits {
  readonly maxEntries: number;
  readonly maxKeyBytes: number;
  readonly maxValueBytes: number;
}

/** A string-to-string map (labels, options, sysctls) within `limits`; keys are not empty. */
export function checkMap(where: string, map: Readonly<Record<string, string>>, limits: MapLimits): void {
  if (typeof map !== 'object' || map === null) throw invalidArgument(`${where} must be a map`);
  const keys = Object.keys(map);
  if (keys.length > limits.maxEntries) {
    throw invalidArgument(`${where} has ${keys.length} entries, more than the limit of ${limits.maxEntries}`);
  }
  for (const key of keys) {
    if (key === '') throw invalidArgument(`${where}: empty key`);
    checkString(`${where}: key ${JSON.stringify(key.slice(0, 64))}`, key, limits.maxKeyBytes);
    checkString(`${where}: value of ${JSON.stringify(key.slice(0, 64))}`, map[key]!, limits.maxValueBytes);
  }
}

/** An integer in [min, max] (a safe integer: nothing JSON rounded). */
export function checkInteger(where: string, value: number, min: number, max: number): void {
  if (!Number.isSafeInteger(value)) throw invalidArgument(`${where} must be an integer`);
  if (value < min || value > max) {
    throw invalidArgument(`${where} ${value} is out of range: it must be between ${min} and ${max}`);
  }
}

/** A duration in milliseconds: `negative` is the message when below 0 (swarmkit's wording). */
export function checkDuration(where: string, ms: number, negative: string, max: number): void {
  if (!Number.isFinite(ms)) throw invalidArgument(`${where} must be a number`);
  if (ms < 0) throw invalidArgument(negative);
  if (ms > max) throw invalidArgument(`${where} is longer than the limit of ${max} ms`);
}

/** A whole spec, serialized as it is stored and sent, within `max` bytes. */
export function checkSerializedSize(what: string, value: unknown, max: number): void {
  const bytes = byteLength(JSON.stringify(value));
  if (bytes > max) throw invalidArgument(`${what} is ${bytes} bytes, more than the limit of ${max}`);
}
