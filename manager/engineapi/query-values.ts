// Docker's parsing of query values: booleans as httputils.BoolValue reads them, object
// versions as strconv.ParseUint, and strict booleans as strconv.ParseBool.

import { invalidParameter } from './errors.js';

/** httputils.BoolValue: anything but "", "0", "no", "false" and "none" is true. */
export function boolValue(value: string | undefined): boolean {
  const s = (value ?? '').trim().toLowerCase();
  return !(s === '' || s === '0' || s === 'no' || s === 'false' || s === 'none');
}

/** strconv.ParseBool; undefined for a value it refuses. */
export function parseBool(value: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  return undefined;
}

/** A strict boolean query parameter; `what` names it in the error ("invalid value for status: x"). */
export function strictBool(value: string | undefined, what: string): boolean {
  if (value === undefined || value === '') return false;
  const parsed = parseBool(value);
  if (parsed === undefined) throw invalidParameter(`invalid value for ${what}: ${value}`);
  return parsed;
}

/** The ?version= of an update, with Docker's message ("invalid service version 'x': ..."). */
export function objectVersion(value: string | undefined, kind: string): number {
  const raw = value ?? '';
  if (!/^\d+$/.test(raw)) {
    const why = raw === '' ? 'parsing "": invalid syntax' : `parsing ${JSON.stringify(raw)}: invalid syntax`;
    throw invalidParameter(`invalid ${kind} version '${raw}': strconv.ParseUint: ${why}`);
  }
  const n = Number(raw);
  if (!Number.isSafeInteger(n)) {
    throw invalidParameter(
      `invalid ${kind} version '${raw}': strconv.ParseUint: parsing ${JSON.stringify(raw)}: value out of range`,
    );
  }
  return n;
}

/**
 * The ?version= of a secret or config update: dockerd answers a bad one without detail
 * ("invalid secret version").
 */
export function blobVersion(value: string | undefined, kind: 'secret' | 'config'): number {
  const raw = value ?? '';
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n)) throw invalidParameter(`invalid ${kind} version`);
  return n;
}
