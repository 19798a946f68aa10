// `shoal swarm init|join|join-token|leave|update|unlock|unlock-key|ca`, with docker's messages (ca:
// swarm-ca.ts).
import type { Command } from 'commander';
import type { DockerApi } from '../client/docker-api.js';
import type { DockerNodeAvailability, SwarmSpec } from '../client/types.js';
import {
  novaBootHint,
  readUserDataTemplate,
  renderUserData,
  UserDataError,
  type UserDataSettings,
} from '../format/user-data.js';
import { CliError } from './cli-error.js';
import { registerSwarmCa } from './swarm-ca.js';
import type { CliContext, CliIO } from './context.js';
import { createInterface } from 'node:readline/promises';
import { parseDuration, parseUint } from './service-spec/flag-values.js';

interface SwarmSpecFlags {
  taskHistoryLimit?: string;
  dispatcherHeartbeat?: string;
  certExpiry?: string;
}

function addSpecFlags(cmd: Command): Command {
  return cmd
    .option('--task-history-limit <int>', 'Task history retention limit (default 5)')
    .option('--dispatcher-heartbeat <duration>', 'Dispatcher heartbeat period (ns|us|ms|s|m|h) (default 5s)')
    .option(
      '--cert-expiry <duration>',
      'Validity period for node certificates (ns|us|ms|s|m|h) (default 2160h0m0s)',
    );
}

/** Applies the given spec flags onto `spec` (only those given). */
export function applySwarmSpecFlags(spec: SwarmSpec, flags: SwarmSpecFlags): SwarmSpec {
  const next: SwarmSpec = structuredClone(spec);
  if (flags.taskHistoryLimit !== undefined) {
    next.Orchestration = {
      ...(next.Orchestration ?? {}),
      TaskHistoryRetentionLimit: parseUint('task-history-limit', flags.taskHistoryLimit),
    };
  }
  if (flags.dispatcherHeartbeat !== undefined) {
    next.Dispatcher = {
      ...(next.Dispatcher ?? {}),
      HeartbeatPeriod: parseDuration('dispatcher-heartbeat', flags.dispatcherHeartbeat),
    };
  }
  if (flags.certExpiry !== undefined) {
    next.CAConfig = {
      ...(next.CAConfig ?? {}),
      NodeCertExpiry: parseDuration('cert-expiry', flags.certExpiry),
    };
  }
  return next;
}

function availability(value: string | undefined): '' | DockerNodeAvailability {
  if (value === undefined) return '';
  const v = value.toLowerCase();
  if (v === 'active' || v === 'pause' || v === 'drain') return v;
  throw new CliError(
    `invalid argument "${value}" for "--availability" flag: invalid availability: must be one of active, pause, drain`,
    'FLAG_VALUE',
  );
}

/** "To add a worker to this swarm, run the following command: …" for the local manager. */
export async function joinCommandText(
  api: DockerApi,
  nodeId: string,
  roles: { worker: boolean; manager: boolean },
  program: string,
): Promise<string> {
  const node = await api.nodeInspect(nodeId);
  const swarm = await api.swarmInspect();
  if (node.ManagerStatus === undefined) return '';
  const addr = node.ManagerStatus.Addr;
  let out = '';
  if (roles.worker) {
    out += `To add a worker to this swarm, run the following command:\n\n    ${program} swarm join --token ${swarm.JoinTokens.Worker} ${addr}\n\n`;
  }
  if (roles.manager) {
    out += `To add a manager to this swarm, run the following command:\n\n    ${program} swarm join --token ${swarm.JoinTokens.Manager} ${addr}\n\n`;
  }
  return out;
}

interface JoinTokenFlags {
  quiet?: boolean;
  rotate?: boolean;
  userData?: boolean;
  releaseUrl?: string;
}

/**
 * `join-token --user-data`: deploy/openstack/user-data.sh filled in with this manager's cluster
 * address (its own entry in Swarm.RemoteManagers, else NodeAddr:2377) and the role's token on
 * stdout; the matching `nova boot` line on stderr.
 */
async function printUserData(
  ctx: CliContext,
  api: DockerApi,
  role: 'worker' | 'manager',
  opts: JoinTokenFlags,
): Promise<void> {
  const s = await api.swarmInspect();
  const info = await api.info();
  const self = info.Swarm.RemoteManagers?.find((m) => m.NodeID === info.Swarm.NodeID)?.Addr;
  const managerAddr = self ?? (info.Swarm.NodeAddr === '' ? '' : `${info.Swarm.NodeAddr}:2377`);
  if (managerAddr === '') {
    throw new CliError(
      'this node does not know its own cluster address; is it a manager?',
      'NO_MANAGER_ADDR',
    );
  }
  const settings: UserDataSettings = {
    managerAddr,
    token: role === 'worker' ? s.JoinTokens.Worker : s.JoinTokens.Manager,
    role,
    tarball: opts.releaseUrl ?? ctx.env['SHOAL_RELEASE_URL'] ?? '',
  };
  try {
    ctx.io.out(renderUserData(await readUserDataTemplate(), settings));
  } catch (e: unknown) {
    if (e instanceof UserDataError) throw new CliError(e.message, e.code);
    throw e;
  }
  if (opts.quiet !== true) ctx.io.err(novaBootHint(settings));
}

