// `shoal service ls|ps|inspect|rm` (create, update, scale, rollback and logs have their own
// files), with docker's output.
import type { Command } from 'commander';
import type { DockerApi } from '../client/docker-api.js';
import type { DockerService } from '../client/types.js';
import { formatServicePretty } from '../format/service-pretty.js';
import { formatServiceTable } from '../format/service-table.js';
import { formatTaskTable } from '../format/task-table.js';
import { CliError } from './cli-error.js';
import type { CliContext } from './context.js';
import { collectFilter, parseFilters } from './filters.js';
import { formatInspectJson } from './inspect-json.js';
import { isNotFound, nodeNameMap, resolveNodeRef, serviceNamesFor } from './resolve.js';
import { registerServiceDeploy } from './service-deploy.js';
import { registerServiceLogs } from './service-logs.js';

export interface ResolvedServices {
  readonly services: DockerService[];
  readonly notFound: string[];
}

/** Matches each argument by full ID, then full name, then unique ID prefix (docker's order). */
export async function resolveServices(api: DockerApi, refs: readonly string[]): Promise<ResolvedServices> {
  const byId = await api.serviceList({ id: refs });
  const byName = await api.serviceList({ name: refs });
  const services: DockerService[] = [];
  const notFound: string[] = [];
  for (const ref of refs) {
    const exact = byId.find((s) => s.ID === ref) ?? byName.find((s) => s.Spec.Name === ref);
    if (exact !== undefined) {
      services.push(exact);
      continue;
    }
    const prefixed = byId.filter((s) => s.ID.startsWith(ref));
    if (prefixed.length > 1)
      throw new CliError(`multiple services found with provided prefix: ${ref}`, 'AMBIGUOUS');
    const first = prefixed[0];
    if (first !== undefined) services.push(first);
    else notFound.push(`no such service: ${ref}`);
  }
  return { services, notFound };
}

export function registerService(program: Command, ctx: CliContext): void {
  const service = program.command('service').description('Manage Swarm services').enablePositionalOptions();

  registerServiceDeploy(service, ctx);

  service
    .command('ls')
    .alias('list')
    .description('List services')
    .option('-q, --quiet', 'Only display IDs')
    .option('-f, --filter <filter>', 'Filter output based on conditions provided', collectFilter, [])
    .action(async (opts: { quiet?: boolean; filter: string[] }) => {
      const services = await ctx.api().serviceList(parseFilters(opts.filter), true);
      ctx.io.out(formatServiceTable(services, opts.quiet === true));
    });

  service
    .command('ps')
    .description('List the tasks of one or more services')
    .argument('<service...>')
    .option('--no-trunc', 'Do not truncate output')
    .option('-q, --quiet', 'Only display task IDs')
    .option('-f, --filter <filter>', 'Filter output based on conditions provided', collectFilter, [])
    .action(async (refs: string[], opts: { trunc: boolean; quiet?: boolean; filter: string[] }) => {
      const api = ctx.api();
      const { services, notFound } = await resolveServices(api, refs);
      if (services.length === 0) throw new CliError(notFound.join('\n'), 'NO_SUCH_SERVICE');
      const filters: Record<string, readonly string[]> = { ...parseFilters(opts.filter) };
      const nodeRefs = filters['node'];
      if (nodeRefs !== undefined) {
        const ids: string[] = [];
        for (const ref of nodeRefs) ids.push(await resolveNodeRef(api, ref));
        filters['node'] = ids;
      }
      filters['service'] = services.map((s) => s.ID);
      const tasks = await api.taskList(filters);
      const nodes = opts.quiet === true ? [] : await api.nodeList();
      ctx.io.out(
        formatTaskTable(tasks, {
          serviceNames: await serviceNamesFor(api, tasks, services),
          nodeNames: nodeNameMap(nodes),
          nowMs: ctx.clock.now(),
          // docker prints whole task IDs with -q
          trunc: opts.trunc && opts.quiet !== true,
          quiet: opts.quiet === true,
        }),
      );
      if (notFound.length > 0) throw new CliError(notFound.join('\n'), 'NO_SUCH_SERVICE');
    });

  service
    .command('inspect')
    .description('Display detailed information on one or more services')
    .argument('<service...>')
    .option('--pretty', 'Print the information in a human friendly format')
    .action(async (refs: string[], opts: { pretty?: boolean }) => {
      const api = ctx.api();
      const found: DockerService[] = [];
      const errors: string[] = [];
      for (const ref of refs) {
        try {
          found.push(await api.serviceInspect(ref, true));
        } catch (e: unknown) {
          if (!isNotFound(e)) throw e;
          errors.push(`Error: no such service: ${ref}`);
        }
      }
      if (opts.pretty === true) {
        const now = ctx.clock.now();
        ctx.io.out(found.map((s) => formatServicePretty(s, now)).join(''));
      } else {
        ctx.io.out(formatInspectJson(found));
      }
      if (errors.length > 0) throw new CliError(errors.join('\n'), 'NO_SUCH_SERVICE');
    });

  service
    .command('rm')
    .alias('remove')
    .description('Remove one or more services')
    .argument('<service...>')
    .action(async (refs: string[]) => {
      const api = ctx.api();
      const errors: string[] = [];
      for (const ref of refs) {
        try {
          await api.serviceRemove(ref);
          ctx.io.out(`${ref}\n`);
        } catch (e: unknown) {
          errors.push(e instanceof Error ? e.message : String(e));
        }
      }
      if (errors.length > 0) throw new CliError(errors.join('\n'), 'SERVICE_RM');
    });

  registerServiceLogs(service, ctx);
}
