// `shoal service create|update|rollback|scale`: send the spec, then show convergence unless
// --detach, as the docker CLI does.
import type { Command } from 'commander';
import type { DockerApi } from '../client/docker-api.js';
import { CliError, UsageError } from './cli-error.js';
import type { CliContext } from './context.js';
import { buildCreateSpec } from './service-spec/create-spec.js';
import { applyCreateRefs, applyUpdateRefs } from './service-spec/secret-config-refs.js';
import { addCreateFlags, addUpdateFlags, type ServiceFlags } from './service-spec/service-flags.js';
import { applyUpdateFlags } from './service-spec/update-spec.js';
import { waitOnService } from './wait-on-service.js';

function printWarnings(ctx: CliContext, warnings: readonly string[] | null | undefined): void {
  for (const w of warnings ?? []) ctx.io.err(`${w}\n`);
}

/** Sets a replicated service's replicas (or a replicated job's completions). */
export async function scaleService(
  api: DockerApi,
  ref: string,
  replicas: number,
): Promise<readonly string[]> {
  const service = await api.serviceInspect(ref);
  const spec = structuredClone(service.Spec);
  const mode = spec.Mode ?? {};
  if (mode.Replicated !== undefined) mode.Replicated = { Replicas: replicas };
  else if (mode.ReplicatedJob !== undefined)
    mode.ReplicatedJob = { ...mode.ReplicatedJob, TotalCompletions: replicas };
  else throw new CliError('scale can only be used with replicated or replicated-job mode', 'SCALE_MODE');
  spec.Mode = mode;
  const res = await api.serviceUpdate(service.ID, service.Version.Index, spec);
  return res.Warnings ?? [];
}

export function registerServiceDeploy(service: Command, ctx: CliContext): void {
  const create = service
    .command('create')
    .description('Create a new service')
    .usage('[OPTIONS] IMAGE [COMMAND] [ARG...]')
    .argument('<image>')
    .argument('[command...]')
    .passThroughOptions();
  addCreateFlags(create);
  create.action(async (image: string, command: string[], flags: ServiceFlags) => {
    const api = ctx.api();
    const spec = buildCreateSpec(flags, [image, ...command], ctx.env);
    await applyCreateRefs(api, spec.TaskTemplate?.ContainerSpec ?? {}, flags);
    const res = await api.serviceCreate(spec);
    printWarnings(ctx, res.Warnings);
    ctx.io.out(`${res.ID}\n`);
    if (flags.detach === true) return;
    await waitOnService(ctx, res.ID, flags.quiet === true);
  });

  const update = service.command('update').description('Update a service').argument('<service>');
  addUpdateFlags(update);
  update.action(async (ref: string, flags: ServiceFlags) => {
    const api = ctx.api();
    const current = await api.serviceInspect(ref);
    let spec = current.Spec;
    if (flags.rollback === true) {
      if (current.PreviousSpec === undefined)
        throw new CliError('service does not have a previous spec', 'NO_PREVIOUS_SPEC');
      spec = current.PreviousSpec;
    } else {
      spec = applyUpdateFlags(current.Spec, flags, ctx.env);
      const task = spec.TaskTemplate ?? {};
      spec.TaskTemplate = task;
      task.ContainerSpec = task.ContainerSpec ?? {};
      await applyUpdateRefs(api, task.ContainerSpec, flags);
    }
    const res = await api.serviceUpdate(current.ID, current.Version.Index, spec, {
      registryAuthFrom: 'spec',
      ...(flags.rollback === true ? { rollback: true } : {}),
    });
    printWarnings(ctx, res.Warnings);
    ctx.io.out(`${ref}\n`);
    if (flags.detach === true) return;
    await waitOnService(ctx, current.ID, flags.quiet === true);
  });

  service
    .command('rollback')
    .description("Revert changes to a service's configuration")
    .argument('<service>')
    .option('-d, --detach', 'Exit immediately instead of waiting for the service to converge')
    .option('-q, --quiet', 'Suppress progress output')
    .action(async (ref: string, opts: { detach?: boolean; quiet?: boolean }) => {
      const api = ctx.api();
      const current = await api.serviceInspect(ref);
      const res = await api.serviceUpdate(current.ID, current.Version.Index, current.Spec, {
        rollback: true,
      });
      printWarnings(ctx, res.Warnings);
      ctx.io.out(`${ref}\n`);
      if (opts.detach === true) return;
      await waitOnService(ctx, current.ID, opts.quiet === true);
    });

  const scaleUsage = 'shoal service scale SERVICE=REPLICAS [SERVICE=REPLICAS...]';
  service
    .command('scale')
    .description('Scale one or multiple replicated services')
    .argument('<service=replicas...>')
    .option('-d, --detach', 'Exit immediately instead of waiting for the service to converge')
    .action(async (args: string[], opts: { detach?: boolean }) => {
      for (const arg of args) {
        const eq = arg.indexOf('=');
        if (eq <= 0 || eq === arg.length - 1) {
          throw new UsageError(
            `invalid scale specifier '${arg}'.`,
            `${ctx.programName} service scale`,
            `${scaleUsage}\n\nScale one or multiple replicated services`,
          );
        }
      }
      const api = ctx.api();
      const errors: string[] = [];
      const scaled: string[] = [];
      for (const arg of args) {
        const eq = arg.indexOf('=');
        const ref = arg.slice(0, eq);
        const value = arg.slice(eq + 1);
        if (!/^\d+$/.test(value)) {
          errors.push(
            `${ref}: invalid replicas value ${value}: strconv.ParseUint: parsing ${JSON.stringify(value)}: invalid syntax`,
          );
          continue;
        }
        try {
          printWarnings(ctx, await scaleService(api, ref, Number(value)));
          ctx.io.out(`${ref} scaled to ${value}\n`);
          scaled.push(ref);
        } catch (e: unknown) {
          errors.push(`${ref}: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
      if (opts.detach !== true) {
        for (const ref of scaled) {
          try {
            await waitOnService(ctx, ref, false);
          } catch (e: unknown) {
            errors.push(`${ref}: ${e instanceof Error ? e.message : String(e)}`);
          }
          if (ctx.interrupt.aborted) break;
        }
      }
      if (errors.length > 0) throw new CliError(errors.join('\n'), 'SCALE');
    });
}
