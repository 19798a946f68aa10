// Reading dockerode's errors: the HTTP status and the engine's own message (docker-modem wraps
// it as "(HTTP code 404) no such container - No such container: x "), and telling a socket that
// does not answer from an engine that refused.

import { AbortedError, EngineError, EngineUnavailableError, type ExecError } from '../errors.js';

interface ModemError {
  statusCode?: unknown;
  json?: unknown;
  message?: unknown;
  code?: unknown;
  name?: unknown;
}

/** The HTTP status the engine answered with, or 0 if it did not answer. */
export function statusOf(e: unknown): number {
  if (typeof e !== 'object' || e === null) return 0;
  const s = (e as ModemError).statusCode;
  return typeof s === 'number' ? s : 0;
}

/** The engine's message for a failed call, without docker-modem's prefix. */
export function engineMessage(e: unknown): string {
  if (typeof e !== 'object' || e === null) return String(e);
  const m = e as ModemError;
  if (typeof m.json === 'object' && m.json !== null) {
    const inner = (m.json as { message?: unknown }).message;
    if (typeof inner === 'string' && inner !== '') return inner;
  }
  const text = typeof m.message === 'string' ? m.message : JSON.stringify(e);
  const match = /^\(HTTP code \d+\) [^-]*- (.*)$/s.exec(text);
  return (match?.[1] ?? text).trim();
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOENT', 'EACCES', 'ECONNRESET', 'EPIPE']);

export function isAbort(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const m = e as ModemError;
  return m.name === 'AbortError' || m.code === 'ABORT_ERR';
}

/** Translates any failure of an engine call into the executor's error types. */
export function toExecError(operation: string, endpoint: string, e: unknown): ExecError {
  if (isAbort(e)) return new AbortedError(operation);
  const code = typeof e === 'object' && e !== null ? (e as ModemError).code : undefined;
  if (statusOf(e) === 0 && typeof code === 'string' && UNREACHABLE.has(code)) {
    return new EngineUnavailableError(endpoint, e);
  }
  return new EngineError(operation, statusOf(e), engineMessage(e));
}
