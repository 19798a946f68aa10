import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateUnlockKey, parseUnlockKey } from '../../../api/unlock-key.js';
import {
  checkInit,
  checkJoin,
  checkJoinRequest,
  checkLeave,
  checkRemoteAddrs,
  checkUnlock,
  joinAvailability,
  Refusal,
  type RefusalKind,
} from '../index.js';

function refused(f: () => unknown, kind: RefusalKind, status: number, message: string): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof Refusal, String(e));
    assert.equal(e.kind, kind);
    assert.equal(e.statusCode, status);
    assert.equal(e.message, message);
    return true;
  });
}

const SWARM_EXISTS =
  'This node is already part of a swarm. Use "docker swarm leave" to leave this swarm and join another one.';
const MANAGER_LEAVE =
  'You are attempting to leave the swarm on a node that is participating as a manager. Removing the last manager erases all current state of the swarm. Use `--force` to ignore this message. ';

test('swarm init and join: only on a node in no swarm, with a manager to ask', () => {
  const member = { inSwarm: true, manager: false };
  const outsider = { inSwarm: false, manager: false };
  refused(() => checkInit(member), 'unavailable', 503, SWARM_EXISTS);
  assert.doesNotThrow(() => checkInit(outsider));
  refused(() => checkJoin(member, { remoteAddrs: ['10.0.0.1'] }), 'unavailable', 503, SWARM_EXISTS);
  refused(
    () => checkJoin(outsider, { remoteAddrs: [] }),
    'invalid-argument',
    400,
    'at least 1 RemoteAddr is required to join',
  );
  refused(() => checkRemoteAddrs([]), 'invalid-argument', 400, 'at least 1 RemoteAddr is required to join');
  refused(
    () => checkJoinRequest({ listenAddr: '0.0.0.0:2377', remoteAddrs: [], joinToken: 'SWMTKN-1-x' }),
    'invalid-argument',
    400,
    'at least 1 RemoteAddr is required to join',
  );
  assert.doesNotThrow(() => checkJoin(outsider, { remoteAddrs: ['10.0.0.1'] }));
});

test('swarm init --force-new-cluster: a manager of a swarm recovers it; a worker cannot; no swarm: a new one', () => {
  const NOT_MANAGER =
    "This node is not a swarm manager. Worker nodes can't be used to view or modify cluster state. Please run this command on a manager node or promote the current node to a manager.";
  const manager = { inSwarm: true, manager: true };
  assert.equal(checkInit(manager, true), 'force-new-cluster');
  refused(() => checkInit(manager, false), 'unavailable', 503, SWARM_EXISTS);
  refused(() => checkInit({ inSwarm: true, manager: false }, true), 'unavailable', 503, NOT_MANAGER);
  refused(() => checkInit({ ...manager, removed: true }, true), 'unavailable', 503, NOT_MANAGER);
  assert.equal(checkInit({ inSwarm: false, manager: false }, true), 'new-swarm');
  assert.equal(checkInit({ inSwarm: false, manager: false }), 'new-swarm');
});

test('join availability: active, pause or drain (or none), in dockerd wording', () => {
  assert.equal(joinAvailability(undefined), undefined);
  assert.equal(joinAvailability(''), undefined);
  for (const a of ['active', 'pause', 'drain'] as const) assert.equal(joinAvailability(a), a);
  refused(() => joinAvailability('sometimes'), 'invalid-argument', 400, 'invalid Availability: "sometimes"');
});

test('swarm leave: a manager needs force unless it was removed; a node in no swarm cannot leave', () => {
  refused(
    () => checkLeave({ inSwarm: false, manager: false }, true),
    'unavailable',
    503,
    'This node is not part of a swarm',
  );
  refused(() => checkLeave({ inSwarm: true, manager: true }, false), 'unavailable', 503, MANAGER_LEAVE);
  assert.doesNotThrow(() => checkLeave({ inSwarm: true, manager: true }, true));
  assert.doesNotThrow(() => checkLeave({ inSwarm: true, manager: true, removed: true }, false));
  assert.doesNotThrow(() => checkLeave({ inSwarm: true, manager: false }, false));
});

test('swarm unlock: 409 when not locked; a malformed key is refused before it is tried', () => {
  const key = generateUnlockKey();
  refused(() => checkUnlock('active', key), 'conflict', 409, 'swarm is not locked');
  for (const bad of [
    '',
    'SWMKEY-1-',
    'SWMKEY-2-' + key.slice(9),
    key.slice(0, -1),
    key + 'A',
    'x'.repeat(100_000),
  ]) {
    assert.throws(
      () => checkUnlock('locked', bad),
      (e: unknown) => e instanceof Refusal && e.statusCode === 400 && /invalid key supplied/.test(e.message),
    );
  }
  assert.deepEqual(checkUnlock('locked', `  ${key}\n`), parseUnlockKey(key));
});
