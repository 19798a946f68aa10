// The OpenStack way in, for real: the release tarball from `npm run package`, a manager host
// installed with deploy/install.sh (shoald started directly: no systemd here) and a swarm
// initialized on it, then instances (lab hosts, each a network namespace with its own dockerd)
// running deploy/openstack/user-data.sh against a metadata service on 169.254.169.254 inside
// their namespace, or a config drive, and joining. The lab runs at MTU 1450, as OpenStack does.

import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, test } from 'node:test';
import { eventually } from '../../cluster/shoal-lab.js';
import {
  buildRelease,
  DeployLab,
  METADATA_IP,
  ROOT,
  runProgram,
  tableRows,
  type RunResult,
} from '../deploy-lab.js';

const HOSTS = ['manager', 'worker1', 'worker2', 'worker3', 'worker4'] as const;
const [MANAGER, W1, W2, W3, W4] = [0, 1, 2, 3, 4];

let out: string;
let d: DeployLab;
let token: string;
let managerAddr: string;

before(async () => {
  out = await mkdtemp(join(tmpdir(), 'shoal-release-'));
  const tarball = await buildRelease(out);
  d = await DeployLab.create(tarball, { name: 'deploy', hosts: [...HOSTS], mtu: 1450 });
  managerAddr = d.lab.addr(MANAGER);
});

after(async () => {
  await d?.destroy();
  if (out) await rm(out, { recursive: true, force: true });
});

function ok(r: { code: number | null; stdout: string; stderr: string }, what: string): string {
  assert.equal(r.code, 0, `${what} failed (exit ${r.code}):\n${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

/** A finished user-data run that must have succeeded: its log. */
function succeeded(r: { code: number; log: string }): string {
  assert.equal(r.code, 0, `user-data.sh failed (exit ${r.code}):\n${r.log}`);
  return r.log;
}

/** The manager's view of one node: its `docker node ls` row once it is Ready. */
function readyNode(hostname: string): Promise<string[]> {
  return eventually(`${hostname} Ready in docker node ls`, async () => {
    const rows = tableRows(ok(await d.docker(MANAGER, ['node', 'ls']), 'docker node ls'));
    return rows.find((r) => r.includes(hostname) && r.includes('Ready') && r.includes('Active'));
  });
}

/** Every file and link under dir with its size, mode and mtime: what "nothing changed" compares. */
function snapshot(dir: string, skip: readonly string[]): Map<string, string> {
  const m = new Map<string, string>();
  const walk = (p: string): void => {
    const rel = relative(dir, p);
    if (skip.some((s) => rel === s || rel.startsWith(`${s}/`))) return;
    const st = lstatSync(p);
    m.set(rel, `${st.mode}:${st.size}:${st.mtimeMs}`);
    if (st.isDirectory()) for (const n of readdirSync(p)) walk(join(p, n));
  };
  walk(dir);
  return m;
}

test('single VM: install.sh installs the release, starts shoald, and swarm init works', async () => {
  const r = await d.install(MANAGER);
  ok(r, 'install.sh on the manager');
  assert.match(r.stderr, /installed shoal [\d.]+ in .*\/opt\/shoal\/[\d.]+/);
  assert.match(r.stderr, /started shoald directly/);
  const root = d.root(MANAGER);
  const config = JSON.parse(await readFile(join(root, 'etc/shoal/shoald.json'), 'utf8')) as Record<
    string,
    string
  >;
  assert.deepEqual(Object.keys(config).sort(), ['data-root', 'engine', 'host', 'listen-addr', 'log-level']);
  assert.equal(config['engine'], d.lab.host(MANAGER).dockerHost);
  const unit = await readFile(join(root, 'etc/systemd/system/shoald.service'), 'utf8');
  assert.match(
    unit,
    new RegExp(`^ExecStart=${root}/opt/shoal/bin/shoald --config ${root}/etc/shoal/shoald.json$`, 'm'),
  );
  assert.match(unit, /^Restart=on-failure$/m);
  assert.match(unit, /^After=.*docker\.service/m);
  const verify = await d.exec(MANAGER, [
    'systemd-analyze',
    'verify',
    join(root, 'etc/systemd/system/shoald.service'),
  ]);
  assert.equal(verify.code, 0, `systemd-analyze verify: ${verify.stderr}`);

  const init = ok(await d.shoal(MANAGER, ['swarm', 'init', '--advertise-addr', managerAddr]), 'swarm init');
  assert.match(init, /Swarm initialized/);
  token = ok(await d.shoal(MANAGER, ['swarm', 'join-token', '-q', 'worker']), 'join-token').trim();
  assert.match(token, /^SWMTKN-1-[0-9a-z]{50}-[0-9a-z]{25}$/);
});

test('an instance reads meta_data.json from 169.254.169.254, installs shoal and joins: node ls shows it Ready', async () => {
  await d.writeMetadata(W1, { ip: managerAddr, token, role: 'worker' });
  await d.startMetadata(W1);
  // A default route, as an instance has: --docker-mtu auto finds the 1450 of its interface.
  await d.lab.exec(W1, ['ip', 'route', 'add', 'default', 'dev', 'eth0']);
  const log = succeeded(await d.userData(W1, {}));
  assert.match(
    log,
    new RegExp(
      `read metadata from http://${METADATA_IP.replace(/\./g, '\\.')}/openstack/latest/meta_data\\.json`,
    ),
  );
  assert.match(log, new RegExp(`manager ${managerAddr.replace(/\./g, '\\.')}:2377, role worker`));
  assert.match(log, /This node joined a swarm as a worker\./);
  assert.match(d.metadataLog(W1), /GET \/openstack\/latest\/meta_data\.json 200/);
  const daemonJson = JSON.parse(await readFile(join(d.root(W1), 'etc/docker/daemon.json'), 'utf8')) as {
    mtu: number;
  };
  assert.equal(daemonJson.mtu, 1450);
  const row = await readyNode('worker1');
  assert.ok(!row.includes('Leader'));
});

