// nftables through its JSON interface, through the node's HostCommands: one `nft -j` run per
// change, which the kernel applies as one transaction (all or nothing); see ../nft-input.ts for
// how the batch reaches nft.

import type { HostCommands } from './host-commands.js';
import { withNftBatch } from '../nft-input.js';
import type { FAMILY, NftCommand, NftRuleset } from '../nft-json.js';

export async function nftApply(commands: HostCommands, batch: readonly NftCommand[]): Promise<void> {
  if (batch.length === 0) return;
  const ruleset: NftRuleset = { nftables: batch };
  await withNftBatch(JSON.stringify(ruleset), (args) => commands.run(['nft', ...args]));
}

/** Whether the table exists. */
export async function nftTableExists(
  commands: HostCommands,
  family: typeof FAMILY,
  name: string,
): Promise<boolean> {
  const r = await commands.run(['nft', '-j', 'list', 'table', family, name], { allowFailure: true });
  return r.code === 0;
}

/** Deletes the table if it exists. */
export async function nftDeleteTable(
  commands: HostCommands,
  family: typeof FAMILY,
  name: string,
): Promise<void> {
  if (!(await nftTableExists(commands, family, name))) return;
  await nftApply(commands, [{ delete: { table: { family, name } } }]);
}