export function registerSwarm(program: Command, ctx: CliContext): void {
  const swarm = program.command('swarm').description('Manage Swarm');
  const name = ctx.programName;

  addSpecFlags(
    swarm
      .command('init')
      .description('Initialize a swarm')
      .option('--advertise-addr <string>', 'Advertised address (format: "<ip|interface>[:port]")')
      .option('--listen-addr <node-addr>', 'Listen address (format: "<ip|interface>[:port]")', '0.0.0.0:2377')
      .option('--data-path-addr <string>', 'Address or interface to use for data path traffic')
      .option(
        '--data-path-port <uint32>',
        'Port number to use for data path traffic (1024 - 49151). If no value is set or is set to 0, the default port (4789) is used.',
      )
      .option('--force-new-cluster', 'Force create a new cluster from current state')
      .option('--autolock', 'Enable manager autolocking (requiring an unlock key to start a stopped manager)')
      .option('--availability <string>', 'Availability of the node ("active", "pause", "drain")'),
  ).action(
    async (
      opts: SwarmSpecFlags & {
        advertiseAddr?: string;
        listenAddr: string;
        dataPathAddr?: string;
        dataPathPort?: string;
        forceNewCluster?: boolean;
        availability?: string;
        autolock?: boolean;
      },
    ) => {
      const api = ctx.api();
      const nodeId = await api.swarmInit({
        ListenAddr: opts.listenAddr,
        AdvertiseAddr: opts.advertiseAddr ?? '',
        DataPathAddr: opts.dataPathAddr ?? '',
        ...(opts.dataPathPort === undefined
          ? {}
          : { DataPathPort: parseUint('data-path-port', opts.dataPathPort) }),
        ForceNewCluster: opts.forceNewCluster === true,
        Spec: applySwarmSpecFlags({}, opts),
        AutoLockManagers: opts.autolock === true,
        Availability: availability(opts.availability),
      });
      ctx.io.out(`Swarm initialized: current node (${nodeId}) is now a manager.\n\n`);
      ctx.io.out(await joinCommandText(api, nodeId, { worker: true, manager: false }, name));
      ctx.io.out(
        `To add a manager to this swarm, run '${name} swarm join-token manager' and follow the instructions.\n`,
      );
      if (opts.autolock === true) {
        const { UnlockKey: key } = await api.swarmUnlockKey();
        ctx.io.out(`\n${unlockKeyText(name, key)}`);
      }
    },
  );

  swarm
    .command('join')
    .description('Join a swarm as a node and/or manager')
    .argument('<host:port>')
    .requiredOption('--token <string>', 'Token for entry into the swarm')
    .option('--advertise-addr <string>', 'Advertised address (format: "<ip|interface>[:port]")')
    .option('--listen-addr <node-addr>', 'Listen address (format: "<ip|interface>[:port]")', '0.0.0.0:2377')
    .option('--data-path-addr <string>', 'Address or interface to use for data path traffic')
    .option('--availability <string>', 'Availability of the node ("active", "pause", "drain")')
    .action(
      async (
        remote: string,
        opts: {
          token: string;
          advertiseAddr?: string;
          listenAddr: string;
          dataPathAddr?: string;
          availability?: string;
        },
      ) => {
        const api = ctx.api();
        await api.swarmJoin({
          ListenAddr: opts.listenAddr,
          AdvertiseAddr: opts.advertiseAddr ?? '',
          DataPathAddr: opts.dataPathAddr ?? '',
          RemoteAddrs: [remote],
          JoinToken: opts.token,
          Availability: availability(opts.availability),
        });
        const info = await api.info();
        ctx.io.out(
          info.Swarm.ControlAvailable
            ? 'This node joined a swarm as a manager.\n'
            : 'This node joined a swarm as a worker.\n',
        );
      },
    );

  swarm
    .command('join-token')
    .description('Manage join tokens')
    .argument('<worker|manager>')
    .option('-q, --quiet', 'Only display token')
    .option('--rotate', 'Rotate join token')
    .option(
      '--user-data',
      'Print a user-data script for `nova boot --user-data` that installs shoal and joins with this token',
    )
    .option(
      '--release-url <url>',
      'With --user-data: where instances download the release tarball (default $SHOAL_RELEASE_URL)',
    )
    .action(async (role: string, opts: JoinTokenFlags) => {
      if (role !== 'worker' && role !== 'manager') throw new CliError(`unknown role ${role}`, 'UNKNOWN_ROLE');
      const api = ctx.api();
      const worker = role === 'worker';
      if (opts.rotate === true) {
        const current = await api.swarmInspect();
        await api.swarmUpdate(current.Version.Index, current.Spec, {
          rotateWorkerToken: worker,
          rotateManagerToken: !worker,
          rotateManagerUnlockKey: false,
        });
        const rotated = `Successfully rotated ${role} join token.\n\n`;
        // With --user-data, stdout is the script.
        if (opts.quiet !== true) {
          if (opts.userData === true) ctx.io.err(rotated);
          else ctx.io.out(rotated);
        }
      }
      if (opts.userData === true) {
        await printUserData(ctx, api, role, opts);
        return;
      }
      if (opts.quiet === true) {
        const s = await api.swarmInspect();
        ctx.io.out(`${worker ? s.JoinTokens.Worker : s.JoinTokens.Manager}\n`);
        return;
      }
      const info = await api.info();
      ctx.io.out(await joinCommandText(api, info.Swarm.NodeID, { worker, manager: !worker }, name));
    });

  swarm
    .command('leave')
    .description('Leave the swarm')
    .option('-f, --force', 'Force this node to leave the swarm, ignoring warnings')
    .action(async (opts: { force?: boolean }) => {
      await ctx.api().swarmLeave(opts.force === true);
      ctx.io.out('Node left the swarm.\n');
    });

  addSpecFlags(swarm.command('update').description('Update the swarm'))
    .option('--autolock [bool]', 'Change manager autolocking setting (true|false)')
    .action(async (opts: SwarmSpecFlags & { autolock?: boolean | string }) => {
      const api = ctx.api();
      const current = await api.swarmInspect();
      const spec = applySwarmSpecFlags(current.Spec, opts);
      const autolock = opts.autolock === undefined ? undefined : boolFlag('autolock', opts.autolock);
      const turnedOn = autolock === true && current.Spec.EncryptionConfig?.AutoLockManagers !== true;
      if (autolock !== undefined)
        spec.EncryptionConfig = { ...(spec.EncryptionConfig ?? {}), AutoLockManagers: autolock };
      await api.swarmUpdate(current.Version.Index, spec, {
        rotateWorkerToken: false,
        rotateManagerToken: false,
        rotateManagerUnlockKey: false,
      });
      ctx.io.out('Swarm updated.\n');
      if (turnedOn) {
        const { UnlockKey: key } = await api.swarmUnlockKey();
        ctx.io.out(unlockKeyText(name, key));
      }
    });

  swarm
    .command('unlock')
    .description('Unlock swarm')
    .action(async () => {
      const key = await readUnlockKey(ctx.io);
      await ctx.api().swarmUnlock(key);
    });

  registerSwarmCa(swarm, ctx);

  swarm
    .command('unlock-key')
    .description('Manage the unlock key')
    .option('-q, --quiet', 'Only display token')
    .option('--rotate', 'Rotate unlock key')
    .action(async (opts: { quiet?: boolean; rotate?: boolean }) => {
      const api = ctx.api();
      if (opts.rotate === true) {
        const current = await api.swarmInspect();
        if (current.Spec.EncryptionConfig?.AutoLockManagers !== true) {
          throw new CliError('cannot rotate because autolock is not turned on', 'AUTOLOCK_OFF');
        }
        await api.swarmUpdate(current.Version.Index, current.Spec, {
          rotateWorkerToken: false,
          rotateManagerToken: false,
          rotateManagerUnlockKey: true,
        });
        if (opts.quiet !== true) ctx.io.out('Successfully rotated manager unlock key.\n\n');
      }
      const { UnlockKey: key } = await api.swarmUnlockKey();
      if (key === '') throw new CliError('no unlock key is set', 'NO_UNLOCK_KEY');
      if (opts.quiet === true) {
        ctx.io.out(`${key}\n`);
        return;
      }
      ctx.io.out(unlockKeyText(name, key));
    });
}

