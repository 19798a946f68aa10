import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConflictError, NameConflictError } from '../../store/index.js';
import {
  alreadyExists,
  badRequest,
  conflict,
  failedPrecondition,
  invalidArgument,
  notFound,
  permissionDenied,
  Refusal,
  storeRefusal,
  unavailable,
  unimplemented,
} from '../index.js';

test("every refusal is one shape: its kind fixes Docker's status, its message is what users read", () => {
  const cases: [Refusal, string, number, string][] = [
    [invalidArgument('bad'), 'invalid-argument', 400, 'rpc error: code = InvalidArgument desc = bad'],
    [badRequest('bad'), 'invalid-argument', 400, 'bad'],
    [failedPrecondition('no'), 'failed-precondition', 400, 'rpc error: code = FailedPrecondition desc = no'],
    [notFound('gone'), 'not-found', 404, 'gone'],
    [alreadyExists('x'), 'already-exists', 409, 'rpc error: code = AlreadyExists desc = x'],
    [alreadyExists('x', false), 'already-exists', 409, 'x'],
    [conflict('stale'), 'conflict', 409, 'stale'],
    [permissionDenied('p'), 'permission-denied', 403, 'rpc error: code = PermissionDenied desc = p'],
    [unimplemented('u'), 'unimplemented', 501, 'rpc error: code = Unimplemented desc = u'],
    [unimplemented('u', false), 'unimplemented', 501, 'u'],
    [unavailable('later', 'SWARM_EXISTS'), 'unavailable', 503, 'later'],
  ];
  for (const [r, kind, status, message] of cases) {
    assert.ok(r instanceof Refusal && r instanceof Error);
    assert.equal(r.kind, kind, message);
    assert.equal(r.statusCode, status, message);
    assert.equal(r.message, message);
  }
  assert.equal(invalidArgument('x').code, 'INVALID_ARGUMENT');
  assert.equal(unavailable('x', 'SWARM_EXISTS').code, 'SWARM_EXISTS');
  assert.equal(new Refusal('permission-denied', 'overlap', 'POOL_OVERLAP').code, 'POOL_OVERLAP');
});

test("the store's refusals of a write, in swarmkit's wording", () => {
  const stale = storeRefusal(new ConflictError('services', 's1', 3, 2));
  assert.equal(stale?.kind, 'conflict');
  assert.equal(stale?.statusCode, 409);
  assert.equal(stale?.message, 'rpc error: code = Unknown desc = update out of sequence');
  const taken = storeRefusal(new NameConflictError('services', 'name', 'web', 's1'));
  assert.equal(taken?.statusCode, 409);
  assert.equal(
    taken?.message,
    'rpc error: code = AlreadyExists desc = name conflicts with an existing object: service web already exists',
  );
  assert.equal(
    storeRefusal(new NameConflictError('networks', 'name', 'net', 'n1'))?.message,
    'rpc error: code = AlreadyExists desc = name conflicts with an existing object: network net already exists',
  );
  assert.equal(storeRefusal(new Error('other')), undefined);
});
