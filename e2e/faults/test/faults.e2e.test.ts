// The fault harness: a three-manager cluster in the lab, clients recording a history of writes
// through every manager's API while faults are injected, and after healing a check of that
// history against what every manager holds: nothing acknowledged lost, nothing duplicated, no
// phantom, linearizable (the Raft simulator's checker). One scenario per kind of fault:
// - process and network faults: SIGKILL, SIGSTOP/SIGCONT and isolation of leaders and followers;
// - a torn or corrupt raft log tail on a manager: shoald refuses to start, naming its raft store,
//   and the remedy (remove its swarm state, join again) loses nothing; a tail torn before its
//   sync (nothing acknowledged missing) is accepted;
// - a full disk under a manager's swarm state: shoald exits non-zero with a storage error, the
//   harness restarts it as systemd would, and once space is freed it serves again;
// - two of three managers down: the survivor answers /_ping, /version and /info, writes get 503.
//
// The short form runs in `npm test`; `npm run test:faults-long` runs more rounds. Environment:
// SHOAL_FAULT_ROUNDS (rounds of the six process/network faults and of the log-tail damages,
// default 1), SHOAL_FAULT_HOLD_MS (how long a fault holds, default 3000), SHOAL_FAULT_SEED.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { apiCall } from '../api-client.js';
import { describeExit, exitWithin, logSince, logSize } from '../daemon-exit.js';
import { FaultCluster } from '../fault-cluster.js';
import { faultPlan, injectFault } from '../fault-plan.js';
import { recordedRun, type FaultRunOptions, type FaultRunReport } from '../fault-run.js';
import { ACKNOWLEDGED_TAIL_DAMAGES, damageTail, newestLog } from '../raft-log-tail.js';
import { faultServiceSpec, outcomeOf } from '../workload.js';

function envInt(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min)
    throw new RangeError(`${name} must be an integer >= ${min}, not ${raw}`);
  return n;
}

const ROUNDS = envInt('SHOAL_FAULT_ROUNDS', 1, 1);
const HOLD_MS = envInt('SHOAL_FAULT_HOLD_MS', 3_000, 0);
const SEED = envInt('SHOAL_FAULT_SEED', 1, 0);
/** A scenario's budget grows with the rounds asked for. */
const TIMEOUT_MS = 240_000 * ROUNDS;

let c: FaultCluster;
const reports: FaultRunReport[] = [];

before(async () => {
  c = await FaultCluster.create('faults');
  await c.learnNodeIds();
});

after(async () => {
  const sum = (f: (r: FaultRunReport) => number): number => reports.reduce((n, r) => n + f(r), 0);
  console.log(
    `fault harness: ${JSON.stringify({
      rounds: ROUNDS,
      seed: SEED,
      histories: reports.length,
      faults: sum((r) => r.faults.length),
      ops: sum((r) => r.figures.ops),
      acknowledged: sum((r) => r.figures.acknowledged),
      unknown: sum((r) => r.figures.unknown),
      lost: sum((r) => r.figures.lost),
      duplicated: sum((r) => r.figures.duplicated),
      phantoms: sum((r) => r.figures.phantoms),
      linearizable: reports.filter((r) => r.figures.linearizable === true).length,
      writesBackMaxMs: Math.max(0, ...reports.map((r) => r.writesBackMs).filter(Number.isFinite)),
    })}`,
  );
  await c?.destroy();
});

/** A recorded run on the cluster, its report kept for the summary whatever its verdict. */
async function run(o: FaultRunOptions, body: Parameters<typeof recordedRun>[2]): Promise<FaultRunReport> {
  const r = await recordedRun(c, o, body);
  reports.push(r);
  return r;
}

/** The history checks every scenario ends with. */
function assertHistoryClean(r: FaultRunReport): void {
  assert.ok(r.figures.acknowledged > 0, `${r.name}: no write was acknowledged at all`);
  assert.equal(r.figures.lost, 0, `${r.name}: acknowledged writes lost:\n${r.problems.join('\n')}`);
  assert.deepEqual(r.problems, [], `${r.name}: the history does not check out`);
  assert.equal(r.figures.linearizable, true);
  assert.equal(r.figures.managersRead, c.size, `${r.name}: not every manager could be read after healing`);
}

/**
 * Runs a contract scenario; when the contract was broken, that is the failure reported (even if
 * the run went on to fail otherwise, as a cluster left broken by it will).
 */
