// The shared Executor test suite: every executor (Docker, null) must pass it. A fixture tells
// the suite which image exists, which does not, and how to spell a workload ("print these
// lines, then exit with N" or "run until stopped") in the executor's terms.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ContainerSpec, Task } from '../../../api/objects/index.js';
import type { Controller, Executor, LogEntry, LogOptions } from '../executor.js';
import { ContainerNotFoundError, ImagePullError } from '../errors.js';
import { LABEL_MANAGED, LABEL_TASK_ID, taskName } from '../../../api/task-identity.js';
import { makeTask } from './task-fixture.js';

export interface Workload {
  stdout?: string[];
  stderr?: string[];
  /** Exit with this code after printing; absent: keep running until stopped. */
  exitCode?: number;
}

export interface ExecutorFixture {
  executor: Executor;
  /** An image the engine has. */
  image: string;
  /** An image no registry the engine can reach has. */
  missingImage: string;
  /** The container-spec fields that make a task run the workload. */
  workload(w: Workload): Partial<ContainerSpec>;
  /** Grace period (ms) to pass to shutdown() in tests. */
  graceMs: number;
}

async function collect(ctl: Controller, options?: LogOptions): Promise<LogEntry[]> {
  const out: LogEntry[] = [];
  for await (const e of ctl.logs(options)) out.push(e);
  return out;
}

