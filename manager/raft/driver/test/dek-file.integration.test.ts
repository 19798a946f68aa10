import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { DekFileError, DekLockedError, dekProtection, readDekFile, writeDekFile } from '../dek-file.js';
import { RecordCipher } from '../record-cipher.js';
import { tempDir } from './level-fixtures.js';

void test('a key file is written whole with mode 0600 and read back', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'raft-dek.json');
  assert.equal(await readDekFile(path), undefined);
  const dek = RecordCipher.generateKey();
  await writeDekFile(path, dek);
  assert.deepEqual(await readDekFile(path), dek);
  assert.equal((await stat(path)).mode & 0o777, 0o600);
  assert.deepEqual(await readdir(dir), ['raft-dek.json'], 'no temporary file is left');
  const o = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  assert.deepEqual(Object.keys(o).sort(), ['dek', 'kek', 'version']);
  assert.equal(o['version'], 1);
  assert.equal(o['kek'], 'none');
});

void test('a damaged key file, or one protected by an unknown scheme, is refused by name', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'raft-dek.json');
  const dek = Buffer.from(RecordCipher.generateKey()).toString('base64');
  const cases: [string, RegExp][] = [
    ['{"version":1,"kek":"none","dek":"', /is not valid JSON/],
    [JSON.stringify({ version: 2, kek: 'none', dek }), /has version 2; this build reads version 1/],
    [
      JSON.stringify({ version: 1, kek: 'swmkey-1', dek }),
      /protected by 'swmkey-1', which this build cannot unwrap/,
    ],
    [JSON.stringify({ version: 1, kek: 'none', dek: 'AAAA' }), /holds a 3-byte key where 32 bytes are due/],
    [JSON.stringify({ version: 1, kek: 'none' }), /has no base64 "dek" field/],
  ];
  for (const [text, pattern] of cases) {
    await writeFile(path, text);
    await assert.rejects(readDekFile(path), (e: unknown) => {
      assert.ok(e instanceof DekFileError);
      assert.equal(e.path, path);
      assert.match(e.message, new RegExp(`^raft data encryption key file ${path} `));
      assert.match(e.detail, pattern);
      return true;
    });
  }
});

void test('autolock: the key is wrapped with the unlock key, opened only by it, and unwrapped again', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'raft-dek.json');
  const dek = RecordCipher.generateKey();
  const unlock = randomBytes(32);
  await writeDekFile(path, dek, unlock);
  assert.equal(await dekProtection(path), 'unlock-key');
  assert.equal((await stat(path)).mode & 0o777, 0o600);
  const text = await readFile(path, 'utf8');
  assert.ok(!text.includes(Buffer.from(dek).toString('base64')), 'the key is not in the file in the clear');
  assert.deepEqual(Object.keys(JSON.parse(text) as object).sort(), ['kek', 'salt', 'version', 'wrapped']);
  await assert.rejects(
    readDekFile(path),
    (e: unknown) => e instanceof DekLockedError && /unlock the swarm first/.test(e.message),
  );
  await assert.rejects(
    readDekFile(path, randomBytes(32)),
    (e: unknown) => e instanceof DekLockedError && /not opened by the unlock key/.test(e.message),
  );
  // A wrong key changes nothing: the right one still opens it.
  assert.deepEqual(await readDekFile(path, unlock), dek);
  // Rotation: wrapped anew; the old key no longer opens it.
  const next = randomBytes(32);
  await writeDekFile(path, dek, next);
  await assert.rejects(readDekFile(path, unlock), DekLockedError);
  assert.deepEqual(await readDekFile(path, next), dek);
  // Autolock off: stored as is.
  await writeDekFile(path, dek);
  assert.equal(await dekProtection(path), 'none');
  assert.deepEqual(await readDekFile(path), dek);
});

void test('a wrapped key file that was tampered with is refused, never misread', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'raft-dek.json');
  const unlock = randomBytes(32);
  await writeDekFile(path, RecordCipher.generateKey(), unlock);
  const o = JSON.parse(await readFile(path, 'utf8')) as { wrapped: string; salt: string };
  const w = Buffer.from(o.wrapped, 'base64');
  w[20] = w[20]! ^ 1;
  await writeFile(path, JSON.stringify({ ...o, wrapped: w.toString('base64') }));
  await assert.rejects(readDekFile(path, unlock), DekLockedError);
  await writeFile(path, JSON.stringify({ ...o, wrapped: 'AAAA' }));
  await assert.rejects(
    readDekFile(path, unlock),
    (e: unknown) => e instanceof DekFileError && /wrong size/.test(e.message),
  );
  await writeFile(path, 'x'.repeat(100_000));
  await assert.rejects(
    readDekFile(path, unlock),
    (e: unknown) => e instanceof DekFileError && /not a key file/.test(e.message),
  );
});
