import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InterpolationError, interpolateString, interpolateValue } from '../interpolate.js';
import { castInterpolated } from '../cast.js';
import { parseDotEnv } from '../dotenv.js';

const env: Record<string, string> = { A: 'a', EMPTY: '', N: '3' };
const lookup = (n: string): string | undefined => env[n];

test('every interpolation form', () => {
  assert.equal(interpolateString('$A ${A} x$$y', lookup), 'a a x$y');
  assert.equal(interpolateString('${MISSING:-d} ${EMPTY:-d} ${EMPTY-d} ${MISSING-d}', lookup), 'd d  d');
  assert.equal(interpolateString('${MISSING:-${A}-x}', lookup), 'a-x');
  assert.equal(interpolateString('${EMPTY?err}', lookup), '');
  assert.throws(
    () => interpolateString('${EMPTY:?must be set}', lookup),
    /required variable EMPTY is missing a value: must be set/,
  );
  assert.throws(
    () => interpolateString('${MISSING?}', lookup),
    /required variable MISSING is missing a value$/,
  );
  assert.throws(() => interpolateString('${A', lookup), /invalid interpolation format/);
  assert.throws(() => interpolateString('${A:x}', lookup), /invalid interpolation format/);
});

test('values are interpolated with their path in errors, and cast where a number is wanted', () => {
  const doc = { services: { web: { image: 'img:$A', deploy: { replicas: '${N}' }, labels: ['k=${N}'] } } };
  assert.deepEqual(interpolateValue(doc, lookup, castInterpolated), {
    services: { web: { image: 'img:a', deploy: { replicas: 3 }, labels: ['k=3'] } },
  });
  assert.throws(
    () => interpolateValue({ services: { web: { image: '${X:?no image}' } } }, lookup),
    (e: unknown) => e instanceof InterpolationError && e.path.join('.') === 'services.web.image',
  );
});

test('.env: comments, export, quotes', () => {
  const vars = parseDotEnv('# c\nexport A=1\nB="x\\ny" \nC=\'$raw\'\nD=v # comment\n', '.env');
  assert.deepEqual(Object.fromEntries(vars), { A: '1', B: 'x\ny', C: '$raw', D: 'v' });
  assert.throws(() => parseDotEnv('ok=1\nbad name=2', '.env'), /\.env:2: invalid variable name/);
});
