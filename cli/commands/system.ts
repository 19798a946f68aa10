// `shoal info` and `shoal version`.
import type { Command } from 'commander';
import { API_VERSION } from '../client/docker-api.js';
import { formatInfo } from '../format/info-text.js';
import { formatVersion } from '../format/version-text.js';
import type { CliContext } from './context.js';

export function registerSystem(program: Command, ctx: CliContext, clientVersion: string): void {
  program
    .command('info')
    .description('Display system-wide information')
    .action(async () => {
      const info = await ctx.api().info();
      ctx.io.out(formatInfo(info, clientVersion));
      for (const w of info.Warnings ?? []) ctx.io.err(`${w}\n`);
    });

  program
    .command('version')
    .description('Show the shoal version information')
    .action(async () => {
      const client = {
        version: clientVersion,
        apiVersion: API_VERSION,
        nodeVersion: process.version,
        os: process.platform,
        arch: process.arch === 'x64' ? 'amd64' : process.arch,
      };
      try {
        ctx.io.out(formatVersion(client, await ctx.api().version()));
      } catch (e: unknown) {
        // As docker does: the client part still prints when the daemon cannot answer.
        ctx.io.out(formatVersion(client, undefined));
        throw e;
      }
    });
}
