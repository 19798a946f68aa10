// A strict reader of Prometheus' text exposition format (version 0.0.4), for tests that scrape
// shoald's /metrics: anything a Prometheus server would refuse, or that breaks the format's
// rules the server relies on, throws with the line number. Checked: metric and label names,
// quoted and escaped label values, float values (NaN, ±Inf), optional integer timestamps,
// one HELP and one TYPE per family, TYPE before the family's samples, a family's samples
// together, no sample twice, histogram series (_bucket with le, _sum, _count) and buckets
// that never decrease and end at +Inf equal to _count.

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Family {
  readonly name: string;
  type: MetricType;
  help: string | undefined;
  readonly samples: Sample[];
}

export class PromTextError extends Error {
  constructor(line: number, message: string) {
    super(`metrics text, line ${line}: ${message}`);
    this.name = 'PromTextError';
  }
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES: readonly MetricType[] = ['counter', 'gauge', 'histogram', 'summary', 'untyped'];

/** Parses the whole exposition; families by name, in order of appearance. */
export function parsePromText(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const seen = new Set<string>();
  let current: Family | undefined;
  const closed = new Set<string>();
  const typed = new Set<string>();
  const lines = text.split('\n');
  if (text.length > 0 && !text.endsWith('\n')) throw new PromTextError(lines.length, 'no final newline');
  lines.forEach((line, i) => {
    const n = i + 1;
    if (line === '') return;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line);
      if (m === null) return; // a plain comment
      const [, kind, name, rest] = m as unknown as [string, 'HELP' | 'TYPE', string, string | undefined];
      if (!METRIC_NAME.test(name)) throw new PromTextError(n, `bad metric name ${name}`);
      const family = familyFor(name);
      if (kind === 'HELP') {
        if (family.help !== undefined) throw new PromTextError(n, `second HELP for ${name}`);
        family.help = unescapeHelp(rest ?? '', n);
      } else {
        if (family.samples.length > 0) throw new PromTextError(n, `TYPE for ${name} after its samples`);
        if (!TYPES.includes(rest as MetricType)) throw new PromTextError(n, `unknown type ${rest ?? ''}`);
        if (typed.has(name)) throw new PromTextError(n, `second TYPE for ${name}`);
        typed.add(name);
        family.type = rest as MetricType;
      }
      return;
    }
    const sample = parseSample(line, n);
    const family = owner(sample.name);
    const key = `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort())}`;
    if (seen.has(key)) throw new PromTextError(n, `sample ${line} appears twice`);
    seen.add(key);
    if (current !== family) {
      if (closed.has(family.name)) throw new PromTextError(n, `samples of ${family.name} are not together`);
      if (current !== undefined) closed.add(current.name);
      current = family;
    }
    family.samples.push(sample);
  });
  for (const f of families.values()) if (f.type === 'histogram') checkHistogram(f);
  return families;

  function familyFor(name: string): Family {
    let f = families.get(name);
    if (f === undefined) {
      f = { name, type: 'untyped', help: undefined, samples: [] };
      families.set(name, f);
    }
    return f;
  }

  /** The family a sample belongs to: its own name, or a histogram/summary's by suffix. */
  function owner(name: string): Family {
    for (const suffix of ['_bucket', '_sum', '_count']) {
      if (!name.endsWith(suffix)) continue;
      const base = families.get(name.slice(0, -suffix.length));
      if (
        base !== undefined &&
        (base.type === 'histogram' || (base.type === 'summary' && suffix !== '_bucket'))
      )
        return base;
    }
    return familyFor(name);
  }
}
function parseSample(line: string, n: number): Sample {
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)(?: (-?\d+))?$/.exec(line);
  if (m === null) throw new PromTextError(n, `not a sample: ${line}`);
  const name = m[1]!;
  const labels = m[2] === undefined ? {} : parseLabels(m[2], n);
  return { name, labels, value: parseValue(m[3]!, n) };
}

