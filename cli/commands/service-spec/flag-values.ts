// Conversions of flag text to spec values, with the docker CLI's error wording:
// invalid argument "x" for "--replicas" flag: <reason>.
import { MESH_CLIENT_IP_LABEL, MESH_CLIENT_IP_MODES } from '../../../api/mesh-client-ip.js';
import { parseGoDuration } from '../../format/go-duration.js';
import { ramInBytes } from '../../format/byte-units.js';
import { CliError } from '../cli-error.js';

export class FlagValueError extends CliError {
  constructor(flag: string, value: string, reason: string) {
    super(`invalid argument "${value}" for "--${flag}" flag: ${reason}`, 'FLAG_VALUE');
    this.name = 'FlagValueError';
  }
}

function wrap<T>(flag: string, value: string, parse: (v: string) => T): T {
  try {
    return parse(value);
  } catch (e: unknown) {
    if (e instanceof FlagValueError) throw e;
    throw new FlagValueError(flag, value, e instanceof Error ? e.message : String(e));
  }
}

export function parseUint(flag: string, value: string): number {
  if (!/^\d+$/.test(value)) {
    throw new FlagValueError(
      flag,
      value,
      `strconv.ParseUint: parsing ${JSON.stringify(value)}: invalid syntax`,
    );
  }
  return Number(value);
}

export function parseInt64(flag: string, value: string): number {
  if (!/^-?\d+$/.test(value)) {
    throw new FlagValueError(
      flag,
      value,
      `strconv.ParseInt: parsing ${JSON.stringify(value)}: invalid syntax`,
    );
  }
  return Number(value);
}

export function parseFloatFlag(flag: string, value: string): number {
  const n = Number(value);
  if (value.trim() === '' || Number.isNaN(n)) {
    throw new FlagValueError(
      flag,
      value,
      `strconv.ParseFloat: parsing ${JSON.stringify(value)}: invalid syntax`,
    );
  }
  return n;
}

/** Nanoseconds, Go notation ("1m30s"). */
export function parseDuration(flag: string, value: string): number {
  return wrap(flag, value, parseGoDuration);
}

export function parsePositiveDuration(flag: string, value: string): number {
  const d = parseDuration(flag, value);
  if (d < 0) throw new FlagValueError(flag, value, 'duration cannot be negative');
  return d;
}

export function parseMemory(flag: string, value: string): number {
  return wrap(flag, value, ramInBytes);
}

/** opts.NanoCPUs: a decimal number of CPUs, at most 9 decimal places. */
export function parseNanoCpus(flag: string, value: string): number {
  const m = /^(\d*)(?:\.(\d*))?$/.exec(value.trim());
  if (m === null || (m[1] === '' && (m[2] ?? '') === '')) {
    throw new FlagValueError(flag, value, `failed to parse ${value} as a rational number`);
  }
  const frac = m[2] ?? '';
  if (frac.replace(/0+$/, '').length > 9) {
    throw new FlagValueError(flag, value, 'value is too precise');
  }
  return Number(m[1] === '' ? '0' : m[1]) * 1e9 + Number(frac.padEnd(9, '0').slice(0, 9));
}

export function parseChoice<T extends string>(
  flag: string,
  value: string,
  choices: readonly T[],
  reason: string,
): T {
  const found = choices.find((c) => c === value);
  if (found === undefined) throw new FlagValueError(flag, value, reason);
  return found;
}

/** opts.ValidateEnv: "KEY" alone takes the value from the environment when it is set. */
export function expandEnv(value: string, env: Readonly<Record<string, string | undefined>>): string {
  if (value.includes('=')) return value;
  const v = env[value];
  return v === undefined ? value : `${value}=${v}`;
}

/** "k=v" -> {k: v}; "k" -> {k: ""}. Later keys win. */
export function keyValueMap(items: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq < 0) out[item] = '';
    else out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

export function keyOf(item: string): string {
  const eq = item.indexOf('=');
  return eq < 0 ? item : item.slice(0, eq);
}

/** `--mesh-client-ip`: the label it sets, checked here so a typo fails before anything is sent. */
export function meshClientIpLabel(mode: string | undefined): Record<string, string> {
  if (mode === undefined) return {};
  return {
    [MESH_CLIENT_IP_LABEL]: parseChoice(
      'mesh-client-ip',
      mode.toLowerCase(),
      MESH_CLIENT_IP_MODES,
      `must be one of ${MESH_CLIENT_IP_MODES.map((m) => `"${m}"`).join(', ')}`,
    ),
  };
}
