// shoald's API socket builds the API server on first use (lazy-api-server.ts): the clients of a
// node whose server was not built yet see the same API as when fastify listens itself (the
// whole engine passthrough suite, hijacked attach included), the first connections (several at
// once, a body already sent) wait for the one build, a failed build closes only the connections
// that waited for it, and a close with connections waiting ends them.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createApiServer, type ApiServerOptions } from '../../manager/engineapi/server.js';
import { call, open, readAll, sha256 } from '../../manager/engineapi/test/engine-endpoint-client.js';
import { enginePassthroughSuite } from '../../manager/engineapi/test/engine-passthrough-suite.js';
import { startFakeEngine, type FakeEngine } from '../../manager/engineapi/test/fake-engine.js';
import { SingleNodeControl } from '../../manager/engineapi/test/single-node-control.js';
import { ApiClosedError, LazyApiServer } from '../lazy-api-server.js';

const quiet = { error: () => undefined };

enginePassthroughSuite('engine passthrough through the lazily built API', async (options, socketPath) => {
  const api = new LazyApiServer(
    () => Promise.resolve(createApiServer({ ...options, fedConnections: true })),
    quiet,
  );
  await api.listen(socketPath);
  assert.equal(api.loaded, false, 'nothing built before the first connection');
  return () => api.close();
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('the API built on its first connection', () => {
  let engine: FakeEngine;
  let dir: string;
  let n = 0;
  const options = (): ApiServerOptions => ({
    control: new SingleNodeControl({ hostname: 'node-1' }),
    build: { version: '0.1.0-test' },
    engine: { socketPath: engine.socketPath },
    fedConnections: true,
  });
  /** A lazy API on a new socket whose build takes `delayMs` and is counted. */
  async function lazy(delayMs: number, fail = 0) {
    const socket = join(dir, `api-${n++}.sock`);
    const builds = { started: 0 };
    const errors: unknown[] = [];
    const api = new LazyApiServer(
      async () => {
        builds.started++;
        await sleep(delayMs);
        if (builds.started <= fail) throw new Error('the module could not be loaded');
        return createApiServer(options());
      },
      { error: (obj) => errors.push(obj) },
    );
    await api.listen(socket);
    return { api, socket, builds, errors };
  }

  before(async () => {
    engine = await startFakeEngine();
    dir = await mkdtemp(join(tmpdir(), 'shoal-lazy-api-'));
  });

  after(async () => {
    await engine.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers concurrent first connections from one build', async () => {
    const { api, socket, builds } = await lazy(150);
    try {
      assert.equal(builds.started, 0);
      const answers = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          call(socket, 'GET', i % 2 === 0 ? '/v1.41/version' : '/v1.41/swarm'),
        ),
      );
      assert.deepEqual(
        answers.map((a) => a.status),
        [200, 503, 200, 503, 200, 503, 200, 503],
      );
      for (const a of answers) assert.equal(a.headers['api-version'], '1.41');
      assert.equal(builds.started, 1);
      assert.equal(api.loaded, true);
    } finally {
      await api.close();
    }
  });

  it('passes on a request body the client sent before the server was built', async () => {
    const { api, socket } = await lazy(200);
    try {
      const body = randomBytes(512 * 1024);
      const res = await open(socket, 'POST', '/v1.41/images/load?quiet=1', body, {
        'Content-Type': 'application/x-tar',
      });
      assert.equal(res.statusCode, 200);
      const answer = JSON.parse((await readAll(res)).toString()) as { stream: string };
      assert.equal(answer.stream, `Loaded ${body.length} bytes sha256:${sha256(body)}\n`);
    } finally {
      await api.close();
    }
  });

  it('sets up the http server as fastify sets up the one it listens on', async () => {
    const { api } = await lazy(0);
    const own: FastifyInstance = createApiServer({ ...options(), fedConnections: false });
    try {
      const fed = (await api.instance()).server;
      assert.equal(fed.keepAliveTimeout, own.server.keepAliveTimeout);
      assert.equal(fed.keepAliveTimeout, 72_000, "fastify's keep-alive, not node's 5 s");
      assert.equal(fed.requestTimeout, own.server.requestTimeout);
      assert.equal(fed.timeout, own.server.timeout);
      assert.equal(fed.headersTimeout, own.server.headersTimeout);
      assert.equal(fed.maxRequestsPerSocket, own.server.maxRequestsPerSocket);
    } finally {
      await own.close();
      await api.close();
    }
  });

  it('builds for a caller without a connection (a forwarded request) once, shared', async () => {
    const { api, socket, builds } = await lazy(50);
    try {
      const [a, b] = await Promise.all([api.instance(), api.instance()]);
      assert.equal(a, b);
      assert.equal((await call(socket, 'GET', '/_ping')).status, 200);
      assert.equal(builds.started, 1);
    } finally {
      await api.close();
    }
  });

  it('closes the connections a failed build kept waiting; the next connection builds again', async () => {
    const { api, socket, builds, errors } = await lazy(20, 1);
    try {
      await assert.rejects(call(socket, 'GET', '/_ping'), /socket hang up|ECONNRESET/);
      assert.equal(errors.length, 1, 'the failure is logged');
      assert.equal((await call(socket, 'GET', '/_ping')).status, 200);
      assert.equal(builds.started, 2);
    } finally {
      await api.close();
    }
  });

  it('a connection that goes away while waiting for the build is dropped, the others answered', async () => {
    const { api, socket } = await lazy(150);
    try {
      const gone = connect(socket);
      gone.on('error', () => undefined);
      await new Promise<void>((resolve) => gone.once('connect', () => resolve()));
      gone.end('GET /_ping HTTP/1.1\r\nHost: do');
      const answered = call(socket, 'GET', '/_ping');
      gone.destroy();
      assert.equal((await answered).status, 200);
    } finally {
      await api.close();
    }
  });

  it('close ends the connections still waiting, and refuses to build afterwards', async () => {
    const { api, socket } = await lazy(300);
    const waiting = assert.rejects(call(socket, 'GET', '/_ping'), /socket hang up|ECONNRESET/);
    await sleep(50);
    await api.close();
    await waiting;
    await assert.rejects(api.instance(), ApiClosedError);
    await assert.rejects(call(socket, 'GET', '/_ping'), /ENOENT|ECONNREFUSED/);
  });
});
