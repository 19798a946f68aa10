// A real gRPC server on 127.0.0.1 (port 0) with a small guarded service, and a client for it:
// the harness for the mutual-TLS tests. The service answers with the caller's identity as JSON.

import * as grpc from '@grpc/grpc-js';
import { toGrpcStatus } from '../../../../ca/errors.js';
import { peerIdentity, requireRole } from '../../../../ca/peer-identity.js';

const text = {
  serialize: (s: string): Buffer => Buffer.from(s, 'utf8'),
  deserialize: (b: Buffer): string => b.toString('utf8'),
};

function method(name: string): grpc.MethodDefinition<string, string> {
  return {
    path: `/shoal.test.Guarded/${name}`,
    requestStream: false,
    responseStream: false,
    requestSerialize: text.serialize,
    requestDeserialize: text.deserialize,
    responseSerialize: text.serialize,
    responseDeserialize: text.deserialize,
  };
}

/** ManagerOnly: requireRole(call, 'manager'). AnyNode: requireRole(call, ['worker', 'manager']). WhoAmI: peerIdentity(call). */
export const guardedServiceDefinition = {
  managerOnly: method('ManagerOnly'),
  anyNode: method('AnyNode'),
  whoAmI: method('WhoAmI'),
} satisfies grpc.ServiceDefinition;

export const guardedImplementation: grpc.UntypedServiceImplementation = {
  managerOnly: ((call, callback) => {
    try {
      callback(null, JSON.stringify(requireRole(call, 'manager')));
    } catch (e: unknown) {
      callback(toGrpcStatus(e));
    }
  }) satisfies grpc.handleUnaryCall<string, string>,
  anyNode: ((call, callback) => {
    try {
      callback(null, JSON.stringify(requireRole(call, ['worker', 'manager'])));
    } catch (e: unknown) {
      callback(toGrpcStatus(e));
    }
  }) satisfies grpc.handleUnaryCall<string, string>,
  whoAmI: ((call, callback) => {
    callback(null, JSON.stringify(peerIdentity(call) ?? null));
  }) satisfies grpc.handleUnaryCall<string, string>,
};

export interface RunningServer {
  readonly target: string;
  readonly server: grpc.Server;
  close(): void;
}

/** Starts a server with `credentials` on 127.0.0.1 and a free port, with the services added by `register`. */
export async function startServer(
  credentials: grpc.ServerCredentials,
  register: (server: grpc.Server) => void,
): Promise<RunningServer> {
  const server = new grpc.Server();
  register(server);
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', credentials, (err, p) => (err ? reject(err) : resolve(p)));
  });
  return { target: `127.0.0.1:${port}`, server, close: () => server.forceShutdown() };
}

/** The outcome of one unary call: the answer, or the gRPC status code and details. */
export type CallOutcome = { ok: true; value: string } | { ok: false; code: grpc.status; details: string };

export async function callGuarded(
  target: string,
  credentials: grpc.ChannelCredentials,
  which: keyof typeof guardedServiceDefinition,
  options: grpc.ChannelOptions = {},
): Promise<CallOutcome> {
  const client = new grpc.Client(target, credentials, options);
  const m = guardedServiceDefinition[which];
  try {
    return await new Promise<CallOutcome>((resolve) => {
      client.makeUnaryRequest(
        m.path,
        m.requestSerialize,
        m.responseDeserialize,
        'ping',
        { deadline: Date.now() + 5_000 },
        (err: grpc.ServiceError | null, value?: string) => {
          if (err) resolve({ ok: false, code: err.code, details: err.details });
          else resolve({ ok: true, value: value ?? '' });
        },
      );
    });
  } finally {
    client.close();
  }
}
