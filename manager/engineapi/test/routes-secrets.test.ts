// /secrets and /configs over fastify.inject: Docker's shapes and status codes, swarmkit's
// messages, and no secret data in any answer.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Value } from '@sinclair/typebox/value';
import { ConfigSchema, type DockerConfig } from '../../../api/docker/config.js';
import { SecretSchema, type DockerSecret } from '../../../api/docker/secret.js';
import { json, serviceBody, startHarness, type ApiHarness } from './harness.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const rpc = (desc: string): string => `rpc error: code = InvalidArgument desc = ${desc}`;

async function create(
  h: ApiHarness,
  kind: 'secrets' | 'configs',
  body: Record<string, unknown>,
): Promise<string> {
  const res = await h.request('POST', `/v1.41/${kind}/create`, body);
  assert.equal(res.statusCode, 201, res.body);
  const out = json<{ ID: string }>(res);
  assert.deepEqual(Object.keys(out), ['ID']);
  return out.ID;
}

test('secrets: create, inspect by ID, name and prefix without the data, list with filters', async () => {
  const h = await startHarness();
  try {
    const id = await create(h, 'secrets', { Name: 'db-pass', Labels: { stack: 'a' }, Data: b64('hunter2') });
    const other = await create(h, 'secrets', { Name: 'api-key', Data: b64('k') });
    for (const ref of [id, 'db-pass', id.slice(0, 8)]) {
      const res = await h.request('GET', `/secrets/${ref}`);
      assert.equal(res.statusCode, 200, ref);
      assert.doesNotMatch(res.body, new RegExp(b64('hunter2')));
      const s = json<DockerSecret>(res);
      assert.ok(Value.Check(SecretSchema, s), res.body);
      assert.deepEqual(s.Spec, { Name: 'db-pass', Labels: { stack: 'a' } });
      assert.equal(s.ID, id);
    }
    assert.deepEqual(json(await h.request('GET', '/secrets/nope')), { message: 'secret nope not found' });
    assert.equal((await h.request('GET', '/secrets/nope')).statusCode, 404);

    const names = async (filters: unknown): Promise<string[]> => {
      const url =
        filters === undefined
          ? '/secrets'
          : `/secrets?filters=${encodeURIComponent(JSON.stringify(filters))}`;
      const res = await h.request('GET', url);
      assert.equal(res.statusCode, 200, res.body);
      assert.doesNotMatch(res.body, /"Data"/);
      return json<DockerSecret[]>(res)
        .map((s) => s.Spec.Name)
        .sort();
    };
    assert.deepEqual(await names(undefined), ['api-key', 'db-pass']);
    assert.deepEqual(await names({ name: { db: true } }), ['db-pass']);
    assert.deepEqual(await names({ names: { db: true } }), []);
    assert.deepEqual(await names({ names: { 'DB-PASS': true } }), ['db-pass']);
    assert.deepEqual(await names({ id: { [other.slice(0, 6)]: true } }), ['api-key']);
    assert.deepEqual(await names({ name: { db: true }, id: { [other]: true } }), ['api-key', 'db-pass']);
    assert.deepEqual(await names({ label: { stack: true } }), ['db-pass']);
    assert.deepEqual(await names({ label: { 'stack=a': true } }), ['db-pass']);
    assert.deepEqual(await names({ label: { 'stack=b': true } }), []);
    assert.deepEqual(
      json(await h.request('GET', `/secrets?filters=${encodeURIComponent('{"mode":["x"]}')}`)),
      {
        message: "invalid filter 'mode'",
      },
    );

    // Internal secrets (the system's own) are neither listed nor found.
    await h.store().update(
      (tx) =>
        void tx.create('secrets', {
          id: 'internal1',
          spec: { name: 'sys', labels: {}, data: b64('x') },
          internal: true,
        }),
    );
    assert.deepEqual(await names(undefined), ['api-key', 'db-pass']);
    assert.equal((await h.request('GET', '/secrets/internal1')).statusCode, 404);
    assert.equal((await h.request('GET', '/secrets/sys')).statusCode, 404);
  } finally {
    await h.close();
  }
});

