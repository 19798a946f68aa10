// How a JSON batch reaches nft (1.0.6) as one transaction. Not on standard input: nft reopens
// /dev/stdin, which fails (ENXIO) when it is the socket Node's child_process gives. A batch goes
// on the command line (`nft -j '<json>'`), or through a private temporary file (`nft -j -f FILE`)
// when it is too long for one argument (Linux refuses one over 128 KiB, MAX_ARG_STRLEN).

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MAX_INLINE = 64 * 1024;

/** Runs `run` with the nft arguments that carry `json` (after `nft`), cleaning up after it. */
export async function withNftBatch<T>(
  json: string,
  run: (args: readonly string[]) => Promise<T>,
): Promise<T> {
  if (Buffer.byteLength(json) <= MAX_INLINE) return run(['-j', json]);
  const dir = await mkdtemp(join(tmpdir(), 'shoal-nft-'));
  try {
    const file = join(dir, 'batch.json');
    await writeFile(file, json, { mode: 0o600 });
    return await run(['-j', '-f', file]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
