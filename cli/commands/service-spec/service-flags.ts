// The flags of `service create` and `service update`, registered on a commander command the
// way the docker CLI names them. Values stay as text here; create-spec.ts and update-spec.ts
// turn them into a ServiceSpec (so a flag given is distinguishable from one left out).
import { MESH_CLIENT_IP_LABEL } from '../../../api/mesh-client-ip.js';
import { Option, type Command } from 'commander';
import type { SecretConfigFlags } from './secret-config-refs.js';

export interface ServiceFlags extends SecretConfigFlags {
  detach?: boolean;
  quiet?: boolean;
  name?: string;
  replicas?: string;
  mode?: string;
  maxConcurrent?: string;
  replicasMaxPerNode?: string;
  publish?: string[];
  env?: string[];
  label?: string[];
  containerLabel?: string[];
  /** `shoal.mesh.client-ip`: masquerade (Swarm's ingress) or preserve (the client's address). */
  meshClientIp?: string;
  constraint?: string[];
  placementPref?: string[];
  mount?: string[];
  network?: string[];
  reserveCpu?: string;
  reserveMemory?: string;
  limitCpu?: string;
  limitMemory?: string;
  limitPids?: string;
  restartCondition?: string;
  restartDelay?: string;
  restartMaxAttempts?: string;
  restartWindow?: string;
  updateParallelism?: string;
  updateDelay?: string;
  updateFailureAction?: string;
  updateOrder?: string;
  updateMonitor?: string;
  updateMaxFailureRatio?: string;
  rollbackParallelism?: string;
  rollbackDelay?: string;
  rollbackFailureAction?: string;
  rollbackOrder?: string;
  rollbackMonitor?: string;
  rollbackMaxFailureRatio?: string;
  healthCmd?: string;
  healthInterval?: string;
  healthTimeout?: string;
  healthRetries?: string;
  healthStartPeriod?: string;
  /** false when --no-healthcheck was given. */
  healthcheck?: boolean;
  workdir?: string;
  user?: string;
  hostname?: string;
  entrypoint?: string;
  endpointMode?: string;
  stopGracePeriod?: string;
  stopSignal?: string;
  tty?: boolean;
  readOnly?: boolean;
  init?: boolean;
  // update only
  image?: string;
  args?: string;
  force?: boolean;
  rollback?: boolean;
  envAdd?: string[];
  envRm?: string[];
  labelAdd?: string[];
  labelRm?: string[];
  containerLabelAdd?: string[];
  containerLabelRm?: string[];
  publishAdd?: string[];
  publishRm?: string[];
  constraintAdd?: string[];
  constraintRm?: string[];
  mountAdd?: string[];
  mountRm?: string[];
  networkAdd?: string[];
  networkRm?: string[];
  placementPrefAdd?: string[];
  placementPrefRm?: string[];
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function list(cmd: Command, flags: string, description: string): void {
  cmd.addOption(new Option(flags, description).argParser(collect).default([], ''));
}

/** Flags common to create and update. */
function addCommon(cmd: Command): void {
  cmd
    .option('-d, --detach', 'Exit immediately instead of waiting for the service to converge')
    .option('-q, --quiet', 'Suppress progress output')
    .option('--replicas <uint>', 'Number of tasks')
    .option(
      '--max-concurrent <uint>',
      'Number of job tasks to run concurrently (default equal to --replicas)',
    )
    .option('--replicas-max-per-node <uint>', 'Maximum number of tasks per node (default 0 = unlimited)')
    .option('--reserve-cpu <decimal>', 'Reserve CPUs')
    .option('--reserve-memory <bytes>', 'Reserve Memory')
    .option('--limit-cpu <decimal>', 'Limit CPUs')
    .option('--limit-memory <bytes>', 'Limit Memory')
    .option('--limit-pids <int>', 'Limit maximum number of processes (default 0 = unlimited)')
    .option(
      '--restart-condition <string>',
      'Restart when condition is met ("none", "on-failure", "any") (default "any")',
    )
    .option('--restart-delay <duration>', 'Delay between restart attempts (ns|us|ms|s|m|h) (default 5s)')
    .option('--restart-max-attempts <uint>', 'Maximum number of restarts before giving up')
    .option('--restart-window <duration>', 'Window used to evaluate the restart policy (ns|us|ms|s|m|h)')
    .option(
      '--update-parallelism <uint>',
      'Maximum number of tasks updated simultaneously (0 to update all at once) (default 1)',
    )
    .option('--update-delay <duration>', 'Delay between updates (ns|us|ms|s|m|h) (default 0s)')
    .option(
      '--update-failure-action <string>',
      'Action on update failure ("pause", "continue", "rollback") (default "pause")',
    )
    .option('--update-order <string>', 'Update order ("start-first", "stop-first") (default "stop-first")')
    .option(
      '--update-monitor <duration>',
      'Duration after each task update to monitor for failure (ns|us|ms|s|m|h) (default 5s)',
    )
    .option('--update-max-failure-ratio <float>', 'Failure rate to tolerate during an update (default 0)')
    .option(
      '--rollback-parallelism <uint>',
      'Maximum number of tasks rolled back simultaneously (0 to roll back all at once) (default 1)',
    )
    .option('--rollback-delay <duration>', 'Delay between task rollbacks (ns|us|ms|s|m|h) (default 0s)')
    .option(
      '--rollback-failure-action <string>',
      'Action on rollback failure ("pause", "continue") (default "pause")',
    )
    .option(
      '--rollback-order <string>',
      'Rollback order ("start-first", "stop-first") (default "stop-first")',
    )
    .option(
      '--rollback-monitor <duration>',
      'Duration after each task rollback to monitor for failure (ns|us|ms|s|m|h) (default 5s)',
    )
    .option('--rollback-max-failure-ratio <float>', 'Failure rate to tolerate during a rollback (default 0)')
    .option('--health-cmd <string>', 'Command to run to check health')
    .option('--health-interval <duration>', 'Time between running the check (ms|s|m|h)')
    .option('--health-timeout <duration>', 'Maximum time to allow one check to run (ms|s|m|h)')
    .option('--health-retries <int>', 'Consecutive failures needed to report unhealthy')
    .option(
      '--health-start-period <duration>',
      'Start period for the container to initialize before counting retries towards unstable (ms|s|m|h)',
    )
    .option('--no-healthcheck', 'Disable any container-specified HEALTHCHECK')
    .option('-w, --workdir <string>', 'Working directory inside the container')
    .option('-u, --user <string>', 'Username or UID (format: <name|uid>[:<group|gid>])')
    .option('--hostname <string>', 'Container hostname')
    .option('--entrypoint <command>', 'Overwrite the default ENTRYPOINT of the image')
    .option('--endpoint-mode <string>', 'Endpoint mode (vip or dnsrr) (default "vip")')
    .option(
      '--stop-grace-period <duration>',
      'Time to wait before force killing a container (ns|us|ms|s|m|h) (default 10s)',
    )
    .option('--stop-signal <string>', 'Signal to stop the container')
    .option('-t, --tty', 'Allocate a pseudo-TTY')
    .option('--read-only', "Mount the container's root filesystem as read only")
    .option('--init', 'Use an init inside each service container to forward signals and reap processes');
}

/** The routing mesh's treatment of client addresses (a service label the docker CLI can set too). */
function addMeshClientIp(cmd: Command): void {
  cmd.option(
    '--mesh-client-ip <mode>',
    `What tasks see as the client of a published port: "masquerade" (the node's address, as Swarm) or "preserve" (the client's own; label ${MESH_CLIENT_IP_LABEL})`,
  );
}

export function addCreateFlags(cmd: Command): void {
  addCommon(cmd);
  addMeshClientIp(cmd);
  cmd
    .option('--name <string>', 'Service name')
    .option(
      '--mode <string>',
      'Service mode ("replicated", "global", "replicated-job", "global-job") (default "replicated")',
    );
  list(cmd, '-p, --publish <port>', 'Publish a port as a node port');
  list(cmd, '-e, --env <list>', 'Set environment variables');
  list(cmd, '-l, --label <list>', 'Service labels');
  list(cmd, '--container-label <list>', 'Container labels');
  list(cmd, '--constraint <list>', 'Placement constraints');
  list(cmd, '--placement-pref <pref>', 'Add a placement preference');
  list(cmd, '--mount <mount>', 'Attach a filesystem mount to the service');
  list(cmd, '--network <network>', 'Network attachments');
  list(cmd, '--secret <secret>', 'Specify secrets to expose to the service');
  list(cmd, '--config <config>', 'Specify configurations to expose to the service');
}

export function addUpdateFlags(cmd: Command): void {
  addCommon(cmd);
  addMeshClientIp(cmd);
  cmd
    .option('--image <string>', 'Service image tag')
    .option('--args <command>', 'Service command args')
    .option('--force', 'Force update even if no changes require it')
    .option('--rollback', 'Rollback to previous specification');
  list(cmd, '--env-add <list>', 'Add or update an environment variable');
  list(cmd, '--env-rm <list>', 'Remove an environment variable');
  list(cmd, '--label-add <list>', 'Add or update a service label');
  list(cmd, '--label-rm <list>', 'Remove a label by its key');
  list(cmd, '--container-label-add <list>', 'Add or update a container label');
  list(cmd, '--container-label-rm <list>', 'Remove a container label by its key');
  list(cmd, '--publish-add <port>', 'Add or update a published port');
  list(cmd, '--publish-rm <port>', 'Remove a published port by its target port');
  list(cmd, '--constraint-add <list>', 'Add or update a placement constraint');
  list(cmd, '--constraint-rm <list>', 'Remove a constraint');
  list(cmd, '--mount-add <mount>', 'Add or update a mount on a service');
  list(cmd, '--mount-rm <list>', 'Remove a mount by its target path');
  list(cmd, '--network-add <network>', 'Add a network');
  list(cmd, '--network-rm <list>', 'Remove a network');
  list(cmd, '--placement-pref-add <pref>', 'Add a placement preference');
  list(cmd, '--placement-pref-rm <pref>', 'Remove a placement preference');
  list(cmd, '--secret-add <secret>', 'Add or update a secret on a service');
  list(cmd, '--secret-rm <list>', 'Remove a secret');
  list(cmd, '--config-add <config>', 'Add or update a config file on a service');
  list(cmd, '--config-rm <list>', 'Remove a configuration file');
}
