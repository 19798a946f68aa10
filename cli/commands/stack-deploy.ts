// `shoal stack deploy -c compose.yml [-c override.yml] [--prune] NAME`: creates the stack's
// networks, secrets and configs that are missing, creates its services or updates only the
// ones whose spec changed, and with --prune removes the stack's services the files no longer
// name. Names, labels and output are the docker CLI's, so either CLI manages the same stack.
import { homedir } from 'node:os';
import type { Command } from 'commander';
import type { DockerApi } from '../client/docker-api.js';
import type { DockerServiceSpec } from '../client/types.js';
import { ComposeError } from '../compose/errors.js';
import { loadCompose } from '../compose/load.js';
import { NAMESPACE_LABEL } from '../compose/names.js';
import { TranslateError } from '../compose/translate-deploy.js';
import { stackData, stackNetworks, type StackData } from '../compose/translate-objects.js';
import { translateService, unsupportedKeys } from '../compose/translate-service.js';
import { CliError } from './cli-error.js';
import type { CliContext } from './context.js';
import { NetworkClient } from './network-client.js';
import { SecretConfigClient, type SwarmDataKind } from './secret-config-client.js';
import { serviceSpecDiffers } from './stack-diff.js';
import { isNotFound } from './resolve.js';

export interface DeployFlags {
  composeFile: string[];
  prune?: boolean;
  withRegistryAuth?: boolean;
}

const STACK_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

export function checkStackName(name: string): void {
  if (!STACK_NAME.test(name)) throw new CliError(`invalid stack name ${JSON.stringify(name)}`, 'STACK_NAME');
}

async function ensureNetworks(
  ctx: CliContext,
  stack: string,
  nets: ReturnType<typeof stackNetworks>,
): Promise<void> {
  const client = new NetworkClient(ctx.api());
  const existing = await client.list({ label: [`${NAMESPACE_LABEL}=${stack}`] });
  const have = new Set(existing.map((n) => n.Name));
  for (const n of nets) {
    if (n.external) {
      try {
        const found = await client.inspect(n.name);
        if (found.Scope !== 'swarm')
          throw new CliError(
            `network "${n.name}" is declared as external, but it is not in the right scope: "${found.Scope}" instead of "swarm"`,
            'STACK_NETWORK',
          );
      } catch (e: unknown) {
        if (!isNotFound(e)) throw e;
        throw new CliError(
          `network "${n.name}" is declared as external, but could not be found. You need to create a swarm-scoped network before the stack is deployed`,
          'STACK_NETWORK',
        );
      }
      continue;
    }
    if (have.has(n.name) || n.create === undefined) continue;
    ctx.io.out(`Creating network ${n.name}\n`);
    await client.create(n.create);
  }
}

/** Creates the missing ones; an existing one with other content is an error (they are immutable). */
async function ensureData(
  ctx: CliContext,
  kind: SwarmDataKind,
  items: readonly StackData<{ Name?: string; Data?: string; Labels?: Record<string, string> }>[],
): Promise<Map<string, string>> {
  const client = new SecretConfigClient(ctx.api(), kind);
  const ids = new Map<string, string>();
  for (const item of items) {
    const found = (await client.list({ name: [item.name] })).find((o) => o.Spec.Name === item.name);
    if (item.external || item.spec === undefined) {
      if (found === undefined)
        throw new CliError(
          `${kind} not found: ${item.name} (declared as external in the compose file)`,
          'STACK_DATA',
        );
      ids.set(item.name, found.ID);
      continue;
    }
    if (found === undefined) {
      ctx.io.out(`Creating ${kind} ${item.name}\n`);
      ids.set(item.name, await client.create(item.spec));
      continue;
    }
    ids.set(item.name, found.ID);
    const immutable = new CliError(
      `failed to update ${kind} ${item.name}: its content changed, and ${kind}s are immutable: give the ${kind} a new name (for example ${item.key}_v2 with "name:" in the compose file) and deploy again`,
      'STACK_DATA',
    );
    // Configs come back with their data; secrets never do, so the daemon compares those.
    const currentData: unknown = (found.Spec as { Data?: unknown }).Data;
    if (typeof currentData === 'string' && currentData !== item.spec.Data) throw immutable;
    try {
      await client.update(found.ID, found.Version?.Index ?? 0, item.spec);
    } catch (e: unknown) {
      if (e instanceof Error && /only updates to Labels are allowed/.test(e.message)) throw immutable;
      throw e;
    }
  }
  return ids;
}

