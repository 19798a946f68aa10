// One recorded fault run: shared registers created, the workload started, the scenario's faults
// injected by `body`, then everything healed, the workload stopped, every manager read once
// the managers agree, and the history judged. Prints the run's figures.

import { performance } from 'node:perf_hooks';
import { apiCall, jsonBody } from './api-client.js';
import type { FaultCluster } from './fault-cluster.js';
import type { InjectedFault } from './fault-plan.js';
import { FAULT_VALUE_LABEL, HistoryRecorder, type FinalRead } from './history.js';
import { judgeHistory, type HistoryFigures } from './history-verdict.js';
import { FaultWorkload, faultServiceSpec, outcomeOf } from './workload.js';

export interface FaultRunOptions {
  /** Distinct per run on one cluster: the prefix of every service name the run writes. */
  readonly name: string;
  readonly seed: number;
  readonly clients?: number;
  readonly registers?: number;
}

export interface FaultRunContext {
  readonly recorder: HistoryRecorder;
  /** Records an injected fault (for the figures and the recovery time). */
  readonly fault: (f: Omit<InjectedFault, 'at' | 'healedAt'> & { at?: number; healedAt?: number }) => void;
  readonly now: () => number;
}

export interface FaultRunReport {
  readonly name: string;
  readonly faults: readonly InjectedFault[];
  readonly figures: HistoryFigures;
  /**
   * Longest wait from a fault's injection (from its undoing, for a fault that took the quorum
   * away) to the first write acknowledged after it (ms).
   */
  readonly writesBackMs: number;
  readonly problems: readonly string[];
}

const REQUEST_TIMEOUT_MS = 5_000;

export async function recordedRun(
  c: FaultCluster,
  o: FaultRunOptions,
  body: (ctx: FaultRunContext) => Promise<void>,
): Promise<FaultRunReport> {
  const t0 = performance.now();
  const now = (): number => Math.round((performance.now() - t0) * 1000) / 1000;
  const recorder = new HistoryRecorder(now);
  const faults: InjectedFault[] = [];
  const registers = Array.from({ length: o.registers ?? 3 }, (_, k) => `${o.name}-reg-${k}`);
  const leader = await c.leader();
  for (const name of registers) {
    const value = `${name}@init`;
    const rec = recorder.invoke({
      client: -1,
      via: c.name(leader),
      kind: 'create',
      key: name,
      expect: undefined,
      value,
    });
    const a = await apiCall(
      c.s.socket(leader),
      'POST',
      '/services/create',
      faultServiceSpec(name, value),
      30_000,
    );
    const { outcome, detail } = outcomeOf(a);
    recorder.finish(rec, outcome, detail);
    if (outcome !== 'ok') throw new Error(`could not create register ${name} before the run: ${detail}`);
  }
  const workload = new FaultWorkload({
    managers: c.endpoints(),
    recorder,
    clients: o.clients ?? 4,
    registers,
    seed: o.seed,
    timeoutMs: REQUEST_TIMEOUT_MS,
    namePrefix: o.name,
  });
  workload.start();
  try {
    await body({
      recorder,
      now,
      fault: (f) => faults.push({ ...f, at: f.at ?? now(), healedAt: f.healedAt ?? now() }),
    });
  } finally {
    await workload.stop();
  }
  await c.heal();
  await c.waitHealthy();
  const finals = await readConverged(c, now, o.name);
  const verdict = judgeHistory(recorder.writes, recorder.reads, finals);
  let writesBackMs = 0;
  for (const f of faults) {
    const from = f.quorumLost === true ? f.healedAt : f.at;
    const first = recorder.writes
      .filter((w) => w.outcome === 'ok' && !w.observedPresent && w.invoke >= from && w.complete !== undefined)
      .reduce((m, w) => Math.min(m, w.complete!), Infinity);
    writesBackMs = Math.max(writesBackMs, first - from);
  }
  const report: FaultRunReport = {
    name: o.name,
    faults,
    figures: verdict.figures,
    writesBackMs: Math.round(writesBackMs),
    problems: verdict.problems,
  };
  console.log(
    `fault run ${o.name}: ${JSON.stringify({
      faults: faults.map((f) => `${f.kind}@${f.host}`),
      ...verdict.figures,
      writesBackMs: report.writesBackMs,
      problems: verdict.problems.length,
    })}`,
  );
  for (const p of verdict.problems.slice(0, 20)) console.log(`  ${p}`);
  return report;
}

interface ServiceListEntry {
  Spec?: { Name?: string; Labels?: Record<string, string> };
}

/**
 * Reads every manager's services (those of this run) once all managers list the same ones with
 * the same values twice in a row; after 60 s, reads them as they are (the verdict then shows
 * what a manager is missing).
 */
async function readConverged(c: FaultCluster, now: () => number, prefix: string): Promise<FinalRead[]> {
  const end = Date.now() + 60_000;
  let previous = '';
  for (;;) {
    const reads = await Promise.all(
      c.hosts().map(async (h): Promise<FinalRead | undefined> => {
        const invoke = now();
        const a = await apiCall(c.s.socket(h), 'GET', '/services', undefined, 10_000);
        const complete = now();
        if (a.kind !== 'answer' || a.status !== 200) return undefined;
        const list = (jsonBody(a) as ServiceListEntry[] | undefined) ?? [];
        const services = list
          .map((s) => ({ name: s.Spec?.Name ?? '', value: s.Spec?.Labels?.[FAULT_VALUE_LABEL] }))
          .filter((s) => s.name.startsWith(`${prefix}-`))
          .sort((x, y) => x.name.localeCompare(y.name));
        return { via: c.name(h), invoke, complete, services };
      }),
    );
    const complete = reads.filter((r) => r !== undefined);
    const shapes = complete.map((r) => JSON.stringify(r.services));
    const agreed = complete.length === reads.length && shapes.every((s) => s === shapes[0]);
    if ((agreed && shapes[0] === previous) || Date.now() > end) return complete;
    previous = agreed ? shapes[0]! : '';
    await new Promise((r) => setTimeout(r, 500));
  }
}
