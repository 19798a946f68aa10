// go-units' byte sizes: BytesSize (binary, "23.54GiB") for display, RAMInBytes for flags.

export class SizeSyntaxError extends Error {
  readonly code = 'SIZE_SYNTAX';
  constructor(readonly input: string) {
    super(`invalid size: '${input}'`);
    this.name = 'SizeSyntaxError';
  }
}

const BINARY = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'];
const DECIMAL = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];

/** Go's %.4g for the magnitudes these functions produce (< 1024). */
function g4(value: number): string {
  return String(Number(value.toPrecision(4)));
}

function custom(size: number, base: number, units: readonly string[]): string {
  let i = 0;
  let s = size;
  while (s >= base && i < units.length - 1) {
    s /= base;
    i++;
  }
  return `${g4(s)}${units[i] ?? ''}`;
}

/** units.BytesSize: "64MiB", "23.54GiB". */
export function bytesSize(size: number): string {
  return custom(size, 1024, BINARY);
}

/** units.HumanSize: "64MB". */
export function humanSize(size: number): string {
  return custom(size, 1000, DECIMAL);
}

const MULTIPLIER: Readonly<Record<string, number>> = {
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
  t: 1024 ** 4,
  p: 1024 ** 5,
};

/** units.RAMInBytes: "128m", "64MiB", "1.5g", "512" (bytes). */
export function ramInBytes(input: string): number {
  const m = /^(\d+(?:\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$/.exec(input);
  if (m === null) throw new SizeSyntaxError(input);
  const value = Number(m[1]);
  if (!Number.isFinite(value)) throw new SizeSyntaxError(input);
  const unit = m[2]?.toLowerCase();
  const mult = unit === undefined ? 1 : (MULTIPLIER[unit] ?? 1);
  return Math.trunc(value * mult);
}