test('a second run changes nothing and exits 0', async () => {
  const root = d.root(W1);
  const skip = ['var/lib', 'var/log', 'run'];
  const before = snapshot(root, skip);
  const pid = d.shoaldPid(W1);
  const log = succeeded(await d.userData(W1, {}));
  assert.match(log, /already part of a swarm/);
  assert.match(log, /shoal [\d.]+: unchanged/);
  assert.doesNotMatch(log, /shoal-install: (wrote|linked|installed|started|stopped)/);
  assert.deepEqual(snapshot(root, skip), before);
  assert.equal(d.shoaldPid(W1), pid);
  assert.ok(pid !== undefined && (await stat(`/proc/${pid}`)).isDirectory(), 'the same shoald still runs');
});

test('metadata unreachable at first: the script retries with back-off, then joins', async () => {
  await d.writeMetadata(W2, { ip: managerAddr, token });
  const run = d.startUserData(W2, {});
  await run.waitForLog(/metadata not reachable yet \(attempt 2\); retrying in 2s/);
  await d.startMetadata(W2);
  const log = succeeded(await run.done());
  assert.match(log, /metadata not reachable yet \(attempt 1\); retrying in 1s/);
  assert.match(log, /read metadata from http:/);
  await readyNode('worker2');
});

test('a malformed token: a clear error, a non-zero exit, nothing installed or started', async () => {
  const drive = await d.writeMetadata(W3, { ip: managerAddr, token: 'SWMTKN-1-abc-def' }, 'config-drive');
  const r = await d.userData(W3, { SHOAL_CONFIG_DRIVE: drive });
  assert.notEqual(r.code, 0);
  assert.match(
    r.log,
    /error: malformed join token 'SWMTKN-1-abc-def\.\.\.': expected SWMTKN-1-<50 characters 0-9a-z>-<25 characters 0-9a-z>/,
  );
  await assert.rejects(stat(d.root(W3)), /ENOENT/);
  const root = d.root(W3);
  const running = readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(root);
      } catch {
        return false;
      }
    });
  assert.deepEqual(running, [], 'no process runs from the install root');
});

test('no metadata service: the config drive is read instead', async () => {
  const drive = await d.writeMetadata(W3, { ip: managerAddr, token, role: 'worker' }, 'config-drive');
  const log = succeeded(await d.userData(W3, { SHOAL_CONFIG_DRIVE: drive }));
  assert.match(log, /the metadata service did not answer; read metadata from the config drive/);
  await readyNode('worker3');
});

