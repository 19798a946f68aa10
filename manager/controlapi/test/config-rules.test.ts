import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLocalStore, type ConfigSpec, type Service } from '../../store/index.js';
import { newConfig, newService } from '../../store/test/fixtures.js';
import {
  applyDecision,
  checkReferenceTargets,
  checkReferences,
  createConfig,
  MAX_CONFIG_DATA_BYTES,
  removeConfig,
  updateConfig,
  type Decision,
} from '../index.js';

const b64 = (s: string | Buffer): string => Buffer.from(s).toString('base64');
const rpc = (desc: string): string => `rpc error: code = InvalidArgument desc = ${desc}`;

function spec(change: Partial<ConfigSpec> = {}): ConfigSpec {
  return { name: 'nginx.conf', labels: {}, data: b64('server {}'), ...change };
}

function refusal(d: Decision): { status: number; message: string } {
  assert.ok('refusal' in d, 'expected a refusal');
  return { status: d.refusal.statusCode, message: d.refusal.message };
}

test('createConfig: data up to 1000 KiB - 1, the name rules secrets have, duplicate names 409', async () => {
  const s = createLocalStore();
  const create = (change: Partial<ConfigSpec>): Decision =>
    s.view((tx) => createConfig(tx, { id: 'c1', spec: spec(change) }));
  const BAD_SIZE = rpc('config data must be larger than 0 and less than 1024000 bytes');
  assert.equal(MAX_CONFIG_DATA_BYTES, 1000 * 1024);
  assert.ok('writes' in create({ data: b64(Buffer.alloc(MAX_CONFIG_DATA_BYTES - 1)) }));
  assert.deepEqual(refusal(create({ data: b64(Buffer.alloc(MAX_CONFIG_DATA_BYTES)) })), {
    status: 400,
    message: BAD_SIZE,
  });
  assert.deepEqual(refusal(create({ data: '' })), { status: 400, message: BAD_SIZE });
  assert.match(refusal(create({ name: 'bad name' })).message, /invalid name, only 64/);
  await s.update((tx) => void applyDecision(tx, createConfig(tx, { id: 'c1', spec: spec() })));
  assert.deepEqual(
    s.view((tx) => tx.get('configs', 'c1')?.spec),
    spec(),
  );
  assert.deepEqual(refusal(create({})), {
    status: 409,
    message: 'rpc error: code = AlreadyExists desc = config nginx.conf already exists',
  });
});

test('updateConfig: labels only; removeConfig refused while a service uses it', async () => {
  const s = createLocalStore();
  await s.update((tx) => void tx.create('configs', newConfig('c1', 'app')));
  const current = s.view((tx) => tx.get('configs', 'c1')!);
  const update = (change: Partial<ConfigSpec>): Decision =>
    s.view((tx) =>
      updateConfig(tx, {
        configId: 'c1',
        version: current.meta.version,
        spec: { name: 'app', labels: { v: '2' }, data: '', ...change },
      }),
    );
  assert.deepEqual(refusal(update({ data: b64('port=81') })), {
    status: 400,
    message: rpc('only updates to Labels are allowed'),
  });
  await s.update((tx) => void applyDecision(tx, update({ data: current.spec.data })));
  assert.deepEqual(
    s.view((tx) => tx.get('configs', 'c1')?.spec.labels),
    { v: '2' },
  );

  const svc = newService('svc1', 'web') as Service;
  svc.spec.taskTemplate.containerSpec.configs = [
    { configId: 'c1', configName: 'app', file: { name: '/app.conf', uid: '0', gid: '0', mode: 0o444 } },
  ];
  await s.update((tx) => void tx.create('services', svc));
  assert.deepEqual(
    s.view((tx) => refusal(removeConfig(tx, 'c1'))),
    { status: 400, message: rpc("config 'app' is in use by the following service: web") },
  );
});

test('service references: ID and name, a named file target, no shared target, and they must exist', async () => {
  const file = (name: string): { name: string; uid: string; gid: string; mode: number } => ({
    name,
    uid: '0',
    gid: '0',
    mode: 0o444,
  });
  const container = newService('x', 'x').spec.taskTemplate.containerSpec;
  const check = (change: Partial<typeof container>): string => {
    try {
      checkReferenceTargets({ ...container, ...change });
      return 'ok';
    } catch (e: unknown) {
      return (e as Error).message;
    }
  };
  assert.equal(
    check({ secrets: [{ secretId: '', secretName: 'a', file: file('a') }] }),
    rpc('malformed secret reference'),
  );
  assert.equal(
    check({ secrets: [{ secretId: 'i', secretName: 'a', file: file('') }] }),
    rpc('malformed file secret reference, invalid target file name provided'),
  );
  assert.equal(
    check({
      secrets: [
        { secretId: 'i', secretName: 'a', file: file('t') },
        { secretId: 'j', secretName: 'b', file: file('t') },
      ],
    }),
    rpc("secret references 'a' and 'b' have a conflicting target: 't'"),
  );
  assert.equal(
    check({ configs: [{ configId: 'i', configName: '', file: file('a') }] }),
    rpc('malformed config reference'),
  );
  assert.equal(
    check({
      configs: [
        { configId: 'i', configName: 'a', file: file('/etc/x') },
        { configId: 'j', configName: 'b', file: file('/etc/x') },
      ],
    }),
    rpc("config references 'a' and 'b' have a conflicting target: '/etc/x'"),
  );
  // A secret and a config may share a target name: swarmkit checks each kind apart.
  assert.equal(
    check({
      secrets: [{ secretId: 'i', secretName: 'a', file: file('t') }],
      configs: [{ configId: 'j', configName: 'b', file: file('t') }],
    }),
    'ok',
  );

  const s = createLocalStore();
  await s.update((tx) => void tx.create('configs', newConfig('c1', 'app')));
  const svc = newService('svc1', 'web');
  const withConfigs = (configs: typeof container.configs): typeof svc.spec => ({
    ...svc.spec,
    taskTemplate: { ...svc.spec.taskTemplate, containerSpec: { ...container, configs } },
  });
  s.view((tx) => checkReferences(tx, withConfigs([{ configId: 'c1', configName: 'app', file: file('/a') }])));
  assert.throws(
    () =>
      s.view((tx) =>
        checkReferences(
          tx,
          withConfigs([
            { configId: 'c1', configName: 'other', file: file('/a') },
            { configId: 'c9', configName: 'gone', file: file('/b') },
          ]),
        ),
      ),
    { message: rpc('configs not found: other, gone') },
  );
});
