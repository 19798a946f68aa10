// Egress for tasks: a per-node gateway bridge (the device behind the engine's docker_gwbridge
// network, which the driver serves) whose address is the default gateway of every task on a
// non-internal network, with source NAT (masquerade) to the node's own address in shoal's own
// nftables table. A task reaches the outside through its own node, never through another one.
// The driver isolates task ports on the bridge from each other, so the bridge joins no two tasks
// that their overlays keep apart. FORWARD accept rules keep a Docker-managed firewall from
// dropping shoal's traffic (forward-accept.ts).

import type { Logger } from 'pino';
import { pino } from 'pino';
import { intToIpv4, ipv4ToInt, parseCidr } from './addresses.js';
import { OverlayError } from './errors.js';
import { acceptForwarding, removeForwardingRules } from './forward-accept.js';
import type { HostCommands } from './host-commands.js';
import { IpRoute } from './iproute.js';
import { linkAlias } from './link-names.js';
import { nftApply, nftDeleteTable } from './nft.js';
import { FAMILY, type NftCommand, type NftTable } from '../nft-json.js';

export const GATEWAY_BRIDGE = 'shoal_gwbridge';
export const GATEWAY_SUBNET = '172.18.0.0/16';
/** shoal's nftables table for egress NAT (family ip). */
export const EGRESS_TABLE = 'shoal_egress';

export interface GatewayBridgeOptions {
  readonly commands: HostCommands;
  /** The bridge's MTU: the underlay's (egress is routed, not encapsulated). */
  readonly mtu: number;
  readonly subnet?: string;
  readonly name?: string;
  readonly logger?: Logger;
}

/** The egress NAT table: everything from the gateway subnet leaving by another interface is masqueraded. */
export function egressNatBatch(subnet: string, bridge: string): NftCommand[] {
  const c = parseCidr(subnet);
  const table: NftTable = { family: FAMILY, name: EGRESS_TABLE };
  return [
    // add + delete + add: replace the table whether or not it exists, in one transaction.
    { add: { table } },
    { delete: { table } },
    { add: { table } },
    {
      add: {
        chain: {
          family: FAMILY,
          table: EGRESS_TABLE,
          name: 'postrouting',
          type: 'nat',
          hook: 'postrouting',
          prio: 100,
          policy: 'accept',
        },
      },
    },
    {
      add: {
        rule: {
          family: FAMILY,
          table: EGRESS_TABLE,
          chain: 'postrouting',
          expr: [
            {
              match: {
                op: '==',
                left: { payload: { protocol: 'ip', field: 'saddr' } },
                right: { prefix: { addr: c.network, len: c.prefix } },
              },
            },
            { match: { op: '!=', left: { meta: { key: 'oifname' } }, right: bridge } },
            { masquerade: null },
          ],
        },
      },
    },
  ];
}

/** The gateway's address on a subnet: its first host address. */
export function gatewayAddress(subnet: string): string {
  return intToIpv4(ipv4ToInt(parseCidr(subnet).network) + 1);
}

export function normalizeSubnet(subnet: string): string {
  const c = parseCidr(subnet);
  if (c.prefix > 30) throw new OverlayError('OVERLAY_BAD_CONFIG', `gateway subnet ${subnet} is too small`);
  return `${c.network}/${c.prefix}`;
}

export class GatewayBridge {
  readonly gateway: string;
  readonly prefix: number;

  private constructor(
    private readonly commands: HostCommands,
    readonly name: string,
    readonly subnet: string,
    readonly mtu: number,
    private readonly log: Logger,
  ) {
    this.gateway = gatewayAddress(subnet);
    this.prefix = parseCidr(subnet).prefix;
  }

  /** Creates (or adopts) the bridge, turns on IPv4 forwarding, installs NAT and FORWARD rules. */
  static async open(options: GatewayBridgeOptions): Promise<GatewayBridge> {
    const g = new GatewayBridge(
      options.commands,
      options.name ?? GATEWAY_BRIDGE,
      normalizeSubnet(options.subnet ?? GATEWAY_SUBNET),
      options.mtu,
      options.logger ?? pino({ level: 'silent' }),
    );
    const ip = new IpRoute(options.commands);
    const lines: string[] = [];
    if (!(await ip.linkExists(g.name))) {
      lines.push(`link add ${g.name} mtu ${g.mtu} type bridge stp_state 0 forward_delay 0 mcast_snooping 0`);
    }
    lines.push(
      `link set ${g.name} alias ${linkAlias('gateway', g.subnet)}`,
      `addr replace ${g.gateway}/${g.prefix} dev ${g.name}`,
      `link set ${g.name} up`,
    );
    await ip.ip(lines);
    // Per network namespace: the node routes between the gateway bridge and the underlay.
    await options.commands.run(['tee', '/proc/sys/net/ipv4/ip_forward'], { input: '1\n' });
    await nftApply(options.commands, egressNatBatch(g.subnet, g.name));
    await acceptForwarding(options.commands, g.name);
    g.log.info({ bridge: g.name, gateway: g.gateway, subnet: g.subnet }, 'gateway bridge up');
    return g;
  }

  /** Removes the bridge, the NAT table and the FORWARD rules. */
  async teardown(): Promise<void> {
    const ip = new IpRoute(this.commands);
    if (await ip.linkExists(this.name)) await ip.ip([`link del ${this.name}`]);
    await nftDeleteTable(this.commands, FAMILY, EGRESS_TABLE);
    await removeForwardingRules(this.commands);
    this.log.info({ bridge: this.name }, 'gateway bridge down');
  }
}