async function deployServices(
  ctx: CliContext,
  api: DockerApi,
  stack: string,
  desired: readonly DockerServiceSpec[],
  prune: boolean,
): Promise<void> {
  const current = await api.serviceList({ label: [`${NAMESPACE_LABEL}=${stack}`] });
  // The daemon answers network attachments by ID; the file names them.
  const networkIds = new Map<string, string>();
  if (current.length > 0) for (const n of await new NetworkClient(api).list()) networkIds.set(n.Name, n.Id);
  const byName = new Map(current.map((s) => [s.Spec.Name ?? '', s]));
  for (const spec of desired) {
    const name = spec.Name ?? '';
    const have = byName.get(name);
    if (have === undefined) {
      ctx.io.out(`Creating service ${name}\n`);
      const res = await api.serviceCreate(spec);
      for (const w of res.Warnings ?? []) ctx.io.err(`${w}\n`);
      continue;
    }
    // A forced restart recorded on the service is not the file's to undo.
    const force = have.Spec.TaskTemplate?.ForceUpdate;
    const next: DockerServiceSpec =
      force === undefined ? spec : { ...spec, TaskTemplate: { ...spec.TaskTemplate, ForceUpdate: force } };
    if (!serviceSpecDiffers(next, have.Spec, networkIds)) continue;
    ctx.io.out(`Updating service ${name} (id: ${have.ID})\n`);
    const res = await api.serviceUpdate(have.ID, have.Version?.Index ?? 0, next);
    for (const w of res.Warnings ?? []) ctx.io.err(`${w}\n`);
  }
  if (!prune) return;
  const keep = new Set(desired.map((s) => s.Name));
  for (const s of [...current].sort((a, b) => ((a.Spec.Name ?? '') < (b.Spec.Name ?? '') ? -1 : 1))) {
    if (keep.has(s.Spec.Name)) continue;
    ctx.io.out(`Removing service ${s.Spec.Name ?? s.ID}\n`);
    await api.serviceRemove(s.ID);
  }
}

export async function deployStack(ctx: CliContext, stack: string, flags: DeployFlags): Promise<void> {
  checkStackName(stack);
  if (flags.composeFile.length === 0)
    throw new CliError('Please specify a Compose file (with --compose-file).', 'STACK_NO_FILE');
  try {
    const loaded = loadCompose({ files: flags.composeFile, env: ctx.env });
    const ignored = unsupportedKeys(loaded.compose);
    if (ignored.length > 0) ctx.io.err(`Ignoring unsupported options: ${ignored.join(', ')}\n\n`);
    const networks = stackNetworks(stack, loaded.compose);
    const secrets = stackData(stack, 'secret', loaded.compose, loaded.workingDir);
    const configs = stackData(stack, 'config', loaded.compose, loaded.workingDir);
    const api = ctx.api();
    const info = await api.info();
    if (info.Swarm?.ControlAvailable !== true)
      throw new CliError(
        'this node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again',
        'STACK_NOT_MANAGER',
      );
    await ensureNetworks(ctx, stack, networks);
    const secretIds = await ensureData(ctx, 'secret', secrets);
    const configIds = await ensureData(ctx, 'config', configs);
    const translateCtx = {
      stack,
      compose: loaded.compose,
      workingDir: loaded.workingDir,
      lookup: loaded.lookup,
      home: ctx.env['HOME'] ?? homedir(),
      secretIds,
      configIds,
    };
    const specs = Object.keys(loaded.compose.services)
      .sort()
      .map((name) => translateService(translateCtx, name));
    await deployServices(ctx, api, stack, specs, flags.prune === true);
  } catch (e: unknown) {
    if (e instanceof ComposeError || e instanceof TranslateError)
      throw new CliError(e.message, 'STACK_COMPOSE');
    throw e;
  }
}

export function registerStackDeploy(stack: Command, ctx: CliContext): void {
  stack
    .command('deploy')
    .alias('up')
    .description('Deploy a new stack or update an existing stack')
    .argument('<stack>')
    .option(
      '-c, --compose-file <file>',
      'Path to a Compose file (repeatable)',
      (v: string, prev: string[]) => [...prev, v],
      [],
    )
    .option('--prune', 'Prune services that are no longer referenced')
    .option(
      '--with-registry-auth',
      'Send registry authentication details to Swarm agents (ignored: shoal has no registry auth)',
    )
    .option(
      '--resolve-image <mode>',
      'Query the registry to resolve image digest and supported platforms (ignored)',
    )
    .option(
      '-d, --detach',
      'Exit immediately instead of waiting for the stack services to converge (the default)',
    )
    .action(async (name: string, flags: DeployFlags) => {
      await deployStack(ctx, name, flags);
    });
}
