// Watching a daemon the harness started: did it exit within a deadline, with which code, and
// what did it print since a given point of its log file.

import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { open, stat } from 'node:fs/promises';

export interface DaemonExit {
  /** undefined: still running at the deadline. */
  readonly code: number | null | undefined;
  readonly signal: NodeJS.Signals | null | undefined;
}

export async function exitWithin(p: ChildProcess, ms: number): Promise<DaemonExit> {
  if (p.exitCode === null && p.signalCode === null) {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      once(p, 'exit'),
      new Promise((r) => {
        timer = setTimeout(r, ms);
      }),
    ]);
    clearTimeout(timer);
  }
  if (p.exitCode === null && p.signalCode === null) return { code: undefined, signal: undefined };
  return { code: p.exitCode, signal: p.signalCode };
}

export function describeExit(e: DaemonExit, ms: number): string {
  if (e.code === undefined) return `was still running ${ms / 1000} s later`;
  return e.signal ? `was killed by ${e.signal}` : `exited with code ${e.code}`;
}

export async function logSize(file: string): Promise<number> {
  return stat(file).then(
    (s) => s.size,
    () => 0,
  );
}

/** What the log file holds from `offset` on (at most the last 1 MiB of it). */
export async function logSince(file: string, offset: number): Promise<string> {
  const size = await logSize(file);
  const from = Math.max(offset, size - 1024 * 1024);
  if (size <= from) return '';
  const fh = await open(file, 'r');
  try {
    const b = Buffer.alloc(size - from);
    await fh.read(b, 0, b.length, from);
    return b.toString('utf8');
  } finally {
    await fh.close();
  }
}
