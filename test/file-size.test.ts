// No hand-written source file over 600 lines: past that a file holds more than one idea, and a
// reader loses the thread. Generated code (proto/gen), dependencies and build output are not
// counted. An offender is split by what it holds, not cut at a line number.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sourceFiles } from './support/source-files.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const MAX_LINES = 600;
const SOURCE = /\.(ts|mts|cts|js|mjs|cjs)$/;

const lineCount = (text: string): number => text.split('\n').length - (text.endsWith('\n') ? 1 : 0);

const files = sourceFiles(ROOT, (name) => SOURCE.test(name));

test('the source files are found (the walk sees the tree)', () => {
  assert.ok(files.length > 300, `only ${files.length} source files found under ${ROOT}`);
  assert.ok(files.includes(join('scripts', 'run-tests.mjs')), 'scripts are counted');
  assert.ok(!files.some((f) => f.startsWith('dist/') || f.startsWith(join('proto', 'gen'))), 'output is not');
});

test(`no source file is over ${MAX_LINES} lines`, () => {
  const offenders = files
    .map((file) => ({ file, lines: lineCount(readFileSync(join(ROOT, file), 'utf8')) }))
    .filter((f) => f.lines > MAX_LINES)
    .sort((a, b) => b.lines - a.lines);
  assert.deepEqual(
    offenders.map((o) => `${o.file}: ${o.lines} lines`),
    [],
    `${offenders.length} source files are over ${MAX_LINES} lines; split each by what it holds`,
  );
});
