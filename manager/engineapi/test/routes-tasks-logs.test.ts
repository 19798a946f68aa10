import assert from 'node:assert/strict';
import { test } from 'node:test';
import { json, seedTasks, serviceBody, startHarness } from './harness.js';

test('GET /tasks with filters; GET /tasks/{id} by ID, prefix or name', async () => {
  const h = await startHarness();
  try {
    const self = h.control.nodeId()!;
    const web = json<{ ID: string }>(await h.request('POST', '/services/create', serviceBody('web'))).ID;
    const api = json<{ ID: string }>(await h.request('POST', '/services/create', serviceBody('api'))).ID;
    const webTasks = await seedTasks(h.store(), web, 2, 'running', self);
    const apiTasks = await seedTasks(h.store(), api, 1, 'pending');
    const ids = async (filters?: unknown): Promise<string[]> => {
      const url =
        filters === undefined
          ? '/tasks'
          : `/v1.41/tasks?filters=${encodeURIComponent(JSON.stringify(filters))}`;
      const res = await h.request('GET', url);
      assert.equal(res.statusCode, 200, `${url}: ${res.body}`);
      return json<{ ID: string }[]>(res)
        .map((t) => t.ID)
        .sort();
    };
    const all = [...webTasks, ...apiTasks].map((t) => t.id).sort();
    const webIds = webTasks.map((t) => t.id).sort();
    const table: [unknown, string[]][] = [
      [undefined, all],
      [{ service: { web: true } }, webIds],
      [{ service: { [web]: true } }, webIds],
      [{ node: { [self]: true } }, webIds],
      [{ node: { 'node-1': true } }, webIds],
      [{ 'desired-state': { running: true } }, all],
      [{ 'desired-state': { shutdown: true } }, []],
      [{ name: { 'web.1.': true } }, [webTasks[0]!.id]],
      [{ id: { [apiTasks[0]!.id.slice(0, 8)]: true } }, [apiTasks[0]!.id]],
      [{ '_up-to-date': { true: true } }, all],
    ];
    for (const [filters, want] of table) assert.deepEqual(await ids(filters), want, JSON.stringify(filters));
    const bad: [unknown, number, string][] = [
      [{ service: { nope: true } }, 404, 'service nope not found'],
      [{ 'desired-state': { sleepy: true } }, 400, 'Invalid desired-state filter value: sleepy'],
      [{ colour: { red: true } }, 400, "invalid filter 'colour'"],
    ];
    for (const [filters, status, message] of bad) {
      const res = await h.request('GET', `/tasks?filters=${encodeURIComponent(JSON.stringify(filters))}`);
      assert.equal(res.statusCode, status);
      assert.deepEqual(json(res), { message });
    }
    const t = webTasks[0]!;
    for (const ref of [t.id, t.id.slice(0, 7), `web.1.${t.id}`]) {
      const task = json<Record<string, unknown>>(await h.request('GET', `/tasks/${ref}`));
      assert.equal(task['ID'], t.id, ref);
      assert.equal(task['ServiceID'], web);
      assert.equal(task['Slot'], 1);
      assert.equal(task['NodeID'], self);
      assert.equal(task['DesiredState'], 'running');
      assert.deepEqual(task['Status'], {
        Timestamp: '2024-01-01T00:00:00.000Z',
        State: 'running',
        Message: 'running',
        ContainerStatus: {},
        PortStatus: {},
      });
    }
    assert.equal((await h.request('GET', '/tasks/nope')).statusCode, 404);
  } finally {
    await h.close();
  }
});

/** Splits Docker's multiplexed stream into [stream, text] frames. */
function demux(body: Buffer): [number, string][] {
  const out: [number, string][] = [];
  let at = 0;
  while (at + 8 <= body.length) {
    const size = body.readUInt32BE(at + 4);
    out.push([body[at]!, body.subarray(at + 8, at + 8 + size).toString()]);
    at += 8 + size;
  }
  assert.equal(at, body.length, 'trailing bytes after the last frame');
  return out;
}

