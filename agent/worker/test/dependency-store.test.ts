// The worker's in-memory secrets and configs: full sets replace, incremental changes add, and
// an object no task references any more is forgotten.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { configRef, makeConfig, makeSecret, secretRef } from '../../exec/test/dependency-fixture.js';
import { makeTask } from '../../exec/test/task-fixture.js';
import { DependencyStore, hasDependencies } from '../dependency-store.js';

const db = makeSecret('db', 'hunter2');
const api = makeSecret('api', 'token');
const conf = makeConfig('app.conf', 'x=1');

test('a full set replaces what was held; an incremental change adds to it', () => {
  const store = new DependencyStore();
  assert.equal(store.synced, false);
  store.apply({ full: false, secrets: [db], configs: [] });
  store.apply({ full: true, secrets: [api], configs: [conf] });
  assert.equal(store.synced, true);
  assert.equal(store.secret(db.id), undefined, 'the full set did not carry it');
  assert.equal(store.secret(api.id), api);
  assert.equal(store.config(conf.id), conf);
  store.apply({ full: false, secrets: [db], configs: [] });
  assert.equal(store.secret(db.id), db);
  assert.equal(store.secret(api.id), api, 'an incremental change keeps what it does not mention');
  assert.deepEqual(store.size, { secrets: 2, configs: 1 });
});

test('a newer copy of an object replaces the older one', () => {
  const store = new DependencyStore();
  store.apply({ full: true, secrets: [db], configs: [] });
  const relabelled = { ...db, spec: { ...db.spec, labels: { env: 'prod' } } };
  store.apply({ full: false, secrets: [relabelled], configs: [] });
  assert.equal(store.secret(db.id), relabelled);
  assert.deepEqual(store.size, { secrets: 1, configs: 0 });
});

test('objects no given task references are forgotten; referenced ones are kept', () => {
  const store = new DependencyStore();
  store.apply({ full: true, secrets: [db, api], configs: [conf] });
  const usesDb = makeTask({ container: { secrets: [secretRef(db)] } });
  const usesConf = makeTask({ container: { configs: [configRef(conf)] } });
  store.retainReferencedBy([usesDb, usesConf]);
  assert.equal(store.secret(db.id), db);
  assert.equal(store.secret(api.id), undefined);
  assert.equal(store.config(conf.id), conf);
  store.retainReferencedBy([usesDb]);
  assert.equal(store.config(conf.id), undefined);
  store.retainReferencedBy([]);
  assert.deepEqual(store.size, { secrets: 0, configs: 0 });
});

test('hasDependencies tells tasks with secrets or configs from the rest', () => {
  assert.equal(hasDependencies(makeTask()), false);
  assert.equal(hasDependencies(makeTask({ container: { secrets: [secretRef(db)] } })), true);
  assert.equal(hasDependencies(makeTask({ container: { configs: [configRef(conf)] } })), true);
});
