// The data of `secret create` / `config create`: a file or standard input ("-"), checked
// against Docker's limits before anything is sent (the daemon would refuse it anyway, after
// the whole payload crossed the wire).
import { readFile } from 'node:fs/promises';
import { CliError } from './cli-error.js';
import type { CliIO } from './context.js';
import type { SwarmDataKind } from './secret-config-client.js';

/** swarmkit's MaxSecretSize and MaxConfigSize: data must be strictly smaller. */
export const DATA_LIMIT_BYTES: Readonly<Record<SwarmDataKind, number>> = {
  secret: 500 * 1024,
  config: 1000 * 1024,
};

async function readStream(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  }
  return Buffer.concat(chunks);
}

async function readSource(io: CliIO, file: string): Promise<Buffer> {
  if (file === '-') return io.readStdin !== undefined ? io.readStdin() : readStream(process.stdin);
  try {
    return await readFile(file);
  } catch (e: unknown) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CliError(`open ${file}: no such file or directory`, 'DATA_FILE');
    if (code === 'EACCES') throw new CliError(`open ${file}: permission denied`, 'DATA_FILE');
    if (code === 'EISDIR') throw new CliError(`read ${file}: is a directory`, 'DATA_FILE');
    throw e;
  }
}

/** Checks a secret's or config's data against the size rules; returns it unchanged. */
export function checkDataSize(kind: SwarmDataKind, data: Buffer, source: string): Buffer {
  const where = source === '-' ? 'STDIN' : source;
  // The docker CLI's own wording for empty input.
  if (data.length === 0) throw new CliError(`error reading from ${where}: data is empty`, 'DATA_EMPTY');
  const limit = DATA_LIMIT_BYTES[kind];
  if (data.length >= limit) {
    throw new CliError(
      `error reading from ${where}: ${kind} data must be less than ${limit / 1024} KiB (${limit} bytes), got ${data.length} bytes`,
      'DATA_TOO_LARGE',
    );
  }
  return data;
}

export async function readData(io: CliIO, kind: SwarmDataKind, file: string): Promise<Buffer> {
  return checkDataSize(kind, await readSource(io, file), file);
}