test('service and task logs: multiplexed frames, details, timestamps, tail, bad parameters', async () => {
  const h = await startHarness();
  try {
    const self = h.control.nodeId()!;
    const web = json<{ ID: string }>(await h.request('POST', '/services/create', serviceBody('web'))).ID;
    const [t1, t2] = await seedTasks(h.store(), web, 2, 'running', self);
    const line = (taskId: string, stream: 'stdout' | 'stderr', text: string, ts: string): void =>
      h.control.appendLog({
        taskId,
        stream,
        line: Buffer.from(text),
        timestamp: ts,
        nodeId: self,
        serviceId: web,
      });
    line(t1!.id, 'stdout', 'one\n', '2024-01-01T00:00:01.000000000Z');
    line(t1!.id, 'stderr', 'oops', '2024-01-01T00:00:02.000000000Z');
    line(t2!.id, 'stdout', 'two\n', '2024-01-01T00:00:03.000000000Z');

    const res = await h.request('GET', '/v1.41/services/web/logs?stdout=1&stderr=1&details=1');
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'application/vnd.docker.raw-stream');
    const ctx = (id: string): string =>
      `com.docker.swarm.node.id=${self},com.docker.swarm.service.id=${web},com.docker.swarm.task.id=${id}`;
    assert.deepEqual(demux(res.rawPayload), [
      [1, `${ctx(t1!.id)} one\n`],
      [2, `${ctx(t1!.id)} oops\n`],
      [1, `${ctx(t2!.id)} two\n`],
    ]);

    const table: [string, [number, string][]][] = [
      [
        'stdout=1',
        [
          [1, 'one\n'],
          [1, 'two\n'],
        ],
      ],
      ['stderr=true&timestamps=1', [[2, '2024-01-01T00:00:02.000000000Z oops\n']]],
      [
        'stdout=1&stderr=1&tail=1',
        [
          [2, 'oops\n'],
          [1, 'two\n'],
        ],
      ],
      // A tail longer than any log (past 2^53 too) is every line.
      [
        'stdout=1&tail=99999999999999999999999',
        [
          [1, 'one\n'],
          [1, 'two\n'],
        ],
      ],
      ['stdout=1&tail=0', []],
    ];
    for (const [query, want] of table) {
      const r = await h.request('GET', `/services/${web}/logs?${query}`);
      assert.equal(r.statusCode, 200, query);
      assert.deepEqual(demux(r.rawPayload), want, query);
    }
    const task = await h.request('GET', `/tasks/${t2!.id}/logs?stdout=1`);
    assert.deepEqual(demux(task.rawPayload), [[1, 'two\n']]);

    const bad: [string, number, string][] = [
      ['/services/web/logs', 400, 'Bad parameters: you must choose at least one stream'],
      ['/services/web/logs?stdout=1&tail=ten', 400, 'tail value must be a positive integer or "all"'],
      ['/services/web/logs?stdout=1&tail=-2', 400, 'negative tail values not supported'],
      ['/services/nope/logs?stdout=1', 404, 'service nope not found'],
    ];
    for (const [url, status, message] of bad) {
      const r = await h.request('GET', url);
      assert.equal(r.statusCode, status, url);
      assert.deepEqual(json(r), { message }, url);
    }
  } finally {
    await h.close();
  }
});

test('TTY services stream raw lines, without frames', async () => {
  const h = await startHarness();
  try {
    const body = serviceBody('tty', { TaskTemplate: { ContainerSpec: { Image: 'busybox', TTY: true } } });
    const id = json<{ ID: string }>(await h.request('POST', '/services/create', body)).ID;
    const [t] = await seedTasks(h.store(), id, 1, 'running', h.control.nodeId());
    h.control.appendLog({
      taskId: t!.id,
      stream: 'stdout',
      line: Buffer.from('hello\r\n'),
      timestamp: 'x',
      nodeId: 'n',
      serviceId: id,
    });
    const res = await h.request('GET', '/services/tty/logs?stdout=1');
    assert.equal(res.body, 'hello\r\n');
  } finally {
    await h.close();
  }
});
