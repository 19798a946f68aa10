// --secret / --config flag values, create specs, data limits and the secret/config tables.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dataCreateSpec } from '../commands/secret-config.js';
import { checkDataSize } from '../commands/secret-config-input.js';
import {
  parseConfigRef,
  parseFileMode,
  parseSecretRef,
} from '../commands/service-spec/secret-config-refs.js';
import { formatConfigTable, formatSecretTable } from '../format/secret-config-table.js';
import type { DockerSecret } from '../client/secret-config-types.js';

test('--secret NAME mounts the secret under its name, root-owned, mode 0444', () => {
  assert.deepEqual(parseSecretRef('db'), {
    SecretName: 'db',
    File: { Name: 'db', UID: '0', GID: '0', Mode: 0o444 },
  });
});

test('--secret takes src/source, target, uid, gid and mode (keys in any case)', () => {
  assert.deepEqual(parseSecretRef('source=db,target=/etc/pw,uid=100,gid=101,mode=0400'), {
    SecretName: 'db',
    File: { Name: '/etc/pw', UID: '100', GID: '101', Mode: 0o400 },
  });
  assert.deepEqual(parseSecretRef('SRC=db,Mode=256'), {
    SecretName: 'db',
    File: { Name: 'db', UID: '0', GID: '0', Mode: 256 },
  });
});

test('--config defaults its target to the config name', () => {
  assert.deepEqual(parseConfigRef('src=nginx,mode=0440'), {
    ConfigName: 'nginx',
    File: { Name: 'nginx', UID: '0', GID: '0', Mode: 0o440 },
  });
  assert.deepEqual(parseConfigRef('app'), {
    ConfigName: 'app',
    File: { Name: 'app', UID: '0', GID: '0', Mode: 0o444 },
  });
});

test('bad --secret and --config values name the flag and the reason as docker does', () => {
  const cases: [() => unknown, string][] = [
    [
      () => parseSecretRef('src=db,mode=abc'),
      'invalid argument "src=db,mode=abc" for "--secret" flag: invalid mode specified: strconv.ParseUint: parsing "abc": invalid syntax',
    ],
    [
      () => parseSecretRef('src=db,foo=1'),
      'invalid argument "src=db,foo=1" for "--secret" flag: invalid field in secret request: foo',
    ],
    [
      () => parseConfigRef('src=c,bar=1', 'config-add'),
      'invalid argument "src=c,bar=1" for "--config-add" flag: invalid field in config request: bar',
    ],
    [
      () => parseSecretRef('target=/x'),
      'invalid argument "target=/x" for "--secret" flag: source is required',
    ],
    [
      () => parseSecretRef('src=db,target'),
      `invalid argument "src=db,target" for "--secret" flag: invalid field 'target' must be a key=value pair`,
    ],
  ];
  for (const [run, message] of cases) assert.throws(run, { message });
});

test('file modes parse like strconv.ParseUint with base 0', () => {
  const cases: [string, number][] = [
    ['0444', 0o444],
    ['0o440', 0o440],
    ['292', 292],
    ['0x124', 0x124],
    ['0b100100100', 0o444],
    ['0', 0],
  ];
  for (const [text, mode] of cases) assert.equal(parseFileMode(text), mode, text);
  for (const bad of ['', 'abc', '0999', '-1', '0x', '1_']) assert.throws(() => parseFileMode(bad), bad);
  assert.throws(() => parseFileMode('4294967296'), /value out of range/);
});

test('create specs carry labels, base64 data and the drivers docker sends', () => {
  assert.deepEqual(
    dataCreateSpec('secret', 'pw', Buffer.from('hunter2'), { label: ['a=b'], templateDriver: 'golang' }),
    { Name: 'pw', Labels: { a: 'b' }, Data: 'aHVudGVyMg==', Templating: { Name: 'golang' } },
  );
  assert.deepEqual(dataCreateSpec('secret', 'ext', undefined, { label: [], driver: 'vault' }), {
    Name: 'ext',
    Labels: {},
    Driver: { Name: 'vault' },
  });
  // A config has no driver of its own.
  assert.deepEqual(dataCreateSpec('config', 'c', Buffer.from('x'), { label: [], driver: 'vault' }), {
    Name: 'c',
    Labels: {},
    Data: 'eA==',
  });
});

test('data must be non-empty and under 500 KiB (secrets) or 1000 KiB (configs)', () => {
  assert.throws(() => checkDataSize('secret', Buffer.alloc(0), '/tmp/f'), {
    message: 'error reading from /tmp/f: data is empty',
  });
  assert.throws(() => checkDataSize('config', Buffer.alloc(0), '-'), {
    message: 'error reading from STDIN: data is empty',
  });
  assert.equal(checkDataSize('secret', Buffer.alloc(500 * 1024 - 1), 'f').length, 511_999);
  assert.throws(() => checkDataSize('secret', Buffer.alloc(500 * 1024), 'f'), {
    message: 'error reading from f: secret data must be less than 500 KiB (512000 bytes), got 512000 bytes',
  });
  assert.equal(checkDataSize('config', Buffer.alloc(600 * 1024), 'f').length, 614_400);
  assert.throws(() => checkDataSize('config', Buffer.alloc(1000 * 1024), '-'), {
    message:
      'error reading from STDIN: config data must be less than 1000 KiB (1024000 bytes), got 1024000 bytes',
  });
});

test('secret and config tables: full IDs, natural name order, driver column for secrets', () => {
  const now = Date.parse('2026-01-01T12:00:00Z');
  const at = (ms: number): string => new Date(now - ms).toISOString();
  const secrets: DockerSecret[] = [
    {
      ID: 'b'.repeat(25),
      Version: { Index: 1 },
      CreatedAt: at(3_600_000),
      UpdatedAt: at(30_000),
      Spec: { Name: 'web10', Labels: {}, Driver: { Name: 'vault' } },
    },
    {
      ID: 'a'.repeat(25),
      Version: { Index: 1 },
      CreatedAt: at(90_000),
      UpdatedAt: at(90_000),
      Spec: { Name: 'web9', Labels: {} },
    },
  ];
  assert.equal(
    formatSecretTable(secrets, now),
    'ID                          NAME      DRIVER    CREATED              UPDATED\n' +
      `${'a'.repeat(25)}   web9                About a minute ago   About a minute ago\n` +
      `${'b'.repeat(25)}   web10     vault     About an hour ago    30 seconds ago\n`,
  );
  assert.equal(formatSecretTable(secrets, now, true), `${'a'.repeat(25)}\n${'b'.repeat(25)}\n`);
  assert.equal(formatConfigTable([], now), 'ID        NAME      CREATED   UPDATED\n');
});
