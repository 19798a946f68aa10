import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEK_LENGTH, RecordAuthError, RecordCipher, SEAL_OVERHEAD } from '../record-cipher.js';

const enc = new TextEncoder();
const aad = Uint8Array.of(0x65, 0, 0, 0, 0, 0, 0, 0, 7);
const plain = enc.encode('the database password is hunter2');

function refused(fn: () => unknown): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof RecordAuthError, `expected RecordAuthError, got ${String(e)}`);
    assert.equal(e.code, 'RECORD_AUTH');
    return true;
  });
}

void test('a sealed record opens to its plaintext, which it does not contain', () => {
  const c = new RecordCipher(RecordCipher.generateKey());
  const sealed = c.seal(aad, plain);
  assert.equal(sealed.byteLength, plain.byteLength + SEAL_OVERHEAD);
  assert.ok(!Buffer.from(sealed).includes(Buffer.from(plain)));
  assert.deepEqual(c.open(aad, sealed), plain);
  assert.deepEqual(c.open(aad, c.seal(aad, new Uint8Array(0))), new Uint8Array(0));
});

void test('each seal uses a fresh nonce: the same record seals differently', () => {
  const c = new RecordCipher(RecordCipher.generateKey());
  const a = c.seal(aad, plain);
  const b = c.seal(aad, plain);
  assert.notDeepEqual(a, b);
  assert.notDeepEqual(a.subarray(0, 12), b.subarray(0, 12));
});

void test('a flipped bit anywhere (nonce, ciphertext, tag) is refused', () => {
  const c = new RecordCipher(RecordCipher.generateKey());
  const sealed = c.seal(aad, plain);
  for (const i of [0, 11, 12, 20, sealed.byteLength - 16, sealed.byteLength - 1]) {
    const bad = Uint8Array.from(sealed);
    bad[i] = (bad[i] ?? 0) ^ 0x01;
    refused(() => c.open(aad, bad));
  }
  refused(() => c.open(aad, sealed.subarray(0, sealed.byteLength - 1)));
  refused(() => c.open(aad, sealed.subarray(0, SEAL_OVERHEAD - 1)));
});

void test('other associated data (another key) or another DEK is refused', () => {
  const c = new RecordCipher(RecordCipher.generateKey());
  const sealed = c.seal(aad, plain);
  const otherAad = Uint8Array.from(aad);
  otherAad[8] = 8;
  refused(() => c.open(otherAad, sealed));
  refused(() => c.open(new Uint8Array(0), sealed));
  refused(() => new RecordCipher(RecordCipher.generateKey()).open(aad, sealed));
});

void test('a key of the wrong length is refused', () => {
  assert.equal(RecordCipher.generateKey().byteLength, DEK_LENGTH);
  assert.throws(() => new RecordCipher(new Uint8Array(16)), RangeError);
});
