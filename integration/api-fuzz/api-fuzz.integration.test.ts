// The hostile-input fuzzer for the HTTP API, against a real manager in a child process (Raft on
// LevelDB, replicated store, leader loops, the API on a unix socket): first a boundary sweep
// (every number field of every body schema at huge values), then random requests from the
// schemas with hostile values (fast-check). Properties:
//   - every request is answered 2xx/4xx (or Docker's own 501/503, see response-rules.ts)
//     within the time bound (the status line, for streams);
//   - after every request the manager process lives, leads, and turns its event loop in time;
//   - after the run, the manager restarted on its data directory replays its log, elects
//     itself, takes a write through the API and reads it back, and its leader loops make the
//     new service's tasks.
//
// Seeded and reproducible: a failure prints the seed, the path, the request (as generated and
// as sent), the answer and the manager's last stderr. Tunable by environment:
//   SHOAL_FUZZ_RUNS (default 100), SHOAL_FUZZ_SEED (default 9), SHOAL_FUZZ_PATH (replay one
//   counterexample), SHOAL_FUZZ_TIMEOUT_MS (default 2000), SHOAL_FUZZ_SHRINK=1 (shrink a
//   failure to a smaller request; the child manager is restarted on a fresh directory when a
//   request kills it), SHOAL_FUZZ_HUGE=0 (no megabyte-sized values), SHOAL_FUZZ_LOG (the
//   child's log level, default error), SHOAL_FUZZ_SURVEY=1 (go on after a failure, restarting
//   the manager if it died, and list every distinct failure at the end with its run index).
//   SHOAL_FUZZ_SWEEP=full (sweep every number field at -1, 0.5, 1e9, 2^31, 2^53 and 1e300;
//   the short run uses 1e9 everywhere and 2^53 on service creates).
//   `npm run test:fuzz-long` runs the full sweep and 3000 random requests.

import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { boundarySweep } from './boundary-sweep.js';
import { ChildManager } from './child-manager.js';
import { anyFuzzRequest, describeRequest, type FuzzRequest } from './fuzz-request.js';
import { validServiceSpec } from './fuzz-routes.js';
import { encodeJson } from './fuzz-json.js';
import { RequestDriver, type RequestOutcome, type SentRequest } from './request-driver.js';
import { judgeAnswer, judgeHealth } from './response-rules.js';

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new Error(`${name}=${raw}: expected a number`);
  return n;
}

const RUNS = envNumber('SHOAL_FUZZ_RUNS', 100);
const SEED = envNumber('SHOAL_FUZZ_SEED', 9);
const TIMEOUT_MS = envNumber('SHOAL_FUZZ_TIMEOUT_MS', 2000);
const REPLAY_PATH = process.env['SHOAL_FUZZ_PATH'];
const SHRINK = process.env['SHOAL_FUZZ_SHRINK'] === '1';
const SURVEY = process.env['SHOAL_FUZZ_SURVEY'] === '1';
/** After a write that succeeded, leader loops react: wait this long before the health probe. */
const SETTLE_MS = 50;

let child: ChildManager | undefined;
/** The data directory of every manager started for fuzzing, in order. */
const started: string[] = [];
/** The last requests sent, for context when a crash shows only after a later request. */
const recent: string[] = [];
/** Survey mode: failures by kind (first example and how many), in the order first seen. */
const survey = new Map<string, { first: string; run: number; count: number }>();
let runIndex = 0;
/** Answers by route and status class, reported at the end (what the run covered). */
const answers = new Map<string, number>();

/** A failure's kind: the problem without the IDs, numbers and long tails that vary. */
function failureKind(problem: string, route: string): string {
  return `${route}: ${problem
    .replace(/[0-9a-z]{25}/g, '<id>')
    .replace(/\d+/g, 'N')
    .slice(0, 120)}`;
}

after(async () => {
  // Killed: a manager a request wedged does not stop; its directory goes anyway.
  await child?.kill();
  for (const dir of started) await rm(dir, { recursive: true, force: true });
});

/** Set when a request broke a property: the manager may be wedged, dying or gone. */
let suspect = false;

/** The manager to send the next request to: a new one if the last is dead or was broken. */
async function liveChild(): Promise<ChildManager> {
  if (child !== undefined && child.exit === undefined && !suspect) return child;
  // Killed, not stopped: a wedged manager does not stop; its log stays for the restart check.
  await child?.kill();
  suspect = false;
  child = await ChildManager.start();
  started.push(child.dataDir);
  recent.length = 0;
  return child;
}

function describeOutcome(o: RequestOutcome): string {
  if (o.kind !== 'answered')
    return o.kind === 'timeout' ? `none in ${o.ms} ms` : `connection error ${o.error}`;
  return `${o.status} in ${o.headMs}/${o.totalMs ?? '-'} ms: ${o.body.slice(0, 300)}`;
}

function describeSent(s: SentRequest): string {
  const path = s.path.length > 300 ? `${s.path.slice(0, 300)}…(${s.path.length} chars)` : s.path;
  return `${s.method} ${path} headers ${JSON.stringify(s.headers)} body ${s.body?.length ?? 0} bytes${
    s.body !== undefined && s.body.length <= 300 ? ` ${JSON.stringify(s.body.toString('latin1'))}` : ''
  }`;
}

/** Survey mode: fails with every kind of failure seen since the last report. */
function reportSurvey(what: string): void {
  if (survey.size === 0) return;
  const lines = [...survey.entries()].map(
    ([kind, s]) => `\n=== ${kind} (${s.count}×, first at run ${s.run})\n${s.first}`,
  );
  survey.clear();
  assert.fail(`${lines.length} kinds of failure in ${what}:${lines.join('\n')}`);
}

