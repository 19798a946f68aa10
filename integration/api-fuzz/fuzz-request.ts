// One fuzzed HTTP request, before the driver fills in live values: a route (sometimes with the
// wrong method), an API version prefix, a path parameter (a live object, a variant of one, or a
// hostile string), query parameters from the route's query schema (with hostile filters,
// versions, booleans, unknown and repeated keys, broken percent-encoding), a Content-Type, and
// a body (a valid one with one hostile value at one path of the schema, schema-shaped values
// with hostile ones sprinkled in, or a hostile whole: malformed, not UTF-8, deep, huge).

import fc from 'fast-check';
import { boolValue } from '../../manager/engineapi/query-values.js';
import { describeJson, mergeJson, RawJson, setAtPath, type FuzzJson } from './fuzz-json.js';
import { FUZZ_ROUTES, type FuzzRoute } from './fuzz-routes.js';
import { deepNesting, hostileString, wrongType } from './hostile-values.js';
import { hostileFor, schemaPaths, sprinkled, validValue } from './schema-arbitrary.js';

/** A live object of the route's kind, picked by index from the driver's current list. */
export interface LiveParam {
  readonly kind: 'live';
  readonly pick: number;
  readonly form: 'id' | 'name' | 'prefix' | 'upper';
}
/** A path parameter as text (percent-encoded by the driver unless `verbatim`). */
export interface RawParam {
  readonly kind: 'raw';
  readonly value: string;
  readonly verbatim: boolean;
}

export type QueryPart = { readonly key: string; readonly value: string } | { readonly raw: string };

export interface FuzzRequest {
  readonly route: FuzzRoute;
  readonly method: string;
  readonly prefix: string;
  readonly param: LiveParam | RawParam | undefined;
  readonly query: readonly QueryPart[];
  /** Put the object's live version as ?version= (else whatever `query` says). */
  readonly liveVersion: boolean;
  readonly contentType: string | undefined;
  readonly body: FuzzJson | undefined;
  /** How the body was made, for failure messages. */
  readonly bodyKind: string;
}

export function describeRequest(r: FuzzRequest): string {
  const param =
    r.param === undefined
      ? ''
      : r.param.kind === 'live'
        ? ` param=live ${r.param.form} #${r.param.pick}`
        : ` param=${JSON.stringify(r.param.value.length > 80 ? `${r.param.value.slice(0, 40)}…(${r.param.value.length})` : r.param.value)}`;
  const query = r.query
    .map((q) =>
      'raw' in q ? `<raw ${JSON.stringify(q.raw.slice(0, 80))}>` : `${q.key}=${describeJson(q.value, 120)}`,
    )
    .join(' & ');
  const body = r.body === undefined ? 'no body' : `${r.bodyKind} body ${describeJson(r.body)}`;
  return `${r.method} ${r.prefix}${r.route.path}${param} query[${query}]${r.liveVersion ? ' +live version' : ''} content-type=${JSON.stringify(r.contentType)} ${body}`;
}

const PREFIXES = [
  '',
  '/v1.41',
  '/v1.44',
  '/v1.24',
  '/v1.12',
  '/v1.99',
  '/v0.1',
  '/v1.x',
  '/v99999999999999999999.1',
];

function prefix(): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom('', '/v1.41', '/v1.44') },
    { weight: 1, arbitrary: fc.constantFrom(...PREFIXES) },
  );
}

const RAW_PARAMS: readonly string[] = [
  '%2e%2e',
  '%2F',
  '..%2F..%2Fswarm',
  '%zz',
  '%00',
  '%C0%80',
  '%ff%fe',
  '*',
  'a;b',
  '~',
];

function asString(v: FuzzJson): string {
  if (v instanceof RawJson) return v.bytes.toString('latin1');
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function param(): fc.Arbitrary<LiveParam | RawParam> {
  return fc.oneof(
    {
      weight: 5,
      arbitrary: fc.record({
        kind: fc.constant('live' as const),
        pick: fc.nat(1000),
        form: fc.constantFrom('id', 'id', 'name', 'prefix', 'upper'),
      }),
    },
    {
      weight: 3,
      arbitrary: fc
        .oneof(
          hostileString(),
          fc.stringMatching(/^[0-9a-z]{25}$/),
          fc.constantFrom('x'.repeat(5000), 'x'.repeat(20_000)),
        )
        .map((v): RawParam => ({ kind: 'raw', value: asString(v), verbatim: false })),
    },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(...RAW_PARAMS)
        .map((value): RawParam => ({ kind: 'raw', value, verbatim: true })),
    },
  );
}

const BOOL_KEYS = new Set([
  'force',
  'status',
  'insertDefaults',
  'rotateWorkerToken',
  'rotateManagerToken',
  'rotateManagerUnlockKey',
  'follow',
  'stdout',
  'stderr',
  'details',
  'timestamps',
  'verbose',
]);