test('secrets: swarmkit refusals on create, with Docker status codes', async () => {
  const h = await startHarness();
  try {
    await create(h, 'secrets', { Name: 'pw', Data: b64('x') });
    const cases: [Record<string, unknown> | string, number, string][] = [
      [
        { Name: 'pw', Data: b64('y') },
        409,
        'rpc error: code = AlreadyExists desc = secret pw already exists',
      ],
      [{ Name: 'x', Data: '' }, 400, rpc('secret data must be larger than 0 and less than 512000 bytes')],
      [{ Name: 'x' }, 400, rpc('secret data must be larger than 0 and less than 512000 bytes')],
      [
        { Name: 'x', Data: Buffer.alloc(500 * 1024).toString('base64') },
        400,
        rpc('secret data must be larger than 0 and less than 512000 bytes'),
      ],
      [{ Data: b64('x') }, 400, rpc('name must be provided')],
      [
        { Name: 'no/slash', Data: b64('x') },
        400,
        rpc(
          'invalid name, only 64 [a-zA-Z0-9-_.] characters allowed, and the start and end character must be [a-zA-Z0-9]',
        ),
      ],
      [{ Name: 'x', Data: 'not base64!' }, 400, 'invalid JSON: illegal base64 data at input byte 3'],
      [{ Name: 'x', Data: 'abc' }, 400, 'invalid JSON: illegal base64 data at input byte 0'],
    ];
    for (const [body, status, message] of cases) {
      const res = await h.request('POST', '/secrets/create', body);
      assert.equal(res.statusCode, status, `${JSON.stringify(body).slice(0, 80)}: ${res.body}`);
      assert.deepEqual(json(res), { message }, JSON.stringify(body).slice(0, 80));
    }
    // Go's decoder skips line breaks inside base64.
    await create(h, 'secrets', {
      Name: 'wrapped',
      Data: `${b64('abcdef').slice(0, 4)}\n${b64('abcdef').slice(4)}`,
    });
    assert.equal((await h.request('POST', '/secrets/create', { Name: 'x', Data: 5 })).statusCode, 400);
  } finally {
    await h.close();
  }
});

test('secrets: update changes labels only, at the current version; rm is 204 unless in use', async () => {
  const h = await startHarness();
  try {
    const id = await create(h, 'secrets', { Name: 'pw', Data: b64('x') });
    const current = json<DockerSecret>(await h.request('GET', `/secrets/${id}`));
    const v = current.Version.Index;
    const up = (q: string, body: unknown): ReturnType<ApiHarness['request']> =>
      h.request('POST', `/secrets/pw/update${q}`, body);
    assert.deepEqual(json(await up('', { Name: 'pw' })), { message: 'invalid secret version' });
    assert.deepEqual(json(await up(`?version=${v}`, { Name: 'pw', Data: b64('y') })), {
      message: rpc('only updates to Labels are allowed'),
    });
    const ok = await up(`?version=${v}`, { Name: 'pw', Labels: { a: 'b' } });
    assert.equal(ok.statusCode, 200, ok.body);
    const after = json<DockerSecret>(await h.request('GET', `/secrets/${id}`));
    assert.deepEqual(after.Spec.Labels, { a: 'b' });
    assert.ok(after.Version.Index > v);
    const stale = await up(`?version=${v}`, { Name: 'pw', Labels: {} });
    assert.equal(stale.statusCode, 409);
    assert.deepEqual(json(stale), { message: 'rpc error: code = Unknown desc = update out of sequence' });

    const svc = serviceBody('web', {
      TaskTemplate: {
        ContainerSpec: {
          Image: 'nginx:1.25',
          Secrets: [
            { SecretID: id, SecretName: 'pw', File: { Name: 'pw', UID: '0', GID: '0', Mode: 0o444 } },
          ],
        },
      },
    });
    const created = await h.request('POST', '/services/create', svc);
    assert.equal(created.statusCode, 201, created.body);
    const inUse = await h.request('DELETE', '/secrets/pw');
    assert.equal(inUse.statusCode, 400);
    assert.deepEqual(json(inUse), { message: rpc("secret 'pw' is in use by the following service: web") });
    assert.equal((await h.request('DELETE', '/services/web')).statusCode, 200);
    const rm = await h.request('DELETE', `/secrets/${id.slice(0, 10)}`);
    assert.equal(rm.statusCode, 204, rm.body);
    assert.equal(rm.body, '');
    assert.deepEqual(json(await h.request('DELETE', '/secrets/pw')), { message: 'secret pw not found' });
  } finally {
    await h.close();
  }
});

