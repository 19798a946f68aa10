import { test } from 'node:test';
import assert from 'node:assert/strict';
import { timingSafeEqual } from 'node:crypto';
import { CaDigestMismatchError, InvalidJoinTokenError, InvalidRootCaError } from '../errors.js';
import {
  generateJoinToken,
  generateJoinTokens,
  matchJoinToken,
  parseJoinToken,
  verifyCaAgainstToken,
  type SecretEquality,
} from '../join-token.js';
import { RootCA } from '../root-ca.js';

const ca = await RootCA.create();
const other = await RootCA.create();

test("tokens look like Swarm's: SWMTKN-1-<50 base-36 digest>-<25 base-36 secret>", () => {
  const { worker, manager } = generateJoinTokens(ca.digest);
  for (const t of [worker, manager]) assert.match(t, /^SWMTKN-1-[0-9a-z]{50}-[0-9a-z]{25}$/);
  assert.notEqual(worker, manager, 'the worker and manager secrets differ');
  assert.equal(worker.split('-')[2], manager.split('-')[2], 'both pin the same CA');
});

test('digest and secret are base-36 numbers zero-padded to 50 and 25 digits', () => {
  const zeroes = generateJoinToken(`sha256:${'0'.repeat(64)}`, (n) => Buffer.alloc(n));
  assert.equal(zeroes, `SWMTKN-1-${'0'.repeat(50)}-${'0'.repeat(25)}`);
  const ones = generateJoinToken(`sha256:${'f'.repeat(64)}`, (n) => Buffer.alloc(n, 0xff));
  assert.equal(ones, `SWMTKN-1-${(2n ** 256n - 1n).toString(36)}-${(2n ** 128n - 1n).toString(36)}`);
  const lastByte35 = (n: number): Buffer => {
    const b = Buffer.alloc(n);
    b[n - 1] = 35;
    return b;
  };
  const small = generateJoinToken(`sha256:${'0'.repeat(63)}a`, lastByte35);
  assert.equal(small, `SWMTKN-1-${'0'.repeat(49)}a-${'0'.repeat(24)}z`);
});

test('parse gives back the CA digest and the secret', () => {
  const token = generateJoinToken(ca.digest);
  const parsed = parseJoinToken(token);
  assert.equal(parsed.version, 1);
  assert.equal(parsed.caDigest, ca.digest);
  assert.equal(parsed.secret, token.slice(-25));
  assert.deepEqual(parseJoinToken(`  ${token}\n`), parsed, 'surrounding whitespace is ignored');
  // A token as Docker prints it parses too.
  const docker = 'SWMTKN-1-1h8aps2yszaiqmz2l3oc5392pgk8e49qhx2aj3nyv0ui0hez2a-6qmn92w6bu3jdvnglku58u11a';
  assert.match(parseJoinToken(docker).caDigest, /^sha256:[0-9a-f]{64}$/);
});

