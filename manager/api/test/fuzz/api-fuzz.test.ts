// The hostile-input fuzzer for the HTTP API, against a real manager in a child process (Raft on
// LevelDB, replicated store, leader loops, the API on a unix socket). Properties:
//   - every request is answered 2xx/4xx (or Docker's own 501/503, see response-rules.ts)
//     within the time bound (the status line, for streams);
//   - after every request the manager process lives, leads, and turns its event loop in time;
//   - after the run, the manager restarted on its data directory replays its log, elects
//     itself, takes a write through the API and reads it back, and its leader loops make the
//     new service's tasks.
//
// Seeded and reproducible: a failure prints the seed, the path, the request (as generated and
// as sent), the answer and the manager's last stderr. Tunable by environment:
//   SHOAL_FUZZ_RUNS (default 150), SHOAL_FUZZ_SEED (default 9), SHOAL_FUZZ_PATH (replay one
//   counterexample), SHOAL_FUZZ_TIMEOUT_MS (default 2000), SHOAL_FUZZ_SHRINK=1 (shrink a
//   failure to a smaller request; the child manager is restarted on a fresh directory when a
//   request kills it), SHOAL_FUZZ_HUGE=0 (no megabyte-sized values), SHOAL_FUZZ_LOG (the
//   child's log level, default error). `npm run test:fuzz-long` runs 5000 requests.

import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { ChildManager } from './child-manager.js';
import { anyFuzzRequest, describeRequest, type FuzzRequest } from './fuzz-request.js';
import { validServiceSpec } from './fuzz-routes.js';
import { encodeJson } from './fuzz-json.js';
import { RequestDriver, type Outcome, type SentRequest } from './request-driver.js';
import { judgeAnswer, judgeHealth } from './response-rules.js';

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new Error(`${name}=${raw}: expected a number`);
  return n;
}

const RUNS = envNumber('SHOAL_FUZZ_RUNS', 150);
const SEED = envNumber('SHOAL_FUZZ_SEED', 9);
const TIMEOUT_MS = envNumber('SHOAL_FUZZ_TIMEOUT_MS', 2000);
const REPLAY_PATH = process.env['SHOAL_FUZZ_PATH'];
const SHRINK = process.env['SHOAL_FUZZ_SHRINK'] === '1';
/** After a write that succeeded, leader loops react: wait this long before the health probe. */
const SETTLE_MS = 50;

let child: ChildManager | undefined;
const dataDirs = new Set<string>();
/** The last requests sent, for context when a crash shows only after a later request. */
const recent: string[] = [];

after(async () => {
  await child?.stop();
  for (const dir of dataDirs) await rm(dir, { recursive: true, force: true });
});

async function liveChild(): Promise<ChildManager> {
  if (child !== undefined && child.exit === undefined) return child;
  child = await ChildManager.start();
  dataDirs.add(child.dataDir);
  recent.length = 0;
  return child;
}

function describeOutcome(o: Outcome): string {
  if (o.kind !== 'answered') return o.kind === 'timeout' ? `none in ${o.ms} ms` : `connection error ${o.error}`;
  return `${o.status} in ${o.headMs}/${o.totalMs ?? '-'} ms: ${o.body.slice(0, 300)}`;
}

function describeSent(s: SentRequest): string {
  const path = s.path.length > 300 ? `${s.path.slice(0, 300)}…(${s.path.length} chars)` : s.path;
  return `${s.method} ${path} headers ${JSON.stringify(s.headers)} body ${s.body?.length ?? 0} bytes${
    s.body !== undefined && s.body.length <= 300 ? ` ${JSON.stringify(s.body.toString('latin1'))}` : ''
  }`;
}

async function check(req: FuzzRequest): Promise<void> {
  const manager = await liveChild();
  const driver = new RequestDriver(manager.socketPath, TIMEOUT_MS);
  const sent = await driver.resolve(req);
  const outcome = await driver.send(sent, req.route.streams === true);
  const wrote =
    outcome.kind === 'answered' && outcome.status < 300 && (sent.method === 'POST' || sent.method === 'DELETE');
  if (wrote) await new Promise((r) => setTimeout(r, SETTLE_MS));
  const health = await manager.probe(TIMEOUT_MS);
  const problem = judgeAnswer(outcome, TIMEOUT_MS, health) ?? judgeHealth(health, TIMEOUT_MS);
  recent.push(`${describeSent(sent)} -> ${describeOutcome(outcome)}`);
  if (recent.length > 4) recent.shift();
  if (problem === undefined) return;
  throw new Error(
    [
      problem,
      `  request:  ${describeRequest(req)}`,
      `  sent:     ${describeSent(sent)}`,
      `  answer:   ${describeOutcome(outcome)}`,
      `  earlier:  ${recent.slice(0, -1).join('\n            ') || '-'}`,
      `  manager stderr (tail):\n${manager.stderrTail.slice(-3000)}`,
    ].join('\n'),
  );
}

test(`hostile requests are answered 2xx/4xx in time and the manager survives (${RUNS} runs, seed ${SEED})`, async () => {
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

test('after the fuzzing the manager restarts from its log, elects itself, writes, and its loops make tasks', async () => {
  const fuzzed = await liveChild();
  await fuzzed.stop();
  const dataDir = fuzzed.dataDir;
  child = await ChildManager.start({ dataDir });
  const driver = new RequestDriver(child.socketPath, 5_000);
  const answered = (o: Outcome): Extract<Outcome, { kind: 'answered' }> => {
    assert.equal(o.kind, 'answered', describeOutcome(o));
    return o as Extract<Outcome, { kind: 'answered' }>;
  };
  const health = await child.probe(TIMEOUT_MS);
  assert.equal(judgeHealth(health, TIMEOUT_MS), undefined);

  const spec = validServiceSpec('after-fuzz');
  const created = answered(
    await driver.send({
      method: 'POST',
      path: '/v1.41/services/create',
      headers: { 'content-type': 'application/json' },
      body: encodeJson(spec),
    }),
  );
  assert.equal(created.status, 201, created.body);
  const id = (JSON.parse(created.body) as { ID: string }).ID;
  const read = answered(await driver.send({ method: 'GET', path: `/v1.41/services/${id}`, headers: {}, body: undefined }));
  assert.equal(read.status, 200, read.body);
  assert.equal((JSON.parse(read.body) as { Spec: { Name: string } }).Spec.Name, 'after-fuzz');

  const filters = encodeURIComponent(JSON.stringify({ service: [id] }));
  const tasks = await until('the orchestrator to make the service its task', 15_000, async () => {
    const o = await driver.send({ method: 'GET', path: `/v1.41/tasks?filters=${filters}`, headers: {}, body: undefined });
    if (o.kind !== 'answered' || o.status !== 200) return undefined;
    const list = JSON.parse(o.body) as { ServiceID: string }[];
    return list.length > 0 ? list : undefined;
  });
  assert.ok(tasks.every((t) => t.ServiceID === id));
  assert.equal(judgeHealth(await child.probe(TIMEOUT_MS), TIMEOUT_MS), undefined);
});
