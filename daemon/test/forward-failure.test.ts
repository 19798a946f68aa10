// What a failed Control.Forward means for the request: retried only when no leader can have
// run it, never replayed when it may have, and never shown to clients as raw gRPC text.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { ForwardOutcomeUnknownError, LeaderNotReachedError } from '../../manager/engineapi/control-errors.js';
import { toHttpFailure } from '../../manager/engineapi/errors.js';
import { forwardFailure, grpcCodeName } from '../forward-failure.js';

function grpcError(code: grpc.status, details: string): grpc.ServiceError {
  return Object.assign(new Error(`${code} ${grpc.status[code]}: ${details}`), {
    code,
    details,
    metadata: new grpc.Metadata(),
  });
}

const LEADER = '10.0.0.1:2377';

test('forward failures: not reached (retry), maybe ran (no replay), refused (as Docker words it)', () => {
  const table: [grpc.ServiceError, 'not-reached' | 'maybe-ran' | 'refused', RegExp][] = [
    [
      grpcError(
        grpc.status.UNAVAILABLE,
        'No connection established. Last error: connect ECONNREFUSED 10.0.0.1:2377',
      ),
      'not-reached',
      /the leader at 10\.0\.0\.1:2377 cannot be reached/,
    ],
    [
      grpcError(grpc.status.UNAVAILABLE, 'Name resolution failed for target dns:x'),
      'not-reached',
      /cannot be reached/,
    ],
    [
      grpcError(grpc.status.FAILED_PRECONDITION, 'not the leader (leader is 10.0.0.2:2377)'),
      'not-reached',
      /10\.0\.0\.1:2377 is no longer the leader/,
    ],
    [
      grpcError(grpc.status.UNAVAILABLE, 'Connection dropped'),
      'maybe-ran',
      /Unavailable: Connection dropped/,
    ],
    [
      grpcError(grpc.status.DEADLINE_EXCEEDED, 'Deadline exceeded'),
      'maybe-ran',
      /DeadlineExceeded: Deadline/,
    ],
    [grpcError(grpc.status.INTERNAL, 'boom'), 'maybe-ran', /may have been applied/],
    [
      grpcError(grpc.status.PERMISSION_DENIED, 'a manager certificate is required'),
      'refused',
      /^rpc error: code = PermissionDenied desc = a manager certificate is required$/,
    ],
  ];
  for (const [e, kind, message] of table) {
    const out = forwardFailure(e, LEADER);
    const label = `${grpc.status[e.code]} ${e.details}`;
    if (kind === 'not-reached') assert.ok(out instanceof LeaderNotReachedError, label);
    else if (kind === 'maybe-ran') assert.ok(out instanceof ForwardOutcomeUnknownError, label);
    else
      assert.ok(!(out instanceof LeaderNotReachedError || out instanceof ForwardOutcomeUnknownError), label);
    assert.match(out.message, message, label);
    if (kind !== 'not-reached') {
      const http = toHttpFailure(out);
      assert.equal(http.statusCode, 503, label);
      assert.doesNotMatch(http.message, /^\d+ [A-Z_]+:/, `${label}: no raw gRPC text`);
    }
  }
  const plain = new Error('not gRPC');
  assert.equal(forwardFailure(plain, LEADER), plain);
});

test("gRPC code names as Go prints them in Docker's messages", () => {
  assert.equal(grpcCodeName(grpc.status.UNAVAILABLE), 'Unavailable');
  assert.equal(grpcCodeName(grpc.status.DEADLINE_EXCEEDED), 'DeadlineExceeded');
  assert.equal(grpcCodeName(grpc.status.PERMISSION_DENIED), 'PermissionDenied');
  assert.equal(grpcCodeName(999), 'Unknown');
});
