// A private Docker Engine for the executor tests: its own dockerd in its own network namespace
// (so it never touches the root namespace's iptables), its own data and exec roots in a temp
// dir, and a tiny image built from Debian's busybox-static. stop() removes all of it, also
// when a test failed half-way; a start that fails removes what it had made.
//
// Needs root and the Debian packages docker.io, busybox-static and iproute2 (nsenter is in
// util-linux, present on every Debian).

import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Dockerode from 'dockerode';
import { jsonLines } from '../docker/json-lines.js';

const run = promisify(execFile);

export const DEV_IMAGE = 'shoal/busybox:latest';
const BUSYBOX = '/bin/busybox';
const APPLETS = [
  'sh',
  'echo',
  'sleep',
  'cat',
  'ls',
  'hostname',
  'true',
  'false',
  'nc',
  'id',
  'pwd',
  'env',
  'touch',
  'test',
  'rm',
  'stat',
  'mount',
  'grep',
];
const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 10_000;

export interface DevEngine {
  readonly socketPath: string;
  readonly netns: string;
  readonly dir: string;
  readonly docker: Dockerode;
  /** Runs a command inside the engine's network namespace (e.g. a fake registry); stdout is piped. */
  spawnInNetns(command: string, args: string[]): ChildProcess;
  stop(): Promise<void>;
}

function requirePrerequisites(): void {
  const missing: string[] = [];
  if (process.getuid?.() !== 0) missing.push('root (the tests create a network namespace and run dockerd)');
  for (const [bin, pkg] of [
    ['/usr/sbin/dockerd', 'docker.io'],
    [BUSYBOX, 'busybox-static'],
    ['/usr/sbin/ip', 'iproute2'],
    ['/usr/bin/nsenter', 'util-linux'],
  ] as const) {
    if (!existsSync(bin)) missing.push(`${bin} (apt-get install -y ${pkg})`);
  }
  if (missing.length > 0) throw new Error(`the Docker executor tests need: ${missing.join('; ')}`);
}

