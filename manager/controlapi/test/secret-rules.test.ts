import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLocalStore, type MemoryStore, type SecretSpec, type Service } from '../../store/index.js';
import { newSecret, newService } from '../../store/test/fixtures.js';
import {
  applyDecision,
  createSecret,
  MAX_SECRET_DATA_BYTES,
  removeSecret,
  storeRefusal,
  updateSecret,
  type Decision,
} from '../index.js';

const b64 = (s: string | Buffer): string => Buffer.from(s).toString('base64');

function spec(change: Partial<SecretSpec> = {}): SecretSpec {
  return { name: 'db-password', labels: {}, data: b64('hunter2'), ...change };
}

function refusal(d: Decision): { status: number; message: string } {
  assert.ok('refusal' in d, 'expected a refusal');
  return { status: d.refusal.statusCode, message: d.refusal.message };
}

const rpc = (desc: string): string => `rpc error: code = InvalidArgument desc = ${desc}`;
const BAD_NAME = rpc(
  'invalid name, only 64 [a-zA-Z0-9-_.] characters allowed, and the start and end character must be [a-zA-Z0-9]',
);
const BAD_SIZE = rpc('secret data must be larger than 0 and less than 512000 bytes');

test('createSecret: swarmkit name rules (1-64 of [a-zA-Z0-9-_.], alphanumeric at both ends)', () => {
  const s = createLocalStore();
  for (const name of ['a', 'db.password', 'db_pass-2', 'A9', 'x'.repeat(64), 'a..b', 'a-_.b']) {
    const d = s.view((tx) => createSecret(tx, { id: 's1', spec: spec({ name }) }));
    assert.ok('writes' in d, name);
  }
  assert.deepEqual(
    s.view((tx) => refusal(createSecret(tx, { id: 's1', spec: spec({ name: '' }) }))),
    { status: 400, message: rpc('name must be provided') },
  );
  for (const name of ['x'.repeat(65), '-a', 'a-', '.a', 'a.', 'a b', 'é', 'a/b', '_', `${'a'.repeat(40)}!`]) {
    assert.deepEqual(
      s.view((tx) => refusal(createSecret(tx, { id: 's1', spec: spec({ name }) }))),
      { status: 400, message: BAD_NAME },
      name,
    );
  }
});

test('createSecret: data must be 1 byte to 500 KiB - 1 (swarmkit MaxSecretSize, exclusive)', () => {
  const s = createLocalStore();
  const create = (data: string): Decision =>
    s.view((tx) => createSecret(tx, { id: 's1', spec: spec({ data }) }));
  assert.equal(MAX_SECRET_DATA_BYTES, 500 * 1024);
  assert.ok('writes' in create(b64('x')));
  assert.ok('writes' in create(b64(Buffer.alloc(MAX_SECRET_DATA_BYTES - 1))));
  assert.deepEqual(refusal(create('')), { status: 400, message: BAD_SIZE });
  assert.deepEqual(refusal(create(b64(Buffer.alloc(MAX_SECRET_DATA_BYTES)))), {
    status: 400,
    message: BAD_SIZE,
  });
});

test('createSecret: a driver is refused (shoal has no secret-driver plugins); limits on labels', () => {
  const s = createLocalStore();
  const create = (change: Partial<SecretSpec>): { status: number; message: string } =>
    s.view((tx) => refusal(createSecret(tx, { id: 's1', spec: spec(change) })));
  assert.deepEqual(create({ driver: { name: '', options: {} } }), {
    status: 400,
    message: rpc('driver name: if driver is specified name is required'),
  });
  assert.match(create({ driver: { name: 'vault', options: {} } }).message, /plugin vault not supported/);
  const labels = Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`l${i}`, '']));
  assert.match(create({ labels }).message, /Labels has 1001 entries/);
});

