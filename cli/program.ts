// The `shoal` command tree (commander) and the run loop that turns errors into docker-style
// messages and exit codes.
import { homedir } from 'node:os';
import { Command, CommanderError } from 'commander';
import { DockerApi } from './client/docker-api.js';
import { DaemonError, DaemonUnreachableError } from './client/errors.js';
import { chooseHost, parseHost } from './client/host.js';
import { HttpTransport } from './client/http-transport.js';
import { resolveTls, type TlsFlags } from './client/tls-options.js';
import { CliError } from './commands/cli-error.js';
import type { CliContext, CliIO, SleepClock } from './commands/context.js';
import { registerNetwork } from './commands/network.js';
import { registerNode } from './commands/node.js';
import { registerConfig, registerSecret } from './commands/secret-config.js';
import { registerService } from './commands/service.js';
import { registerStack } from './commands/stack.js';
import { registerSwarm } from './commands/swarm.js';
import { registerSystem } from './commands/system.js';

export interface CliDeps {
  readonly io: CliIO;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly clock: SleepClock;
  readonly interrupt: AbortSignal;
  readonly version: string;
}

interface GlobalFlags extends TlsFlags {
  host?: string;
}

/** Exit codes: 0 ok, 1 command failed, 125 bad flags (as docker). */
export const EXIT_FLAG_ERROR = 125;

export function buildProgram(deps: CliDeps): Command {
  const program = new Command('shoal');
  let api: DockerApi | undefined;
  const ctx: CliContext = {
    api: () => {
      if (api === undefined) {
        const flags = program.opts<GlobalFlags>();
        const tls = resolveTls(flags, deps.env, homedir());
        const endpoint = parseHost(chooseHost({ flag: flags.host, env: deps.env }), tls !== undefined);
        api = new DockerApi(new HttpTransport(endpoint, tls, `shoal-cli/${deps.version}`));
      }
      return api;
    },
    io: deps.io,
    clock: deps.clock,
    env: deps.env,
    interrupt: deps.interrupt,
    programName: 'shoal',
  };
  program
    .description('A self-sufficient runtime for container clusters: the shoal CLI')
    .usage('[OPTIONS] COMMAND')
    .version(`shoal version ${deps.version}`, '-v, --version', 'Print version information and quit')
    .option(
      '-H, --host <host>',
      'Daemon socket to connect to (default unix:///run/shoal/shoal.sock; env SHOAL_HOST or DOCKER_HOST)',
    )
    .option('--tls', 'Use TLS; implied by --tlsverify')
    .option('--tlsverify', 'Use TLS and verify the remote')
    .option('--tlscacert <path>', 'Trust certs signed only by this CA')
    .option('--tlscert <path>', 'Path to TLS certificate file')
    .option('--tlskey <path>', 'Path to TLS key file')
    .enablePositionalOptions()
    .exitOverride()
    .showHelpAfterError("See 'shoal --help'.")
    .configureOutput({
      writeOut: (s) => deps.io.out(s),
      writeErr: (s) => deps.io.err(s),
    });
  registerSwarm(program, ctx);
  registerNode(program, ctx);
  registerService(program, ctx);
  registerNetwork(program, ctx);
  registerSecret(program, ctx);
  registerConfig(program, ctx);
  registerStack(program, ctx);
  registerSystem(program, ctx, deps.version);
  return program;
}

/** Runs one command line (without "node shoal"); resolves to the process exit code. */
export async function runCli(argv: readonly string[], deps: CliDeps): Promise<number> {
  const program = buildProgram(deps);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (e: unknown) {
    if (e instanceof CommanderError) {
      if (
        e.code === 'commander.helpDisplayed' ||
        e.code === 'commander.version' ||
        e.code === 'commander.help'
      ) {
        return 0;
      }
      return e.code === 'commander.executeSubCommandAsync' ? 1 : EXIT_FLAG_ERROR;
    }
    if (e instanceof DaemonError || e instanceof DaemonUnreachableError || e instanceof CliError) {
      deps.io.err(`${e.message}\n`);
      return e instanceof CliError ? e.exitCode : 1;
    }
    deps.io.err(`${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}