test('malformed tokens are refused with a clear reason', () => {
  const good = generateJoinToken(ca.digest);
  const [, , digest = '', secret = ''] = good.split('-');
  const table: [token: string, reason: RegExp][] = [
    ['', /the token is empty/],
    ['   ', /the token is empty/],
    ['hello', /must start with "SWMTKN-1-"/],
    [`SWMTKX-1-${digest}-${secret}`, /must start with "SWMTKN-1-"/],
    [`swmtkn-1-${digest}-${secret}`, /must start with "SWMTKN-1-"/],
    [`SWMTKN-2-0-${digest}-${secret}`, /version "2" is not supported/],
    [`SWMTKN--${digest}-${secret}`, /version "" is not supported/],
    [`SWMTKN-1-${digest}`, /found 3 dash-separated parts/],
    [`SWMTKN-1-${digest}-${secret}-extra`, /found 5 dash-separated parts/],
    [`SWMTKN-1-${digest}-`, /secret must be 25 base-36 characters, found 0/],
    [`SWMTKN-1-${digest.slice(1)}-${secret}`, /CA digest must be 50 base-36 characters, found 49/],
    [`SWMTKN-1-${digest}0-${secret}`, /CA digest must be 50 base-36 characters, found 51/],
    [`SWMTKN-1-${digest.toUpperCase()}-${secret}`, /CA digest may hold only the characters 0-9 and a-z/],
    [`SWMTKN-1-${digest.slice(0, -1)}!-${secret}`, /CA digest may hold only/],
    [`SWMTKN-1-${'z'.repeat(50)}-${secret}`, /CA digest is out of range/],
    [`SWMTKN-1-${digest}-${secret.slice(0, 24)}_`, /secret may hold only/],
    [`SWMTKN-1-${digest}-${'z'.repeat(25)}`, /secret is out of range/],
    [`SWMTKN-1-${digest}-${secret}0`, /secret must be 25 base-36 characters, found 26/],
  ];
  for (const [token, reason] of table) {
    assert.throws(
      () => parseJoinToken(token),
      (e: unknown) =>
        e instanceof InvalidJoinTokenError &&
        e.code === 'INVALID_JOIN_TOKEN' &&
        e.message.startsWith('invalid join token: ') &&
        reason.test(e.message),
      `token ${JSON.stringify(token)}`,
    );
  }
});

test('error messages never repeat the secret', () => {
  const good = generateJoinToken(ca.digest);
  const secret = good.slice(-25);
  try {
    parseJoinToken(`${good}-x`);
    assert.fail('should throw');
  } catch (e: unknown) {
    assert.ok(e instanceof InvalidJoinTokenError);
    assert.ok(!e.message.includes(secret));
  }
});

test('verify: the worker token grants worker, the manager token manager, anything else nothing', () => {
  const tokens = generateJoinTokens(ca.digest);
  assert.equal(matchJoinToken(tokens.worker, tokens), 'worker');
  assert.equal(matchJoinToken(tokens.manager, tokens), 'manager');
  assert.equal(matchJoinToken(`${tokens.worker}\n`, tokens), 'worker');
  assert.equal(matchJoinToken(generateJoinToken(ca.digest), tokens), undefined, 'an unknown secret');
  assert.equal(matchJoinToken(tokens.worker.slice(0, -1), tokens), undefined, 'a prefix of the token');
  assert.equal(matchJoinToken('', tokens), undefined);
  const rotated = { ...tokens, worker: generateJoinToken(ca.digest) };
  assert.equal(matchJoinToken(tokens.worker, rotated), undefined, 'a rotated token stops working');
  assert.equal(matchJoinToken(tokens.manager, rotated), 'manager', 'the other role is untouched');
});

test('verify compares in constant time: timingSafeEqual on equal-length digests, both tokens every time', () => {
  const tokens = generateJoinTokens(ca.digest);
  for (const presented of [tokens.worker, tokens.manager, 'SWMTKN-1-short', generateJoinToken(ca.digest)]) {
    const seen: [number, number][] = [];
    const counting: SecretEquality = (a, b) => {
      seen.push([a.byteLength, b.byteLength]);
      return timingSafeEqual(a, b);
    };
    matchJoinToken(presented, tokens, counting);
    assert.deepEqual(seen, [
      [32, 32],
      [32, 32],
    ]);
  }
});

test('pinning: the token accepts its own CA and refuses any other', () => {
  const token = generateJoinTokens(ca.digest).worker;
  verifyCaAgainstToken(ca.certPem, token);
  assert.throws(
    () => verifyCaAgainstToken(other.certPem, token),
    (e: unknown) =>
      e instanceof CaDigestMismatchError &&
      e.code === 'CA_DIGEST_MISMATCH' &&
      e.expected === ca.digest &&
      e.actual === other.digest,
  );
  // The right root with an extra certificate beside it is not what the token pinned.
  assert.throws(() => verifyCaAgainstToken(ca.certPem + other.certPem, token), InvalidRootCaError);
  assert.throws(() => verifyCaAgainstToken(ca.certPem, 'SWMTKN-1-nope'), InvalidJoinTokenError);
});
