// End-to-end test of the lab itself: real namespaces, bridge, dockerd engines. It needs root and
// the packages scripts/setup.sh installs; without them it fails (Lab.create names what is missing).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Lab, type HostRef } from '../lab.js';
import { isAlive, findLabResources, type LabResources } from '../lab-resources.js';
import { runCommand } from '../run-command.js';
import { sweep } from '../sweep.js';
import { LabError } from '../errors.js';

const BUSYBOX = '/bin/busybox';

function ping(lab: Lab, from: HostRef, to: HostRef): Promise<boolean> {
  return lab
    .exec(from, [BUSYBOX, 'ping', '-c', '1', '-W', '1', lab.addr(to)], { check: false, timeoutMs: 5_000 })
    .then((r) => r.code === 0);
}

/** Everything of the lab, looked up independently of the lab's own bookkeeping. */
async function leftovers(id: string, dir: string): Promise<string[]> {
  const left: string[] = [];
  const netns = (await runCommand(['ip', 'netns', 'list'])).stdout;
  if (netns.includes(id)) left.push(`netns: ${netns}`);
  const links = (await runCommand(['ip', '-o', 'link', 'show'])).stdout;
  if (links.includes(id))
    left.push(
      `links: ${links
        .split('\n')
        .filter((l) => l.includes(id))
        .join('; ')}`,
    );
  const tables = (await runCommand(['nft', 'list', 'tables'])).stdout;
  if (tables.includes(id)) left.push(`nft: ${tables}`);
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8');
  if (mounts.includes(dir) || mounts.includes(id)) left.push('mounts under the lab directory');
  if (existsSync(dir)) left.push(`directory ${dir}`);
  const r: LabResources = await findLabResources(id);
  if (r.pids.length > 0) left.push(`processes ${r.pids.join(', ')}`);
  if (r.cgroups.length > 0) left.push(`cgroups ${r.cgroups.join(', ')}`);
  if (r.iptablesRules.length > 0) left.push(`iptables ${r.iptablesRules.join('; ')}`);
  return left;
}

