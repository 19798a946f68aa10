// Go's time.Duration notation, which the docker CLI uses for every duration flag
// ("1m30s", "500ms", "2h") and in `inspect --pretty`. Values are integer nanoseconds.

export class DurationSyntaxError extends Error {
  readonly code = 'DURATION_SYNTAX';
  constructor(message: string) {
    super(message);
    this.name = 'DurationSyntaxError';
  }
}

const UNITS: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1e3,
  µs: 1e3, // U+00B5 micro sign
  μs: 1e3, // U+03BC greek mu
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** Parses like Go's time.ParseDuration; errors carry Go's messages. */
export function parseGoDuration(input: string): number {
  const quoted = JSON.stringify(input);
  let s = input;
  let negative = false;
  if (s.startsWith('-') || s.startsWith('+')) {
    negative = s.startsWith('-');
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') throw new DurationSyntaxError(`time: invalid duration ${quoted}`);
  let total = 0;
  while (s !== '') {
    const m = /^([0-9]*)(?:\.([0-9]*))?/.exec(s);
    const intPart = m?.[1] ?? '';
    const fracPart = m?.[2];
    if (intPart === '' && (fracPart === undefined || fracPart === '')) {
      throw new DurationSyntaxError(`time: invalid duration ${quoted}`);
    }
    s = s.slice(m?.[0].length ?? 0);
    const u = /^[^0-9.]+/.exec(s);
    if (u === null) throw new DurationSyntaxError(`time: missing unit in duration ${quoted}`);
    const unitName = u[0];
    const unit = UNITS[unitName];
    if (unit === undefined) {
      throw new DurationSyntaxError(`time: unknown unit ${JSON.stringify(unitName)} in duration ${quoted}`);
    }
    s = s.slice(unitName.length);
    let value = Number(intPart === '' ? '0' : intPart) * unit;
    if (fracPart !== undefined && fracPart !== '') {
      value += Math.trunc(Number(`0.${fracPart}`) * unit);
    }
    total += value;
    if (total > 9223372036854775807) throw new DurationSyntaxError(`time: invalid duration ${quoted}`);
  }
  return negative ? -total : total;
}

function fraction(value: number, digits: number): { text: string; rest: number } {
  // Go's fmtFrac: print value's low `digits` decimal digits as a fraction, trailing zeros dropped.
  let v = value;
  let text = '';
  let printed = false;
  for (let i = 0; i < digits; i++) {
    const digit = v % 10;
    printed = printed || digit !== 0;
    if (printed) text = String(digit) + text;
    v = Math.trunc(v / 10);
  }
  return { text: printed ? `.${text}` : '', rest: v };
}

/** Formats like Go's Duration.String(): "1h0m0s", "1m30s", "500ms", "0s". */
export function formatGoDuration(ns: number): string {
  if (ns === 0) return '0s';
  const negative = ns < 0;
  let u = Math.abs(Math.trunc(ns));
  let out: string;
  if (u < 1e9) {
    let digits: number;
    let unit: string;
    if (u < 1e3) return `${negative ? '-' : ''}${u}ns`;
    if (u < 1e6) {
      digits = 3;
      unit = 'µs';
    } else {
      digits = 6;
      unit = 'ms';
    }
    const f = fraction(u, digits);
    out = `${f.rest}${f.text}${unit}`;
  } else {
    const f = fraction(u, 9);
    u = f.rest;
    out = `${u % 60}${f.text}s`;
    u = Math.trunc(u / 60);
    if (u > 0) {
      out = `${u % 60}m${out}`;
      u = Math.trunc(u / 60);
      if (u > 0) out = `${u}h${out}`;
    }
  }
  return negative ? `-${out}` : out;
}