async function contractFirst<T>(broken: readonly string[], what: string, run: () => Promise<T>): Promise<T> {
  let result: T;
  try {
    result = await run();
  } catch (e: unknown) {
    if (broken.length > 0) {
      assert.fail(`${what}:\n${broken.join('\n')}\n(then: ${e instanceof Error ? e.message : String(e)})`);
    }
    throw e;
  }
  assert.deepEqual(broken, [], what);
  return result;
}

/** Waits until host h's store holds the newest write acknowledged so far. */
async function caughtUp(
  h: number,
  r: { writes: readonly { kind: string; key: string; outcome: string }[] },
): Promise<void> {
  const last = [...r.writes].reverse().find((w) => w.kind === 'create' && w.outcome === 'ok');
  if (last === undefined) return;
  const end = Date.now() + 15_000;
  while (Date.now() < end) {
    const a = await apiCall(c.s.socket(h), 'GET', `/services/${last.key}`, undefined, 3_000);
    if (a.kind === 'answer' && a.status === 200) return;
    await new Promise((res) => setTimeout(res, 200));
  }
  throw new Error(`${c.name(h)} did not catch up with ${last.key} within 15 s`);
}

test(
  'SIGKILL, SIGSTOP and isolation of leaders and followers: nothing acknowledged lost, history linearizable',
  { timeout: TIMEOUT_MS },
  async () => {
    const r = await run({ name: 'procs', seed: SEED }, async (ctx) => {
      for (const kind of faultPlan(ROUNDS, SEED)) {
        ctx.fault(await injectFault(c, kind, HOLD_MS, ctx.now));
      }
    });
    assert.equal(r.faults.length, 6 * ROUNDS);
    assertHistoryClean(r);
  },
);

test(
  'a torn or corrupt raft log tail: shoald refuses to start and names its raft store, rejoining loses nothing; an unsynced torn tail is accepted',
  { timeout: TIMEOUT_MS },
  async () => {
    const refusals: string[] = [];
    const r = await contractFirst(
      refusals,
      'shoald started on a raft store with acknowledged entries missing',
      () =>
        run({ name: 'tail', seed: SEED + 1 }, async (ctx) => {
          for (let round = 0; round < ROUNDS; round++) {
            for (const damage of ACKNOWLEDGED_TAIL_DAMAGES) {
              await new Promise((res) => setTimeout(res, 1_000));
              const f = await c.follower();
              await caughtUp(f, ctx.recorder);
              const at = ctx.now();
              await c.kill(f);
              const store = c.raftDir(f);
              const done = await damageTail(await newestLog(store), damage);
              const offset = await logSize(c.s.logFile(f));
              const p = c.s.spawnDaemon(f);
              const exit = await exitWithin(p, 30_000);
              const output = await logSince(c.s.logFile(f), offset);
              if (exit.code === undefined || exit.code === 0 || !output.includes(store)) {
                refusals.push(
                  `${damage} (${done}): expected shoald on ${c.name(f)} to exit non-zero naming ${store}; ` +
                    `it ${describeExit(exit, 30_000)}${output.includes(store) ? '' : ' and its output does not name the store'}; ` +
                    `its last output: ${output.slice(-1_500)}`,
                );
              }
              // The remedy for a manager of a multi-manager cluster: remove its swarm state, join again.
              await c.rejoinFresh(f);
              ctx.fault({ kind: 'kill-follower', host: `${c.name(f)} ${damage}`, at });
            }
            // A tail torn before its sync holds nothing acknowledged: shoald starts on it as it is.
            await new Promise((res) => setTimeout(res, 1_000));
            const f = await c.follower();
            await caughtUp(f, ctx.recorder);
            const at = ctx.now();
            await c.kill(f);
            const done = await damageTail(await newestLog(c.raftDir(f)), 'unsynced-partial');
            try {
              await c.restart(f);
              await c.waitHealthy();
            } catch (e: unknown) {
              refusals.push(
                `unsynced-partial (${done}): expected shoald on ${c.name(f)} to start and rejoin: ${e instanceof Error ? e.message : String(e)}`,
              );
              await c.rejoinFresh(f);
            }
            ctx.fault({ kind: 'kill-follower', host: `${c.name(f)} unsynced-partial`, at });
          }
        }),
    );
    assertHistoryClean(r);
  },
);

