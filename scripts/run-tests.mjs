// Runs every compiled test file under dist/ with Node's built-in test runner.
// Usage: node scripts/run-tests.mjs [substring-filter...]
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const dist = join(root, 'dist');
const filters = process.argv.slice(2);
const files = [];
(function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.test.js')) files.push(p);
  }
})(dist);
const chosen = files.filter((f) => filters.length === 0 || filters.some((s) => f.includes(s))).sort();
if (chosen.length === 0) {
  console.error('no test files found under dist/ (did the build run?)');
  process.exit(1);
}
console.log(`running ${chosen.length} test files:\n  ${chosen.map((f) => relative(root, f)).join('\n  ')}`);
const r = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...chosen], {
  stdio: 'inherit',
  cwd: root,
});
process.exit(r.status ?? 1);
