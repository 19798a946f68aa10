import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { JsonDepthScanner, jsonTooDeep } from '../json-limits.js';

/** Nesting of a parsed value, counted recursively (the values here are shallow). */
function depthOf(value: unknown): number {
  if (Array.isArray(value)) return 1 + Math.max(0, ...value.map(depthOf));
  if (typeof value === 'object' && value !== null)
    return 1 + Math.max(0, ...Object.values(value).map(depthOf));
  return 0;
}

test('the depth scanner agrees with the parsed depth of any JSON, strings with brackets included', () => {
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 8 }), fc.integer({ min: 0, max: 9 }), (value, limit) => {
      const text = JSON.stringify(value);
      assert.equal(jsonTooDeep(text, limit), depthOf(value) > limit);
      assert.equal(jsonTooDeep(Buffer.from(text, 'utf8'), limit), depthOf(value) > limit);
    }),
    { seed: 9, numRuns: 2000 },
  );
});

test('the depth scanner gives the same answer however the bytes are split into chunks', () => {
  fc.assert(
    fc.property(
      fc.jsonValue({ maxDepth: 8 }),
      fc.array(fc.nat(), { maxLength: 8 }),
      fc.integer({ min: 0, max: 9 }),
      (value, cuts, limit) => {
        const bytes = Buffer.from(JSON.stringify(value), 'utf8');
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const scanner = new JsonDepthScanner(limit);
        let from = 0;
        for (const p of [...points, bytes.length]) {
          scanner.push(bytes.subarray(from, p));
          from = p;
        }
        assert.equal(scanner.exceeded, depthOf(value) > limit);
      },
    ),
    { seed: 11, numRuns: 1000 },
  );
});

test('the depth scanner is linear: 3 million levels in a few milliseconds, 4 MiB of strings too', () => {
  const deep = '['.repeat(3_000_000);
  let started = performance.now();
  assert.equal(jsonTooDeep(deep, 64), true);
  assert.ok(performance.now() - started < 100);
  const wide = JSON.stringify(Array.from({ length: 100_000 }, () => '[[[{{{"\\"]]]'));
  started = performance.now();
  assert.equal(jsonTooDeep(wide, 2), false);
  assert.ok(performance.now() - started < 1000);
});
