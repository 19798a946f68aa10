// What young-generation.ts sets really takes effect in a running process: V8 reads the growth
// factor when it considers growing the young generation, so held it stays as small as the
// smallest `--max-semi-space-size` given at start would keep it under a burst of surviving
// allocations, and released it grows again. In child processes: the flags are process-wide and
// the test runner's own heap must not decide the outcome.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);
const moduleUrl = new URL('../young-generation.js', import.meta.url).href;

// Survivors in bulk make V8 want a larger young generation (as module loading at start does).
const script = `
import { getHeapSpaceStatistics } from 'node:v8';
import { holdYoungGeneration, releaseYoungGeneration } from ${JSON.stringify(moduleUrl)};
const newSpace = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
function burst() {
  let keep = [];
  for (let i = 0; i < 2e6; i++) {
    keep.push({ i, s: 'v' + i });
    if (keep.length > 50000) keep = [];
  }
  return keep.length;
}
const hold = process.argv.includes('hold');
if (hold) holdYoungGeneration();
burst();
const first = newSpace();
releaseYoungGeneration();
burst();
console.log(JSON.stringify({ first, released: newSpace() }));
`;

async function newSpaceAfterBursts(
  nodeFlags: string[],
  hold: boolean,
): Promise<{ first: number; released: number }> {
  const args = [...nodeFlags, '--input-type=module', '-e', script, '--', ...(hold ? ['hold'] : [])];
  const { stdout } = await run(process.execPath, args);
  return JSON.parse(stdout) as { first: number; released: number };
}

test('held, the young generation stays as small as the smallest start-up cap; released, it grows', async () => {
  const capped = await newSpaceAfterBursts(['--max-semi-space-size=1'], false);
  const held = await newSpaceAfterBursts([], true);
  const free = await newSpaceAfterBursts([], false);
  assert.ok(
    free.first > capped.first,
    `the burst did not grow an unheld young generation (${free.first} bytes)`,
  );
  assert.ok(
    held.first <= capped.first,
    `held: new space ${held.first} bytes, ${capped.first} with --max-semi-space-size=1`,
  );
  assert.ok(held.released > held.first, `released: new space stayed at ${held.released} bytes`);
});
