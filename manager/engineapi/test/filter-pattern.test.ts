import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkFilterPattern, filterPattern } from '../filter-pattern.js';
import { json, startHarness } from './harness.js';

test('filter patterns: simple ones run, backtracking bombs are refused', () => {
  for (const ok of [
    'web',
    '^web$',
    'a.*b',
    '^[a-z]+-[0-9]+$',
    '(?:ab)+',
    'x|y',
    'a{2,3}b',
    '[(+*]',
    '\\(a+\\)+',
    'a+?b',
  ]) {
    assert.doesNotThrow(() => checkFilterPattern(ok), ok);
  }
  for (const bad of [
    '(a+)+b',
    '(a|a)*b',
    '(a*)*',
    '((a+))+',
    '(?:a+){2,}',
    '(a)\\1',
    'a*a*a*a*b',
    '(?<x>a+)+',
    'x'.repeat(2000),
  ]) {
    assert.throws(() => checkFilterPattern(bad), /invalid filter: the pattern .* is too complex/, bad);
  }
  assert.equal(filterPattern('(unclosed'), undefined);
  assert.ok(filterPattern('^we')?.test('web'));
});

test('a network filter built to backtrack answers 400 at once', async () => {
  const h = await startHarness();
  try {
    const name = 'a'.repeat(60);
    const created = await h.request('POST', '/networks/create', { Name: name, Driver: 'overlay' });
    assert.equal(created.statusCode, 201, created.body);
    const started = performance.now();
    const res = await h.request(
      'GET',
      `/networks?filters=${encodeURIComponent(JSON.stringify({ name: ['(a+)+b'] }))}`,
    );
    assert.ok(performance.now() - started < 500);
    assert.equal(res.statusCode, 400);
    assert.match(json<{ message: string }>(res).message, /too complex/);
    const found = await h.request(
      'GET',
      `/networks?filters=${encodeURIComponent(JSON.stringify({ name: ['^a+$'] }))}`,
    );
    assert.equal(found.statusCode, 200);
    assert.deepEqual(
      json<{ Name: string }[]>(found).map((n) => n.Name),
      [name],
    );
  } finally {
    await h.close();
  }
});
