// Runs one program (never through a shell) and collects its output, with a time bound.

import { spawn } from 'node:child_process';
import { LabCommandError } from './errors.js';

export interface CommandResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** Refuse a non-zero exit with a LabCommandError (default true). */
  readonly check?: boolean;
  /** Kill the command (SIGKILL) after this long; default 60 s. */
  readonly timeoutMs?: number;
  /** Written to the command's standard input. */
  readonly input?: string | Buffer;
  readonly env?: NodeJS.ProcessEnv;
}

export function runCommand(argv: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
  const [file, ...args] = argv;
  if (file === undefined) throw new TypeError('runCommand needs a program to run');
  const timeoutMs = options.timeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(options.env ? { env: options.env } : {}),
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.stdin.on('error', () => undefined); // the command may exit without reading its input
    child.stdin.end(options.input ?? '');
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new LabCommandError(argv, null, '', e.message, 'could not be started'));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const result = {
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      };
      if (timedOut) {
        reject(
          new LabCommandError(argv, code, result.stdout, result.stderr, `timed out after ${timeoutMs} ms`),
        );
      } else if ((options.check ?? true) && code !== 0) {
        reject(new LabCommandError(argv, code, result.stdout, result.stderr));
      } else {
        resolve(result);
      }
    });
  });
}
