// `shoal network create|ls|inspect|rm`, with docker's flags and output.
import type { Command } from 'commander';
import { formatNetworkTable } from '../format/network-table.js';
import { CliError } from './cli-error.js';
import type { CliContext } from './context.js';
import { collectFilter, parseFilters } from './filters.js';
import { formatInspectJson } from './inspect-json.js';
import { NetworkClient, type NetworkCreateRequest, type NetworkResource } from './network-client.js';
import { consolidateIpam } from './network-ipam.js';
import { isNotFound } from './resolve.js';
import { keyValueMap } from './service-spec/flag-values.js';

export interface NetworkCreateFlags {
  driver: string;
  attachable?: boolean;
  internal?: boolean;
  ingress?: boolean;
  ipv6?: boolean;
  label: string[];
  opt: string[];
  subnet: string[];
  gateway: string[];
  ipRange: string[];
  auxAddress: string[];
  ipamDriver: string;
  ipamOpt: string[];
  scope: string;
  configFrom?: string;
  configOnly?: boolean;
}

/** The create request docker sends for `network create` with these flags. */
export function networkCreateRequest(name: string, f: NetworkCreateFlags): NetworkCreateRequest {
  const req: NetworkCreateRequest = {
    Name: name,
    CheckDuplicate: true,
    Driver: f.driver,
    Scope: f.scope,
    EnableIPv6: f.ipv6 === true,
    IPAM: {
      Driver: f.ipamDriver,
      Config: consolidateIpam({
        subnets: f.subnet,
        ranges: f.ipRange,
        gateways: f.gateway,
        auxAddresses: keyValueMap(f.auxAddress),
      }),
      Options: keyValueMap(f.ipamOpt),
    },
    Internal: f.internal === true,
    Attachable: f.attachable === true,
    Ingress: f.ingress === true,
    ConfigOnly: f.configOnly === true,
    Options: keyValueMap(f.opt),
    Labels: keyValueMap(f.label),
  };
  if (f.configFrom !== undefined) req.ConfigFrom = { Network: f.configFrom };
  return req;
}

export function registerNetwork(program: Command, ctx: CliContext): void {
  const network = program.command('network').description('Manage networks');
  const client = (): NetworkClient => new NetworkClient(ctx.api());

  network
    .command('create')
    .description('Create a network')
    .argument('<network>')
    .option('-d, --driver <string>', 'Driver to manage the Network', 'overlay')
    .option('--attachable', 'Enable manual container attachment')
    .option('--internal', 'Restrict external access to the network')
    .option('--ingress', 'Create swarm routing-mesh network')
    .option('--ipv6', 'Enable IPv6 networking')
    .option('--label <list>', 'Set metadata on a network', collectFilter, [])
    .option('-o, --opt <map>', 'Set driver specific options', collectFilter, [])
    .option(
      '--subnet <strings>',
      'Subnet in CIDR format that represents a network segment',
      collectFilter,
      [],
    )
    .option('--gateway <strings>', 'IPv4 or IPv6 Gateway for the master subnet', collectFilter, [])
    .option('--ip-range <strings>', 'Allocate container ip from a sub-range', collectFilter, [])
    .option(
      '--aux-address <map>',
      'Auxiliary IPv4 or IPv6 addresses used by Network driver',
      collectFilter,
      [],
    )
    .option('--ipam-driver <string>', 'IP Address Management Driver', 'default')
    .option('--ipam-opt <map>', 'Set IPAM driver specific options', collectFilter, [])
    .option('--scope <string>', "Control the network's scope", '')
    .option('--config-from <string>', 'The network from which to copy the configuration')
    .option('--config-only', 'Create a configuration only network')
    .action(async (name: string, flags: NetworkCreateFlags) => {
      const res = await client().create(networkCreateRequest(name, flags));
      if (res.Warning !== undefined && res.Warning !== '') ctx.io.err(`${res.Warning}\n`);
      ctx.io.out(`${res.Id}\n`);
    });

  network
    .command('ls')
    .alias('list')
    .description('List networks')
    .option('-f, --filter <filter>', "Provide filter values (e.g. 'driver=overlay')", collectFilter, [])
    .option('--no-trunc', 'Do not truncate the output')
    .option('-q, --quiet', 'Only display network IDs')
    .action(async (opts: { filter: string[]; trunc: boolean; quiet?: boolean }) => {
      const networks = await client().list(parseFilters(opts.filter));
      ctx.io.out(formatNetworkTable(networks, { quiet: opts.quiet === true, trunc: opts.trunc }));
    });

  network
    .command('inspect')
    .description('Display detailed information on one or more networks')
    .argument('<network...>')
    .option('-v, --verbose', 'Verbose output for diagnostics')
    .action(async (refs: string[], opts: { verbose?: boolean }) => {
      const api = client();
      const found: NetworkResource[] = [];
      const errors: string[] = [];
      for (const ref of refs) {
        try {
          found.push(await api.inspect(ref, opts.verbose === true));
        } catch (e: unknown) {
          if (!isNotFound(e)) throw e;
          errors.push(`Error: No such network: ${ref}`);
        }
      }
      ctx.io.out(formatInspectJson(found));
      if (errors.length > 0) throw new CliError(errors.join('\n'), 'NO_SUCH_NETWORK');
    });

  network
    .command('rm')
    .alias('remove')
    .description('Remove one or more networks')
    .argument('<network...>')
    .option('-f, --force', 'Do not error if the network does not exist')
    .action(async (refs: string[], opts: { force?: boolean }) => {
      const api = client();
      const errors: string[] = [];
      for (const ref of refs) {
        try {
          await api.remove(ref);
          ctx.io.out(`${ref}\n`);
        } catch (e: unknown) {
          if (!isNotFound(e)) errors.push(e instanceof Error ? e.message : String(e));
          else if (opts.force !== true) errors.push(`Error: No such network: ${ref}`);
        }
      }
      if (errors.length > 0) throw new CliError(errors.join('\n'), 'NETWORK_RM');
    });
}
