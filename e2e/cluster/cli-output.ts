// Reading CLI output in the e2e scenarios: a command that must succeed, and the rows of a
// docker-style table (columns separated by two or more spaces).

import assert from 'node:assert/strict';
import type { CliResult } from './shoal-lab.js';

/** Awaits a CLI run, fails the test with its output unless it exited 0, and returns stdout. */
export async function ok(p: Promise<CliResult>): Promise<string> {
  const r = await p;
  assert.equal(r.code, 0, `command failed (${r.code}): ${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** The rows of a table printed by `node ls`, `service ps` …, without its header. */
export function rows(out: string): string[][] {
  return out
    .trim()
    .split('\n')
    .slice(1)
    .filter((l) => l.trim() !== '')
    .map((l) => l.trim().split(/\s{2,}/));
}
