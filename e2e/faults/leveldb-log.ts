// Reading a LevelDB write-ahead log file (`NNNNNN.log`) as the fault harness needs it: which
// write batches it holds, where each lies in the file, and which keys each one puts. The format
// (LevelDB's doc/log_format.md): 32 KiB blocks of physical records, each a 7-byte header
// (CRC-32C u32, length u16, type u8: 1 full, 2 first, 3 middle, 4 last) and its payload; a
// block's tail shorter than a header is zero padding. A logical record is one write batch:
// sequence u64 | count u32 | count × (tag u8: 1 put, 0 delete | varint key length | key
// | for a put: varint value length | value).
//
// The reader stops at the first record that does not fit or does not parse (a torn tail): what
// it returns is what LevelDB would replay up to there. CRCs are not checked: the harness reads
// a log it has not damaged yet.

const BLOCK_SIZE = 32 * 1024;
const HEADER_SIZE = 7;
const FULL = 1;
const FIRST = 2;
const MIDDLE = 3;
const LAST = 4;
const BATCH_HEADER_SIZE = 12;

/** One write batch and where its bytes are in the file. */
export interface LogBatch {
  /** Byte ranges [start, end) of its physical records' payloads, in file order. */
  readonly payloads: readonly (readonly [number, number])[];
  /** The first byte of its first physical record (its header). */
  readonly start: number;
  /** One past its last byte. */
  readonly end: number;
  /** The keys it puts (deletes are left out). */
  readonly puts: readonly Uint8Array[];
}

function varint(b: Uint8Array, at: number): [number, number] | undefined {
  let value = 0;
  for (let shift = 0; shift <= 28; shift += 7) {
    const byte = b[at];
    if (byte === undefined) return undefined;
    at++;
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return [value, at];
  }
  return undefined;
}

/** The keys a batch puts, or undefined if it does not parse. */
function batchPuts(b: Uint8Array): Uint8Array[] | undefined {
  if (b.byteLength < BATCH_HEADER_SIZE) return undefined;
  const count = new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(8, true);
  const puts: Uint8Array[] = [];
  let at = BATCH_HEADER_SIZE;
  for (let i = 0; i < count; i++) {
    const tag = b[at++];
    const k = varint(b, at);
    if (k === undefined || (tag !== 0 && tag !== 1)) return undefined;
    const key = b.subarray(k[1], k[1] + k[0]);
    at = k[1] + k[0];
    if (tag === 1) {
      const v = varint(b, at);
      if (v === undefined) return undefined;
      at = v[1] + v[0];
      puts.push(key);
    }
    if (at > b.byteLength) return undefined;
  }
  return puts;
}

/** The complete write batches of `log`, in the order LevelDB wrote them. */
export function readLogBatches(log: Uint8Array): LogBatch[] {
  const batches: LogBatch[] = [];
  let parts: [number, number][] = [];
  let start = 0;
  let at = 0;
  const view = new DataView(log.buffer, log.byteOffset, log.byteLength);
  while (at + HEADER_SIZE <= log.byteLength) {
    const left = BLOCK_SIZE - (at % BLOCK_SIZE);
    if (left < HEADER_SIZE) {
      at += left;
      continue;
    }
    const length = view.getUint16(at + 4, true);
    const type = log[at + 6];
    if (type === 0 && length === 0) {
      // Zero padding LevelDB leaves at a block's end.
      at += left;
      continue;
    }
    const end = at + HEADER_SIZE + length;
    if (end > log.byteLength || length > left - HEADER_SIZE) break;
    if (type === FULL || type === FIRST) {
      parts = [];
      start = at;
    } else if ((type !== MIDDLE && type !== LAST) || parts.length === 0) {
      break;
    }
    parts.push([at + HEADER_SIZE, end]);
    at = end;
    if (type === FULL || type === LAST) {
      const payload = Buffer.concat(parts.map(([s, e]) => log.subarray(s, e)));
      const puts = batchPuts(payload);
      if (puts === undefined) break;
      batches.push({ payloads: parts, start, end, puts });
      parts = [];
    }
  }
  return batches;
}
