// One probe per gRPC method served on a manager's cluster port (Raft, NodeCA, Dispatcher,
// Control): each makes one real call with the given client and reports the status it ended
// with (OK once a stream answered its first message). Probes that get past authorization hit a
// harmless refusal where possible (an unknown session, raft ID 0, a malformed record), so that
// running the whole matrix changes little in the cluster.

import * as grpc from '@grpc/grpc-js';
import { shoal } from '../../proto/gen/control.js';
import {
  newGetRootRequest,
  newIssueRequest,
  newRenewRequest,
  nodeCaServiceDefinition,
} from '../../ca/ca-service.js';
import { controlServiceDefinition } from '../control/control-service.js';
import { encodeJson } from '../../api/wire/json-codec.js';
import {
  dispatcherServiceDefinition,
  newAssignmentsRequest,
  newHeartbeatRequest,
  newLogSubscriptionsRequest,
  newSessionRequest,
  newUpdateTaskStatusRequest,
} from '../../api/wire/service.js';
import { newBatch, raftServiceDefinition } from '../raft/driver/grpc-service.js';
import type { NodeDescription } from '../../api/objects/index.js';

export interface ProbeResult {
  readonly code: grpc.status;
  readonly details: string;
}

export type Probe = (client: grpc.Client) => Promise<ProbeResult>;

/** A session ID no manager issued. */
export const UNKNOWN_SESSION = 'no-such-session';
/** The Raft member a LeaveRaft probe names: nobody's. */
export const FOREIGN_RAFT_ID = 424242;
const DEADLINE_MS = 10_000;

const deadline = (): grpc.Deadline => Date.now() + DEADLINE_MS;
const ok: ProbeResult = { code: grpc.status.OK, details: '' };
const failed = (e: grpc.ServiceError): ProbeResult => ({ code: e.code, details: e.details });

function unary<Req>(path: string, serialize: (m: Req) => Buffer, request: Req): Probe {
  return (client) =>
    new Promise((resolve) => {
      client.makeUnaryRequest(
        path,
        serialize,
        (b: Buffer) => b,
        request,
        new grpc.Metadata(),
        { deadline: deadline() },
        (e) => resolve(e ? failed(e) : ok),
      );
    });
}

/** A server stream: OK once the first message arrives. */
function serverStream<Req>(path: string, serialize: (m: Req) => Buffer, request: Req): Probe {
  return (client) =>
    new Promise((resolve) => {
      const call = client.makeServerStreamRequest(
        path,
        serialize,
        (b: Buffer) => b,
        request,
        new grpc.Metadata(),
        {
          deadline: deadline(),
        },
      );
      settle(call, resolve);
    });
}

/** A client stream: sends `messages`, half-closes, and reports the answer. */
function clientStream<Req>(path: string, serialize: (m: Req) => Buffer, messages: readonly Req[]): Probe {
  return (client) =>
    new Promise((resolve) => {
      const call = client.makeClientStreamRequest(
        path,
        serialize,
        (b: Buffer) => b,
        new grpc.Metadata(),
        { deadline: deadline() },
        (e) => resolve(e ? failed(e) : ok),
      );
      for (const m of messages) call.write(m);
      call.end();
    });
}

/** A bidirectional stream: sends one message; OK once the first answer arrives. */
function bidiStream<Req>(path: string, serialize: (m: Req) => Buffer, first: Req): Probe {
  return (client) =>
    new Promise((resolve) => {
      const call = client.makeBidiStreamRequest(path, serialize, (b: Buffer) => b, new grpc.Metadata(), {
        deadline: deadline(),
      });
      settle(call, resolve);
      call.write(first);
    });
}

function settle(call: grpc.ClientReadableStream<Buffer>, resolve: (r: ProbeResult) => void): void {
  let done = false;
  const finish = (r: ProbeResult): void => {
    if (done) return;
    done = true;
    resolve(r);
    call.cancel();
  };
  call.on('data', () => finish(ok));
  call.on('error', (e: grpc.ServiceError) => finish(failed(e)));
  call.on('end', () => finish({ code: grpc.status.UNKNOWN, details: 'stream ended without a message' }));
}

