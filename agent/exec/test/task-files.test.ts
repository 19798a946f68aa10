// Where a task's secrets and configs land in its container, with which owner and mode, and the
// clear error for one the node was not given.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Config, Secret } from '../../../api/objects/index.js';
import { DependencyMissingError, InvalidTaskSpecError } from '../errors.js';
import type { TaskDependencies } from '../executor.js';
import { taskFiles } from '../task-files.js';
import { configRef, makeConfig, makeSecret, secretRef } from './dependency-fixture.js';
import { makeTask } from './task-fixture.js';

function deps(secrets: Secret[], configs: Config[] = []): TaskDependencies {
  return {
    secret: (id) => secrets.find((s) => s.id === id),
    config: (id) => configs.find((c) => c.id === id),
  };
}

const db = makeSecret('db', 'hunter2');
const conf = makeConfig('app.conf', 'x=1\n');

test('secrets land under /run/secrets, configs under /, with the data decoded', () => {
  const task = makeTask({ container: { secrets: [secretRef(db)], configs: [configRef(conf)] } });
  const files = taskFiles(task, deps([db], [conf]));
  assert.deepEqual(
    files.map((f) => [f.kind, f.target, f.data.toString(), f.uid, f.gid, f.mode]),
    [
      ['secret', '/run/secrets/db', 'hunter2', 0, 0, 0o444],
      ['config', '/app.conf', 'x=1\n', 0, 0, 0o444],
    ],
  );
  assert.notEqual(files[0]?.key, files[1]?.key);
});

test('a target, owner and mode given in the reference are used; absolute targets as they are', () => {
  const task = makeTask({
    container: {
      secrets: [secretRef(db, { target: 'password', uid: '1000', gid: '50', mode: 0o400 })],
      configs: [configRef(conf, { target: '/etc/app/app.conf', mode: 0o640 })],
    },
  });
  const files = taskFiles(task, deps([db], [conf]));
  assert.deepEqual(
    files.map((f) => [f.target, f.uid, f.gid, f.mode]),
    [
      ['/run/secrets/password', 1000, 50, 0o400],
      ['/etc/app/app.conf', 0, 0, 0o640],
    ],
  );
});

test('an empty target defaults to the object name', () => {
  const task = makeTask({ container: { secrets: [secretRef(db, { target: '' })] } });
  assert.equal(taskFiles(task, deps([db]))[0]?.target, '/run/secrets/db');
});

test('a secret the node was not given fails with its name and ID', () => {
  const task = makeTask({ container: { secrets: [secretRef(db)] } });
  assert.throws(
    () => taskFiles(task, deps([])),
    (e: unknown) =>
      e instanceof DependencyMissingError &&
      e.message.startsWith(`secret db (${db.id}) is not available on this node`),
  );
  assert.throws(() => taskFiles(task, undefined), DependencyMissingError);
  const withConfig = makeTask({ container: { configs: [configRef(conf)] } });
  assert.throws(() => taskFiles(withConfig, deps([])), /config app\.conf \(.+\) is not available/);
});

test('targets that climb out, repeat, or name a user by name are refused with the field', () => {
  const climbing = makeTask({ container: { secrets: [secretRef(db, { target: '../../etc/passwd' })] } });
  assert.throws(() => taskFiles(climbing, deps([db])), /containerSpec\.secrets\[0\]\.file\.name/);
  const twice = makeTask({
    container: { secrets: [secretRef(db, { target: 'x' }), secretRef(db, { target: 'x' })] },
  });
  assert.throws(() => taskFiles(twice, deps([db])), /two files target \/run\/secrets\/x/);
  const named = makeTask({ container: { secrets: [secretRef(db, { uid: 'www-data' })] } });
  assert.throws(
    () => taskFiles(named, deps([db])),
    (e: unknown) => e instanceof InvalidTaskSpecError && e.field === 'containerSpec.secrets[0].file.uid',
  );
});
