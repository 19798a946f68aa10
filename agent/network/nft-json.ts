// The subset of nftables' JSON schema (libnftables-json(5), `nft -j`) that shoal writes (the load
// balancer's rulesets, the gateway bridge's egress NAT) and reads back. Expressions and
// statements stay plain JSON values: nft validates them.

export type Json = string | number | boolean | null | readonly Json[] | { readonly [key: string]: Json };

export const FAMILY = 'ip';

export interface NftTable {
  readonly family: typeof FAMILY;
  readonly name: string;
}

export interface NftChain {
  readonly family: typeof FAMILY;
  readonly table: string;
  readonly name: string;
  readonly type?: 'nat' | 'filter' | 'route';
  readonly hook?: 'prerouting' | 'input' | 'forward' | 'output' | 'postrouting';
  readonly prio?: number;
  readonly policy?: 'accept' | 'drop';
}

export interface NftMap {
  readonly family: typeof FAMILY;
  readonly table: string;
  readonly name: string;
  readonly type: string | readonly string[];
  readonly map: string;
}

export interface NftElement {
  readonly family: typeof FAMILY;
  readonly table: string;
  readonly name: string;
  readonly elem: readonly Json[];
}

export interface NftRule {
  readonly family: typeof FAMILY;
  readonly table: string;
  readonly chain: string;
  readonly expr: readonly Json[];
}

export type NftObject =
  | { readonly table: NftTable }
  | { readonly chain: NftChain }
  | { readonly map: NftMap }
  | { readonly element: NftElement }
  | { readonly rule: NftRule };

export type NftCommand =
  { readonly add: NftObject } | { readonly delete: NftObject } | { readonly flush: NftObject };

/** What `nft -j -f -` reads: one atomic transaction. */
export interface NftRuleset {
  readonly nftables: readonly NftCommand[];
}
