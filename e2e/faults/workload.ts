// Clients writing to the cluster through the managers' APIs while faults are injected, each
// write recorded in the history. A client creates services with names of its own (a set: each
// name written once) or updates one of a few shared registers (services whose value label
// changes; read, then update with the version read: a compare-and-set with contention). A
// client sticks to one manager and moves to the next when that one does not answer usefully.

import { SeededRandom } from '../../manager/raft/random.js';
import { apiCall, jsonBody, type ApiOutcome } from './api-client.js';
import { FAULT_VALUE_LABEL, type HistoryRecorder, type WriteOutcome, type WriteRecord } from './history.js';

export interface ManagerEndpoint {
  readonly name: string;
  readonly socket: string;
}

export interface WorkloadOptions {
  readonly managers: readonly ManagerEndpoint[];
  readonly recorder: HistoryRecorder;
  readonly clients: number;
  /** Names of the shared register services (created before the workload starts). */
  readonly registers: readonly string[];
  readonly seed: number;
  /** A client's deadline for one request. */
  readonly timeoutMs: number;
  /** Share of writes that create a new service (the rest update a register). */
  readonly createShare?: number;
  /** Prefix of the services this workload creates (distinct per run on one cluster). */
  readonly namePrefix: string;
}

/** The spec every fault-run service has: no replicas, so no tasks, only store state. */
export function faultServiceSpec(name: string, value: string): Record<string, unknown> {
  return {
    Name: name,
    Labels: { [FAULT_VALUE_LABEL]: value },
    TaskTemplate: { ContainerSpec: { Image: 'shoal/busybox', Command: ['sleep', '1000000'] } },
    Mode: { Replicated: { Replicas: 0 } },
  };
}

interface ServiceView {
  Version?: { Index?: number };
  Spec?: { Name?: string; Labels?: Record<string, string> };
}

/** The outcome an answer (or its absence) proves, and a short description of it. */
export function outcomeOf(a: ApiOutcome): { outcome: WriteOutcome; detail: string; status: number } {
  if (a.kind !== 'answer') {
    return a.kind === 'refused'
      ? { outcome: 'fail', detail: `not sent: ${a.reason}`, status: 0 }
      : { outcome: 'unknown', detail: a.reason, status: 0 };
  }
  const message = (jsonBody(a) as { message?: unknown } | undefined)?.message;
  const detail = `${a.status}${typeof message === 'string' ? ` ${message.slice(0, 200)}` : ''}`;
  if (a.status >= 200 && a.status < 300) return { outcome: 'ok', detail, status: a.status };
  if (a.status >= 400 && a.status < 500) return { outcome: 'fail', detail, status: a.status };
  return { outcome: 'unknown', detail, status: a.status };
}

export class FaultWorkload {
  private readonly o: WorkloadOptions;
  private stopping = false;
  private running: Promise<void>[] = [];

  constructor(o: WorkloadOptions) {
    if (o.managers.length === 0) throw new RangeError('a workload needs at least one manager');
    this.o = o;
  }

  start(): void {
    this.running = Array.from({ length: this.o.clients }, (_, c) => this.client(c));
  }

  /** Stops invoking new writes and waits for those in flight to end (each has a deadline). */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.running);
  }

  private async client(c: number): Promise<void> {
    const rng = new SeededRandom(this.o.seed * 7919 + c);
    const { managers, recorder } = this.o;
    let at = c % managers.length;
    let seq = 0;
    const createShare = this.o.createShare ?? 0.4;
    while (!this.stopping) {
      const m = managers[at]!;
      let useful: boolean;
      if (this.o.registers.length === 0 || rng.next() < createShare) {
        const name = `${this.o.namePrefix}-${c}-${seq++}`;
        const rec = recorder.invoke({
          client: c,
          via: m.name,
          kind: 'create',
          key: name,
          expect: undefined,
          value: name,
        });
        const a = await apiCall(
          m.socket,
          'POST',
          '/services/create',
          faultServiceSpec(name, name),
          this.o.timeoutMs,
        );
        useful = this.finish(rec, a, true);
      } else {
        const key = this.o.registers[rng.intn(this.o.registers.length)]!;
        useful = await this.update(c, m, key, `${key}@${c}.${seq++}`);
      }
      if (!useful) {
        at = (at + 1) % managers.length;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  /** Reads a register through `m`, then writes `value` with the version read. */
  private async update(c: number, m: ManagerEndpoint, key: string, value: string): Promise<boolean> {
    const { recorder } = this.o;
    const t0 = recorder.time();
    const got = await apiCall(m.socket, 'GET', `/services/${key}`, undefined, this.o.timeoutMs);
    if (got.kind !== 'answer' || got.status !== 200) return false;
    const view = jsonBody(got) as ServiceView | undefined;
    const version = view?.Version?.Index;
    const spec = view?.Spec;
    if (version === undefined || spec === undefined) return false;
    const seen = spec.Labels?.[FAULT_VALUE_LABEL];
    recorder.read({ client: c, via: m.name, key, value: seen, invoke: t0, complete: recorder.time() });
    const next = { ...spec, Labels: { ...spec.Labels, [FAULT_VALUE_LABEL]: value } };
    const rec = recorder.invoke({ client: c, via: m.name, kind: 'update', key, expect: seen, value });
    const a = await apiCall(
      m.socket,
      'POST',
      `/services/${key}/update?version=${version}`,
      next,
      this.o.timeoutMs,
    );
    return this.finish(rec, a, false);
  }

  /** Records the outcome; false when the client should try another manager. */
  private finish(rec: WriteRecord, a: ApiOutcome, isCreate: boolean): boolean {
    const { outcome, detail, status } = outcomeOf(a);
    if (isCreate && status === 409) {
      this.o.recorder.finish(rec, 'ok', detail, true);
      return true;
    }
    this.o.recorder.finish(rec, outcome, detail);
    return outcome === 'ok' || (status >= 400 && status < 500);
  }
}