function parseLabels(text: string, n: number): Record<string, string> {
  const labels: Record<string, string> = {};
  let i = 1; // after '{'
  while (i < text.length - 1) {
    const eq = text.indexOf('=', i);
    if (eq === -1) throw new PromTextError(n, `label without value in ${text}`);
    const name = text.slice(i, eq);
    if (!LABEL_NAME.test(name)) throw new PromTextError(n, `bad label name ${name}`);
    if (name in labels) throw new PromTextError(n, `label ${name} twice`);
    if (text[eq + 1] !== '"') throw new PromTextError(n, `label ${name}: value not quoted`);
    let value = '';
    let j = eq + 2;
    for (;;) {
      const c = text[j];
      if (c === undefined) throw new PromTextError(n, `label ${name}: unterminated value`);
      if (c === '"') break;
      if (c === '\\') {
        const e = text[j + 1];
        if (e === '\\') value += '\\';
        else if (e === '"') value += '"';
        else if (e === 'n') value += '\n';
        else throw new PromTextError(n, `label ${name}: bad escape \\${e ?? ''}`);
        j += 2;
      } else {
        value += c;
        j++;
      }
    }
    labels[name] = value;
    i = j + 1;
    if (text[i] === ',') i++;
    else if (i !== text.length - 1) throw new PromTextError(n, `expected , or } after label ${name}`);
  }
  return labels;
}

function parseValue(text: string, n: number): number {
  // Prometheus reads values with Go's ParseFloat: "NaN" and "Inf" in any case (prom-client
  // writes "Nan" for a summary with no sample yet, e.g. the event loop delay right at start).
  const lower = text.toLowerCase();
  if (lower === 'nan') return NaN;
  if (lower === '+inf' || lower === 'inf') return Infinity;
  if (lower === '-inf') return -Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) throw new PromTextError(n, `bad value ${text}`);
  return Number(text);
}

function unescapeHelp(text: string, n: number): string {
  return text.replace(/\\(.?)/g, (_m, e: string) => {
    if (e === '\\') return '\\';
    if (e === 'n') return '\n';
    throw new PromTextError(n, `bad escape in HELP: \\${e}`);
  });
}

function checkHistogram(f: Family): void {
  const series = new Map<string, { buckets: [number, number][]; sum?: number; count?: number }>();
  for (const s of f.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    let h = series.get(key);
    if (h === undefined) series.set(key, (h = { buckets: [] }));
    if (s.name === `${f.name}_bucket`) {
      if (le === undefined) throw new PromTextError(0, `${f.name}_bucket without le`);
      h.buckets.push([parseValue(le, 0), s.value]);
    } else if (s.name === `${f.name}_sum`) h.sum = s.value;
    else if (s.name === `${f.name}_count`) h.count = s.value;
    else throw new PromTextError(0, `histogram ${f.name} has a sample ${s.name}`);
  }
  for (const [key, h] of series) {
    const what = `histogram ${f.name}${key}`;
    if (h.sum === undefined || h.count === undefined)
      throw new PromTextError(0, `${what}: no _sum or _count`);
    const sorted = [...h.buckets].sort((a, b) => a[0] - b[0]);
    if (sorted.at(-1)?.[0] !== Infinity) throw new PromTextError(0, `${what}: no +Inf bucket`);
    for (let i = 1; i < sorted.length; i++)
      if (sorted[i]![1] < sorted[i - 1]![1]) throw new PromTextError(0, `${what}: buckets decrease`);
    if (sorted.at(-1)![1] !== h.count) throw new PromTextError(0, `${what}: +Inf bucket differs from _count`);
  }
}

/**
 * The one sample named `name` whose labels include `labels` (the others may be anything);
 * throws if there is none or more than one, so an assertion never reads the wrong series.
 */
export function sampleValue(
  families: ReadonlyMap<string, Family>,
  name: string,
  labels: Readonly<Record<string, string>> = {},
): number {
  const found = samplesOf(families, name, labels);
  if (found.length !== 1)
    throw new Error(`${found.length} samples of ${name}${JSON.stringify(labels)} (expected one)`);
  return found[0]!.value;
}

/** Every sample named `name` whose labels include `labels`. */
export function samplesOf(
  families: ReadonlyMap<string, Family>,
  name: string,
  labels: Readonly<Record<string, string>> = {},
): Sample[] {
  const out: Sample[] = [];
  for (const f of families.values())
    for (const s of f.samples)
      if (s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)) out.push(s);
  return out;
}
