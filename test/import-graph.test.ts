// The walls between top-level folders, checked on the sources: manager/ and agent/ never import
// each other, the shared packages (api/, ca/) import neither room, and the graph of top-level
// folders has no cycle. The lint rule (eslint.config.js, import-x/no-restricted-paths) stops
// a bad import as it is written; this test keeps the map itself true, whatever the lint sees.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sourceImportGraph, folderCycles, type ImportEdge } from './support/import-graph.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const graph = sourceImportGraph(ROOT);

const edgesBetween = (from: string, to: string): ImportEdge[] =>
  graph.edges.filter((e) => e.fromFolder === from && e.toFolder === to);

const show = (edges: readonly ImportEdge[]): string => edges.map((e) => `${e.from} -> ${e.to}`).join('\n');

test('the import graph is read from the sources (it sees the tree)', () => {
  assert.ok(graph.files > 300, `only ${graph.files} source files found under ${ROOT}`);
  assert.ok(edgesBetween('manager', 'api').length > 50, 'manager/ imports the shared object model');
  assert.ok(edgesBetween('agent', 'api').length > 20, 'agent/ imports the shared object model');
});

test('manager/ and agent/ never import each other', () => {
  const crossing = [...edgesBetween('manager', 'agent'), ...edgesBetween('agent', 'manager')];
  assert.deepEqual(crossing, [], `imports across the manager/agent wall:\n${show(crossing)}`);
});

test('the shared packages import neither room, nor the node that composes them', () => {
  for (const shared of ['api', 'ca']) {
    const outward = graph.edges.filter(
      (e) => e.fromFolder === shared && !['api', 'ca', 'proto'].includes(e.toFolder) && e.toFolder !== shared,
    );
    assert.deepEqual(outward, [], `${shared}/ imports outside the shared packages:\n${show(outward)}`);
  }
  assert.deepEqual(edgesBetween('api', 'ca'), [], 'api/ is below ca/, not beside it');
});

test('no production folder imports a test-only folder', () => {
  const testOnly = ['integration', 'e2e', 'bench', 'test'];
  const production = ['api', 'ca', 'manager', 'agent', 'daemon', 'cli'];
  const wrong = graph.edges.filter((e) => production.includes(e.fromFolder) && testOnly.includes(e.toFolder));
  assert.deepEqual(wrong, [], show(wrong));
});

test('the graph of top-level folders has no cycle', () => {
  assert.deepEqual(folderCycles(graph), []);
});
