// A new task carries the cluster's default log driver beside its spec when its service names
// none, as swarmkit stamps Task.LogDriver; the spec itself stays the service's template, so the
// default is never a reason to call a task out of date.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Service, TaskDefaults } from '../../../api/objects/index.js';
import { newService } from '../../../api/objects/test/fixtures.js';
import { isTaskDirty } from '../spec-key.js';
import { newTask } from '../task-factory.js';

const META = { version: 3, createdAt: '2024-01-01T00:00:00Z', updatedAt: '2024-01-01T00:00:00Z' };
const NOW = '2024-01-01T00:00:01.000Z';
const DEFAULTS: TaskDefaults = { logDriver: { name: 'json-file', options: { 'max-size': '10m' } } };

function service(logDriver?: { name: string; options: Record<string, string> }): Service {
  const s = newService('svc1', 'web');
  if (logDriver !== undefined) s.spec.taskTemplate.logDriver = logDriver;
  return { ...s, meta: META };
}

function asTask(
  s: Service,
  defaults: TaskDefaults | undefined,
): ReturnType<typeof newTask> & { meta: typeof META } {
  return {
    ...newTask(s, { slot: 1, desiredState: 'running', now: NOW, taskDefaults: defaults }),
    meta: META,
  };
}

test('a service without a log driver: its tasks take the cluster default, copied', () => {
  const s = service();
  const t = asTask(s, DEFAULTS);
  assert.deepEqual(t.logDriver, { name: 'json-file', options: { 'max-size': '10m' } });
  assert.notEqual(t.logDriver, DEFAULTS.logDriver);
  assert.equal(t.spec.logDriver, undefined);
  // The default is outside the spec: the task is not out of date.
  assert.equal(isTaskDirty(s, t), false);
});

test("a service's own log driver wins; no default, or an empty one, stamps nothing", () => {
  const own = service({ name: 'syslog', options: {} });
  assert.equal(asTask(own, DEFAULTS).logDriver, undefined);
  assert.equal(asTask(service(), undefined).logDriver, undefined);
  assert.equal(asTask(service(), {}).logDriver, undefined);
  assert.equal(asTask(service(), { logDriver: { name: '', options: {} } }).logDriver, undefined);
  // A log driver with no name in the service is none: the default applies.
  assert.equal(asTask(service({ name: '', options: {} }), DEFAULTS).logDriver?.name, 'json-file');
});

test('a task made before the default changed is still up to date with its service', () => {
  const s = service();
  const before = asTask(s, undefined);
  const after = asTask(s, DEFAULTS);
  assert.equal(isTaskDirty(s, before), false);
  assert.equal(isTaskDirty(s, after), false);
});
