// Watches a service converge after create/update/scale/rollback, as `docker service create`
// does without --detach: polls the service, its up-to-date tasks and the nodes every 200 ms,
// draws per-mode progress, then waits the update monitor period (default 5 s) to confirm the
// tasks stay up ("verify: Waiting N seconds…", "verify: Service converged").
import { DaemonError } from '../../client/errors.js';
import type { DockerApi } from '../../client/docker-api.js';
import type { DockerService, DockerTask } from '../../client/types.js';
import type { ProgressOutput } from '../../format/progress-renderer.js';
import { CliError } from '../cli-error.js';
import type { SleepClock } from '../context.js';
import { GlobalJobProgressUpdater } from './global-job-updater.js';
import { GlobalProgressUpdater } from './global-updater.js';
import { ReplicatedJobProgressUpdater } from './replicated-job-updater.js';
import { ReplicatedProgressUpdater } from './replicated-updater.js';
import type { ProgressUpdater } from './updater.js';
import { isTerminal } from './task-states.js';

export const POLL_INTERVAL_MS = 200;
const DEFAULT_MONITOR_MS = 5000;

export function createUpdater(service: DockerService, out: ProgressOutput): ProgressUpdater {
  const mode = service.Spec.Mode ?? {};
  if (mode.Replicated?.Replicas !== undefined) return new ReplicatedProgressUpdater(out);
  if (mode.Global !== undefined) return new GlobalProgressUpdater(out);
  if (mode.ReplicatedJob !== undefined) return new ReplicatedJobProgressUpdater(service, out);
  if (mode.GlobalJob !== undefined) return new GlobalJobProgressUpdater(out);
  throw new CliError('unrecognized service mode', 'UNKNOWN_MODE');
}

/** The pure part of one poll: decides what to print and whether to stop. */
export class ConvergenceTracker {
  private updater: ProgressUpdater | undefined;
  private converged = false;
  private convergedAt: number | undefined;
  private rollback = false;
  private finalMessage: string | undefined;
  monitorMs = DEFAULT_MONITOR_MS;

  constructor(
    private readonly out: ProgressOutput,
    private readonly programName: string,
  ) {}

  /** Before tasks are fetched: true when the watch is over. Throws on a paused update. */
  observeService(service: DockerService, nowMs: number): boolean {
    const monitorNs = service.Spec.UpdateConfig?.Monitor ?? 0;
    if (monitorNs !== 0) this.monitorMs = monitorNs / 1e6;
    this.updater ??= createUpdater(service, this.out);
    const status = service.UpdateStatus;
    const message = status?.Message ?? '';
    switch (status?.State) {
      case 'updating':
        this.rollback = false;
        break;
      case 'completed':
        if (!this.converged) return true;
        break;
      case 'paused':
        throw new CliError(`service update paused: ${message}`, 'UPDATE_PAUSED');
      case 'rollback_started':
        if (!this.rollback && message !== '') this.out.write({ id: 'rollback', action: message });
        this.rollback = true;
        break;
      case 'rollback_paused':
        throw new CliError(`service rollback paused: ${message}`, 'ROLLBACK_PAUSED');
      case 'rollback_completed':
        if (!this.converged) this.finalMessage = message;
        this.rollback = true;
        break;
      default:
        break;
    }
    if (this.converged && this.convergedAt !== undefined && nowMs - this.convergedAt >= this.monitorMs) {
      this.out.write({ id: 'verify', action: 'Service converged' });
      if (this.finalMessage !== undefined) this.out.write({ id: 'rollback', message: this.finalMessage });
      return true;
    }
    return false;
  }

  /** With the service's up-to-date tasks: true when the watch is over (jobs end here). */
  observeTasks(
    service: DockerService,
    tasks: readonly DockerTask[],
    activeNodes: ReadonlySet<string>,
    nowMs: number,
  ): boolean {
    const updater = this.updater ?? createUpdater(service, this.out);
    this.updater = updater;
    this.converged = updater.update(service, tasks, activeNodes, this.rollback);
    if (this.converged) {
      if (service.JobStatus !== undefined) {
        this.out.write({ id: '', message: 'job complete' });
        return true;
      }
      this.convergedAt ??= nowMs;
      const wait = this.monitorMs - (nowMs - this.convergedAt);
      if (wait >= 0) {
        this.out.write({
          id: 'verify',
          action: `Waiting ${Math.floor(wait / 1000) + 1} seconds to verify that tasks are stable...`,
        });
      }
    } else {
      if (this.convergedAt !== undefined) this.out.write({ id: 'verify', action: 'Detected task failure' });
      this.convergedAt = undefined;
    }
    return false;
  }

  /** Ctrl-C before convergence: the update goes on in the daemon. */
  interrupted(serviceId: string): void {
    if (this.converged) return;
    this.out.write({ id: '', message: 'Operation continuing in background.' });
    this.out.write({
      id: '',
      message: `Use \`${this.programName} service ps ${serviceId}\` to check progress.`,
    });
  }
}

async function upToDateTasks(api: DockerApi, serviceId: string): Promise<DockerTask[]> {
  try {
    return await api.taskList({ service: [serviceId], '_up-to-date': ['true'] });
  } catch (e: unknown) {
    // A daemon without the `_up-to-date` filter: keep the tasks it still wants running.
    if (e instanceof DaemonError && e.status === 400) {
      const all = await api.taskList({ service: [serviceId] });
      return all.filter((t) => !isTerminal(t.DesiredState));
    }
    throw e;
  }
}

export async function watchServiceProgress(
  api: DockerApi,
  serviceId: string,
  out: ProgressOutput,
  clock: SleepClock,
  signal: AbortSignal,
  programName: string,
): Promise<void> {
  const tracker = new ConvergenceTracker(out, programName);
  for (;;) {
    const service = await api.serviceInspect(serviceId);
    if (tracker.observeService(service, clock.now())) return;
    const tasks = await upToDateTasks(api, service.ID);
    const nodes = await api.nodeList();
    const active = new Set(nodes.filter((n) => n.Status.State !== 'down').map((n) => n.ID));
    if (tracker.observeTasks(service, tasks, active, clock.now())) return;
    await clock.sleep(POLL_INTERVAL_MS, signal);
    if (signal.aborted) {
      tracker.interrupted(serviceId);
      return;
    }
  }
}
