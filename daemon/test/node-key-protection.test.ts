import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import {
  isProtectedNodeKey,
  NodeKeyLockedError,
  openNodeKey,
  protectNodeKey,
} from '../node-key-protection.js';

const plain = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();

test('under autolock the TLS key is stored encrypted and opened only with the unlock key', () => {
  const unlock = randomBytes(32);
  const stored = protectNodeKey(plain, unlock);
  assert.ok(isProtectedNodeKey(stored));
  assert.ok(!stored.includes(plain.split('\n')[1]!), 'no line of the plain key is stored');
  assert.equal(openNodeKey(stored, unlock), plain);
  assert.throws(() => openNodeKey(stored, undefined), NodeKeyLockedError);
  assert.throws(() => openNodeKey(stored, randomBytes(32)), NodeKeyLockedError);
});

test('without autolock the key is stored and read as it is', () => {
  assert.equal(protectNodeKey(plain, undefined), plain);
  assert.ok(!isProtectedNodeKey(plain));
  assert.equal(openNodeKey(plain, undefined), plain);
  assert.equal(openNodeKey(plain, randomBytes(32)), plain);
});
