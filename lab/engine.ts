// A host's Docker Engine: a dockerd (with its own containerd) run inside the host's network, UTS
// and mount namespaces, with every path of its own under the host's directory, so several engines share
// the machine without seeing each other.

import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { ping } from './engine-api.js';
import { LabError } from './errors.js';
import { isAlive } from './lab-resources.js';
import { tool } from './prerequisites.js';
import { nsenterArgv } from './underlay.js';

export interface EngineHost {
  readonly name: string;
  readonly addr: string;
  readonly dir: string;
  readonly netnsPath: string;
  readonly utsPath: string;
  readonly mountNsPath: string;
  readonly dockerSocket: string;
  readonly cgroupParent: string;
}

export interface EnginePaths {
  readonly dataRoot: string;
  readonly execRoot: string;
  readonly pidfile: string;
  readonly configFile: string;
  readonly log: string;
}

export function enginePaths(h: Pick<EngineHost, 'dir'>): EnginePaths {
  return {
    dataRoot: join(h.dir, 'docker'),
    execRoot: join(h.dir, 'exec'),
    pidfile: join(h.dir, 'docker.pid'),
    configFile: join(h.dir, 'daemon.json'),
    log: join(h.dir, 'dockerd.log'),
  };
}

/** The dockerd command line (flags checked against Debian's dockerd 20.10). */
export function dockerdArgv(h: EngineHost): string[] {
  const p = enginePaths(h);
  return [
    tool('dockerd'),
    `--config-file=${p.configFile}`,
    `--data-root=${p.dataRoot}`,
    `--exec-root=${p.execRoot}`,
    `--host=unix://${h.dockerSocket}`,
    `--pidfile=${p.pidfile}`,
    '--bridge=none',
    '--iptables=false',
    '--ip6tables=false',
    '--ip-masq=false',
    '--userland-proxy=false',
    `--host-gateway-ip=${h.addr}`,
    `--cgroup-parent=${h.cgroupParent}`,
    '--exec-opt=native.cgroupdriver=cgroupfs',
    '--storage-driver=overlay2',
  ];
}

function tail(path: string, lines = 15): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Starts the host's dockerd and resolves with its pid once /_ping answers. */
export async function startEngine(h: EngineHost, timeoutMs = 30_000): Promise<number> {
  const p = enginePaths(h);
  // Its own trust key (the engine ID) instead of the machine's shared /etc/docker/key.json.
  await writeFile(p.configFile, JSON.stringify({ 'deprecated-key-path': join(h.dir, 'key.json') }));
  const log = openSync(p.log, 'a');
  let exited: string | undefined;
  const child = spawn(nsenterArgv(h)[0] ?? 'nsenter', [...nsenterArgv(h).slice(1), ...dockerdArgv(h)], {
    detached: true,
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  child.on('exit', (code, signal) => {
    exited = signal ? `was killed by ${signal}` : `exited with code ${String(code)}`;
  });
  child.on('error', (e) => {
    exited = `could not be started: ${e.message}`;
  });
  child.unref();
  const pid = child.pid;
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (exited !== undefined || pid === undefined) {
      throw new LabError(
        'LAB_ENGINE_START',
        `dockerd of ${h.name} ${exited ?? 'did not start'}; ${p.log}:\n${tail(p.log)}`,
      );
    }
    if (await ping(h.dockerSocket)) return pid;
    if (Date.now() > until) {
      throw new LabError(
        'LAB_ENGINE_START',
        `dockerd of ${h.name} did not answer /_ping within ${timeoutMs} ms; ${p.log}:\n${tail(p.log)}`,
      );
    }
    await delay(50);
  }
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
export async function stopProcess(pid: number, graceMs: number): Promise<void> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const until = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < until) await delay(25);
  if (!isAlive(pid)) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return;
  }
  const hardUntil = Date.now() + 10_000;
  while (isAlive(pid) && Date.now() < hardUntil) await delay(25);
}
