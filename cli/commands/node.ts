// `shoal node ls|inspect|update|promote|demote|rm|ps`, with docker's output.
import type { Command } from 'commander';
import type { DockerNodeSpec } from '../client/types.js';
import { formatNodePretty } from '../format/node-pretty.js';
import { formatNodeTable } from '../format/node-table.js';
import { formatTaskTable } from '../format/task-table.js';
import { CliError } from './cli-error.js';
import type { CliContext } from './context.js';
import { collectFilter, parseFilters } from './filters.js';
import { formatInspectJson } from './inspect-json.js';
import { isNotFound, nodeNameMap, resolveNodeRef, serviceNamesFor } from './resolve.js';
import { keyValueMap } from './service-spec/flag-values.js';

interface NodeUpdateFlags {
  availability?: string;
  role?: string;
  labelAdd: string[];
  labelRm: string[];
}

/** Applies `node update` flags to a node spec. */
export function applyNodeUpdate(spec: DockerNodeSpec, flags: NodeUpdateFlags): DockerNodeSpec {
  const next: DockerNodeSpec = structuredClone(spec);
  if (flags.availability !== undefined) {
    const a = flags.availability.toLowerCase();
    if (a !== 'active' && a !== 'pause' && a !== 'drain') {
      throw new CliError(`invalid availability: ${flags.availability}`, 'FLAG_VALUE');
    }
    next.Availability = a;
  }
  if (flags.role !== undefined) {
    const r = flags.role.toLowerCase();
    if (r !== 'worker' && r !== 'manager') throw new CliError(`invalid role: ${flags.role}`, 'FLAG_VALUE');
    next.Role = r;
  }
  if (flags.labelAdd.length > 0 || flags.labelRm.length > 0) {
    const labels = { ...(next.Labels ?? {}), ...keyValueMap(flags.labelAdd) };
    for (const key of flags.labelRm) {
      if (!(key in labels)) throw new CliError(`key ${key} doesn't exist in node's labels`, 'NO_SUCH_LABEL');
      delete labels[key];
    }
    next.Labels = labels;
  } else {
    next.Labels = next.Labels ?? {};
  }
  return next;
}

export function registerNode(program: Command, ctx: CliContext): void {
  const node = program.command('node').description('Manage Swarm nodes');

  node
    .command('ls')
    .alias('list')
    .description('List nodes in the swarm')
    .option('-q, --quiet', 'Only display IDs')
    .option('-f, --filter <filter>', 'Filter output based on conditions provided', collectFilter, [])
    .action(async (opts: { quiet?: boolean; filter: string[] }) => {
      const api = ctx.api();
      const nodes = await api.nodeList(parseFilters(opts.filter));
      const self = opts.quiet === true ? '' : (await api.info()).Swarm.NodeID;
      ctx.io.out(formatNodeTable(nodes, self, opts.quiet === true));
    });

  node
    .command('inspect')
    .description('Display detailed information on one or more nodes')
    .argument('<node...>')
    .option('--pretty', 'Print the information in a human friendly format')
    .action(async (refs: string[], opts: { pretty?: boolean }) => {
      const api = ctx.api();
      const nodes = [];
      const errors: string[] = [];
      for (const ref of refs) {
        try {
          nodes.push(await api.nodeInspect(await resolveNodeRef(api, ref)));
        } catch (e: unknown) {
          if (!isNotFound(e)) throw e;
          errors.push(`Error: no such node: ${ref}`);
        }
      }
      if (opts.pretty === true) ctx.io.out(nodes.map(formatNodePretty).join(''));
      else ctx.io.out(formatInspectJson(nodes));
      if (errors.length > 0) throw new CliError(errors.join('\n'), 'NO_SUCH_NODE');
    });

  node
    .command('update')
    .description('Update a node')
    .argument('<node>')
    .option('--availability <string>', 'Availability of the node ("active", "pause", "drain")')
    .option('--role <string>', 'Role of the node ("worker", "manager")')
    .option('--label-add <list>', 'Add or update a node label (key=value)', collectFilter, [])
    .option('--label-rm <list>', 'Remove a node label if exists', collectFilter, [])
    .action(async (ref: string, opts: NodeUpdateFlags) => {
      const api = ctx.api();
      const n = await api.nodeInspect(await resolveNodeRef(api, ref));
      await api.nodeUpdate(n.ID, n.Version.Index, applyNodeUpdate(n.Spec, opts));
      ctx.io.out(`${ref}\n`);
    });

  const changeRole = async (refs: string[], role: 'manager' | 'worker'): Promise<void> => {
    const api = ctx.api();
    for (const ref of refs) {
      const n = await api.nodeInspect(await resolveNodeRef(api, ref));
      if (n.Spec.Role === role) {
        ctx.io.out(
          role === 'manager' ? `Node ${ref} is already a manager.\n` : `Node ${ref} is already a worker.\n`,
        );
        continue;
      }
      await api.nodeUpdate(n.ID, n.Version.Index, { ...n.Spec, Labels: n.Spec.Labels ?? {}, Role: role });
      ctx.io.out(
        role === 'manager'
          ? `Node ${ref} promoted to a manager in the swarm.\n`
          : `Manager ${ref} demoted in the swarm.\n`,
      );
    }
  };
  node
    .command('promote')
    .description('Promote one or more nodes to manager in the swarm')
    .argument('<node...>')
    .action((refs: string[]) => changeRole(refs, 'manager'));
  node
    .command('demote')
    .description('Demote one or more nodes from manager in the swarm')
    .argument('<node...>')
    .action((refs: string[]) => changeRole(refs, 'worker'));

  node
    .command('rm')
    .alias('remove')
    .description('Remove one or more nodes from the swarm')
    .argument('<node...>')
    .option('-f, --force', 'Force remove a node from the swarm')
    .action(async (refs: string[], opts: { force?: boolean }) => {
      const api = ctx.api();
      const errors: string[] = [];
      for (const ref of refs) {
        try {
          await api.nodeRemove(ref, opts.force === true);
          ctx.io.out(`${ref}\n`);
        } catch (e: unknown) {
          errors.push(e instanceof Error ? e.message : String(e));
        }
      }
      if (errors.length > 0) throw new CliError(errors.join('\n'), 'NODE_RM');
    });

  node
    .command('ps')
    .description('List tasks running on one or more nodes, defaults to current node')
    .argument('[node...]')
    .option('--no-trunc', 'Do not truncate output')
    .option('-q, --quiet', 'Only display task IDs')
    .option('-f, --filter <filter>', 'Filter output based on conditions provided', collectFilter, [])
    .action(async (refs: string[], opts: { trunc: boolean; quiet?: boolean; filter: string[] }) => {
      const api = ctx.api();
      const ids: string[] = [];
      for (const ref of refs.length === 0 ? ['self'] : refs) {
        ids.push((await api.nodeInspect(await resolveNodeRef(api, ref))).ID);
      }
      const filters = { ...parseFilters(opts.filter), node: ids };
      const tasks = await api.taskList(filters);
      const nodes = await api.nodeList();
      ctx.io.out(
        formatTaskTable(tasks, {
          serviceNames: await serviceNamesFor(api, tasks),
          nodeNames: nodeNameMap(nodes),
          nowMs: ctx.clock.now(),
          trunc: opts.trunc,
          quiet: opts.quiet === true,
        }),
      );
    });
}
