import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MalformedMessageError } from '../../../api/wire/errors.js';
import {
  decodeNodeDescription,
  decodeTask,
  decodeTaskStatus,
  encodeJson,
  MAX_STATUS_BYTES,
} from '../../../api/wire/json-codec.js';
import { newNode, newTask } from '../../store/test/fixtures.js';

const description = newNode('n1').description;
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

test('a node description round-trips and loses unknown fields', () => {
  const decoded = decodeNodeDescription(encodeJson({ ...description, evil: { nested: true } }));
  assert.deepEqual(decoded, description);
  assert.equal('evil' in decoded, false);
});

test("a task status round-trips; the manager's stamps are dropped", () => {
  const status = {
    timestamp: '2024-01-01T00:00:00.000Z',
    state: 'failed',
    message: 'started',
    err: 'exit 1',
    containerStatus: { containerId: 'abc', pid: 0, exitCode: 1 },
    portStatus: { ports: [{ protocol: 'tcp', targetPort: 80, publishedPort: 8080, publishMode: 'host' }] },
    appliedBy: 'forged',
  };
  const expected: Partial<typeof status> = { ...status };
  delete expected.appliedBy;
  assert.deepEqual(decodeTaskStatus(encodeJson(status)), expected);
});

const malformed: [string, () => unknown][] = [
  ['not UTF-8', () => decodeTaskStatus(new Uint8Array([0xff, 0xfe, 0x00]))],
  ['not JSON', () => decodeTaskStatus(bytes('{"state":'))],
  ['a JSON array', () => decodeTaskStatus(bytes('[]'))],
  [
    'an unknown state',
    () => decodeTaskStatus(encodeJson({ timestamp: '2024-01-01T00:00:00Z', state: 'exploded', message: '' })),
  ],
  [
    'a bad timestamp',
    () => decodeTaskStatus(encodeJson({ timestamp: 'yesterday', state: 'running', message: '' })),
  ],
  [
    'a float pid',
    () =>
      decodeTaskStatus(
        encodeJson({
          timestamp: '2024-01-01T00:00:00Z',
          state: 'running',
          message: '',
          containerStatus: { containerId: 'a', pid: 1.5, exitCode: 0 },
        }),
      ),
  ],
  ['too big', () => decodeTaskStatus(new Uint8Array(MAX_STATUS_BYTES + 1))],
  ['too deep', () => decodeTaskStatus(bytes('['.repeat(100) + ']'.repeat(100)))],
  [
    'a description without platform',
    () => decodeNodeDescription(encodeJson({ ...description, platform: null })),
  ],
  [
    'a description with a negative memory size',
    () =>
      decodeNodeDescription(
        encodeJson({ ...description, resources: { ...description?.resources, memoryBytes: -1 } }),
      ),
  ],
  ['a task without an ID', () => decodeTask(encodeJson({ ...newTask('t', 's', 1, 'n'), id: '' }))],
  ['a task without meta', () => decodeTask(encodeJson(newTask('t', 's', 1, 'n')))],
];

for (const [name, fn] of malformed) {
  test(`refuses ${name} with MalformedMessageError`, () => {
    assert.throws(fn, (e: unknown) => e instanceof MalformedMessageError && e.code === 'MALFORMED_MESSAGE');
  });
}
