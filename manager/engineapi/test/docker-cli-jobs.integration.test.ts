// `docker service create --mode replicated-job|global-job` without --detach: the unmodified
// docker CLI follows the job's progress (it reads Service.JobStatus, the tasks' JobIteration and
// their slots from 0) and returns once every task completed. A real single-manager
// SwarmControl, the real leader loops on its store (no allocator: the scheduler takes new
// tasks), and the agent simulator playing the node's agent: tasks start, then complete.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { systemClock } from '../../../api/clock/clock.js';
import { ManualClock } from '../../../api/clock/manual-clock.js';
import { createLeaderLoops } from '../../leader-loops.js';
import { runControlLoops } from '../../loop/run-loops.js';
import { AgentSim } from '../../test/agent-sim.js';
import { createApiServer, listenApiServer } from '../server.js';
import { runDocker, type DockerRun } from './docker-cli-run.js';
import { SingleNodeControl } from './single-node-control.js';

let dir = '';
let socket = '';
let app: FastifyInstance;
let control: SingleNodeControl;
const abort = new AbortController();
let loops: Promise<void> = Promise.resolve();
let agentTimer: NodeJS.Timeout | undefined;

const docker = (...args: string[]): Promise<DockerRun> => runDocker(socket, dir, args);

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'shoal-cli-jobs-'));
  socket = join(dir, 'shoal.sock');
  control = new SingleNodeControl({ hostname: 'node-1' });
  app = createApiServer({ control, build: { version: '0.1.0' } });
  await listenApiServer(app, { socketPath: socket });
  await control.init({ listenAddr: '0.0.0.0:2377', forceNewCluster: false });
  const store = control.store();
  const set = createLeaderLoops({ store, clock: systemClock, allocator: false });
  loops = runControlLoops(set.loops, abort.signal);
  // The node's agent: one step every 50 ms, so the CLI sees tasks running before they complete.
  const agent = new AgentSim(store, new ManualClock(Date.now()));
  let stepping = false;
  agentTimer = setInterval(() => {
    if (stepping) return;
    stepping = true;
    agent.step().then(
      () => void (stepping = false),
      () => void (stepping = false),
    );
  }, 50);
});

after(async () => {
  clearInterval(agentTimer);
  abort.abort();
  await loops;
  await app.close();
  rmSync(dir, { recursive: true, force: true });
});

function output(r: DockerRun): string {
  return `${r.stdout}${r.stderr}`;
}

test('docker service create --mode replicated-job follows the job until it completes', async () => {
  const r = await docker(
    'service',
    'create',
    '--name',
    'rjob',
    '--mode',
    'replicated-job',
    '--replicas',
    '3',
    '--max-concurrent',
    '2',
    '--no-resolve-image',
    'shoal/busybox',
    'true',
  );
  assert.equal(r.code, 0, `docker service create failed:\n${output(r)}`);
  assert.doesNotMatch(output(r), /panic|nil pointer/);
  // Without a terminal the CLI prints the counters, not the bars: all slots 1/3..3/3 shown, then
  // no task left to run.
  assert.match(output(r), /^1\/3: +\n2\/3: +\n3\/3: +$/m);
  assert.match(output(r), /active tasks: 0 out of 0 tasks\njob complete\n$/);

  const format = '{{.JobStatus.JobIteration.Index}} {{.JobStatus.LastExecution.Unix}}';
  const inspect = await docker('service', 'inspect', '--format', format, 'rjob');
  assert.equal(inspect.code, 0, inspect.stderr);
  const [iteration, lastExecution] = inspect.stdout.trim().split(' ');
  assert.equal(iteration, '0');
  assert.ok(Math.abs(Number(lastExecution) - Date.now() / 1000) < 60, inspect.stdout);

  const ls = await docker('service', 'ls', '--format', '{{.Name}} {{.Mode}} {{.Replicas}}');
  assert.equal(ls.code, 0, ls.stderr);
  assert.match(ls.stdout, /^rjob replicated job 0\/0 \(3\/3 completed\)$/m);

  const ps = await docker('service', 'ps', '--format', '{{.Name}} {{.CurrentState}}', 'rjob');
  assert.equal(ps.code, 0, ps.stderr);
  const rows = ps.stdout.split('\n').filter((l) => l !== '');
  assert.equal(rows.length, 3);
  assert.ok(
    rows.every((l) => /^rjob\.\S+ Complete/.test(l)),
    ps.stdout,
  );
});

test('docker service create --mode global-job follows the job until it completes', async () => {
  const r = await docker(
    'service',
    'create',
    '--name',
    'gjob',
    '--mode',
    'global-job',
    '--no-resolve-image',
    'shoal/busybox',
    'true',
  );
  assert.equal(r.code, 0, `docker service create failed:\n${output(r)}`);
  assert.doesNotMatch(output(r), /panic|nil pointer/);
  assert.match(output(r), /^\w{25}\njob complete\n$/);
});

test('updating a job runs it again: the next iteration, followed to completion', async () => {
  const r = await docker('service', 'update', '--env-add', 'RUN=2', 'rjob');
  assert.equal(r.code, 0, `docker service update failed:\n${output(r)}`);
  assert.match(output(r), /job complete/);
  const inspect = await docker('service', 'inspect', '--format', '{{.JobStatus.JobIteration.Index}}', 'rjob');
  assert.equal(inspect.stdout.trim(), '1');
});