export function executorSuite(name: string, fixture: () => ExecutorFixture): void {
  describe(`Executor contract: ${name}`, () => {
    const task = (w: Workload, extra: Partial<ContainerSpec> = {}): Task => {
      const f = fixture();
      return makeTask({ container: { image: f.image, ...f.workload(w), ...extra } });
    };

    /** Runs `body` with a controller for the task, removing the container whatever happens. */
    const withController = async (t: Task, body: (ctl: Controller) => Promise<void>): Promise<void> => {
      const ctl = fixture().executor.controller(t);
      try {
        await body(ctl);
      } finally {
        await ctl.remove();
      }
    };

    test('describe() tells hostname, platform, resources and engine version', async () => {
      const d = await fixture().executor.describe();
      assert.notEqual(d.hostname, '');
      assert.equal(d.platform.os, 'linux');
      assert.notEqual(d.platform.architecture, '');
      assert.ok(d.resources.nanoCPUs >= 1e9, `nanoCPUs ${d.resources.nanoCPUs}`);
      assert.ok(d.resources.memoryBytes > 0);
      assert.notEqual(d.engine.engineVersion, '');
    });

    test('a task that exits 0 runs once and reports exit code 0', async () => {
      await withController(task({ stdout: ['hello'], exitCode: 0 }), async (ctl) => {
        assert.equal(await ctl.inspect(), undefined);
        await ctl.prepare();
        const created = await ctl.inspect();
        assert.ok(created !== undefined && !created.running && created.startedAt === undefined);
        await ctl.start();
        const exit = await ctl.wait();
        assert.equal(exit.exitCode, 0);
        assert.equal(exit.oomKilled, false);
        const after = await ctl.inspect();
        assert.ok(after !== undefined);
        assert.equal(after.running, false);
        assert.equal(after.exitCode, 0);
        assert.notEqual(after.startedAt, undefined);
        assert.notEqual(after.finishedAt, undefined);
      });
    });

    test('a task that exits 3 reports exit code 3', async () => {
      await withController(task({ exitCode: 3 }), async (ctl) => {
        await ctl.prepare();
        await ctl.start();
        assert.equal((await ctl.wait()).exitCode, 3);
        assert.equal((await ctl.inspect())?.exitCode, 3);
      });
    });

    test('steps are idempotent: a second prepare and start change nothing', async () => {
      await withController(task({ exitCode: 0 }), async (ctl) => {
        await ctl.prepare();
        const id = (await ctl.inspect())?.containerId;
        await ctl.prepare();
        assert.equal((await ctl.inspect())?.containerId, id);
        await ctl.start();
        await ctl.wait();
        const first = await ctl.inspect();
        await ctl.start();
        const second = await ctl.inspect();
        assert.equal(second?.startedAt, first?.startedAt, 'an exited task must not be started again');
        assert.equal(second?.running, false);
      });
    });

    test('a new controller for the same task adopts its running container', async () => {
      const t = task({});
      await withController(t, async (first) => {
        await first.prepare();
        await first.start();
        const before = await first.inspect();
        assert.ok(before?.running === true);
        const second = fixture().executor.controller(t);
        await second.prepare();
        await second.start();
        const after = await second.inspect();
        assert.equal(after?.containerId, before.containerId);
        assert.equal(after?.startedAt, before.startedAt, 'adopting must not restart the container');
        const managed = await fixture().executor.listManaged();
        const mine = managed.find((c) => c.taskId === t.id);
        assert.ok(mine !== undefined, `listManaged() should list task ${t.id}`);
        assert.equal(mine.containerId, before.containerId);
        assert.equal(mine.name, taskName(t));
        assert.equal(mine.running, true);
        await second.shutdown(fixture().graceMs);
        assert.equal((await second.inspect())?.running, false);
      });
      const gone = await fixture().executor.listManaged();
      assert.equal(
        gone.find((c) => c.taskId === t.id),
        undefined,
      );
    });

    test('shutdown stops a long-running task and ends its wait', async () => {
      await withController(task({ stdout: ['up'] }), async (ctl) => {
        await ctl.prepare();
        await ctl.start();
        const waiting = ctl.wait();
        await ctl.shutdown(fixture().graceMs);
        await waiting;
        assert.equal((await ctl.inspect())?.running, false);
        await ctl.shutdown(fixture().graceMs); // a second shutdown is a no-op
      });
    });

    test('terminate kills a task at once', async () => {
      await withController(task({}), async (ctl) => {
        await ctl.prepare();
        await ctl.start();
        const waiting = ctl.wait();
        await ctl.terminate();
        const exit = await waiting;
        assert.notEqual(exit.exitCode, 0);
        await ctl.terminate();
      });
    });

    test('an image that does not exist fails prepare with the engine message', async () => {
      const f = fixture();
      const t = makeTask({ container: { image: f.missingImage, ...f.workload({ exitCode: 0 }) } });
      await withController(t, async (ctl) => {
        await assert.rejects(ctl.prepare(), (e: unknown) => {
          assert.ok(e instanceof ImagePullError, `expected an ImagePullError, got ${String(e)}`);
          assert.equal(e.image, f.missingImage);
          assert.notEqual(e.message, '');
          return true;
        });
        assert.equal(await ctl.inspect(), undefined);
      });
    });

    test('logs give each line with its stream and timestamp; tail and stream filters apply', async () => {
      await withController(task({ stdout: ['one', 'two'], stderr: ['oops'], exitCode: 0 }), async (ctl) => {
        const started = Date.now();
        await ctl.prepare();
        await ctl.start();
        await ctl.wait();
        const all = await collect(ctl);
        assert.deepEqual(
          all.filter((e) => e.stream === 'stdout').map((e) => e.line),
          ['one', 'two'],
        );
        assert.deepEqual(
          all.filter((e) => e.stream === 'stderr').map((e) => e.line),
          ['oops'],
        );
        for (const e of all) {
          const at = Date.parse(e.timestamp);
          assert.ok(Number.isFinite(at) && at >= started - 5_000, `timestamp ${e.timestamp}`);
        }
        assert.deepEqual(
          (await collect(ctl, { streams: ['stderr'] })).map((e) => e.line),
          ['oops'],
        );
        assert.deepEqual(await collect(ctl, { since: new Date(Date.now() + 60_000) }), []);
      });
      await withController(task({ stdout: ['a', 'b', 'c'], exitCode: 0 }), async (ctl) => {
        await ctl.prepare();
        await ctl.start();
        await ctl.wait();
        assert.deepEqual(
          (await collect(ctl, { tail: 2 })).map((e) => e.line),
          ['b', 'c'],
        );
        assert.deepEqual(await collect(ctl, { tail: 0 }), []);
      });
    });

    test('following logs streams new lines and stops when aborted', async () => {
      await withController(task({ stdout: ['first'] }), async (ctl) => {
        await ctl.prepare();
        await ctl.start();
        const abort = new AbortController();
        const seen: string[] = [];
        for await (const e of ctl.logs({ follow: true, signal: abort.signal })) {
          seen.push(e.line);
          abort.abort();
        }
        assert.deepEqual(seen, ['first']);
        await ctl.shutdown(fixture().graceMs);
      });
    });

    test('remove is a no-op for a container that does not exist; wait then fails', async () => {
      const t = task({ exitCode: 0 });
      const ctl = fixture().executor.controller(t);
      await ctl.remove();
      assert.equal(await ctl.inspect(), undefined);
      await assert.rejects(ctl.wait(), ContainerNotFoundError);
    });

    test('containers carry Swarm-style names and labels', async () => {
      const t = task({ exitCode: 0 });
      await withController(t, async (ctl) => {
        await ctl.prepare();
        const managed = await fixture().executor.listManaged();
        const c = managed.find((m) => m.taskId === t.id);
        assert.ok(c !== undefined);
        assert.equal(c.name, `web.1.${t.id}`);
        assert.equal(c.serviceId, t.serviceId);
        assert.equal(c.nodeId, t.nodeId);
        assert.equal(LABEL_MANAGED, 'io.shoal.managed');
        assert.equal(LABEL_TASK_ID, 'com.docker.swarm.task.id');
      });
    });
  });
}
