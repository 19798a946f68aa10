// `shoal stack deploy|ls|ps|services|rm`: a stack is the services, networks, secrets and
// configs carrying the label com.docker.stack.namespace=NAME (the docker CLI's convention).
import type { Command } from 'commander';
import { NAMESPACE_LABEL } from '../compose/names.js';
import { formatServiceTable } from '../format/service-table.js';
import { alignColumns } from '../format/tabwriter.js';
import { formatTaskTable } from '../format/task-table.js';
import { CliError } from './cli-error.js';
import type { CliContext } from './context.js';
import { collectFilter, parseFilters } from './filters.js';
import { NetworkClient } from './network-client.js';
import { nodeNameMap, serviceNamesFor } from './resolve.js';
import { SecretConfigClient } from './secret-config-client.js';
import { checkStackName, registerStackDeploy } from './stack-deploy.js';

const byName =
  <T>(name: (x: T) => string) =>
  (a: T, b: T): number =>
    name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0;

async function removeStack(ctx: CliContext, stack: string): Promise<boolean> {
  const api = ctx.api();
  const filter = { label: [`${NAMESPACE_LABEL}=${stack}`] };
  const services = (await api.serviceList(filter)).sort(byName((s) => s.Spec.Name ?? ''));
  const secretClient = new SecretConfigClient(api, 'secret');
  const configClient = new SecretConfigClient(api, 'config');
  const netClient = new NetworkClient(api);
  const secrets = (await secretClient.list(filter)).sort(byName((s) => s.Spec.Name ?? ''));
  const configs = (await configClient.list(filter)).sort(byName((s) => s.Spec.Name ?? ''));
  const networks = (await netClient.list(filter)).sort(byName((n) => n.Name));
  if (services.length + secrets.length + configs.length + networks.length === 0) {
    ctx.io.err(`Nothing found in stack: ${stack}\n`);
    return true;
  }
  let ok = true;
  const attempt = async (what: string, name: string, fn: () => Promise<void>): Promise<void> => {
    ctx.io.out(`Removing ${what} ${name}\n`);
    try {
      await fn();
    } catch (e: unknown) {
      ok = false;
      ctx.io.err(`Failed to remove ${what} ${name}: ${e instanceof Error ? e.message : String(e)}\n`);
    }
  };
  for (const s of services) await attempt('service', s.Spec.Name ?? s.ID, () => api.serviceRemove(s.ID));
  for (const s of secrets) await attempt('secret', s.Spec.Name ?? s.ID, () => secretClient.remove(s.ID));
  for (const c of configs) await attempt('config', c.Spec.Name ?? c.ID, () => configClient.remove(c.ID));
  for (const n of networks) await attempt('network', n.Name, () => netClient.remove(n.Id));
  return ok;
}

export function registerStack(program: Command, ctx: CliContext): void {
  const stack = program.command('stack').description('Manage Swarm stacks').enablePositionalOptions();
  registerStackDeploy(stack, ctx);

  stack
    .command('ls')
    .alias('list')
    .description('List stacks')
    .action(async () => {
      const services = await ctx.api().serviceList({ label: [NAMESPACE_LABEL] });
      const counts = new Map<string, number>();
      for (const s of services) {
        const ns = s.Spec.Labels?.[NAMESPACE_LABEL];
        if (ns !== undefined) counts.set(ns, (counts.get(ns) ?? 0) + 1);
      }
      const rows = [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      ctx.io.out(alignColumns([['NAME', 'SERVICES'], ...rows.map(([n, c]) => [n, String(c)])]));
    });

  stack
    .command('services')
    .description('List the services in the stack')
    .argument('<stack>')
    .option('-q, --quiet', 'Only display IDs')
    .option('-f, --filter <filter>', 'Filter output based on conditions provided', collectFilter, [])
    .action(async (name: string, opts: { quiet?: boolean; filter: string[] }) => {
      checkStackName(name);
      const filters = parseFilters(opts.filter);
      const services = await ctx
        .api()
        .serviceList(
          { ...filters, label: [...(filters['label'] ?? []), `${NAMESPACE_LABEL}=${name}`] },
          true,
        );
      if (services.length === 0 && opts.quiet !== true) {
        ctx.io.err(`Nothing found in stack: ${name}\n`);
        return;
      }
      ctx.io.out(formatServiceTable(services, opts.quiet === true));
    });

  stack
    .command('ps')
    .description('List the tasks in the stack')
    .argument('<stack>')
    .option('--no-trunc', 'Do not truncate output')
    .option('-q, --quiet', 'Only display task IDs')
    .option('-f, --filter <filter>', 'Filter output based on conditions provided', collectFilter, [])
    .action(async (name: string, opts: { trunc: boolean; quiet?: boolean; filter: string[] }) => {
      checkStackName(name);
      const api = ctx.api();
      const filters = parseFilters(opts.filter);
      // The stack's tasks are its services' tasks (found by the services' namespace label).
      const services = await api.serviceList({ label: [`${NAMESPACE_LABEL}=${name}`] });
      const tasks =
        services.length === 0 ? [] : await api.taskList({ ...filters, service: services.map((s) => s.ID) });
      if (tasks.length === 0) {
        ctx.io.err(`Nothing found in stack: ${name}\n`);
        return;
      }
      const nodes = opts.quiet === true ? [] : await api.nodeList();
      ctx.io.out(
        formatTaskTable(tasks, {
          serviceNames: await serviceNamesFor(api, tasks, services),
          nodeNames: nodeNameMap(nodes),
          nowMs: ctx.clock.now(),
          trunc: opts.trunc && opts.quiet !== true,
          quiet: opts.quiet === true,
        }),
      );
    });

  stack
    .command('rm')
    .aliases(['remove', 'down'])
    .description('Remove one or more stacks')
    .argument('<stack...>')
    .option('-d, --detach', 'Do not wait for stack removal (the default)')
    .action(async (names: string[]) => {
      let ok = true;
      for (const name of names) {
        checkStackName(name);
        ok = (await removeStack(ctx, name)) && ok;
      }
      if (!ok) throw new CliError('failed to remove some resources from the stack', 'STACK_RM');
    });
}
