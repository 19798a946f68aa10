// The log stream demultiplexer and the progress display (renderers and convergence tracker).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StdDemuxer, type StdFrame } from '../client/stdcopy.js';
import { parseLogLine } from '../format/log-line.js';
import {
  PlainProgressRenderer,
  TerminalProgressRenderer,
  progressBar,
  type ProgressMessage,
} from '../format/progress-renderer.js';
import { ConvergenceTracker } from '../commands/progress/service-progress.js';
import type { DockerService, DockerTask, DockerTaskState } from '../client/types.js';
import { logsLogger } from './support/fixtures.js';

function frame(stream: number, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

test('demultiplexes frames however the chunks are cut', () => {
  const data = Buffer.concat([frame(1, 'out 1\n'), frame(2, 'err 1\n'), frame(1, '')]);
  for (let cut = 0; cut <= data.length; cut++) {
    const d = new StdDemuxer();
    const frames: StdFrame[] = [...d.push(data.subarray(0, cut)), ...d.push(data.subarray(cut))];
    d.end();
    assert.deepEqual(
      frames.map((f) => [f.stream, f.payload.toString()]),
      [
        ['stdout', 'out 1\n'],
        ['stderr', 'err 1\n'],
        ['stdout', ''],
      ],
    );
  }
  const cutShort = new StdDemuxer();
  cutShort.push(data.subarray(0, 5));
  assert.throws(() => cutShort.end(), /ended inside a frame/);
  assert.throws(
    () => new StdDemuxer().push(Buffer.from([9, 0, 0, 0, 0, 0, 0, 0])),
    /unrecognized input header: 9/,
  );
});

test('recorded dockerd log stream parses into lines with their task context', () => {
  const d = new StdDemuxer();
  const frames = d.push(Buffer.from(logsLogger.bodyBase64, 'base64'));
  d.end();
  assert.equal(frames.length, 8);
  const line = parseLogLine(frames[0]?.payload.toString() ?? '', false);
  assert.equal(line.nodeId, 'leadm74l3poz032n3rcmbe41g');
  assert.match(line.taskId, /^[a-z0-9]{25}$/);
  assert.match(line.message, /^(line|err) \d+\n$/);
  const stamped = parseLogLine(
    '2026-11-25T08:21:22.9Z com.docker.swarm.node.id=n,com.docker.swarm.service.id=s,com.docker.swarm.task.id=t,x=a%20b hi\n',
    true,
  );
  assert.deepEqual(stamped, {
    timestamp: '2026-11-25T08:21:22.9Z',
    nodeId: 'n',
    serviceId: 's',
    taskId: 't',
    extraDetails: ['x=a b'],
    message: 'hi\n',
  });
});

test('progress bar like jsonmessage (only on terminals wider than 110 columns)', () => {
  assert.equal(progressBar(9, 9, 120), `[${'='.repeat(50)}>] `);
  assert.equal(progressBar(1, 9, 120), `[=====>${' '.repeat(45)}] `);
  assert.equal(progressBar(9, 9, 80), '');
  assert.equal(progressBar(0, 0, 120), '');
});

test('terminal renderer rewrites each ID line in place as docker does', () => {
  let out = '';
  const r = new TerminalProgressRenderer((t) => (out += t), 80);
  r.write({ id: 'overall progress', action: '0 out of 2 tasks' });
  r.write({ id: '1/2', action: ' ' });
  r.write({ id: '1/2', action: 'running  ', current: 9, total: 9 });
  r.write({ id: 'overall progress', action: '1 out of 2 tasks' });
  // Byte for byte what docker 28 wrote under `script` (recorded), for the same messages.
  assert.equal(
    out,
    '\n\x1b[1A\x1b[2K\roverall progress: 0 out of 2 tasks \r\x1b[1B' +
      '\n\x1b[1A\x1b[2K\r1/2:   \r\x1b[1B' +
      '\x1b[1A\x1b[2K\r1/2: running   \r\x1b[1B' +
      '\x1b[2A\x1b[2K\roverall progress: 1 out of 2 tasks \r\x1b[2B',
  );
});

test('plain renderer prints a line only when it changes', () => {
  let out = '';
  const r = new PlainProgressRenderer((t) => (out += t));
  const msgs: ProgressMessage[] = [
    { id: 'overall progress', action: '0 out of 1 tasks' },
    { id: '1/1', action: ' ' },
    { id: '1/1', action: 'running  ', current: 9, total: 9 },
    { id: 'overall progress', action: '0 out of 1 tasks' },
    { id: 'overall progress', action: '1 out of 1 tasks' },
    { id: '', message: 'job complete' },
  ];
  for (const m of msgs) r.write(m);
  assert.equal(
    out,
    'overall progress: 0 out of 1 tasks\n1/1: running\noverall progress: 1 out of 1 tasks\njob complete\n',
  );
});

function task(slot: number, state: DockerTaskState, desired: DockerTaskState = 'running'): DockerTask {
  return {
    ID: `t${slot}${state}`,
    Version: { Index: 1 },
    CreatedAt: '2026-01-01T00:00:00Z',
    UpdatedAt: '2026-01-01T00:00:00Z',
    Spec: {},
    ServiceID: 's1',
    Slot: slot,
    NodeID: 'n1',
    Status: { Timestamp: '2026-01-01T00:00:00Z', State: state },
    DesiredState: desired,
  };
}

test('convergence tracker: replicated service, monitor period, failure detection (injected clock)', () => {
  const lines: string[] = [];
  const tracker = new ConvergenceTracker(new PlainProgressRenderer((t) => lines.push(t.trimEnd())), 'shoal');
  const service: DockerService = {
    ID: 's1',
    Version: { Index: 1 },
    CreatedAt: '',
    UpdatedAt: '',
    Spec: { TaskTemplate: {}, Mode: { Replicated: { Replicas: 2 } }, UpdateConfig: { Monitor: 2e9 } },
  };
  const nodes = new Set(['n1']);
  let now = 0;
  const poll = (tasks: DockerTask[]): boolean =>
    tracker.observeService(service, now) || tracker.observeTasks(service, tasks, nodes, now);
  assert.equal(poll([task(1, 'preparing'), task(2, 'pending')]), false);
  now += 200;
  assert.equal(poll([task(1, 'running'), task(2, 'running')]), false);
  now += 1500;
  assert.equal(poll([task(1, 'running'), task(2, 'failed'), task(2, 'pending')]), false);
  now += 200;
  assert.equal(poll([task(1, 'running'), task(2, 'running')]), false);
  now += 2000;
  assert.equal(poll([task(1, 'running'), task(2, 'running')]), true);
  assert.deepEqual(lines, [
    'overall progress: 0 out of 2 tasks',
    '1/2: preparing',
    '2/2: pending',
    '1/2: running',
    '2/2: running',
    'overall progress: 2 out of 2 tasks',
    'verify: Waiting 3 seconds to verify that tasks are stable...',
    '2/2: pending',
    'overall progress: 1 out of 2 tasks',
    'verify: Detected task failure',
    '2/2: running',
    'overall progress: 2 out of 2 tasks',
    'verify: Waiting 3 seconds to verify that tasks are stable...',
    'verify: Service converged',
  ]);
});

test('convergence tracker stops on a paused update with its message', () => {
  const tracker = new ConvergenceTracker({ write: () => undefined }, 'shoal');
  const service: DockerService = {
    ID: 's1',
    Version: { Index: 1 },
    CreatedAt: '',
    UpdatedAt: '',
    Spec: { TaskTemplate: {}, Mode: { Replicated: { Replicas: 1 } } },
    UpdateStatus: { State: 'paused', Message: 'update paused due to failure' },
  };
  assert.throws(() => tracker.observeService(service, 0), {
    message: 'service update paused: update paused due to failure',
  });
});
