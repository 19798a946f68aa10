// A lab whose hosts each run shoald against their own dockerd, and helpers to drive them the
// way users do: the unmodified docker CLI (Debian's /usr/bin/docker) or the shoal CLI, each
// pointed at a host's shoald socket.

import { execFile } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Lab, type HostRef } from '../../lab/lab.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const SHOALD = join(ROOT, 'dist/cli/shoald.js');
const SHOAL = join(ROOT, 'dist/cli/shoal.js');
/** Debian's docker CLI (20.10), not a newer one earlier in PATH. */
export const DOCKER_CLI = existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export class ShoalLab {
  readonly lab: Lab;
  private readonly daemons = new Map<number, ChildProcess>();
  /** Extra shoald flags per host (e.g. --metrics-addr), given the host's lab address. */
  private readonly extraArgs: (h: number, addr: string) => readonly string[];

  private constructor(lab: Lab, extraArgs: (h: number, addr: string) => readonly string[] = () => []) {
    this.lab = lab;
    this.extraArgs = extraArgs;
  }

  static async create(
    name: string,
    hosts: number,
    opts: {
      mtu?: number;
      startTimeoutMs?: number;
      daemonArgs?: (h: number, addr: string) => readonly string[];
    } = {},
  ): Promise<ShoalLab> {
    const lab = await Lab.create({ name, hosts, ...(opts.mtu !== undefined ? { mtu: opts.mtu } : {}) });
    const s = new ShoalLab(lab, opts.daemonArgs);
    try {
      await Promise.all(lab.hosts.map((_, i) => s.startDaemon(i, opts.startTimeoutMs)));
    } catch (e: unknown) {
      await lab.destroy();
      throw e;
    }
    return s;
  }

  socket(h: number): string {
    return join(this.lab.host(h).dir, 'shoal', 'shoal.sock');
  }

  dataRoot(h: number): string {
    return join(this.lab.host(h).dir, 'shoal');
  }

  logFile(h: number): string {
    return join(this.lab.host(h).dir, 'shoald.log');
  }

  /** Starts (or restarts) shoald on host h and waits (20 s unless told) for its API to answer. */
  async startDaemon(h: number, timeoutMs = 20_000): Promise<void> {
    const host = this.lab.host(h);
    const p = this.spawnDaemon(h);
    const end = Date.now() + timeoutMs;
    for (;;) {
      const r = await this.docker(h, ['version', '--format', '{{.Server.Version}}']);
      if (r.code === 0) return;
      if (Date.now() > end || p.exitCode !== null) {
        throw new Error(`shoald on ${host.name} did not start (see ${this.logFile(h)}): ${r.stderr}`);
      }
      await new Promise((r2) => setTimeout(r2, 100));
    }
  }

  /** Starts shoald on host h without waiting for its API (for starts that may be refused). */
  spawnDaemon(h: number): ChildProcess {
    const host = this.lab.host(h);
    const p = this.lab.spawn(
      h,
      [
        process.execPath,
        SHOALD,
        '--data-root',
        this.dataRoot(h),
        '-H',
        `unix://${this.socket(h)}`,
        '--engine',
        host.dockerHost,
        '--hostname',
        host.name,
        '--log-level',
        process.env['SHOAL_E2E_LOG'] ?? 'info',
        ...this.extraArgs(h, this.lab.addr(h)),
      ],
      { logFile: this.logFile(h) },
    );
    this.daemons.set(h, p);
    return p;
  }

  /** The shoald process the lab last started on host h (it may have exited since). */
  daemon(h: number): ChildProcess | undefined {
    return this.daemons.get(h);
  }

  /** Kills shoald on host h (as a crash would). */
  killDaemon(h: number, signal: NodeJS.Signals = 'SIGKILL'): void {
    const p = this.daemons.get(h);
    if (p?.pid !== undefined) this.lab.kill(h, p.pid, signal);
    this.daemons.delete(h);
  }

  private run(
    cmd: string,
    args: readonly string[],
    env: NodeJS.ProcessEnv = {},
    input?: string,
  ): Promise<CliResult> {
    return new Promise((resolve) => {
      const child = execFile(
        cmd,
        args,
        { env: { ...process.env, ...env }, timeout: 60_000 },
        (err, stdout, stderr) => {
          const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
      child.stdin?.end(input ?? '');
    });
  }

  /** The unmodified docker CLI against host h's shoald (`input`: its standard input). */
  docker(h: number, args: readonly string[], input?: string): Promise<CliResult> {
    return this.run(DOCKER_CLI, ['-H', `unix://${this.socket(h)}`, ...args], {}, input);
  }

  /** The shoal CLI against host h's shoald. */
  shoal(h: number, args: readonly string[]): Promise<CliResult> {
    return this.run(process.execPath, [SHOAL, '-H', `unix://${this.socket(h)}`, ...args]);
  }

  /** docker against host h's own engine (to look at the containers shoal runs there). */
  engine(h: HostRef, args: readonly string[]): Promise<CliResult> {
    return this.run(DOCKER_CLI, ['-H', this.lab.host(h).dockerHost, ...args]);
  }

  addr(h: number): string {
    return this.lab.addr(h);
  }

  async destroy(): Promise<void> {
    await this.lab.destroy();
  }
}

/** Polls `probe` until it returns a value (not undefined), or fails with the last observation. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  ms = 30_000,
): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e: unknown) {
      last = e;
    }
    if (Date.now() > end) {
      throw new Error(
        `timed out after ${ms} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