export interface ProbeInputs {
  /** A current join token of the cluster (IssueNodeCertificate is token-gated, not identity-gated). */
  readonly joinToken: string;
  /** A PEM CSR for the certificate calls. */
  readonly csrPem: string;
  readonly description: NodeDescription;
}

/** Every method of the cluster port, by name, with its probe. */
export function clusterPortProbes(i: ProbeInputs): ReadonlyMap<string, Probe> {
  const ca = nodeCaServiceDefinition;
  const d = dispatcherServiceDefinition;
  const c = controlServiceDefinition;
  const r = raftServiceDefinition;
  return new Map<string, Probe>([
    ['Raft/Stream', bidiStream(r.stream.path, r.stream.requestSerialize, newBatch([]))],
    ['Raft/SendSnapshot', clientStream(r.sendSnapshot.path, r.sendSnapshot.requestSerialize, [])],
    [
      'NodeCA/GetRootCACertificate',
      unary(ca.getRootCACertificate.path, ca.getRootCACertificate.requestSerialize, newGetRootRequest()),
    ],
    [
      'NodeCA/IssueNodeCertificate',
      unary(
        ca.issueNodeCertificate.path,
        ca.issueNodeCertificate.requestSerialize,
        newIssueRequest({ csr: i.csrPem, token: i.joinToken }),
      ),
    ],
    [
      'NodeCA/RenewNodeCertificate',
      unary(
        ca.renewNodeCertificate.path,
        ca.renewNodeCertificate.requestSerialize,
        newRenewRequest({ csr: i.csrPem }),
      ),
    ],
    [
      'Dispatcher/Session',
      serverStream(
        d.session.path,
        d.session.requestSerialize,
        newSessionRequest({ description: encodeJson(i.description) }),
      ),
    ],
    [
      'Dispatcher/Heartbeat',
      unary(
        d.heartbeat.path,
        d.heartbeat.requestSerialize,
        newHeartbeatRequest({ sessionId: UNKNOWN_SESSION }),
      ),
    ],
    [
      'Dispatcher/UpdateTaskStatus',
      unary(
        d.updateTaskStatus.path,
        d.updateTaskStatus.requestSerialize,
        newUpdateTaskStatusRequest({ sessionId: UNKNOWN_SESSION, updates: [] }),
      ),
    ],
    [
      'Dispatcher/Assignments',
      serverStream(
        d.assignments.path,
        d.assignments.requestSerialize,
        newAssignmentsRequest({ sessionId: UNKNOWN_SESSION }),
      ),
    ],
    [
      'Dispatcher/LogSubscriptions',
      serverStream(
        d.logSubscriptions.path,
        d.logSubscriptions.requestSerialize,
        newLogSubscriptionsRequest({ sessionId: UNKNOWN_SESSION }),
      ),
    ],
    ['Dispatcher/PublishLogs', clientStream(d.publishLogs.path, d.publishLogs.requestSerialize, [])],
    [
      'Control/Forward',
      unary(
        c.forward.path,
        c.forward.requestSerialize,
        shoal.control.ForwardRequest.create({ method: 'GET', url: '/v1.41/info', headers: {} }),
      ),
    ],
    [
      'Control/JoinRaft',
      unary(
        c.joinRaft.path,
        c.joinRaft.requestSerialize,
        shoal.control.JoinRaftRequest.create({ raftId: 0, addr: '127.0.0.1:1' }),
      ),
    ],
    [
      'Control/LeaveRaft',
      unary(
        c.leaveRaft.path,
        c.leaveRaft.requestSerialize,
        shoal.control.LeaveRaftRequest.create({ raftId: FOREIGN_RAFT_ID }),
      ),
    ],
    [
      'Control/RecordCertificate',
      unary(
        c.recordCertificate.path,
        c.recordCertificate.requestSerialize,
        shoal.control.RecordCertificateRequest.create({ nodeId: 'probe-record', role: 'admin' }),
      ),
    ],
  ]);
}