test(
  'a full disk: the manager exits with a storage error, is restarted, and serves again once space is freed',
  { timeout: TIMEOUT_MS },
  async () => {
    const problems: string[] = [];
    let restarts = 0;
    const r = await contractFirst(problems, 'a full disk left a manager broken', () =>
      run({ name: 'disk', seed: SEED + 2 }, async (ctx) => {
        const f = await c.follower();
        await c.rejoinFresh(f, { tmpfsMiB: 24 });
        await new Promise((res) => setTimeout(res, 2_000));
        const offset = await logSize(c.s.logFile(f));
        const at = ctx.now();
        await c.fillTmpfs(f);
        const p = c.s.daemon(f)!;
        const exit = await exitWithin(p, 30_000);
        const output = await logSince(c.s.logFile(f), offset);
        if (exit.code === undefined || exit.code === 0 || exit.signal) {
          problems.push(
            `expected shoald on ${c.name(f)} to exit non-zero once its disk was full; it ${describeExit(exit, 30_000)}`,
          );
          // Half-alive: the harness ends it, as an operator would, and goes on.
          if (exit.code === undefined) await c.kill(f);
        }
        if (!/ENOSPC|no space left on device/i.test(output)) {
          problems.push(`expected shoald on ${c.name(f)} to log the storage error (no space left on device)`);
        }
        // The harness acts as systemd: restart whenever it exits; free the space after a while.
        const supervise = async (until: number): Promise<void> => {
          while (Date.now() < until) {
            const d = c.s.daemon(f);
            if (d === undefined || d.exitCode !== null || d.signalCode !== null) {
              c.spawn(f);
              restarts++;
            }
            await new Promise((res) => setTimeout(res, 1_000));
          }
        };
        await supervise(Date.now() + 5_000);
        await c.freeTmpfs(f);
        const freedAt = ctx.now();
        const back = Date.now() + 60_000;
        let serving = false;
        while (!serving && Date.now() < back) {
          await supervise(Date.now() + 1_000);
          serving = await c.waitHealthy(2_000).then(
            () => true,
            () => false,
          );
        }
        if (!serving) {
          problems.push(`${c.name(f)} was not a reachable manager within 60 s of its disk being freed`);
          // Leave a whole cluster to the scenarios after this one: the remedy, off the tmpfs.
          await c.rejoinFresh(f);
        }
        ctx.fault({ kind: 'kill-follower', host: `${c.name(f)} disk full`, at, healedAt: freedAt });
      }),
    );
    console.log(`disk full: the harness restarted shoald ${restarts} time(s)`);
    assertHistoryClean(r);
  },
);

test(
  'two of three managers down: the survivor answers /_ping, /version and /info; writes answer 503',
  { timeout: TIMEOUT_MS },
  async () => {
    const problems: string[] = [];
    const r = await contractFirst(
      problems,
      'without a quorum the survivor must still answer reads and refuse writes',
      () =>
        run({ name: 'quorum', seed: SEED + 3 }, async (ctx) => {
          const l = await c.leader();
          const survivor = c.hosts().find((h) => h !== l)!;
          const at = ctx.now();
          for (const h of c.hosts()) if (h !== survivor) await c.kill(h);
          await new Promise((res) => setTimeout(res, HOLD_MS));
          const sock = c.s.socket(survivor);
          for (const path of ['/_ping', '/version', '/info']) {
            const a = await apiCall(sock, 'GET', path, undefined, 10_000);
            const got = a.kind === 'answer' ? `${a.status} ${a.body.slice(0, 200)}` : a.reason;
            if (a.kind !== 'answer' || a.status !== 200)
              problems.push(`GET ${path} on the survivor: expected 200, got ${got}`);
          }
          const name = 'quorum-probe';
          const rec = ctx.recorder.invoke({
            client: -2,
            via: c.name(survivor),
            kind: 'create',
            key: name,
            expect: undefined,
            value: name,
          });
          const w = await apiCall(sock, 'POST', '/services/create', faultServiceSpec(name, name), 15_000);
          const { outcome, detail } = outcomeOf(w);
          ctx.recorder.finish(rec, outcome, detail, w.kind === 'answer' && w.status === 409);
          if (w.kind !== 'answer' || w.status !== 503)
            problems.push(`a write on the survivor: expected 503, got ${detail}`);
          // Both back (while the clients go on writing): a leader again, writes acknowledged.
          const healedAt = ctx.now();
          await c.heal();
          await c.leader(60_000);
          await new Promise((res) => setTimeout(res, 2_000));
          ctx.fault({
            kind: 'kill-leader',
            quorumLost: true,
            host: c
              .hosts()
              .filter((h) => h !== survivor)
              .map((h) => c.name(h))
              .join('+'),
            at,
            healedAt,
          });
        }),
    );
    assertHistoryClean(r);
  },
);
