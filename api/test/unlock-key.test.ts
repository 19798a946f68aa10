import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatUnlockKey, generateUnlockKey, parseUnlockKey, UNLOCK_KEY_PREFIX } from '../unlock-key.js';

test('an unlock key is SWMKEY-1- and 32 random bytes in unpadded base64, and reads back', () => {
  const a = generateUnlockKey();
  const b = generateUnlockKey();
  assert.notEqual(a, b);
  assert.match(a, /^SWMKEY-1-[A-Za-z0-9+/]{43}$/);
  const bytes = parseUnlockKey(a);
  assert.ok(bytes !== undefined && bytes.byteLength === 32);
  assert.equal(formatUnlockKey(bytes), a);
  assert.deepEqual(parseUnlockKey(` ${a}\n`), bytes);
});

test('anything else is not an unlock key', () => {
  const a = generateUnlockKey();
  for (const bad of [
    '',
    UNLOCK_KEY_PREFIX,
    a.slice(0, -1),
    `${a}A`,
    a.replace('SWMKEY-1-', 'SWMKEY-2-'),
    a.replace(/.$/, '-'),
    'x'.repeat(10_000),
    `${' '.repeat(300)}${a}`,
  ]) {
    assert.equal(parseUnlockKey(bad), undefined, JSON.stringify(bad.slice(0, 40)));
  }
  assert.throws(() => formatUnlockKey(new Uint8Array(31)), RangeError);
});