describe('lab', { timeout: 120_000 }, () => {
  let lab: Lab | undefined;
  const live = (): Lab => {
    assert.ok(lab, 'the lab was not created');
    return lab;
  };

  before(async () => {
    // Leftovers of crashed earlier runs (owner gone) go first; live labs are never touched.
    await sweep();
    const t0 = Date.now();
    lab = await Lab.create({ name: 'lab-e2e', hosts: 3 });
    process.stdout.write(`# 3-host lab up in ${Date.now() - t0} ms (${JSON.stringify(lab.timings)})\n`);
  });

  after(async () => {
    await lab?.destroy();
  });

  it('gives every host its hostname and address, and they reach each other over the bridge', async () => {
    const l = live();
    for (const h of l.hosts) {
      assert.equal((await l.exec(h, ['hostname'])).stdout.trim(), h.name);
      assert.match(
        (await l.exec(h, ['ip', '-4', '-o', 'addr', 'show', 'dev', 'eth0'])).stdout,
        new RegExp(` ${h.cidr} `),
      );
    }
    const pairs = l.hosts.flatMap((a) => l.hosts.filter((b) => b !== a).map((b) => [a, b] as const));
    const results = await Promise.all(pairs.map(([a, b]) => ping(l, a, b)));
    assert.deepEqual(
      results,
      pairs.map(() => true),
      'every host pings every other',
    );
  });

  it('runs shoal/busybox on every host engine, the same image everywhere', async () => {
    const l = live();
    await Promise.all(
      l.hosts.map(async (h) => {
        const own = await l.dockerCli(h, ['run', '--rm', 'shoal/busybox', 'hostname']);
        assert.match(own.stdout.trim(), /^[0-9a-f]{12}$/, 'a container gets its own hostname');
        const onHost = await l.dockerCli(h, [
          'run',
          '--rm',
          '--network',
          'host',
          'shoal/busybox',
          'sh',
          '-c',
          'hostname; ip -4 -o addr show eth0',
        ]);
        const [name, addr] = onHost.stdout.trim().split('\n');
        assert.equal(name, h.name, 'the engine runs in the host (its UTS namespace)');
        assert.match(
          addr ?? '',
          new RegExp(` ${h.cidr} `),
          'the engine runs in the host (its network namespace)',
        );
        const id = (
          await l.dockerCli(h, ['image', 'inspect', '--format', '{{.Id}}', 'shoal/busybox'])
        ).stdout.trim();
        assert.equal(id, l.image?.id);
      }),
    );
    const engineIds = await Promise.all(
      l.hosts.map(async (h) => (await l.dockerCli(h, ['info', '--format', '{{.ID}}'])).stdout.trim()),
    );
    assert.equal(new Set(engineIds).size, l.hosts.length, 'each engine has its own ID');
  });

  it('gives each host its own /run/docker/plugins and /run/shoal, seen by its engine alone', async () => {
    const l = live();
    const [a, b] = [l.host(0), l.host(1)];
    for (const path of ['/run/docker/plugins', '/run/shoal'] as const) {
      writeFileSync(join(a.privateDirs[path], 'mark'), a.name);
      assert.equal(
        (await l.exec(a, ['cat', `${path}/mark`])).stdout,
        a.name,
        `${a.name} sees its own ${path}`,
      );
      const other = await l.exec(b, ['cat', `${path}/mark`], { check: false });
      assert.notEqual(other.code, 0, `${b.name} does not see ${a.name}'s ${path}`);
      rmSync(join(a.privateDirs[path], 'mark'));
    }
    // dockerd runs in the host's mount namespace: the one that holds the host's directories.
    const pid = l.dockerPid(a);
    assert.ok(pid !== undefined);
    assert.equal(readlinkSync(`/proc/${pid}/ns/mnt`), `mnt:[${statSync(a.mountNsPath).ino}]`);
  });

  it('keeps the LAN up when iptables FORWARD drops bridged traffic (as a root dockerd makes it)', async () => {
    const l = live();
    // Appended after the lab's accept rule, tagged with the lab id so teardown removes it too.
    await runCommand([
      'iptables',
      '-w',
      '-A',
      'FORWARD',
      '-i',
      l.bridge,
      '-o',
      l.bridge,
      '-m',
      'comment',
      '--comment',
      l.id,
      '-j',
      'DROP',
    ]);
    assert.equal(await ping(l, 0, 1), true);
  });

  it('block() cuts two hosts apart and unblock() joins them again', async () => {
    const l = live();
    await l.block(0, 1);
    assert.equal(await ping(l, 0, 1), false, 'node1 -> node2 blocked');
    assert.equal(await ping(l, 1, 0), false, 'node2 -> node1 blocked');
    assert.equal(await ping(l, 0, 2), true, 'node1 -> node3 still fine');
    await l.unblock(0, 1);
    assert.equal(await ping(l, 0, 1), true, 'node1 -> node2 back');
  });

  it('linkDown() pulls a host off the LAN and linkUp() plugs it back', async () => {
    const l = live();
    await l.linkDown(2);
    assert.equal(await ping(l, 0, 2), false);
    await l.linkUp(2);
    assert.equal(await ping(l, 0, 2), true);
  });

  it('kill() reaches a host process and refuses any other pid', async () => {
    const l = live();
    assert.throws(
      () => l.kill(0, process.pid, 'SIGCONT'),
      (e: unknown) => e instanceof LabError && e.code === 'LAB_FOREIGN_PID',
    );
    const sleeper = l.spawn(1, [BUSYBOX, 'sleep', '60']);
    const exited = new Promise((resolve) => sleeper.once('exit', (_c, s) => resolve(s)));
    assert.ok(sleeper.pid);
    l.kill(1, sleeper.pid, 'SIGKILL');
    assert.equal(await exited, 'SIGKILL');
  });

  it('leaves a live lab alone when sweeping, and sweeps a crashed run completely', async () => {
    const l = live();
    // A child process creates a lab (with its engine) and is SIGKILLed: the crash a sweep is for.
    const labJs = fileURLToPath(new URL('../lab.js', import.meta.url));
    const child = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { Lab } = await import(${JSON.stringify(labJs)}); const lab = await Lab.create({ name: 'crash', hosts: 1 }); process.stdout.write(lab.id + '\\n'); setInterval(() => {}, 1000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const crashedId = await new Promise<string>((resolve, reject) => {
      child.stdout.once('data', (b: Buffer) => resolve(b.toString('utf8').trim()));
      child.once('exit', (code) => reject(new Error(`the crashing child exited early with ${String(code)}`)));
    });
    const crashedDir = `/tmp/${crashedId}`;
    const enginePid = Number(readFileSync(`${crashedDir}/node1/docker.pid`, 'utf8'));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    assert.ok(isAlive(enginePid), 'the crashed run left its dockerd running');

    const found = await sweep({ dryRun: true });
    assert.ok(found.live.includes(l.id), 'the live lab is left alone');
    assert.ok(found.removed.includes(crashedId), 'the crashed lab is found');
    // Only this one is removed here: a parallel run's sweep may be busy with other leftovers.
    const report = await sweep({ force: [crashedId] });
    assert.deepEqual(report.removed, [crashedId]);
    assert.deepEqual(report.failures, []);
    assert.equal(isAlive(enginePid), false);
    assert.deepEqual(await leftovers(crashedId, crashedDir), []);
    assert.equal(await ping(l, 0, 1), true, 'the live lab still works');
  });

  it('uses the MTU it is given on the bridge and both veth ends', async () => {
    const small = await Lab.create({ name: 'lab-mtu', hosts: 2, mtu: 1450, engines: false });
    try {
      const h = small.host(0);
      assert.equal(readFileSync(`/sys/class/net/${h.veth}/mtu`, 'utf8').trim(), '1450');
      assert.equal(readFileSync(`/sys/class/net/${small.bridge}/mtu`, 'utf8').trim(), '1450');
      assert.match((await small.exec(h, ['ip', '-o', 'link', 'show', 'dev', 'eth0'])).stdout, / mtu 1450 /);
      assert.equal(await ping(small, 0, 1), true);
    } finally {
      await small.destroy();
    }
    assert.deepEqual(await leftovers(small.id, small.dir), []);
  });

  it('destroy() removes every container, engine, mount, namespace, link, rule and file', async () => {
    const l = live();
    await l.dockerCli(0, ['run', '-d', '--name', 'left-running', 'shoal/busybox', 'sleep', '600']);
    const engines = l.hosts.map((h) => l.dockerPid(h));
    assert.ok(engines.every((p) => p !== undefined && isAlive(p)));
    const t0 = Date.now();
    await l.destroy();
    process.stdout.write(`# 3-host lab down in ${Date.now() - t0} ms\n`);
    await l.destroy(); // idempotent
    for (const p of engines)
      assert.equal(p !== undefined && isAlive(p), false, `dockerd ${String(p)} is gone`);
    assert.deepEqual(await leftovers(l.id, l.dir), []);
    await assert.rejects(
      async () => l.exec(0, ['true']),
      (e: unknown) => e instanceof LabError && e.code === 'LAB_DESTROYED',
    );
  });
});