function filtersValue(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(
      '{"name":["fz"]}',
      '{"label":["a=b"]}',
      '{"id":["x"],"name":["y"]}',
      '{"service":["fz"]}',
      '{"desired-state":["running"]}',
      '{"name":{"fz":true}}',
      '{"name":"fz"}',
      '{"unknown":["x"]}',
      '{"role":["boss"]}',
      '{"type":["service"]}',
      '{',
      '[]',
      'null',
      '1',
      '{"name":[1,2]}',
      '{"name":[null]}',
      '{"__proto__":["x"]}',
    ),
    deepNesting().map((v) => asString(v)),
    fc
      .constantFrom(1_000, 100_000)
      .map((n) => `{"name":[${Array.from({ length: n }, (_, i) => `"n${i}"`).join(',')}]}`),
    hostileString().map(asString),
  );
}

function queryValue(key: string): fc.Arbitrary<string> {
  const hostile = hostileString().map(asString);
  if (key === 'filters') return filtersValue();
  if (key === 'version')
    return fc.oneof(
      fc.constantFrom(
        '0',
        '1',
        '-1',
        '1e3',
        '18446744073709551616',
        '9007199254740993',
        '0x10',
        ' 1',
        '1.5',
        '',
      ),
      fc.nat().map(String),
      hostile,
    );
  if (key === 'tail')
    return fc.oneof(fc.constantFrom('10', 'all', '-1', '0', '1e9', '99999999999999999999', 'abc'), hostile);
  if (key === 'since' || key === 'until')
    return fc.oneof(
      fc.constantFrom(
        '0',
        '1700000000',
        '1700000000.5',
        '-1',
        '1e30',
        '99999999999999999999',
        '2024-01-01T00:00:00Z',
        '10m',
        'abc',
        '1.1.1',
      ),
      hostile,
    );
  if (key === 'rollback') return fc.oneof(fc.constantFrom('previous', 'none', ''), hostile);
  if (key === 'registryAuthFrom') return fc.oneof(fc.constantFrom('spec', 'previous-spec', ''), hostile);
  if (BOOL_KEYS.has(key))
    return fc.oneof(fc.constantFrom('1', '0', 'true', 'false', 'TRUE', 'yes', 'no', 't', '2', ''), hostile);
  return hostile;
}

function queryParts(route: FuzzRoute): fc.Arbitrary<QueryPart[]> {
  const keys = Object.keys(route.query.properties);
  const known = keys.map((key) =>
    fc.option(
      queryValue(key).map((value): QueryPart => ({ key, value })),
      { freq: 2 },
    ),
  );
  const extra = fc.oneof(
    { weight: 6, arbitrary: fc.constant<QueryPart[]>([]) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          fc.constantFrom('Filters', 'unknown', '__proto__', ...keys),
          fc.array(queryValue('x'), { minLength: 1, maxLength: 3 }),
        )
        .map(([key, values]) => values.map((value): QueryPart => ({ key, value }))),
    },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(
          '%zz',
          '%',
          'a=%C0%80',
          '&&&',
          '=x',
          'filters=%7B',
          `${'a'.repeat(9000)}=1`,
          'a[b]=1',
          'a[]=1&a[]=2',
        )
        .map((raw): QueryPart[] => [{ raw }]),
    },
  );
  return fc
    .tuple(fc.tuple(...known), extra)
    .map(([parts, more]) => [...parts.filter((p): p is QueryPart => p !== null), ...more]);
}

const MALFORMED_BODIES = [
  '{',
  '{"Name":',
  '}',
  'nul',
  '[1,]',
  '{"a":1}}',
  'NaN',
  "{'Name':'x'}",
  '\ufeff{}',
  '{"Name":"a","Name":"b"}',
  '{"Name":"\\ud800"}',
  '{"Name":"\\u0000"}',
  '{"Name":"\\x41"}',
  '{"Mode":{"Replicated":{"Replicas":1e400}}}',
  '',
  ' ',
  '{}garbage',
];

/** A hostile whole body: malformed, not UTF-8, the wrong JSON type, deep, or huge. */
function hostileWholeBody(): fc.Arbitrary<FuzzJson> {
  return fc.oneof(
    {
      weight: 3,
      arbitrary: fc
        .constantFrom(...MALFORMED_BODIES)
        .map((t) => new RawJson(t, `malformed ${JSON.stringify(t)}`)),
    },
    { weight: 2, arbitrary: wrongType() },
    { weight: 2, arbitrary: deepNesting() },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom('ff', 'c0', '80', 'fffe')
        .map(
          (hex) =>
            new RawJson(
              Buffer.concat([Buffer.from('{"Name":"'), Buffer.from(hex, 'hex'), Buffer.from('"}')]),
              `{"Name":"\\x${hex}"} (not UTF-8)`,
            ),
        ),
    },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(5 << 20, (16 << 20) + 1)
        .map((n) => new RawJson(`{"Name":"${'y'.repeat(n)}"}`, `{"Name": ${n} bytes}`)),
    },
  );
}

