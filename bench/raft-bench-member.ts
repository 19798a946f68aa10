// One Raft member of the commit benchmark, in its own worker thread (as etcd's members run in
// their own processes): a RaftNode over LevelDB and gRPC on loopback. The member that leads
// runs the client load in-process, as the manager's API does with its proposals.

import { parentPort, workerData } from 'node:worker_threads';
import { pino } from 'pino';
import { GrpcTransport } from '../manager/raft/driver/grpc-transport.js';
import { LevelStorage } from '../manager/raft/driver/level-storage.js';
import { RaftNode } from '../manager/raft/driver/raft-node.js';
import { KvMachine, kvCommand } from '../manager/raft/driver/test/loopback-cluster.js';
import { load } from './load.js';

interface MemberData {
  readonly id: number;
  readonly dir: string;
}

type Command =
  | { readonly kind: 'start'; readonly members: [number, string][] }
  | { readonly kind: 'run'; readonly seq: number; readonly conc: number; readonly clients: number }
  | { readonly kind: 'stop' };

const port = parentPort!;
const data = workerData as MemberData;
const logger = pino({ level: 'silent' });
const VALUE = 'x'.repeat(256);

const transport = await GrpcTransport.listen({ id: data.id, listen: '127.0.0.1:0', logger });
let node: RaftNode | undefined;
port.postMessage({ kind: 'listening', port: transport.port });

port.on('message', (cmd: Command) => {
  void (async () => {
    if (cmd.kind === 'start') {
      const storage = await LevelStorage.open(data.dir);
      node = new RaftNode({
        id: data.id,
        address: `127.0.0.1:${transport.port}`,
        storage,
        transport,
        stateMachine: new KvMachine(),
        logger,
        bootstrap: new Map(cmd.members),
        tickMs: 100,
      });
      await node.start();
      port.postMessage({ kind: 'started' });
    } else if (cmd.kind === 'run') {
      const n = node!;
      if (!n.isLeader()) {
        port.postMessage({ kind: 'not-leader' });
        return;
      }
      await load(16, 500, (i) => n.propose(kvCommand(`w${i}`, VALUE)));
      const seq = await load(1, cmd.seq, (i) => n.propose(kvCommand(`s${i}`, VALUE)));
      const conc = await load(cmd.clients, cmd.conc, (i) => n.propose(kvCommand(`c${i}`, VALUE)));
      port.postMessage({ kind: 'figures', seq, conc });
    } else {
      await node?.stop();
      port.postMessage({ kind: 'stopped' });
    }
  })();
});
