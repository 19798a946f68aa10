// Runs the compiled test files under dist/ with Node's built-in test runner, by tier.
//
// Usage: node scripts/run-tests.mjs [--tier unit|integration|e2e]... [substring-filter...]
//
// The tier is in the file name, so a test says what it needs where it is listed:
//   *.test.ts              unit: fast, deterministic, in-process only (no sockets, no root)
//   *.integration.test.ts  integration: real processes, gRPC or HTTP over loopback, LevelDB,
//                          child processes, the docker CLI against an in-process server
//   *.e2e.test.ts          e2e: needs root, the lab, dockerd, network namespaces, nftables
// Without --tier every tier runs (what `npm test` does). With filters, only the files whose
// dist path contains one of them run. A test file that fits no tier rule fails the run: it
// would otherwise run in no tier at all, or in the wrong one.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const TIERS = /** @type {const} */ (['unit', 'integration', 'e2e']);
/** The one rule per tier, on the compiled file's name. */
const TIER_RULES = {
  unit: /^[a-z0-9_-]+\.test\.js$/,
  integration: /^[a-z0-9_-]+\.integration\.test\.js$/,
  e2e: /^[a-z0-9_-]+\.e2e\.test\.js$/,
};
/** What counts as a test file at all: anything named like one, in any JavaScript flavour. */
const LOOKS_LIKE_TEST = /\.test\.[cm]?js$/;

const root = new URL('..', import.meta.url).pathname;
const dist = join(root, 'dist');

function usage(message) {
  console.error(
    `${message}\nusage: node scripts/run-tests.mjs [--tier ${TIERS.join('|')}]... [substring-filter...]`,
  );
  process.exit(2);
}

const tiers = new Set();
const filters = [];
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  const arg = args[i];
  let tier;
  if (arg === '--tier') {
    tier = args[++i];
    if (tier === undefined) usage('--tier needs a value');
  } else if (arg.startsWith('--tier=')) {
    tier = arg.slice('--tier='.length);
  } else if (arg.startsWith('--')) {
    usage(`unknown option ${arg}`);
  } else {
    filters.push(arg);
    continue;
  }
  if (!TIERS.includes(tier)) usage(`unknown tier "${tier}"`);
  tiers.add(tier);
}

if (!existsSync(dist)) {
  console.error('no dist/ directory: build first (npm run build)');
  process.exit(1);
}
const found = [];
(function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (LOOKS_LIKE_TEST.test(name)) found.push(p);
  }
})(dist);

// A compiled test whose TypeScript source is gone (renamed or deleted since the last build) is
// a stale output tsc leaves behind: it is not a test of this tree, and running it could put a
// root-only test in the unit tier under its old name.
const stale = [];
const unmatched = [];
const byTier = { unit: [], integration: [], e2e: [] };
for (const file of found.sort()) {
  const rel = relative(dist, file);
  const source = join(root, rel.replace(/\.js$/, '.ts'));
  const tier = TIERS.filter((t) => TIER_RULES[t].test(basename(file)));
  if (tier.length !== 1) unmatched.push(relative(root, file));
  else if (!existsSync(source)) stale.push(relative(root, file));
  else byTier[tier[0]].push(file);
}
if (unmatched.length > 0) {
  console.error(
    `test files that fit no tier rule (name them <name>.test.ts, <name>.integration.test.ts or <name>.e2e.test.ts):\n  ${unmatched.join('\n  ')}`,
  );
  process.exit(1);
}
if (stale.length > 0) {
  console.warn(
    `not running ${stale.length} compiled test files with no source (stale build output; delete them or dist/):\n  ${stale.join('\n  ')}`,
  );
}

const wanted = tiers.size === 0 ? TIERS : TIERS.filter((t) => tiers.has(t));
const matches = (f) => filters.length === 0 || filters.some((s) => f.includes(s));
const chosen = [];
const counts = [];
for (const tier of wanted) {
  const files = byTier[tier].filter(matches);
  chosen.push(...files);
  counts.push(`${tier} ${files.length}`);
}
if (chosen.length === 0) {
  console.error(
    `no test files found under dist/ for tier ${wanted.join(', ')}${filters.length > 0 ? ` and filter ${filters.join(', ')}` : ''} (did the build run?)`,
  );
  process.exit(1);
}
console.log(`running ${chosen.length} test files:\n  ${chosen.map((f) => relative(root, f)).join('\n  ')}`);
console.log(`per tier: ${counts.join(', ')}`);
const r = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...chosen], {
  stdio: 'inherit',
  cwd: root,
});
process.exit(r.status ?? 1);