test('createSecret: a taken name (any case) is 409 with swarmkit text; the write creates it', async () => {
  const s = createLocalStore();
  await s.update((tx) => {
    applyDecision(tx, createSecret(tx, { id: 's1', spec: spec({ labels: { a: 'b' } }) }));
  });
  const stored = s.view((tx) => tx.get('secrets', 's1'));
  assert.deepEqual(stored?.spec, spec({ labels: { a: 'b' } }));
  assert.equal(stored?.internal, false);
  for (const name of ['db-password', 'DB-Password']) {
    assert.deepEqual(
      s.view((tx) => refusal(createSecret(tx, { id: 's2', spec: spec({ name }) }))),
      { status: 409, message: `rpc error: code = AlreadyExists desc = secret ${name} already exists` },
    );
  }
});

async function withSecret(): Promise<{ s: MemoryStore; version: number }> {
  const s = createLocalStore();
  await s.update((tx) => void tx.create('secrets', newSecret('s1', 'pw')));
  return { s, version: s.view((tx) => tx.get('secrets', 's1')!.meta.version) };
}

test('updateSecret: only the labels change; the same data may be given back, other data not', async () => {
  const { s, version } = await withSecret();
  const current = s.view((tx) => tx.get('secrets', 's1')!);
  await s.update((tx) => {
    applyDecision(
      tx,
      updateSecret(tx, {
        secretId: 's1',
        version,
        spec: { name: 'pw', labels: { team: 'db' }, data: '', templating: { name: 'golang', options: {} } },
      }),
    );
  });
  const after = s.view((tx) => tx.get('secrets', 's1')!);
  assert.deepEqual(after.spec, { ...current.spec, labels: { team: 'db' } });
  const only = { status: 400, message: rpc('only updates to Labels are allowed') };
  const update = (change: Partial<SecretSpec>): Decision =>
    s.view((tx) =>
      updateSecret(tx, {
        secretId: 's1',
        version: after.meta.version,
        spec: { name: 'pw', labels: {}, data: '', ...change },
      }),
    );
  assert.deepEqual(refusal(update({ data: b64('other') })), only);
  assert.deepEqual(refusal(update({ name: 'pw2' })), only);
  assert.deepEqual(refusal(update({ name: '' })), only);
  assert.ok('writes' in update({ data: current.spec.data }));
  assert.deepEqual(
    s.view((tx) => refusal(updateSecret(tx, { secretId: 'nope', version, spec: spec() }))),
    { status: 404, message: 'secret nope not found' },
  );
});

test('updateSecret: a stale version is refused by the store as swarmkit does', async () => {
  const { s, version } = await withSecret();
  const stale = (): Promise<void> =>
    s.update((tx) => {
      applyDecision(
        tx,
        updateSecret(tx, { secretId: 's1', version, spec: { name: 'pw', labels: {}, data: '' } }),
      );
    });
  await stale();
  await assert.rejects(
    stale(),
    (e: unknown) => storeRefusal(e)?.message === 'rpc error: code = Unknown desc = update out of sequence',
  );
});

function using(id: string, name: string, secretId: string): Service {
  const svc = newService(id, name);
  svc.spec.taskTemplate.containerSpec.secrets = [
    { secretId, secretName: 'pw', file: { name: 'pw', uid: '0', gid: '0', mode: 0o444 } },
  ];
  return svc as Service;
}

test('removeSecret: refused while services use it (swarmkit text, 400), then removed', async () => {
  const { s } = await withSecret();
  await s.update((tx) => void tx.create('services', using('b-svc', 'web', 's1')));
  assert.deepEqual(
    s.view((tx) => refusal(removeSecret(tx, 's1'))),
    { status: 400, message: rpc("secret 'pw' is in use by the following service: web") },
  );
  await s.update((tx) => void tx.create('services', using('a-svc', 'api', 's1')));
  assert.deepEqual(
    s.view((tx) => refusal(removeSecret(tx, 's1'))),
    { status: 400, message: rpc("secret 'pw' is in use by the following services: api, web") },
  );
  await s.update((tx) => {
    tx.delete('services', 'a-svc');
    tx.delete('services', 'b-svc');
  });
  await s.update((tx) => void applyDecision(tx, removeSecret(tx, 's1')));
  assert.equal(
    s.view((tx) => tx.get('secrets', 's1')),
    undefined,
  );
  assert.deepEqual(
    s.view((tx) => refusal(removeSecret(tx, 's1'))),
    { status: 404, message: 'rpc error: code = NotFound desc = could not find secret s1' },
  );
});
