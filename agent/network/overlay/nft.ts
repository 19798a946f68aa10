// nftables through its JSON interface: one `nft -j` run per change, which the kernel applies as
// one transaction (all or nothing). nft 1.0's JSON reader cannot take standard input from a
// socket (it reopens /dev/stdin, which fails for the socketpair Node gives a child), so a batch
// goes on the command line, or through a temporary file when it is too long for one argument.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HostCommands } from './host-commands.js';

export type NftCommand = Record<string, unknown>;

/** Linux refuses a single argument longer than 128 KiB (MAX_ARG_STRLEN); stay well below. */
const MAX_INLINE = 64 * 1024;

export async function nftApply(commands: HostCommands, batch: readonly NftCommand[]): Promise<void> {
  if (batch.length === 0) return;
  const json = JSON.stringify({ nftables: batch });
  if (Buffer.byteLength(json) <= MAX_INLINE) {
    await commands.run(['nft', '-j', json]);
    return;
  }
  const dir = await mkdtemp(join(tmpdir(), 'shoal-nft-'));
  try {
    const file = join(dir, 'batch.json');
    await writeFile(file, json);
    await commands.run(['nft', '-j', '-f', file]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Whether the table exists. */
export async function nftTableExists(commands: HostCommands, family: string, name: string): Promise<boolean> {
  const r = await commands.run(['nft', '-j', 'list', 'table', family, name], { allowFailure: true });
  return r.code === 0;
}

/** Deletes the table if it exists. */
export async function nftDeleteTable(commands: HostCommands, family: string, name: string): Promise<void> {
  if (!(await nftTableExists(commands, family, name))) return;
  await nftApply(commands, [{ delete: { table: { family, name } } }]);
}
