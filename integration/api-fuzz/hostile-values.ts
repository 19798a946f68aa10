// Hostile values, by what a field expects: boundary and huge numbers (also where an integer is
// expected: fractions, -0, 1e400), strings that are empty, control characters, not UTF-8 or
// megabytes long, the wrong JSON type, and the shapes that cost a parser or a loop: deep
// nesting (up to 100,000 levels), wide objects, arrays of 100,000 elements.
//
// `SHOAL_FUZZ_HUGE=0` leaves out the megabyte-sized values (a quick local loop); they are in by
// default.

import fc from 'fast-check';
import { RawJson, type FuzzJson } from './fuzz-json.js';

const HUGE = process.env['SHOAL_FUZZ_HUGE'] !== '0';

/** Numbers that sit on a boundary of int32, uint32, float64's safe integers, or far beyond. */
export const BOUNDARY_NUMBERS: readonly number[] = [
  0,
  -1,
  1,
  2 ** 31 - 1,
  2 ** 31,
  -(2 ** 31),
  2 ** 32,
  2 ** 53,
  2 ** 53 + 2,
  -(2 ** 53),
  2 ** 63,
  2 ** 64,
  1e9,
  1e15,
  1e300,
  -1e300,
  Number.MAX_VALUE,
  Number.MIN_VALUE,
  0.5,
  1.5,
  -0.5,
  65535,
  65536,
  100_000,
];

/** Number texts JSON.stringify never writes: -0, beyond float64 (parsed as Infinity), 1.0. */
const RAW_NUMBERS = ['-0', '1e400', '-1e400', '1.0', '1E3', '0.000000001', '123456789012345678901234567890'];

export function hostileNumber(): fc.Arbitrary<FuzzJson> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...BOUNDARY_NUMBERS) },
    { weight: 2, arbitrary: fc.constantFrom(...RAW_NUMBERS).map((t) => new RawJson(t, t)) },
    { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
    { weight: 1, arbitrary: fc.integer({ min: -(2 ** 31), max: 2 ** 31 }).map((n) => n + 0.25) },
  );
}

const CONTROL = Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).join('') + '\u007f';

/** Short strings that trip parsers and name rules. */
const ODD_STRINGS = [
  '',
  ' ',
  '\u0000',
  CONTROL,
  '\ud800',
  '\udfff\ud800',
  '\u202e\u200b\ufeff',
  '../../etc/passwd',
  '/',
  '%00',
  '%zz',
  '-',
  '--help',
  '.',
  '..',
  'a:b:c',
  'name=value',
  'constructor',
  '__proto__',
  'prototype',
  'toString',
  'null',
  'true',
  '0',
  '-1',
  '1e400',
  'NaN',
  '{"a":1}',
  '[]',
  'héllo wörld ☃ 🚀',
  'UPPER',
  '\n\r\t',
];

/** A string of `n` copies of a short unit. */
function repeated(unit: string, n: number): string {
  return unit.repeat(Math.max(1, Math.floor(n / unit.length)));
}

export function hostileString(): fc.Arbitrary<FuzzJson> {
  const arbs: { weight: number; arbitrary: fc.Arbitrary<FuzzJson> }[] = [
    { weight: 5, arbitrary: fc.constantFrom(...ODD_STRINGS) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom('a', 'é', '☃', '\u0001'), fc.constantFrom(256, 1025, 4096, 65_536))
        .map(([u, n]) => repeated(u, n)),
    },
    {
      weight: 1,
      // Not UTF-8: a lone continuation byte, an overlong NUL, a truncated sequence.
      arbitrary: fc
        .constantFrom('80', 'c080', 'ff', 'fe', 'e282', 'eda080', 'f4908080')
        .map(
          (hex) =>
            new RawJson(
              Buffer.concat([Buffer.from('"a'), Buffer.from(hex, 'hex'), Buffer.from('"')]),
              `"a\\x${hex}" (not UTF-8)`,
            ),
        ),
    },
  ];
  if (HUGE) {
    arbs.push({
      weight: 1,
      arbitrary: fc.constantFrom(1 << 20, 3 << 20).map((n) => repeated('x', n)),
    });
  }
  return fc.oneof(...arbs);
}

/** Every JSON type, for a field that expects another. */
export function wrongType(): fc.Arbitrary<FuzzJson> {
  return fc.constantFrom<FuzzJson>(
    null,
    true,
    false,
    0,
    1,
    -1,
    '',
    '1',
    'true',
    [],
    [1, 'a'],
    {},
    { a: 1 },
    [[]],
    [{}],
  );
}

/** Nested arrays or objects, written as text (a tree this deep cannot be walked recursively). */
export function deepNesting(): fc.Arbitrary<FuzzJson> {
  return fc
    .tuple(fc.constantFrom(64, 1_000, 10_000, 100_000), fc.constantFrom('array', 'object'))
    .map(([depth, kind]) =>
      kind === 'array'
        ? new RawJson('['.repeat(depth) + ']'.repeat(depth), `${depth} nested arrays`)
        : new RawJson('{"a":'.repeat(depth) + '1' + '}'.repeat(depth), `${depth} nested objects`),
    );
}

/** An object with many keys (also what a map field gets). */
export function wideObject(): fc.Arbitrary<FuzzJson> {
  const sizes = HUGE ? [1_000, 20_000, 100_000] : [1_000, 5_000];
  return fc.constantFrom(...sizes).map((n) => {
    const out: { [key: string]: FuzzJson } = {};
    for (let i = 0; i < n; i++) out[`k${i}`] = `v${i}`;
    return out;
  });
}

/** An array with many elements. */
export function longArray(element: FuzzJson = 'a'): fc.Arbitrary<FuzzJson> {
  const sizes = HUGE ? [1_000, 20_000, 200_000] : [1_000, 5_000];
  return fc.constantFrom(...sizes).map((n) => new Array<FuzzJson>(n).fill(element));
}

/** Any hostile value, whatever the field. */
export function anyHostile(): fc.Arbitrary<FuzzJson> {
  return fc.oneof(
    { weight: 3, arbitrary: hostileNumber() },
    { weight: 3, arbitrary: hostileString() },
    { weight: 3, arbitrary: wrongType() },
    { weight: 1, arbitrary: deepNesting() },
    { weight: 1, arbitrary: wideObject() },
    { weight: 1, arbitrary: longArray() },
  );
}
