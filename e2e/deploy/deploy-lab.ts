// The deploy scenarios' harness: a lab whose hosts play OpenStack instances. It builds the
// release tarball with `npm run package`, installs shoal on a host with deploy/install.sh into
// the host's own directory (no systemd: shoald is started directly), runs
// deploy/openstack/user-data.sh inside a host, and serves meta_data.json on 169.254.169.254:80
// inside a host's network namespace, as the metadata service does.

import type { ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DOCKER_CLI, eventually } from '../cluster/shoal-lab.js';
import { Lab, type HostRef, type LabOptions } from '../../lab/lab.js';
import type { CommandResult } from '../../lab/run-command.js';

export const ROOT = new URL('../../../', import.meta.url).pathname;
export const INSTALL_SH = join(ROOT, 'deploy/install.sh');
export const USER_DATA_SH = join(ROOT, 'deploy/openstack/user-data.sh');
const METADATA_SERVER = join(ROOT, 'dist/e2e/deploy/metadata-server.js');
export const METADATA_IP = '169.254.169.254';

export interface UserDataRun {
  /** Everything the script printed so far. */
  log(): string;
  /** Resolves when the log matches; rejects if the script exits first. */
  waitForLog(re: RegExp, timeoutMs?: number): Promise<void>;
  /** Its exit code and whole output, once it has exited. */
  done(timeoutMs?: number): Promise<{ code: number; log: string }>;
}

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a program (never through a shell) on this machine; never rejects on a non-zero exit. */
export function runProgram(
  cmd: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  timeout = 120_000,
): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(
      cmd,
      args,
      { env: { ...process.env, ...env }, timeout, maxBuffer: 16 << 20 },
      (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

/** `npm run package` into outDir (from the dist/ that the build made); the tarball's path. */
export async function buildRelease(outDir: string): Promise<string> {
  const r = await runProgram(
    'npm',
    ['run', '--silent', 'package', '--', '--no-build', '--out-dir', outDir],
    {},
    180_000,
  );
  if (r.code !== 0) throw new Error(`npm run package failed:\n${r.stderr}${r.stdout}`);
  const tarball = readdirSync(outDir).find((f) => /^shoal-.+-linux-.+\.tar\.gz$/.test(f));
  if (!tarball) throw new Error(`npm run package made no tarball in ${outDir}: ${r.stdout}`);
  return join(outDir, tarball);
}

export class DeployLab {
  private readonly metadata = new Map<number, ChildProcess>();
  private runs = 0;

  private constructor(
    readonly lab: Lab,
    readonly tarball: string,
  ) {}

  static async create(tarball: string, options: LabOptions): Promise<DeployLab> {
    return new DeployLab(await Lab.create(options), tarball);
  }

  /** Where host h's "filesystem root" for shoal is (install.sh --root). */
  root(h: HostRef, name = 'shoal-root'): string {
    return join(this.lab.host(h).dir, name);
  }

  socket(h: HostRef, name = 'shoal-root'): string {
    return join(this.root(h, name), 'run/shoal/shoal.sock');
  }

  /** install.sh flags that point shoald at the host's own engine. */
  installArgs(h: HostRef): string[] {
    return ['--engine', this.lab.host(h).dockerHost, '--log-level', process.env['SHOAL_E2E_LOG'] ?? 'info'];
  }

  /** Runs a command inside host h with extra environment; never rejects on a non-zero exit. */
  async exec(
    h: HostRef,
    argv: readonly string[],
    env: NodeJS.ProcessEnv = {},
    timeoutMs = 120_000,
  ): Promise<CommandResult> {
    return this.lab.exec(h, argv, { check: false, env: { ...process.env, ...env }, timeoutMs });
  }

  /** deploy/install.sh --tarball … --root <host root> --no-systemd, inside host h. */
  install(h: HostRef, extra: readonly string[] = [], name = 'shoal-root'): Promise<CommandResult> {
    return this.exec(h, [
      'bash',
      INSTALL_SH,
      '--tarball',
      this.tarball,
      '--root',
      this.root(h, name),
      '--no-systemd',
      ...this.installArgs(h),
      ...extra,
    ]);
  }

  /** The installed shoal CLI (through its /usr/local/bin link) inside host h. */
  shoal(h: HostRef, args: readonly string[], name = 'shoal-root'): Promise<CommandResult> {
    return this.exec(h, [
      join(this.root(h, name), 'usr/local/bin/shoal'),
      '-H',
      `unix://${this.socket(h, name)}`,
      ...args,
    ]);
  }

  /** The unmodified docker CLI against host h's shoald. */
  docker(h: HostRef, args: readonly string[], name = 'shoal-root'): Promise<RunResult> {
    return runProgram(DOCKER_CLI, ['-H', `unix://${this.socket(h, name)}`, ...args]);
  }

  /**
   * Starts a user-data script inside host h, the way cloud-init would (as root, from a file),
   * with its output (stdout and stderr) going to a log file the test can watch.
   */
  startUserData(h: HostRef, env: NodeJS.ProcessEnv, script = USER_DATA_SH, name = 'shoal-root'): UserDataRun {
    const host = this.lab.host(h);
    const logFile = join(host.dir, `user-data-${++this.runs}.log`);
    const child = this.lab.spawn(h, ['bash', script], {
      logFile,
      env: {
        ...process.env,
        SHOAL_TARBALL: this.tarball,
        SHOAL_ROOT: this.root(h, name),
        SHOAL_INSTALL_ARGS: ['--docker-mtu', 'auto', ...this.installArgs(h)].join(' '),
        SHOAL_CONFIG_DRIVE: join(host.dir, 'no-config-drive'),
        SHOAL_BACKOFF_MAX: '2',
        SHOAL_METADATA_TIMEOUT: '30',
        SHOAL_JOIN_TIMEOUT: '60',
        ...env,
      },
    });
    const exited = new Promise<number>((resolve) => {
      if (child.exitCode !== null) resolve(child.exitCode);
      else child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
    });
    const log = (): string => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
    return {
      log,
      done: async (timeoutMs = 120_000) => {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            child.kill('SIGKILL');
            reject(new Error(`user-data.sh on ${host.name} did not finish in ${timeoutMs} ms:\n${log()}`));
          }, timeoutMs);
        });
        try {
          const code = await Promise.race([exited, timeout]);
          return { code, log: log() };
        } finally {
          clearTimeout(timer);
        }
      },
      waitForLog: (re: RegExp, timeoutMs = 60_000) =>
        eventually(
          `user-data.sh on ${host.name} to log ${String(re)}`,
          () => {
            if (re.test(log())) return Promise.resolve(true);
            if (child.exitCode !== null) {
              return Promise.reject(new Error(`user-data.sh exited (${child.exitCode}) first:\n${log()}`));
            }
            return Promise.resolve(undefined);
          },
          timeoutMs,
        ).then(() => undefined),
    };
  }

  /** Runs a user-data script inside host h to the end. */
  userData(
    h: HostRef,
    env: NodeJS.ProcessEnv,
    script = USER_DATA_SH,
  ): Promise<{ code: number; log: string }> {
    return this.startUserData(h, env, script).done();
  }

  /** Writes host h's meta_data.json (served by startMetadata, or read from a config drive). */
  async writeMetadata(h: HostRef, meta: Record<string, string>, dir = 'metadata'): Promise<string> {
    const d = join(this.lab.host(h).dir, dir, 'openstack/latest');
    await mkdir(d, { recursive: true });
    const host = this.lab.host(h);
    const doc = {
      uuid: `00000000-0000-4000-8000-${String(host.index).padStart(12, '0')}`,
      name: host.name,
      hostname: `${host.name}.novalocal`,
      availability_zone: 'nova',
      launch_index: 0,
      meta,
    };
    await writeFile(join(d, 'meta_data.json'), `${JSON.stringify(doc, null, 2)}\n`);
    return join(this.lab.host(h).dir, dir);
  }

  /** 169.254.169.254 on host h's loopback and the metadata server on it, answering. */
  async startMetadata(h: HostRef): Promise<void> {
    const host = this.lab.host(h);
    await this.lab.exec(h, ['ip', 'addr', 'add', `${METADATA_IP}/32`, 'dev', 'lo']);
    const file = join(host.dir, 'metadata/openstack/latest/meta_data.json');
    const p = this.lab.spawn(
      h,
      [process.execPath, METADATA_SERVER, '--listen', `${METADATA_IP}:80`, '--file', file],
      {
        logFile: join(host.dir, 'metadata-server.log'),
      },
    );
    this.metadata.set(host.index, p);
    const end = Date.now() + 10_000;
    for (;;) {
      const r = await this.exec(h, [
        'curl',
        '-fsS',
        '-o',
        '/dev/null',
        `http://${METADATA_IP}/openstack/latest/meta_data.json`,
      ]);
      if (r.code === 0) return;
      if (Date.now() > end || p.exitCode !== null)
        throw new Error(`the metadata server on ${host.name} did not start`);
      await new Promise((r2) => setTimeout(r2, 100));
    }
  }

  metadataLog(h: HostRef): string {
    const f = join(this.lab.host(h).dir, 'metadata-server.log');
    return existsSync(f) ? readFileSync(f, 'utf8') : '';
  }

  /** The pid of the shoald that install.sh started on host h, if any. */
  shoaldPid(h: HostRef, name = 'shoal-root'): number | undefined {
    const f = join(this.root(h, name), 'run/shoal/shoald.pid');
    if (!existsSync(f)) return undefined;
    const pid = Number(readFileSync(f, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  }

  async destroy(): Promise<void> {
    for (const h of this.lab.hosts) {
      for (const name of ['shoal-root']) {
        const pid = this.shoaldPid(h, name);
        if (pid === undefined) continue;
        try {
          this.lab.kill(h, pid, 'SIGTERM');
        } catch {
          // gone already, or not this host's: the lab's teardown removes what is left
        }
      }
    }
    await this.lab.destroy();
  }
}

/** Rows of a docker table (header dropped), columns split on runs of two or more spaces. */
export function tableRows(out: string): string[][] {
  return out
    .trim()
    .split('\n')
    .slice(1)
    .filter((l) => l.trim() !== '')
    .map((l) => l.trim().split(/\s{2,}/));
}
