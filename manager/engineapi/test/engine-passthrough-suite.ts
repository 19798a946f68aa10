// What shoal does not own passes through to the node's engine over its unix socket, as dockerd
// would answer it: plain calls (status, headers and error bodies unchanged), a followed log
// streamed as the engine writes it, a request body streamed to the engine, and a hijacked
// attach with bytes both ways after the 101 and the client's half-close passed on. The suite
// runs against each way the API is served: fastify listening itself (engine-passthrough
// .integration.test.ts) and shoald's socket that builds the server on its first connection
// (daemon/test/lazy-api-server.integration.test.ts).

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { ApiServerOptions } from '../server.js';
import { call, hijack, open, readAll, readUntil, sha256 } from './engine-endpoint-client.js';
import { startFakeEngine, stdoutFrame, type FakeEngine } from './fake-engine.js';
import { SingleNodeControl } from './single-node-control.js';

/** The docker CLI the other API tests use, if this machine has one. */
function dockerCli(): string | undefined {
  return ['/usr/bin/docker', '/usr/local/bin/docker'].find((p) => existsSync(p));
}

/** Serves the API built from `options` on the unix socket `socketPath`; returns its close. */
export type ServeApi = (options: ApiServerOptions, socketPath: string) => Promise<() => Promise<void>>;

