// The Docker executor against a real dockerd (a private one in its own network namespace, see
// ../../test/dev-engine.ts): the shared Executor suite, then what only a real engine shows
// (the container config it accepts, pulls that hang, health checks).

import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ContainerSpec } from '../../../../api/objects/index.js';
import type { Controller, LogEntry } from '../../executor.js';
import { ContainerUnhealthyError, ImagePullTimeoutError } from '../../errors.js';
import { DEV_IMAGE, startDevEngine, type DevEngine } from '../../test/dev-engine.js';
import { executorSuite, type ExecutorFixture, type Workload } from '../../test/executor-suite.js';
import { makeTask } from '../../test/task-fixture.js';
import { taskName } from '../../../../api/task-identity.js';
import { DockerExecutor } from '../docker-executor.js';

const quote = (s: string): string => `'${s.replaceAll("'", `'\\''`)}'`;
const FOREVER = "trap 'exit 0' TERM; while true; do sleep 0.1; done";

export function shellWorkload(w: Workload): Partial<ContainerSpec> {
  const lines = [
    ...(w.stdout ?? []).map((l) => `echo ${quote(l)}`),
    ...(w.stderr ?? []).map((l) => `echo ${quote(l)} >&2`),
    w.exitCode === undefined ? FOREVER : `exit ${w.exitCode}`,
  ];
  return { command: ['sh', '-c'], args: [lines.join('; ')] };
}

let engine: DevEngine | undefined;
let fixture: ExecutorFixture | undefined;

before(async () => {
  engine = await startDevEngine();
  fixture = {
    executor: new DockerExecutor({ socketPath: engine.socketPath, pullTimeoutMs: 10_000 }),
    image: DEV_IMAGE,
    missingImage: 'shoal/does-not-exist:1',
    workload: shellWorkload,
    graceMs: 2_000,
  };
});

after(async () => {
  await engine?.stop();
});

function must<T>(v: T | undefined): T {
  assert.ok(v !== undefined, 'the dev engine did not start');
  return v;
}

executorSuite('docker', () => must(fixture));

async function removing(ctl: Controller, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } finally {
    await ctl.remove();
  }
}

async function lines(ctl: Controller): Promise<string[]> {
  const out: LogEntry[] = [];
  for await (const e of ctl.logs()) out.push(e);
  return out.map((e) => e.line);
}

describe('Docker executor on a real engine', () => {
  test('the task spec becomes the container config, and the engine runs it', async () => {
    const e = must(engine);
    const hostDir = await mkdtemp(join(tmpdir(), 'shoal-bind-'));
    await writeFile(join(hostDir, 'file'), 'from-the-host\n');
    await chmod(hostDir, 0o755);
    const script = [
      'echo "A=$A"',
      'hostname',
      'pwd',
      'id -u',
      'touch /scratch/x && echo tmpfs-ok',
      'touch /x 2>/dev/null || echo rootfs-read-only',
      'cat /bind/file',
      'touch /vol/y && echo volume-ok',
    ].join('; ');
    const task = makeTask({
      container: {
        image: DEV_IMAGE,
        labels: { team: 'blue' },
        command: ['sh', '-c'],
        args: [script],
        env: ['A=1'],
        hostname: 'box',
        dir: '/tmp',
        user: '0',
        readOnly: true,
        init: true,
        stopSignal: 'SIGINT',
        stopGracePeriod: 3_000,
        sysctls: { 'net.ipv4.ip_forward': '0' },
        capabilityAdd: ['CAP_NET_ADMIN'],
        capabilityDrop: ['CAP_MKNOD'],
        hosts: ['10.1.2.3 db database'],
        mounts: [
          {
            type: 'tmpfs',
            target: '/scratch',
            readOnly: false,
            tmpfsOptions: { sizeBytes: 1 << 20, mode: 0o1777 },
          },
          { type: 'bind', source: hostDir, target: '/bind', readOnly: true },
          { type: 'volume', target: '/vol', readOnly: false },
          { type: 'tmpfs', target: '/tmp', readOnly: false },
        ],
      },
      spec: { resources: { limits: { nanoCPUs: 5e8, memoryBytes: 64 << 20, generic: [] } } },
    });
    const ctl = must(fixture).executor.controller(task);
    try {
      await removing(ctl, async () => {
        await ctl.prepare();
        const raw = await e.docker.getContainer(taskName(task)).inspect();
        assert.equal(raw.Name, `/web.1.${task.id}`);
        assert.equal(raw.Config.Labels['team'], 'blue');
        assert.equal(raw.Config.Labels['com.docker.swarm.task.id'], task.id);
        assert.equal(raw.Config.Labels['com.docker.swarm.task.name'], `web.1.${task.id}`);
        assert.equal(raw.Config.Labels['com.docker.swarm.service.id'], task.serviceId);
        assert.equal(raw.Config.Labels['com.docker.swarm.service.name'], 'web');
        assert.equal(raw.Config.Labels['com.docker.swarm.node.id'], 'node1');
        assert.equal(raw.Config.Labels['io.shoal.managed'], 'true');
        assert.ok(raw.Config.Env.includes('A=1'));
        assert.equal(raw.Config.Hostname, 'box');
        assert.equal(raw.Config.WorkingDir, '/tmp');
        assert.equal((raw.Config as { StopSignal?: string }).StopSignal, 'SIGINT');
        const host = raw.HostConfig;
        assert.equal(host.NetworkMode, 'default');
        assert.equal(host.NanoCpus, 5e8);
        assert.equal(host.Memory, 64 << 20);
        assert.equal(host.Init, true);
        assert.equal(host.ReadonlyRootfs, true);
        assert.deepEqual(host.Sysctls, { 'net.ipv4.ip_forward': '0' });
        assert.deepEqual(host.CapAdd, ['CAP_NET_ADMIN']);
        assert.deepEqual(host.CapDrop, ['CAP_MKNOD']);
        assert.deepEqual(host.ExtraHosts, ['db:10.1.2.3', 'database:10.1.2.3']);
        assert.equal(host.Mounts?.length, 4);
        await ctl.start();
        const exit = await ctl.wait();
        const out = await lines(ctl);
        assert.equal(exit.exitCode, 0, out.join('\n'));
        assert.deepEqual(out, [
          'A=1',
          'box',
          '/tmp',
          '0',
          'tmpfs-ok',
          'rootfs-read-only',
          'from-the-host',
          'volume-ok',
        ]);
      });
    } finally {
      await rm(hostDir, { recursive: true, force: true });
    }
  });

  test('a pull that hangs is cut off by the pull timeout, with a message saying so', async () => {
    const e = must(engine);
    // A "registry" in the engine's namespace that accepts connections and never answers.
    const listen =
      "require('net').createServer(() => {}).listen(5999, '127.0.0.1', () => console.log('listening'))";
    const registry = e.spawnInNetns(process.execPath, ['-e', listen]);
    try {
      await new Promise<void>((resolve, reject) => {
        registry.stdout?.once('data', () => resolve());
        registry.once('exit', (code) => reject(new Error(`the fake registry exited with ${code}`)));
      });
      const executor = new DockerExecutor({ socketPath: e.socketPath, pullTimeoutMs: 1_500 });
      const ctl = executor.controller(makeTask({ container: { image: '127.0.0.1:5999/hangs:1' } }));
      const started = Date.now();
      await assert.rejects(ctl.prepare(), (err: unknown) => {
        assert.ok(err instanceof ImagePullTimeoutError, String(err));
        assert.match(err.message, /did not finish within 1500 ms/);
        return true;
      });
      assert.ok(Date.now() - started < 5_000, `took ${Date.now() - started} ms`);
    } finally {
      registry.kill('SIGKILL');
    }
  });

  test('start waits for a health check to pass and reports its progress', async () => {
    const task = makeTask({
      container: {
        image: DEV_IMAGE,
        command: ['sh', '-c'],
        args: [`sleep 0.3; touch /tmp/ok; ${FOREVER}`],
        healthcheck: {
          test: ['CMD-SHELL', 'test -f /tmp/ok'],
          interval: 100,
          timeout: 1_000,
          startPeriod: 0,
          retries: 3,
        },
      },
    });
    const ctl = must(fixture).executor.controller(task);
    await removing(ctl, async () => {
      await ctl.prepare();
      const notes: string[] = [];
      await ctl.start({ onProgress: (m) => notes.push(m) });
      assert.equal((await ctl.inspect())?.health, 'healthy');
      assert.deepEqual(notes, ['health: starting']);
    });
  });

  test('a container that never gets healthy fails start; one that turns unhealthy fails wait', async () => {
    const never = makeTask({
      container: {
        image: DEV_IMAGE,
        ...shellWorkload({}),
        healthcheck: { test: ['CMD', 'false'], interval: 100, timeout: 1_000, startPeriod: 0, retries: 1 },
      },
    });
    const c1 = must(fixture).executor.controller(never);
    await removing(c1, async () => {
      await c1.prepare();
      await assert.rejects(c1.start(), ContainerUnhealthyError);
    });
    const turns = makeTask({
      container: {
        image: DEV_IMAGE,
        command: ['sh', '-c'],
        args: [`touch /tmp/ok; sleep 0.5; rm /tmp/ok; ${FOREVER}`],
        healthcheck: {
          test: ['CMD-SHELL', 'test -f /tmp/ok'],
          interval: 100,
          timeout: 1_000,
          startPeriod: 0,
          retries: 1,
        },
      },
    });
    const c2 = must(fixture).executor.controller(turns);
    await removing(c2, async () => {
      await c2.prepare();
      await c2.start();
      await assert.rejects(c2.wait(), ContainerUnhealthyError);
    });
  });
});
