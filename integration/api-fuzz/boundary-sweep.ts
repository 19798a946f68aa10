// The boundary sweep: not random. For every number field of every request body schema (read
// from the schemas, so a new field is swept without a change here), a valid body with that one
// field set to an extreme: 10^9 everywhere and 2^53 on service creates in the short run; with
// SHOAL_FUZZ_SWEEP=full, -1, 0.5, 10^9, 2^31, 2^53 and 10^300 everywhere. A random search finds
// "Replicas: 1e9 kills the leader" about once in thousands of requests; the sweep puts every
// such field to the test in every run.

import type { TSchema } from '@sinclair/typebox';
import fc from 'fast-check';
import { setAtPath } from './fuzz-json.js';
import { describeRequest, type FuzzRequest } from './fuzz-request.js';
import { FUZZ_ROUTES } from './fuzz-routes.js';
import { schemaPaths } from './schema-arbitrary.js';

const FULL = process.env['SHOAL_FUZZ_SWEEP'] === 'full';
const FULL_VALUES: readonly number[] = [-1, 0.5, 1e9, 2 ** 31, 2 ** 53, 1e300];

/** The extremes a route's number fields are swept with. */
function sweepValues(path: string): readonly number[] {
  if (FULL) return FULL_VALUES;
  return path === '/services/create' ? [1e9, 2 ** 53] : [1e9];
}

function isNumber(schema: TSchema): boolean {
  const type = (schema as { type?: unknown }).type;
  return type === 'integer' || type === 'number';
}

/** Every (route, number field, extreme value) as a request, in a fixed order. */
export function boundarySweep(): FuzzRequest[] {
  const out: FuzzRequest[] = [];
  let serial = 0;
  for (const route of FUZZ_ROUTES) {
    if (route.body === undefined || route.validBody === undefined) continue;
    for (const { path, schema } of schemaPaths(route.body)) {
      if (!isNumber(schema)) continue;
      for (const value of sweepValues(route.path)) {
        serial += 1;
        const req: FuzzRequest = {
          route,
          method: route.method,
          prefix: '/v1.41',
          param: route.param === undefined ? undefined : { kind: 'live', pick: serial, form: 'id' },
          query: [],
          liveVersion: route.versionOf !== undefined,
          contentType: 'application/json',
          body: setAtPath(route.validBody(`sweep${serial}`), path, value),
          bodyKind: `valid, ${path.join('.')}=${value}`,
        };
        out.push(
          Object.defineProperty(req, fc.toStringMethod, {
            value: () => describeRequest(req),
            enumerable: false,
          }),
        );
      }
    }
  }
  return out;
}