export function enginePassthroughSuite(title: string, serve: ServeApi): void {
  describe(title, () => {
    let engine: FakeEngine;
    let close: () => Promise<void>;
    let dir: string;
    let sock: string;

    before(async () => {
      engine = await startFakeEngine();
      dir = await mkdtemp(join(tmpdir(), 'shoal-pass-'));
      sock = join(dir, 'shoal.sock');
      const control = new SingleNodeControl({ hostname: 'node-1' });
      close = await serve(
        { control, build: { version: '0.1.0-test' }, engine: { socketPath: engine.socketPath } },
        sock,
      );
    });

    after(async () => {
      await close();
      await engine.close();
      await rm(dir, { recursive: true, force: true });
    });

    it('passes a plain call through with the engine status, headers and body', async () => {
      const a = await call(sock, 'GET', '/v1.41/containers/json?all=1');
      assert.equal(a.status, 200);
      assert.equal(a.headers['api-version'], '1.51');
      assert.equal(a.headers['server'], 'Docker/28.3.0 (linux)');
      assert.deepEqual(JSON.parse(a.body.toString()), [
        { Id: 'f'.repeat(64), Names: ['/web'], Image: 'nginx', State: 'running' },
      ]);
      const seen = engine.seen.find((r) => r.url.startsWith('/v1.41/containers/json'));
      assert.equal(seen?.url, '/v1.41/containers/json?all=1', 'the prefix and query reach the engine');
    });

    it('passes the engine error status and body unchanged, with and without the prefix', async () => {
      for (const path of ['/v1.41/containers/missing/json', '/containers/missing/json']) {
        const a = await call(sock, 'GET', path);
        assert.equal(a.status, 404);
        assert.deepEqual(JSON.parse(a.body.toString()), { message: 'No such container: missing' });
      }
    });

    it('streams a followed log as the engine writes it', async () => {
      const res = await open(sock, 'GET', '/v1.41/containers/web/logs?follow=1&stdout=1');
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['content-type'], 'application/vnd.docker.multiplexed-stream');
      const first = new Promise<Buffer>((resolve) => res.once('data', resolve));
      // Wait until the engine holds the follow open, then write one line: it must arrive alone,
      // before the stream ends (nothing is buffered up to the end).
      while (!engine.seen.some((r) => r.url.includes('/logs?follow=1')))
        await new Promise((r) => setTimeout(r, 5));
      await new Promise((r) => setTimeout(r, 20));
      engine.log('line one');
      assert.deepEqual(await first, stdoutFrame('line one\n'));
      engine.log('line two', true);
      assert.deepEqual(await readAll(res), stdoutFrame('line two\n'));
    });

    it('streams a request body to the engine (an image load) intact', async () => {
      const parts = Array.from({ length: 64 }, () => randomBytes(64 * 1024));
      const whole = Buffer.concat(parts);
      const res = await open(sock, 'POST', '/v1.41/images/load?quiet=1', Readable.from(parts), {
        'Content-Type': 'application/x-tar',
        'Transfer-Encoding': 'chunked',
      });
      assert.equal(res.statusCode, 200);
      const body = JSON.parse((await readAll(res)).toString()) as { stream: string };
      assert.equal(body.stream, `Loaded ${whole.length} bytes sha256:${sha256(whole)}\n`);
      const seen = engine.seen.find((r) => r.url.startsWith('/v1.41/images/load'));
      assert.equal(seen?.headers['content-type'], 'application/x-tar');
    });

    it('splices a hijacked attach: 101, bytes both ways, half-close passed on', async () => {
      const { socket, head } = await hijack(sock, '/v1.41/containers/web/attach?stream=1&stdin=1&stdout=1');
      assert.match(head, /^HTTP\/1\.1 101 UPGRADED\r\n/);
      assert.match(head, /Content-Type: application\/vnd\.docker\.raw-stream/);
      socket.write('hello\n');
      assert.equal(await readUntil(socket, (t) => t.includes('HELLO')), 'HELLO\n');
      socket.write('again\n');
      assert.equal(await readUntil(socket, (t) => t.includes('AGAIN')), 'AGAIN\n');
      // stdin ended: the engine still answers on the open half, then closes.
      socket.end();
      assert.equal(await readUntil(socket, (t) => t.includes('bye')), 'bye\n');
      await new Promise<void>((resolve) => socket.once('close', () => resolve()));
      const seen = engine.seen.find((r) => r.url.includes('/attach'));
      assert.equal(seen?.url, '/v1.41/containers/web/attach?stream=1&stdin=1&stdout=1');
      assert.equal(seen?.headers['upgrade'], 'tcp');
    });

    it('runs the docker CLI `exec -i` through the hijack: stdin in, output out, exit code', async (t) => {
      const docker = dockerCli();
      if (docker === undefined) return t.skip('no docker CLI on this machine');
      // Asynchronously: shoal and the fake engine run in this process.
      const r = await new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
        const child = execFile(
          docker,
          ['-H', `unix://${sock}`, 'exec', '-i', 'web', 'cat'],
          { timeout: 20_000 },
          (err, stdout, stderr) => resolve({ status: err ? 1 : 0, stdout, stderr }),
        );
        child.stdin?.end('typed in\n');
      });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, 'TYPED IN\nbye\n');
      const start = engine.seen.find((x) => x.url.includes('/exec/exec1/start'));
      assert.equal(start?.headers['upgrade'], 'tcp');
    });

    it('refuses an upgrade on a path shoal owns, also one dressed as an engine path', async () => {
      const owned = await hijack(sock, '/v1.41/services/create');
      assert.match(owned.head, /^HTTP\/1\.1 404 /);
      owned.socket.destroy();
      for (const path of ['/v1.41/containers/../swarm/init', '/containers/%2e%2e/swarm/leave']) {
        const dressed = await hijack(sock, path);
        assert.match(dressed.head, /^HTTP\/1\.1 400 /, path);
        dressed.socket.destroy();
      }
      const plain = await call(sock, 'POST', '/v1.41/containers/../swarm/leave');
      assert.equal(plain.status, 400);
      assert.ok(!engine.seen.some((r) => r.url.includes('swarm')));
    });

    it('keeps shoal routes shoal-served (no passthrough for swarm paths)', async () => {
      const a = await call(sock, 'GET', '/v1.41/swarm');
      assert.equal(a.status, 503);
      assert.equal(a.headers['api-version'], '1.41');
      assert.ok(!engine.seen.some((r) => r.url.includes('/swarm')));
    });
  });
}
