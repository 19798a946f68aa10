// The strict exposition-format reader the metrics tests rely on: it reads what prom-client
// writes, and refuses what a Prometheus server would (or what breaks the format's rules).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { parsePromText, PromTextError, sampleValue } from './prom-text.js';

test("reads a registry's output: counters, labelled gauges with escapes, histograms", async () => {
  const registry = new Registry();
  const registers = [registry];
  new Counter({ name: 'x_total', help: 'a counter', registers }).inc(3);
  const g = new Gauge({ name: 'g', help: 'with "quotes" and \\ and\nnewline', labelNames: ['k'], registers });
  g.set({ k: 'a"b\\c\nd' }, 1.5);
  g.set({ k: 'plain' }, -2);
  const h = new Histogram({ name: 'h_seconds', help: 'h', labelNames: ['r'], buckets: [0.1, 1], registers });
  h.observe({ r: 'one' }, 0.05);
  h.observe({ r: 'one' }, 5);
  const families = parsePromText(await registry.metrics());
  assert.equal(families.get('x_total')?.type, 'counter');
  assert.equal(sampleValue(families, 'x_total'), 3);
  assert.equal(sampleValue(families, 'g', { k: 'a"b\\c\nd' }), 1.5);
  assert.equal(sampleValue(families, 'g', { k: 'plain' }), -2);
  assert.equal(families.get('g')?.help, 'with "quotes" and \\ and\nnewline');
  assert.equal(families.get('h_seconds')?.type, 'histogram');
  assert.equal(sampleValue(families, 'h_seconds_bucket', { r: 'one', le: '0.1' }), 1);
  assert.equal(sampleValue(families, 'h_seconds_bucket', { r: 'one', le: '+Inf' }), 2);
  assert.equal(sampleValue(families, 'h_seconds_count', { r: 'one' }), 2);
  assert.throws(() => sampleValue(families, 'g'), /2 samples of g/);
  assert.throws(() => sampleValue(families, 'missing'), /0 samples of missing/);
});

test('refuses broken text, naming the line', () => {
  const bad: [string, RegExp][] = [
    ['a 1', /no final newline/],
    ['1a 1\n', /not a sample/],
    ['a{b="c} 1\n', /unterminated|expected/],
    ['a{b=c} 1\n', /not quoted/],
    ['a{b="\\x"} 1\n', /bad escape/],
    ['a{b="1",b="2"} 1\n', /twice/],
    ['a{1b="1"} 1\n', /bad label name/],
    ['a one\n', /bad value/],
    ['a 1\na 2\n', /appears twice/],
    ['a 1\nb 1\na{x="1"} 1\n', /not together/],
    ['# TYPE a counter\n# TYPE a gauge\n', /second TYPE/],
    ['# TYPE a countr\n', /unknown type/],
    ['a 1\n# TYPE a gauge\n', /after its samples/],
    ['# HELP a x\n# HELP a y\n', /second HELP/],
    ['# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n', /no \+Inf bucket/],
    ['# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n', /decrease/],
    ['# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 1\n', /differs from _count/],
    ['# TYPE h histogram\nh_bucket{le="+Inf"} 1\nh_count 1\n', /no _sum/],
  ];
  for (const [text, why] of bad) {
    assert.throws(
      () => parsePromText(text),
      (e: unknown) => e instanceof PromTextError && why.test(e.message),
      text,
    );
  }
  assert.deepEqual([...parsePromText('').keys()], []);
  assert.equal(sampleValue(parsePromText('# a comment\n\na 1 1700000000000\n'), 'a'), 1);
  assert.ok(Number.isNaN(sampleValue(parsePromText('a NaN\n'), 'a')));
  // As Prometheus (Go's ParseFloat) reads them: any case; prom-client writes "Nan".
  assert.ok(Number.isNaN(sampleValue(parsePromText('a Nan\n'), 'a')));
  assert.equal(sampleValue(parsePromText('a +inf\n'), 'a'), Infinity);
});
