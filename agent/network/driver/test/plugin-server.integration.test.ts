// The plugin's HTTP side over a real unix socket, as dockerd's plugin client talks to it.

import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Type } from '@sinclair/typebox';
import { PluginServer, route } from '../plugin-server.js';
import { post } from './plugin-client.js';

let dir = '';
let server: PluginServer;
let socketPath = '';

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shoal-plugin-'));
  socketPath = join(dir, 'plugins', 'test.sock');
  server = new PluginServer({
    '/Plugin.Activate': route(Type.Unknown(), () => Promise.resolve({ Implements: ['NetworkDriver'] })),
    '/NetworkDriver.Echo': route(Type.Object({ NetworkID: Type.String({ minLength: 1 }) }), (b) =>
      Promise.resolve({ Got: b.NetworkID }),
    ),
    '/NetworkDriver.Fail': route(Type.Unknown(), () => Promise.reject(new Error('no such network'))),
  });
  await server.listen(socketPath);
});

after(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

test('answers a call without a body (the handshake)', async () => {
  assert.deepEqual(await post(socketPath, '/Plugin.Activate'), {
    status: 200,
    json: { Implements: ['NetworkDriver'] },
  });
});

test('hands a valid body to its handler', async () => {
  assert.deepEqual(await post(socketPath, '/NetworkDriver.Echo', '{"NetworkID":"n1","Options":null}'), {
    status: 200,
    json: { Got: 'n1' },
  });
});

test('refuses a body that is not JSON or not of the schema with a 400', async () => {
  const notJson = await post(socketPath, '/NetworkDriver.Echo', '{"NetworkID":');
  assert.equal(notJson.status, 400);
  const wrong = await post(socketPath, '/NetworkDriver.Echo', '{"NetworkID":""}');
  assert.equal(wrong.status, 400);
  assert.match(JSON.stringify(wrong.json), /NetworkID/);
});

test('a failing handler answers {"Err": message}', async () => {
  assert.deepEqual(await post(socketPath, '/NetworkDriver.Fail', '{}'), {
    status: 200,
    json: { Err: 'no such network' },
  });
});

test('an unknown method is a 404, so dockerd treats it as not implemented', async () => {
  assert.equal((await post(socketPath, '/NetworkDriver.Nope', '{}')).status, 404);
});

test('close() removes the socket file', async () => {
  const other = new PluginServer({});
  const path = join(dir, 'other.sock');
  await other.listen(path);
  await stat(path);
  await other.close();
  await assert.rejects(stat(path), /ENOENT/);
});