test('join-token --user-data prints a ready script that joins, and the matching nova boot line', async () => {
  const r = await d.shoal(MANAGER, [
    'swarm',
    'join-token',
    '--user-data',
    'worker',
    '--release-url',
    d.tarball,
  ]);
  ok(r, 'join-token --user-data');
  assert.match(r.stdout, /^#!\/usr\/bin\/env bash\n# Written by `shoal swarm join-token --user-data worker`/);
  assert.match(
    r.stderr,
    new RegExp(
      `nova boot .*--user-data user-data\\.sh --meta ip=${managerAddr.replace(/\./g, '\\.')} --meta token=${token} --meta role=worker`,
    ),
  );
  const script = join(d.lab.host(W4).dir, 'user-data.sh');
  await writeFile(script, r.stdout);
  // No metadata at all: the values written into the script are used. The instance's link is
  // down until the first join attempt has failed, so the join is retried.
  await d.lab.linkDown(W4);
  const run = d.startUserData(W4, { SHOAL_METADATA_TIMEOUT: '1', SHOAL_TARBALL: '' }, script);
  await run.waitForLog(/not joined yet: /);
  await d.lab.linkUp(W4);
  const log = succeeded(await run.done());
  assert.match(log, /using the manager and token written in this script/);
  assert.match(log, /joining the swarm at [\d.]+:2377 \(attempt 2\)/);
  await readyNode('worker4');
});

test('the release runs where it is unpacked: bin/shoal refuses a Node older than 20.18', async () => {
  const fake = join(d.lab.host(W1).dir, 'old-node');
  await writeFile(fake, '#!/bin/sh\necho v18.19.0\n', { mode: 0o755 });
  const r = await d.exec(W1, [join(d.root(W1), 'usr/local/bin/shoal'), '--version'], { SHOAL_NODE: fake });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /SHOAL_NODE=.* is not a Node\.js >= 20\.18:\n {2}.*old-node: v18\.19\.0/);
});

test('inside an instance at MTU 1450, the underlay MTU is 1450 and overlays get 1400', async () => {
  // nsenter keeps the machine's /sys: mount the host's own sysfs in a private mount namespace.
  const r = await d.exec(W1, [
    'unshare',
    '--mount',
    'sh',
    '-c',
    'mount -t sysfs sysfs /sys && exec "$0" "$@"',
    process.execPath,
    join(ROOT, 'dist/e2e/deploy/underlay-mtu-probe.js'),
    `${d.lab.addr(W1)}:2377`,
  ]);
  assert.equal(r.code, 0, r.stderr);
  const got = JSON.parse(r.stdout) as {
    underlay: number;
    overlay: number;
    interfaces: { name: string; mtu: number }[];
  };
  assert.equal(got.underlay, 1450, r.stdout);
  assert.equal(got.overlay, 1400);
  assert.equal(got.interfaces.find((i) => i.name === 'eth0')?.mtu, 1450);
});

test('install.sh: flags land in shoald.json, a changed release is replaced, bad input is refused', async () => {
  const root = await mkdtemp(join(tmpdir(), 'shoal-install-'));
  const install = (...args: string[]): Promise<RunResult> =>
    runProgram('bash', [
      join(ROOT, 'deploy/install.sh'),
      '--tarball',
      d.tarball,
      '--root',
      root,
      '--no-start',
      '--no-docker',
      ...args,
    ]);
  try {
    const first = await install('--advertise-addr', '10.1.2.3', '--log-level', 'debug');
    assert.equal(first.code, 0, first.stderr);
    const config = (): Promise<Record<string, string>> =>
      readFile(join(root, 'etc/shoal/shoald.json'), 'utf8').then(
        (t) => JSON.parse(t) as Record<string, string>,
      );
    assert.equal((await config())['advertise-addr'], '10.1.2.3');
    assert.equal((await config())['log-level'], 'debug');

    const second = await install('--advertise-addr', '10.1.2.3', '--log-level', 'info');
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stderr, /unchanged: shoal [\d.]+ in /);
    assert.match(second.stderr, /wrote .*\/etc\/shoal\/shoald\.json/);
    assert.equal((await config())['log-level'], 'info');

    // Another build of the same version: replaced, and the RELEASE file says so.
    const release = join(
      root,
      'opt/shoal',
      readdirSync(join(root, 'opt/shoal')).find((n) => /^\d/.test(n)) ?? '',
      'RELEASE',
    );
    const original = await readFile(release, 'utf8');
    await writeFile(release, original.replace(/^id=.*$/m, 'id=an-older-build'));
    const third = await install('--advertise-addr', '10.1.2.3', '--log-level', 'info');
    assert.equal(third.code, 0, third.stderr);
    assert.match(third.stderr, /installed shoal [\d.]+ in /);
    assert.equal(await readFile(release, 'utf8'), original);

    for (const [args, message] of [
      [['--docker-mtu', '99'], /--docker-mtu 99 is outside 1280\.\.9000/],
      [['--log-level', 'loud'], /--log-level loud: expected fatal, error/],
      [['--frobnicate'], /unknown option --frobnicate/],
      [['--advertise-addr', 'a"b'], /--advertise-addr must not contain quotes/],
    ] as const) {
      const r = await install(...args);
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
    const notRelease = await runProgram('bash', [
      join(ROOT, 'deploy/install.sh'),
      '--tarball',
      join(ROOT, 'package.json'),
      '--root',
      root,
    ]);
    assert.equal(notRelease.code, 1);
    assert.match(notRelease.stderr, /is not a shoal release/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
