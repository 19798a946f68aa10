// Join tokens in Swarm's format: SWMTKN-1-<CA digest>-<secret>. The digest is the root CA
// certificate's sha256 as a base-36 number zero-padded to 50 characters; the secret is 16
// random bytes as a base-36 number zero-padded to 25 characters. The secret decides the role
// (the worker and manager tokens differ only there); the digest lets a joining node pin the CA
// before it trusts anything a manager sends.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { JoinTokens } from '../api/objects/cluster.js';
import type { NodeRole } from '../api/objects/node.js';
import { CaDigestMismatchError, InvalidJoinTokenError } from './errors.js';
import { rootCaDigest } from './root-ca.js';

export type { JoinTokens };

export const JOIN_TOKEN_PREFIX = 'SWMTKN';
export const JOIN_TOKEN_VERSION = 1;
/** ceil(log36(2^256)): base-36 digits of a sha256 digest. */
export const TOKEN_DIGEST_LENGTH = 50;
/** ceil(log36(2^128)): base-36 digits of a 16-byte secret. */
export const TOKEN_SECRET_LENGTH = 25;
const SECRET_BYTES = 16;

export interface ParsedJoinToken {
  readonly version: 1;
  /** "sha256:<64 hex>" of the root CA certificate the token pins. */
  readonly caDigest: string;
  /** The 25-character base-36 secret. */
  readonly secret: string;
}

/** A new token for the root CA with digest `caDigest` ("sha256:<hex>"). */
export function generateJoinToken(caDigest: string, random: (size: number) => Buffer = randomBytes): string {
  const digest = digestToBase36(caDigest);
  const secret = BigInt(`0x${random(SECRET_BYTES).toString('hex')}`)
    .toString(36)
    .padStart(TOKEN_SECRET_LENGTH, '0');
  return `${JOIN_TOKEN_PREFIX}-${JOIN_TOKEN_VERSION}-${digest}-${secret}`;
}

/** A worker token and a manager token with different secrets. */
export function generateJoinTokens(
  caDigest: string,
  random: (size: number) => Buffer = randomBytes,
): JoinTokens {
  const worker = generateJoinToken(caDigest, random);
  let manager = generateJoinToken(caDigest, random);
  while (manager === worker) manager = generateJoinToken(caDigest, random);
  return { worker, manager };
}

/** Parses a token; throws InvalidJoinTokenError saying what is wrong. Surrounding whitespace is ignored. */
export function parseJoinToken(token: string): ParsedJoinToken {
  const t = token.trim();
  if (t === '') throw new InvalidJoinTokenError('the token is empty');
  const parts = t.split('-');
  if (parts[0] !== JOIN_TOKEN_PREFIX) {
    throw new InvalidJoinTokenError(`it must start with "${JOIN_TOKEN_PREFIX}-1-"`);
  }
  if (parts[1] !== String(JOIN_TOKEN_VERSION)) {
    throw new InvalidJoinTokenError(
      `version "${(parts[1] ?? '').slice(0, 8)}" is not supported; this node reads ${JOIN_TOKEN_PREFIX}-1 tokens`,
    );
  }
  if (parts.length !== 4) {
    throw new InvalidJoinTokenError(
      `expected ${JOIN_TOKEN_PREFIX}-1-<CA digest>-<secret>, found ${parts.length} dash-separated parts`,
    );
  }
  const digest = checkBase36(parts[2] ?? '', 'CA digest', TOKEN_DIGEST_LENGTH, 256);
  const secret = parts[3] ?? '';
  checkBase36(secret, 'secret', TOKEN_SECRET_LENGTH, 128);
  return { version: 1, caDigest: `sha256:${digest.toString(16).padStart(64, '0')}`, secret };
}

function checkBase36(s: string, what: string, length: number, bits: number): bigint {
  if (s.length !== length) {
    throw new InvalidJoinTokenError(`the ${what} must be ${length} base-36 characters, found ${s.length}`);
  }
  if (!/^[0-9a-z]+$/.test(s)) {
    throw new InvalidJoinTokenError(`the ${what} may hold only the characters 0-9 and a-z (lower case)`);
  }
  let n = 0n;
  for (const ch of s) n = n * 36n + BigInt(parseInt(ch, 36));
  if (n >= 1n << BigInt(bits)) throw new InvalidJoinTokenError(`the ${what} is out of range`);
  return n;
}

function digestToBase36(caDigest: string): string {
  const m = /^sha256:([0-9a-f]{64})$/.exec(caDigest);
  if (!m?.[1])
    throw new RangeError(`a CA digest is "sha256:" and 64 lower-case hex digits, got "${caDigest}"`);
  return BigInt(`0x${m[1]}`).toString(36).padStart(TOKEN_DIGEST_LENGTH, '0');
}

/** Compares two secrets in time independent of their content (both are hashed to equal length first). */
export type SecretEquality = (a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => boolean;

/**
 * The role a presented token grants, or undefined if it is neither current token. Both current
 * tokens are always compared, each in constant time, so timing says nothing about which matched.
 */
export function matchJoinToken(
  presented: string,
  current: JoinTokens,
  equal: SecretEquality = timingSafeEqual,
): NodeRole | undefined {
  const p = sha256(presented.trim());
  const isWorker = equal(p, sha256(current.worker));
  const isManager = equal(p, sha256(current.manager));
  if (isManager) return 'manager';
  if (isWorker) return 'worker';
  return undefined;
}

function sha256(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/**
 * Pins the CA: throws CaDigestMismatchError unless `rootCertPem` is exactly one certificate whose
 * digest is the one in `token` (InvalidJoinTokenError for a malformed token, InvalidRootCaError
 * for a PEM that is not one certificate). A joining node calls this before trusting the root.
 */
export function verifyCaAgainstToken(rootCertPem: string, token: string): void {
  const { caDigest } = parseJoinToken(token);
  const actual = rootCaDigest(rootCertPem);
  if (actual !== caDigest) throw new CaDigestMismatchError(caDigest, actual);
}
