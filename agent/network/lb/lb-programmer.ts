// Keeps shoal's nftables tables in line with the desired load-balancing state: per task sandbox
// (table ip shoal_lb) and per node (table ip shoal_mesh). Each apply computes the minimal diff
// against what was applied before and sends it as one atomic nft transaction. What was applied
// is remembered per namespace; after a daemon restart (nothing remembered) it is read back from
// the kernel, so an unchanged state costs no write and a changed one only its diff. If the
// kernel turns out to differ from what was remembered (a diff is refused), or holds a table
// shoal cannot read, the table is replaced whole, atomically.

import type { Logger } from 'pino';
import { pino } from 'pino';
import { NftError, NftUnreadableError } from './errors.js';
import { enableIpForwarding } from './ip-forwarding.js';
import { nodeChanges, sandboxChanges } from './lb-diff.js';
import type { NodeLbSpec, NormalNodeSpec, NormalSandboxSpec, SandboxLbSpec } from './lb-spec.js';
import { normalizeNodeSpec, normalizeSandboxSpec } from './lb-spec.js';
import type { Nft } from './nft.js';
import type { NftCommand } from '../nft-json.js';
import { readNodeTable, readSandboxTable } from './nft-readback.js';
import { LB_TABLE, MESH_TABLE, nodeRuleset, sandboxRuleset } from './nft-ruleset.js';

/** How an apply went: nothing to do, a diff of `commands` commands, or a whole table. */
export interface LbApplyResult {
  readonly mode: 'unchanged' | 'diff' | 'full';
  readonly commands: number;
}

interface TableKind<S> {
  readonly table: string;
  readonly full: (spec: S, replace: boolean) => NftCommand[];
  readonly diff: (prev: S, next: S) => NftCommand[];
  readonly read: (items: readonly unknown[]) => S;
}

const SANDBOX: TableKind<NormalSandboxSpec> = {
  table: LB_TABLE,
  full: sandboxRuleset,
  diff: sandboxChanges,
  read: readSandboxTable,
};

const NODE: TableKind<NormalNodeSpec> = {
  table: MESH_TABLE,
  full: nodeRuleset,
  diff: nodeChanges,
  read: readNodeTable,
};

export interface LbProgrammerOptions {
  readonly logger?: Logger;
  /** Turn on net.ipv4.ip_forward in a node namespace that gets ingress ports (default true). */
  readonly enableForwarding?: boolean;
}

export class LbProgrammer {
  private readonly sandboxes = new Map<string, NormalSandboxSpec>();
  private readonly nodes = new Map<string, NormalNodeSpec>();
  private readonly forwarding = new Set<string>();
  /** One operation at a time per namespace, in call order. */
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly log: Logger;
  private readonly enableForwarding: boolean;

  constructor(
    private readonly nft: Nft,
    options: LbProgrammerOptions = {},
  ) {
    this.log = options.logger ?? pino({ level: 'silent' });
    this.enableForwarding = options.enableForwarding ?? true;
  }

  /** Programs a task sandbox's VIPs (and DNS redirect). */
  applySandbox(netnsPath: string, spec: SandboxLbSpec): Promise<LbApplyResult> {
    const next = normalizeSandboxSpec(spec);
    return this.serial(netnsPath, () => this.apply(SANDBOX, this.sandboxes, netnsPath, next));
  }

  /** Programs a node's published ports (routing mesh and host mode). */
  applyNode(netnsPath: string, spec: NodeLbSpec): Promise<LbApplyResult> {
    const next = normalizeNodeSpec(spec);
    return this.serial(netnsPath, async () => {
      const needsForwarding = [...next.ports.values()].some((p) => p.mode === 'ingress');
      if (this.enableForwarding && needsForwarding && !this.forwarding.has(netnsPath)) {
        await enableIpForwarding(netnsPath);
        this.forwarding.add(netnsPath);
      }
      return this.apply(NODE, this.nodes, netnsPath, next);
    });
  }

  /** Removes shoal's table from a sandbox (task stopping) and forgets it. */
  removeSandbox(netnsPath: string): Promise<void> {
    return this.serial(netnsPath, async () => {
      this.sandboxes.delete(netnsPath);
      await this.nft.deleteTable(netnsPath, LB_TABLE);
    });
  }

  /** Removes shoal's table from a node (leaving the swarm) and forgets it. */
  removeNode(netnsPath: string): Promise<void> {
    return this.serial(netnsPath, async () => {
      this.nodes.delete(netnsPath);
      this.forwarding.delete(netnsPath);
      await this.nft.deleteTable(netnsPath, MESH_TABLE);
    });
  }

  /** Forgets a sandbox whose namespace is already gone (its table went with it). */
  forgetSandbox(netnsPath: string): void {
    this.sandboxes.delete(netnsPath);
  }

  /**
   * What is programmed now (for metrics): the VIPs summed over every sandbox, and the published
   * ports of every node namespace by mode. O(namespaces + ports); called once per scrape.
   */
  programmed(): { readonly vips: number; readonly ports: ReadonlyMap<string, number> } {
    let vips = 0;
    for (const s of this.sandboxes.values()) vips += s.services.size;
    const ports = new Map<string, number>();
    for (const n of this.nodes.values())
      for (const p of n.ports.values()) ports.set(p.mode, (ports.get(p.mode) ?? 0) + 1);
    return { vips, ports };
  }

  private async apply<S>(
    kind: TableKind<S>,
    applied: Map<string, S>,
    netnsPath: string,
    next: S,
  ): Promise<LbApplyResult> {
    let prev = applied.get(netnsPath);
    if (prev === undefined) {
      try {
        const items = await this.nft.listTable(netnsPath, kind.table);
        if (items === undefined) return await this.replace(kind, applied, netnsPath, next);
        prev = kind.read(items);
      } catch (e: unknown) {
        if (!(e instanceof NftUnreadableError)) throw e;
        this.log.warn({ netnsPath, table: kind.table, err: e }, 'unreadable table: replacing it');
        return this.replace(kind, applied, netnsPath, next);
      }
    }
    const commands = kind.diff(prev, next);
    if (commands.length === 0) {
      applied.set(netnsPath, next);
      return { mode: 'unchanged', commands: 0 };
    }
    try {
      await this.nft.apply(netnsPath, commands);
    } catch (e: unknown) {
      if (!(e instanceof NftError)) throw e;
      this.log.warn({ netnsPath, table: kind.table, err: e.nftMessage }, 'diff refused: replacing the table');
      return this.replace(kind, applied, netnsPath, next);
    }
    applied.set(netnsPath, next);
    this.log.debug({ netnsPath, table: kind.table, commands: commands.length }, 'applied diff');
    return { mode: 'diff', commands: commands.length };
  }

  private async replace<S>(
    kind: TableKind<S>,
    applied: Map<string, S>,
    netnsPath: string,
    next: S,
  ): Promise<LbApplyResult> {
    applied.delete(netnsPath);
    const commands = kind.full(next, true);
    await this.nft.apply(netnsPath, commands);
    applied.set(netnsPath, next);
    return { mode: 'full', commands: commands.length };
  }

  private serial<T>(key: string, op: () => Promise<T>): Promise<T> {
    const prev = this.queues.get(key) ?? Promise.resolve();
    const run = prev.then(op, op);
    const tail = run.catch(() => undefined);
    this.queues.set(key, tail);
    void tail.then(() => {
      if (this.queues.get(key) === tail) this.queues.delete(key);
    });
    return run;
  }
}