function body(route: FuzzRoute): fc.Arbitrary<{ body: FuzzJson | undefined; bodyKind: string }> {
  const schema = route.body;
  const valid = route.validBody;
  const name = fc.stringMatching(/^[a-z][a-z0-9]{9}$/);
  if (schema === undefined || valid === undefined) {
    return fc.oneof(
      { weight: 8, arbitrary: fc.constant({ body: undefined, bodyKind: 'none' }) },
      { weight: 1, arbitrary: hostileWholeBody().map((b) => ({ body: b, bodyKind: 'unexpected' })) },
    );
  }
  // Numbers size loops and allocations (replicas, completions, intervals): they go first.
  const paths = schemaPaths(schema).flatMap((p) => {
    const type = (p.schema as { type?: string }).type;
    return type === 'integer' || type === 'number' ? [p, p, p] : [p];
  });
  const injected = (
    base: fc.Arbitrary<FuzzJson>,
    kind: string,
  ): fc.Arbitrary<{ body: FuzzJson; bodyKind: string }> =>
    fc.tuple(base, fc.constantFrom(...paths)).chain(([b, p]) =>
      hostileFor(p.schema).map((v) => ({
        body: setAtPath(b, p.path, v),
        bodyKind: `${kind} at ${p.path.join('.')}`,
      })),
    );
  return fc.oneof(
    { weight: 3, arbitrary: name.map((n) => ({ body: valid(n), bodyKind: 'valid' })) },
    { weight: 5, arbitrary: injected(name.map(valid), 'one hostile value') },
    {
      weight: 2,
      arbitrary: injected(
        fc.tuple(name, validValue(schema)).map(([n, random]) => mergeJson(valid(n), random)),
        'random spec, one hostile value',
      ),
    },
    { weight: 2, arbitrary: sprinkled(schema).map((b) => ({ body: b, bodyKind: 'sprinkled' })) },
    { weight: 2, arbitrary: hostileWholeBody().map((b) => ({ body: b, bodyKind: 'hostile whole' })) },
  );
}

function contentType(route: FuzzRoute): fc.Arbitrary<string | undefined> {
  const odd = fc.constantFrom(
    undefined,
    'text/plain',
    'application/json; charset=utf-16',
    'APPLICATION/JSON',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/jsonx',
    'application/json, text/plain',
    '',
  );
  const usual =
    route.body === undefined ? fc.constantFrom(undefined, 'text/plain') : fc.constant('application/json');
  return fc.oneof({ weight: 8, arbitrary: usual }, { weight: 1, arbitrary: odd });
}

function method(route: FuzzRoute): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 20, arbitrary: fc.constant(route.method) },
    { weight: 1, arbitrary: fc.constantFrom('GET', 'POST', 'DELETE', 'PUT', 'PATCH', 'OPTIONS', 'HEAD') },
  );
}

/** Leaving with force is the one request that rightly ends the cluster under test: never sent. */
function endsTheCluster(route: FuzzRoute, query: readonly QueryPart[]): boolean {
  if (route.path !== '/swarm/leave') return false;
  return query.some((q) => 'raw' in q || (q.key.toLowerCase() === 'force' && boolValue(q.value)));
}

export function fuzzRequest(route: FuzzRoute): fc.Arbitrary<FuzzRequest> {
  return fc
    .record({
      method: method(route),
      prefix: prefix(),
      param: route.param === undefined ? fc.constant(undefined) : param(),
      query: queryParts(route),
      liveVersion: route.versionOf === undefined ? fc.constant(false) : fc.boolean(),
      contentType: contentType(route),
      body: body(route),
    })
    .filter((r) => !endsTheCluster(route, r.query))
    .map((r) => {
      const req: FuzzRequest = { route, ...r, body: r.body.body, bodyKind: r.body.bodyKind };
      // fast-check prints a counterexample with this: megabyte values as their size.
      return Object.defineProperty(req, fc.toStringMethod, {
        value: () => describeRequest(req),
        enumerable: false,
      });
    });
}

/** A request to any route; routes that take a body come three times as often. */
export function anyFuzzRequest(): fc.Arbitrary<FuzzRequest> {
  return fc.oneof(
    ...FUZZ_ROUTES.map((route) => ({
      weight: route.body === undefined ? 1 : 3,
      arbitrary: fuzzRequest(route),
    })),
  );
}
