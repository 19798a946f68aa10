// API versions: the /vX.Y/ prefix Docker clients put on every path. The prefix is stripped
// before routing (so bare and prefixed paths reach the same routes) and checked against the
// versions shoal speaks, with Docker's messages.

import type { IncomingMessage } from 'node:http';
import { invalidParameter } from './errors.js';

/** The API version shoal implements (Docker Engine API, swarm subset). */
export const API_VERSION = '1.41';
/** The oldest version a client may ask for (Docker 20.10's minimum). */
export const MIN_API_VERSION = '1.12';

const PREFIX = /^\/v(\d+\.\d+)(?=\/|$)/;
const requested = new WeakMap<IncomingMessage, string>();

/** Orders two "X.Y" API versions numerically (1.9 before 1.10). */
export function compareVersions(a: string, b: string): number {
  const [a1 = 0, a2 = 0] = a.split('.').map(Number);
  const [b1 = 0, b2 = 0] = b.split('.').map(Number);
  return a1 !== b1 ? a1 - b1 : a2 - b2;
}

/** Fastify's rewriteUrl: strips the version prefix and remembers it for the request. */
export function stripVersionPrefix(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const m = PREFIX.exec(url);
  if (m === null) return url;
  requested.set(req, m[1]!);
  const rest = url.slice(m[0].length);
  return rest === '' ? '/' : rest;
}

/** The version the client asked for (API_VERSION when it gave none). */
export function requestedVersion(req: IncomingMessage): string {
  return requested.get(req) ?? API_VERSION;
}

/** Throws Docker's 400 when the client asks for a version shoal does not speak. */
export function checkVersion(req: IncomingMessage): void {
  const v = requested.get(req);
  if (v === undefined) return;
  if (compareVersions(v, API_VERSION) > 0) {
    throw invalidParameter(`client version ${v} is too new. Maximum supported API version is ${API_VERSION}`);
  }
  if (compareVersions(v, MIN_API_VERSION) < 0) {
    throw invalidParameter(
      `client version ${v} is too old. Minimum supported API version is ${MIN_API_VERSION}, please upgrade your client to a newer version`,
    );
  }
}

/** True when the request's version is at least `v`. */
export function versionAtLeast(req: IncomingMessage, v: string): boolean {
  return compareVersions(requestedVersion(req), v) >= 0;
}