async function check(req: FuzzRequest): Promise<void> {
  const run = runIndex++;
  const manager = await liveChild();
  const driver = new RequestDriver(manager.socketPath, TIMEOUT_MS);
  const sent = await driver.resolve(req);
  const outcome = await driver.send(sent, req.route.streams === true);
  const wrote =
    outcome.kind === 'answered' &&
    outcome.status < 300 &&
    (sent.method === 'POST' || sent.method === 'DELETE');
  if (wrote) await new Promise((r) => setTimeout(r, SETTLE_MS));
  const health = await manager.probe(TIMEOUT_MS);
  const problem = judgeAnswer(outcome, TIMEOUT_MS, health) ?? judgeHealth(health, TIMEOUT_MS);
  const answerKey = `${req.route.method} ${req.route.path} ${outcome.kind === 'answered' ? `${Math.floor(outcome.status / 100)}xx` : outcome.kind}`;
  answers.set(answerKey, (answers.get(answerKey) ?? 0) + 1);
  recent.push(`${describeSent(sent)} -> ${describeOutcome(outcome)}`);
  if (recent.length > 4) recent.shift();
  if (problem === undefined) return;
  suspect = true;
  const text = [
    problem,
    `  request:  ${describeRequest(req)}`,
    `  sent:     ${describeSent(sent)}`,
    `  answer:   ${describeOutcome(outcome)}`,
    `  earlier:  ${recent.slice(0, -1).join('\n            ') || '-'}`,
    `  manager stderr (tail):\n${manager.stderrTail.slice(-3000)}`,
  ].join('\n');
  if (!SURVEY) throw new Error(text);
  const kind = failureKind(problem, `${req.route.method} ${req.route.path}`);
  const seen = survey.get(kind);
  if (seen === undefined) survey.set(kind, { first: text, run, count: 1 });
  else seen.count += 1;
}

test(`boundary sweep: every number field of every body at huge values is answered 2xx/4xx in time`, async () => {
  const cases = boundarySweep();
  for (const [i, req] of cases.entries()) {
    try {
      await check(req);
    } catch (e: unknown) {
      throw new Error(
        `boundary sweep case ${i} of ${cases.length}: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }
  reportSurvey(`the boundary sweep (${cases.length} requests)`);
});

test(`hostile requests are answered 2xx/4xx in time and the manager survives (${RUNS} runs, seed ${SEED})`, async (t) => {
  t.after(() => {
    for (const [key, n] of [...answers.entries()].sort()) t.diagnostic(`${key}: ${n}`);
  });
  await fc.assert(
    fc.asyncProperty(anyFuzzRequest(), (req) => check(req)),
    {
      seed: SEED,
      numRuns: RUNS,
      endOnFailure: !SHRINK,
      includeErrorInReport: true,
      ...(REPLAY_PATH === undefined ? {} : { path: REPLAY_PATH }),
    },
  );
  reportSurvey(`${RUNS} random requests (seed ${SEED})`);
});

async function until<T>(what: string, ms: number, poll: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await poll();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Restarts the manager that ran in `dataDir` from its log, and has it take and act on a write. */
async function restartsAndWrites(dataDir: string): Promise<void> {
  const resumed = await ChildManager.start({ dataDir });
  child = resumed;
  const driver = new RequestDriver(resumed.socketPath, 5_000);
  const answered = (o: RequestOutcome): Extract<RequestOutcome, { kind: 'answered' }> => {
    if (o.kind !== 'answered') assert.fail(`${describeOutcome(o)}\n${resumed.stderrTail}`);
    return o;
  };
  assert.equal(judgeHealth(await resumed.probe(TIMEOUT_MS), TIMEOUT_MS), undefined, resumed.stderrTail);

  const created = answered(
    await driver.send({
      method: 'POST',
      path: '/v1.41/services/create',
      headers: { 'content-type': 'application/json' },
      body: encodeJson(validServiceSpec('after-fuzz')),
    }),
  );
  assert.equal(created.status, 201, created.body);
  const id = (JSON.parse(created.body) as { ID: string }).ID;
  const read = answered(
    await driver.send({ method: 'GET', path: `/v1.41/services/${id}`, headers: {}, body: undefined }),
  );
  assert.equal(read.status, 200, read.body);
  assert.equal((JSON.parse(read.body) as { Spec: { Name: string } }).Spec.Name, 'after-fuzz');

  const filters = encodeURIComponent(JSON.stringify({ service: [id] }));
  const tasks = await until('the orchestrator to make the service its task', 15_000, async () => {
    const o = await driver.send({
      method: 'GET',
      path: `/v1.41/tasks?filters=${filters}`,
      headers: {},
      body: undefined,
    });
    if (o.kind !== 'answered' || o.status !== 200) return undefined;
    const list = JSON.parse(o.body) as { ServiceID: string }[];
    return list.length > 0 ? list : undefined;
  });
  assert.ok(tasks.every((t) => t.ServiceID === id));
  assert.equal(judgeHealth(await resumed.probe(TIMEOUT_MS), TIMEOUT_MS), undefined, resumed.stderrTail);
  await resumed.stop();
}

test('after the fuzzing every manager restarts from its log, elects itself, writes, and its loops make tasks', async () => {
  if (started.length === 0) await liveChild();
  await child?.stop();
  // Every manager the fuzzing ran, also one a request killed: its log is what must replay.
  for (const dataDir of started) {
    try {
      await restartsAndWrites(dataDir);
    } catch (e: unknown) {
      throw new Error(
        `the manager fuzzed in ${dataDir} does not come back: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }
});
