// Runs nft inside a network namespace: `nsenter --net=<path> nft -j …` (never `ip netns exec`,
// which remounts /sys). A ruleset goes in as one nft run, one transaction, so it applies whole
// or not at all; failures carry nft's own message. ../nft-input.ts says how the batch reaches nft.

import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { NftError, NftMissingError, NftUnreadableError } from './errors.js';
import type { NftCommand } from '../nft-json.js';
import { FAMILY } from '../nft-json.js';
import { withNftBatch } from '../nft-input.js';

export interface NftOptions {
  /** Kill nft after this long (default 30 s). */
  readonly timeoutMs?: number;
}

interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const SEARCH = ['/usr/sbin', '/sbin', '/usr/bin', '/bin', '/usr/local/sbin'];

function findProgram(name: string): string {
  for (const dir of [...(process.env['PATH'] ?? '').split(delimiter), ...SEARCH]) {
    if (!dir) continue;
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  throw new NftMissingError(name);
}

export class Nft {
  private readonly nsenter: string;
  private readonly nft: string;
  private readonly timeoutMs: number;

  constructor(options: NftOptions = {}) {
    this.nsenter = findProgram('nsenter');
    this.nft = findProgram('nft');
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** Applies the commands as one atomic transaction in the namespace. */
  async apply(netnsPath: string, commands: readonly NftCommand[]): Promise<void> {
    if (commands.length === 0) return;
    const json = JSON.stringify({ nftables: commands });
    const r = await withNftBatch(json, (args) => this.run(netnsPath, args, 'apply'));
    if (r.code !== 0) throw new NftError(netnsPath, 'apply', r.code, r.stderr);
  }

  /** The table's objects as `nft -j list table` prints them (metainfo left out), or undefined if absent. */
  async listTable(netnsPath: string, name: string): Promise<unknown[] | undefined> {
    const r = await this.run(
      netnsPath,
      ['-j', 'list', 'table', FAMILY, name],
      `list table ${FAMILY} ${name}`,
    );
    if (r.code !== 0) {
      if (!r.stderr.startsWith('nsenter') && /No such file or directory/.test(r.stderr)) return undefined;
      throw new NftError(netnsPath, `list table ${FAMILY} ${name}`, r.code, r.stderr);
    }
    return nftItems(r.stdout).filter((i) => !(typeof i === 'object' && i !== null && 'metainfo' in i));
  }

  /** Names of the namespace's tables of family ip. */
  async tables(netnsPath: string): Promise<string[]> {
    const r = await this.run(netnsPath, ['-j', 'list', 'tables', FAMILY], 'list tables');
    if (r.code !== 0) throw new NftError(netnsPath, 'list tables', r.code, r.stderr);
    return nftItems(r.stdout).flatMap((i) => {
      if (typeof i !== 'object' || i === null || !('table' in i)) return [];
      const t: unknown = i.table;
      return typeof t === 'object' && t !== null && 'name' in t && typeof t.name === 'string' ? [t.name] : [];
    });
  }

  /** Removes the table if it is there. */
  async deleteTable(netnsPath: string, name: string): Promise<void> {
    await this.apply(netnsPath, [
      { add: { table: { family: FAMILY, name } } },
      { delete: { table: { family: FAMILY, name } } },
    ]);
  }

  private run(netnsPath: string, args: readonly string[], operation: string): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.nsenter, [`--net=${netnsPath}`, '--', this.nft, ...args], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, this.timeoutMs);
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => err.push(b));
      child.on('error', (e) => {
        clearTimeout(timer);
        reject(new NftError(netnsPath, operation, null, e.message));
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        const stderr = Buffer.concat(err).toString('utf8');
        resolve({
          code: timedOut ? null : code,
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: timedOut ? `timed out after ${this.timeoutMs} ms. ${stderr}` : stderr,
        });
      });
    });
  }
}

function nftItems(stdout: string): unknown[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch (e: unknown) {
    throw new NftUnreadableError('not JSON', e);
  }
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    !('nftables' in parsed) ||
    !Array.isArray(parsed.nftables)
  ) {
    throw new NftUnreadableError('no "nftables" array');
  }
  return parsed.nftables as unknown[];
}