export async function startDevEngine(): Promise<DevEngine> {
  requirePrerequisites();
  await sweepStale();
  const dir = await mkdtemp(join(tmpdir(), `shoal-dev-${process.pid}-`));
  const netns = `shoal-dev-${process.pid}`;
  const socketPath = join(dir, 'docker.sock');
  const docker = new Dockerode({ socketPath });
  let daemon: ChildProcess | undefined;
  let netnsMade = false;

  const stop = async (): Promise<void> => {
    if (daemon !== undefined && daemon.exitCode === null) {
      await removeAllContainers(docker);
      await stopDaemon(daemon);
    }
    await unmountUnder(dir);
    if (netnsMade) await run('ip', ['netns', 'del', netns]).catch(() => undefined);
    await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  };

  try {
    await run('ip', ['netns', 'add', netns]);
    netnsMade = true;
    await run('nsenter', [`--net=/run/netns/${netns}`, 'ip', 'link', 'set', 'lo', 'up']);
    const log = createWriteStream(join(dir, 'dockerd.log'));
    daemon = spawn(
      'nsenter',
      [
        `--net=/run/netns/${netns}`,
        'dockerd',
        '--data-root',
        join(dir, 'data'),
        '--exec-root',
        join(dir, 'exec'),
        '-H',
        `unix://${socketPath}`,
        '--pidfile',
        join(dir, 'dockerd.pid'),
        '--bridge',
        'none',
        '--iptables=false',
        '--ip-masq=false',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    daemon.stdout?.pipe(log);
    daemon.stderr?.pipe(log);
    await waitForPing(docker, daemon, join(dir, 'dockerd.log'));
    await importBusybox(docker, dir);
  } catch (e: unknown) {
    await stop().catch(() => undefined);
    throw e;
  }

  return {
    socketPath,
    netns,
    dir,
    docker,
    spawnInNetns: (command, args) =>
      spawn('nsenter', [`--net=/run/netns/${netns}`, command, ...args], {
        stdio: ['ignore', 'pipe', 'inherit'],
      }),
    stop,
  };
}

async function waitForPing(docker: Dockerode, daemon: ChildProcess, logPath: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (daemon.exitCode !== null) {
      const log = await readFile(logPath, 'utf8').catch(() => '');
      throw new Error(`dockerd exited with ${daemon.exitCode} at start:\n${log.slice(-2000)}`);
    }
    try {
      await docker.ping();
      return;
    } catch {
      if (Date.now() > deadline)
        throw new Error(`dockerd did not answer /_ping within ${START_TIMEOUT_MS} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** `docker import` of a rootfs holding busybox and a few applet links. */
async function importBusybox(docker: Dockerode, dir: string): Promise<void> {
  const rootfs = join(dir, 'rootfs');
  await mkdir(join(rootfs, 'bin'), { recursive: true });
  for (const d of ['tmp', 'etc', 'proc', 'sys', 'dev']) await mkdir(join(rootfs, d), { recursive: true });
  await copyFile(BUSYBOX, join(rootfs, 'bin', 'busybox'));
  for (const applet of APPLETS) await symlink('busybox', join(rootfs, 'bin', applet));
  const tar = spawn('tar', ['-C', rootfs, '-c', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
  if (tar.stdout === null) throw new Error('tar gave no output stream');
  const [repo, tag] = DEV_IMAGE.split(':');
  const progress = await docker.importImage(tar.stdout, {
    repo,
    tag,
    changes: ['ENV PATH=/bin', 'CMD ["sh"]'],
  });
  for await (const message of jsonLines(progress)) {
    const error = (message as { error?: unknown }).error;
    if (typeof error === 'string') throw new Error(`importing ${DEV_IMAGE}: ${error}`);
  }
  await docker.getImage(DEV_IMAGE).inspect();
}

async function removeAllContainers(docker: Dockerode): Promise<void> {
  const all = await docker.listContainers({ all: true }).catch(() => []);
  await Promise.all(
    all.map((c) =>
      docker
        .getContainer(c.Id)
        .remove({ force: true, v: true })
        .catch(() => undefined),
    ),
  );
}

async function stopDaemon(daemon: ChildProcess): Promise<void> {
  const exited = new Promise<void>((resolve) => daemon.once('exit', () => resolve()));
  daemon.kill('SIGTERM');
  const timer = setTimeout(() => daemon.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

/** Whatever dockerd left mounted under the temp dir (after a hard kill) must go before rm. */
async function unmountUnder(dir: string): Promise<void> {
  const mounts = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
  const points = mounts
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((p) => p.startsWith(dir + '/'))
    .sort((a, b) => b.length - a.length);
  for (const p of points) await run('umount', ['-l', p]).catch(() => undefined);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Removes what a test process that was killed outright (no after()) left: netns, dockerd, dirs. */
async function sweepStale(): Promise<void> {
  const { stdout } = await run('ip', ['netns', 'list']);
  for (const line of stdout.split('\n')) {
    const name = line.split(' ')[0] ?? '';
    const owner = /^shoal-dev-(\d+)$/.exec(name)?.[1];
    if (owner === undefined || alive(Number(owner))) continue;
    const pids = await run('ip', ['netns', 'pids', name]).then((r) =>
      r.stdout.split('\n').filter((p) => p !== ''),
    );
    for (const pid of pids) process.kill(Number(pid), 'SIGKILL');
    await run('ip', ['netns', 'del', name]).catch(() => undefined);
  }
  for (const entry of await readdir(tmpdir())) {
    const owner = /^shoal-dev-(\d+)-/.exec(entry)?.[1];
    if (owner === undefined || alive(Number(owner))) continue;
    const dir = join(tmpdir(), entry);
    await unmountUnder(dir);
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
}
