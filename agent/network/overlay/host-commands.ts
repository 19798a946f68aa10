// How the data plane runs the kernel's configuration tools (ip, bridge, nft…): one program per
// call, never through a shell, with a time bound. A prefix (e.g. `nsenter --net=… --mount=…`)
// runs every command in another node's namespaces: shoald runs in its node's namespaces and needs
// none; a test driving several lab hosts from one process gives each host its prefix.

import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { HostCommandError } from './errors.js';

export interface HostCommandResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface HostRunOptions {
  /** Written to the command's standard input (a batch for `ip -batch -`, JSON for `nft -j -f -`). */
  readonly input?: string;
  /** Resolve with the result on a non-zero exit instead of rejecting. */
  readonly allowFailure?: boolean;
}

export interface HostCommands {
  /** Runs a program in the node's namespaces; rejects with HostCommandError when it fails. */
  run(argv: readonly string[], options?: HostRunOptions): Promise<HostCommandResult>;
}

const SEARCH = [
  ...(process.env['PATH'] ?? '').split(delimiter),
  '/usr/local/sbin',
  '/usr/sbin',
  '/sbin',
  '/usr/bin',
  '/bin',
];
const resolved = new Map<string, string>();

/** The absolute path of a program (services often run with a PATH that lacks /usr/sbin). */
export function programPath(name: string): string {
  if (name.includes('/')) return name;
  const hit = resolved.get(name);
  if (hit !== undefined) return hit;
  for (const dir of SEARCH) {
    if (dir === '') continue;
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      resolved.set(name, p);
      return p;
    } catch {
      // not here
    }
  }
  return name;
}

export interface NodeCommandsOptions {
  /** argv prepended to every command (default none: the calling process's namespaces). */
  readonly prefix?: readonly string[];
  /** Kill a command that has not finished after this long (default 30 s). */
  readonly timeoutMs?: number;
}

export class NodeCommands implements HostCommands {
  private readonly prefix: readonly string[];
  private readonly timeoutMs: number;

  constructor(options: NodeCommandsOptions = {}) {
    this.prefix = options.prefix ?? [];
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  run(argv: readonly string[], options: HostRunOptions = {}): Promise<HostCommandResult> {
    const [program, ...args] = argv;
    if (program === undefined) throw new TypeError('NodeCommands.run needs a program');
    const full = [...this.prefix, programPath(program), ...args];
    const [file, ...rest] = full;
    return new Promise((resolve, reject) => {
      const child = spawn(file ?? program, rest, { stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, this.timeoutMs);
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => err.push(b));
      child.stdin.on('error', () => undefined); // it may exit without reading its input
      child.stdin.end(options.input ?? '');
      child.on('error', (e) => {
        clearTimeout(timer);
        reject(new HostCommandError(full, null, e.message, 'could not be started'));
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        const result = {
          code,
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
        };
        if (timedOut)
          reject(new HostCommandError(full, code, result.stderr, `timed out after ${this.timeoutMs} ms`));
        else if (code !== 0 && options.allowFailure !== true)
          reject(new HostCommandError(full, code, result.stderr || result.stdout));
        else resolve(result);
      });
    });
  }
}
