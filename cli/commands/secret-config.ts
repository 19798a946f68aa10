// `shoal secret create|ls|inspect|rm` and `shoal config create|ls|inspect|rm`, with the
// docker CLI's flags, output and messages. The two share everything but the create
// arguments (a secret may come from a driver instead of data), the table and --pretty.
import type { Command } from 'commander';
import { formatConfigPretty, formatSecretPretty } from '../format/secret-config-pretty.js';
import { formatConfigTable, formatSecretTable } from '../format/secret-config-table.js';
import { CliError, UsageError } from './cli-error.js';
import type { CliContext } from './context.js';
import { collectFilter, parseFilters } from './filters.js';
import { formatInspectJson } from './inspect-json.js';
import {
  SecretConfigClient,
  type DataObject,
  type DataSpec,
  type SwarmDataKind,
} from './secret-config-client.js';
import { readData } from './secret-config-input.js';
import { keyValueMap } from './service-spec/flag-values.js';

interface CreateFlags {
  label: string[];
  templateDriver?: string;
  driver?: string;
}

interface KindView<K extends SwarmDataKind> {
  readonly kind: K;
  readonly title: string;
  table(items: readonly DataObject<K>[], nowMs: number, quiet: boolean): string;
  pretty(item: DataObject<K>): string;
}

const secretView: KindView<'secret'> = {
  kind: 'secret',
  title: 'secrets',
  table: (items, now, quiet) => formatSecretTable(items, now, quiet),
  pretty: (item) => formatSecretPretty(item),
};

const configView: KindView<'config'> = {
  kind: 'config',
  title: 'configs',
  table: (items, now, quiet) => formatConfigTable(items, now, quiet),
  pretty: (item) => formatConfigPretty(item),
};

/** The spec docker sends for `secret create` / `config create`. */
export function dataCreateSpec<K extends SwarmDataKind>(
  kind: K,
  name: string,
  data: Buffer | undefined,
  flags: CreateFlags,
): DataSpec<K> {
  const spec: DataSpec<'secret'> = { Name: name, Labels: keyValueMap(flags.label) };
  if (data !== undefined) spec.Data = data.toString('base64');
  if (kind === 'secret' && flags.driver !== undefined && flags.driver !== '') {
    spec.Driver = { Name: flags.driver };
  }
  if (flags.templateDriver !== undefined && flags.templateDriver !== '') {
    spec.Templating = { Name: flags.templateDriver };
  }
  return spec;
}

function registerCommon<K extends SwarmDataKind>(group: Command, ctx: CliContext, view: KindView<K>): void {
  const { kind } = view;
  const client = (): SecretConfigClient<K> => new SecretConfigClient(ctx.api(), kind);

  group
    .command('ls')
    .alias('list')
    .description(`List ${view.title}`)
    .option('-q, --quiet', 'Only display IDs')
    .option('-f, --filter <filter>', 'Filter output based on conditions provided', collectFilter, [])
    .action(async (opts: { quiet?: boolean; filter: string[] }) => {
      const items = await client().list(parseFilters(opts.filter));
      ctx.io.out(view.table(items, ctx.clock.now(), opts.quiet === true));
    });

  group
    .command('inspect')
    .description(`Display detailed information on one or more ${view.title}`)
    .argument(`<${kind}...>`)
    .option('--pretty', 'Print the information in a human friendly format')
    .action(async (refs: string[], opts: { pretty?: boolean }) => {
      const api = client();
      const found: DataObject<K>[] = [];
      const errors: string[] = [];
      for (const ref of refs) {
        try {
          found.push(await api.inspect(ref));
        } catch (e: unknown) {
          errors.push(e instanceof Error ? e.message : String(e));
        }
      }
      if (opts.pretty === true) ctx.io.out(found.map((o) => view.pretty(o)).join(''));
      else ctx.io.out(formatInspectJson(found));
      if (errors.length > 0) throw new CliError(errors.join('\n'), `${kind.toUpperCase()}_INSPECT`);
    });

  group
    .command('rm')
    .alias('remove')
    .description(`Remove one or more ${view.title}`)
    .argument(`<${kind}...>`)
    .action(async (refs: string[]) => {
      const api = client();
      const errors: string[] = [];
      for (const ref of refs) {
        try {
          await api.remove(ref);
          ctx.io.out(`${ref}\n`);
        } catch (e: unknown) {
          errors.push(e instanceof Error ? e.message : String(e));
        }
      }
      if (errors.length > 0) throw new CliError(errors.join('\n'), `${kind.toUpperCase()}_RM`);
    });
}

export function registerSecret(program: Command, ctx: CliContext): void {
  const secret = program.command('secret').description('Manage Swarm secrets');
  secret
    .command('create')
    .description('Create a secret from a file or STDIN as content')
    .usage('[OPTIONS] SECRET [file|-]')
    .argument('<secret>')
    .argument('[file]')
    .option('-d, --driver <string>', 'Secret driver')
    .option('-l, --label <list>', 'Secret labels', collectFilter, [])
    .option('--template-driver <string>', 'Template driver')
    .action(async (name: string, file: string | undefined, flags: CreateFlags) => {
      const usesDriver = flags.driver !== undefined && flags.driver !== '';
      if (usesDriver && file !== undefined) {
        throw new CliError('When using secret driver secret data must be empty', 'SECRET_DRIVER_DATA');
      }
      if (!usesDriver && file === undefined) {
        throw new UsageError(
          '"secret create" requires a file or "-" (standard input) unless --driver is given.',
          `${ctx.programName} secret create`,
          `${ctx.programName} secret create [OPTIONS] SECRET [file|-]`,
        );
      }
      const data = file === undefined ? undefined : await readData(ctx.io, 'secret', file);
      const id = await new SecretConfigClient(ctx.api(), 'secret').create(
        dataCreateSpec('secret', name, data, flags),
      );
      ctx.io.out(`${id}\n`);
    });
  registerCommon(secret, ctx, secretView);
}

export function registerConfig(program: Command, ctx: CliContext): void {
  const config = program.command('config').description('Manage Swarm configs');
  config
    .command('create')
    .description('Create a config from a file or STDIN')
    .usage('[OPTIONS] CONFIG file|-')
    .argument('<config>')
    .argument('<file>')
    .option('-l, --label <list>', 'Config labels', collectFilter, [])
    .option('--template-driver <string>', 'Template driver')
    .action(async (name: string, file: string, flags: CreateFlags) => {
      const data = await readData(ctx.io, 'config', file);
      const id = await new SecretConfigClient(ctx.api(), 'config').create(
        dataCreateSpec('config', name, data, flags),
      );
      ctx.io.out(`${id}\n`);
    });
  registerCommon(config, ctx, configView);
}
