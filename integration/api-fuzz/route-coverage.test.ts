// The fuzzer's route table (fuzz-routes.ts) against the routes the API serves: a route added
// to the API without a line there fails here, so no route escapes the fuzzer.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createApiServer } from '../../manager/engineapi/server.js';
import { SingleNodeControl } from '../../manager/engineapi/test/single-node-control.js';
import { FUZZ_ROUTES } from './fuzz-routes.js';

/** "METHOD /path" for every route in fastify's printRoutes tree (HEAD left out: it follows GET). */
function servedRoutes(tree: string): string[] {
  const out: string[] = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^((?:│ {3}| {4})*)[├└]── (.+?)(?: \(([^)]*)\))?$/.exec(line);
    if (m === null) continue;
    const depth = (m[1] ?? '').length / 4;
    stack.length = depth;
    stack.push(m[2] ?? '');
    const path = stack.join('');
    for (const method of (m[3] ?? '').split(',').map((s) => s.trim())) {
      if (method !== '' && method !== 'HEAD') out.push(`${method} ${path}`);
    }
  }
  return out.sort();
}

test('the fuzzer drives every route the API serves, and only those', async () => {
  const app = createApiServer({ control: new SingleNodeControl(), build: { version: '0.0.0-test' } });
  try {
    await app.ready();
    const served = servedRoutes(app.printRoutes({ commonPrefix: false }));
    assert.ok(served.length >= 20, `could not read the routes:\n${app.printRoutes({ commonPrefix: false })}`);
    const fuzzed = FUZZ_ROUTES.map((r) => `${r.method} ${r.path}`).sort();
    assert.deepEqual(fuzzed, served);
  } finally {
    await app.close();
  }
});