test('configs: inspect shows the data; 1000 KiB limit; labels-only update; rm refused in use', async () => {
  const h = await startHarness();
  try {
    const id = await create(h, 'configs', { Name: 'nginx.conf', Labels: { l: '1' }, Data: b64('server {}') });
    const c = json<DockerConfig>(await h.request('GET', '/configs/nginx.conf'));
    assert.ok(Value.Check(ConfigSchema, c));
    assert.deepEqual(c.Spec, { Name: 'nginx.conf', Labels: { l: '1' }, Data: b64('server {}') });
    const list = json<DockerConfig[]>(await h.request('GET', '/configs?filters={"label":["l=1"]}'));
    assert.deepEqual(
      list.map((x) => [x.ID, x.Spec.Data]),
      [[id, b64('server {}')]],
    );
    const big = await h.request('POST', '/configs/create', {
      Name: 'big',
      Data: Buffer.alloc(600 * 1024).toString('base64'),
    });
    assert.equal(big.statusCode, 201, big.body);
    const tooBig = await h.request('POST', '/configs/create', {
      Name: 'too-big',
      Data: Buffer.alloc(1000 * 1024).toString('base64'),
    });
    assert.deepEqual(json(tooBig), {
      message: rpc('config data must be larger than 0 and less than 1024000 bytes'),
    });
    const v = c.Version.Index;
    const same = await h.request('POST', `/configs/${id}/update?version=${v}`, {
      ...c.Spec,
      Labels: { l: '2' },
    });
    assert.equal(same.statusCode, 200, same.body);
    const svc = serviceBody('web', {
      TaskTemplate: {
        ContainerSpec: {
          Image: 'nginx:1.25',
          Configs: [{ ConfigID: id, ConfigName: 'nginx.conf', File: { Name: '/etc/nginx/nginx.conf' } }],
        },
      },
    });
    assert.equal((await h.request('POST', '/services/create', svc)).statusCode, 201);
    assert.deepEqual(json(await h.request('DELETE', '/configs/nginx.conf')), {
      message: rpc("config 'nginx.conf' is in use by the following service: web"),
    });
    const missing = await h.request(
      'POST',
      '/services/create',
      serviceBody('api', {
        TaskTemplate: {
          ContainerSpec: {
            Image: 'nginx:1.25',
            Configs: [{ ConfigID: 'nope', ConfigName: 'gone', File: { Name: '/x' } }],
          },
        },
      }),
    );
    assert.equal(missing.statusCode, 400);
    assert.deepEqual(json(missing), { message: rpc('config not found: gone') });
    assert.equal((await h.request('DELETE', '/configs/big')).statusCode, 204);
  } finally {
    await h.close();
  }
});

test('secrets and configs: a node that is not a manager answers 503 as Docker does', async () => {
  const h = await startHarness({ init: false });
  try {
    for (const path of ['/secrets', '/configs']) {
      const res = await h.request('GET', path);
      assert.equal(res.statusCode, 503, path);
    }
  } finally {
    await h.close();
  }
});