/** What docker prints around an unlock key. */
function unlockKeyText(name: string, key: string): string {
  return `To unlock a swarm manager after it restarts, run the \`${name} swarm unlock\`\ncommand and provide the following key:\n\n    ${key}\n\nPlease remember to store this key in a password manager, since without it you\nwill not be able to restart the manager.\n`;
}

/** `--autolock`, `--autolock=true|false` (as docker's boolean flags). */
function boolFlag(flag: string, value: boolean | string): boolean {
  if (value === true || value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new CliError(
    `invalid argument "${String(value)}" for "--${flag}" flag: strconv.ParseBool: parsing "${String(value)}": invalid syntax`,
    'BAD_FLAG',
  );
}

/** The unlock key from standard input: asked for on a terminal, its first line otherwise. */
async function readUnlockKey(io: CliIO): Promise<string> {
  if (io.readStdin === undefined && process.stdin.isTTY) {
    const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
    try {
      return (await rl.question('Please enter unlock key: ')).trim();
    } finally {
      rl.close();
    }
  }
  const input = io.readStdin !== undefined ? await io.readStdin() : await readAll(process.stdin);
  return (input.toString('utf8').split('\n')[0] ?? '').trim();
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += b.length;
    // An unlock key is 52 characters: no need to hold more than a little of a huge input.
    if (size > 64 * 1024) break;
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}
