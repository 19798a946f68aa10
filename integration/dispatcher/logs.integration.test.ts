// Task logs travel from the agents that run the tasks to the leader's dispatcher.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LogLine } from '../../manager/engineapi/swarm-control.js';
import type { LogRecordOut, LogRequest } from '../../agent/session/index.js';
import { IncompleteLogsError } from '../../manager/dispatcher/log-broker.js';
import { assignedTask, clusterStore, startAgent, TestManager, waitFor } from './harness.js';

const enc = new TextEncoder();

test('service logs: lines of each task come from its node; unreachable nodes are reported', async (t) => {
  const store = await clusterStore(5000, ['n1', 'n2', 'n3']);
  await store.update((tx) => {
    tx.create('tasks', assignedTask('t1', 'n1'));
    tx.create('tasks', assignedTask('t2', 'n2'));
    tx.create('tasks', assignedTask('t3', 'n3'));
  });
  const m = await TestManager.start(store);
  m.lead();
  const requests: LogRequest[] = [];
  const source = (nodeId: string) =>
    async function* (req: LogRequest): AsyncGenerator<LogRecordOut> {
      requests.push(req);
      for (const taskId of req.taskIds) {
        for (let i = 0; i < 3; i++) {
          await Promise.resolve(); // a real source waits on the engine
          yield {
            taskId,
            stream: i === 2 ? 'stderr' : 'stdout',
            timestamp: `2024-01-01T00:00:0${i}.000000000Z`,
            line: enc.encode(`${nodeId} line ${i}\n`),
          };
        }
      }
    };
  const a1 = startAgent('n1', [m.addr], { logs: source('n1') });
  const a2 = startAgent('n2', [m.addr], { logs: source('n2') });
  t.after(async () => {
    await a1.agent.stop();
    await a2.agent.stop();
    await m.shutdown();
  });
  await waitFor(() => m.dispatcher.sessionCount === 2, 'both sessions');
  // Agents open their log stream before assignments: a full set means it is attached.
  await waitFor(() => a1.view.fullSets > 0 && a2.view.fullSets > 0, 'both full sets');

  const lines: LogLine[] = [];
  const controller = new AbortController();
  const opts = {
    follow: false,
    stdout: true,
    stderr: false,
    timestamps: false,
    tail: 'all' as const,
    signal: controller.signal,
  };
  await assert.rejects(
    (async () => {
      for await (const line of m.dispatcher.taskLogs(['t1', 't2', 't3'], opts)) lines.push(line);
    })(),
    (e: unknown) => e instanceof IncompleteLogsError && /node n3 is not available/.test(e.message),
  );
  const text = lines
    .map((l) => `${l.nodeId}/${l.taskId}/${l.serviceId}: ${new TextDecoder().decode(l.line).trim()}`)
    .sort();
  assert.deepEqual(text, [
    'n1/t1/svc1: n1 line 0',
    'n1/t1/svc1: n1 line 1',
    'n2/t2/svc1: n2 line 0',
    'n2/t2/svc1: n2 line 1',
  ]);
  assert.deepEqual(requests.map((r) => r.taskIds).sort(), [['t1'], ['t2']]);
  assert.equal(requests[0]?.tail, 'all');

  // Only tasks on connected nodes: a complete stream.
  const more: LogLine[] = [];
  for await (const line of m.dispatcher.taskLogs(['t1'], { ...opts, stderr: true })) more.push(line);
  assert.equal(more.length, 3);

  // --tail N reaches the agent as the number N (per task: the agent reads each task's last N).
  requests.length = 0;
  for await (const line of m.dispatcher.taskLogs(['t1'], { ...opts, tail: 2 })) void line;
  assert.equal(requests.length, 1);
  assert.equal(requests[0]?.tail, 2);
  requests.length = 0;
  for await (const line of m.dispatcher.taskLogs(['t1'], { ...opts, tail: 0 })) void line;
  assert.equal(requests[0]?.tail, 0);
});
