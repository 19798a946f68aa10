// Simulated nodes of the scale bench, many per process: each joins the swarm as a real node
// does (a CSR signed by the managers' CA with the worker token) and keeps a real agent session
// (the dispatcher protocol over gRPC with mutual TLS), but runs no containers: a task it is
// given goes accepted → preparing at once, then ready → starting → running after a delay, and
// shutdown when the managers want it stopped (a null executor). The first node of the first
// process talks to its manager through a TCP proxy that counts the bytes it receives, so the
// driver can tell what one change costs one node.
//
// Usage: node node-simulator.js --manager ADDR --token TOKEN --count N --first I [--delay-ms D] [--proxy]

import { connect, createServer, type Server } from 'node:net';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { AgentSession } from '../../agent/session/index.js';
import type { TaskState, TaskStatus } from '../../api/objects/index.js';
import type { AssignmentChange, TaskStatusReport } from '../../api/wire/assignments.js';
import { joinSwarmPki, type NodeCredentials } from '../../ca/ca-client.js';
import { NODE_CHANNEL_OPTIONS, nodeChannelCredentials } from '../../ca/tls-credentials.js';
import type { SimulatorMessage, SimulatorRequest } from './protocol.js';

const logger = pino({ level: process.env['SHOAL_SCALE_LOG'] ?? 'silent' });
const JOIN_CONCURRENCY = 16;

function send(m: SimulatorMessage): void {
  process.send?.(m);
}

function status(state: TaskState): TaskStatus {
  return { timestamp: new Date().toISOString(), state, message: state };
}

/**
 * A TCP proxy to `target` counting the bytes that come back and the connections open through
 * it (a node whose session ends reconnects to the managers it learned, not through the proxy);
 * answers its own address.
 */
function countingProxy(
  target: string,
  counter: { received: number; open: number },
): Promise<{ addr: string; server: Server }> {
  const [host, port] = [
    target.slice(0, target.lastIndexOf(':')),
    Number(target.slice(target.lastIndexOf(':') + 1)),
  ];
  const server = createServer((client) => {
    const upstream = connect(port, host);
    counter.open++;
    upstream.on('data', (b: Buffer) => (counter.received += b.length));
    client.pipe(upstream).pipe(client);
    let ended = false;
    const end = (): void => {
      if (!ended) counter.open--;
      ended = true;
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      resolve({ addr: `127.0.0.1:${typeof a === 'object' && a !== null ? a.port : 0}`, server });
    }),
  );
}

/** One simulated node's tasks: what it reported last for each, and its pending steps. */
class NullNode {
  readonly #reported = new Map<string, TaskState>();
  readonly #delayMs: number;
  session: AgentSession | undefined;

  constructor(delayMs: number) {
    this.#delayMs = delayMs;
  }

  apply(change: AssignmentChange): void {
    const reports: TaskStatusReport[] = [];
    if (change.full) {
      const keep = new Set(change.updated.map((t) => t.id));
      for (const id of [...this.#reported.keys()]) if (!keep.has(id)) this.#reported.delete(id);
    }
    for (const id of change.removed) this.#reported.delete(id);
    for (const t of change.updated) {
      const last = this.#reported.get(t.id);
      if (t.desiredState === 'running' && last === undefined) {
        this.#reported.set(t.id, 'preparing');
        reports.push(
          { taskId: t.id, status: status('accepted') },
          { taskId: t.id, status: status('preparing') },
        );
        setTimeout(() => this.#run(t.id), this.#delayMs);
      } else if (t.desiredState !== 'running' && t.desiredState !== 'ready' && last !== 'shutdown') {
        this.#reported.set(t.id, 'shutdown');
        reports.push({ taskId: t.id, status: status('shutdown') });
      }
    }
    if (reports.length > 0) this.session?.reportStatus(reports);
  }

  #run(id: string): void {
    if (this.#reported.get(id) !== 'preparing') return;
    this.#reported.set(id, 'running');
    this.session?.reportStatus(
      (['ready', 'starting', 'running'] as const).map((s) => ({ taskId: id, status: status(s) })),
    );
  }
}

async function joinAll(manager: string, token: string, count: number): Promise<NodeCredentials[]> {
  const out: NodeCredentials[] = new Array<NodeCredentials>(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(JOIN_CONCURRENCY, count) }, async () => {
      while (next < count) {
        const i = next++;
        out[i] = await joinSwarmPki(manager, token);
      }
    }),
  );
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      manager: { type: 'string' },
      token: { type: 'string' },
      count: { type: 'string' },
      first: { type: 'string', default: '0' },
      'delay-ms': { type: 'string', default: '200' },
      proxy: { type: 'boolean', default: false },
    },
  });
  const manager = values.manager;
  const token = values.token;
  const count = Number(values.count);
  const first = Number(values.first);
  const delayMs = Number(values['delay-ms']);
  if (manager === undefined || token === undefined || !Number.isSafeInteger(count) || count < 1) {
    throw new Error(
      'usage: node-simulator --manager ADDR --token TOKEN --count N --first I [--delay-ms D] [--proxy]',
    );
  }
  const creds = await joinAll(manager, token, count);
  send({ type: 'joined', nodes: count });
  const counter = { received: 0, open: 0 };
  const proxy = values.proxy ? await countingProxy(manager, counter) : undefined;
  let sessions = 0;
  const nodes = creds.map((c, i) => {
    const node = new NullNode(delayMs);
    let counted = false;
    node.session = new AgentSession({
      managers: [i === 0 && proxy !== undefined ? proxy.addr : manager],
      credentials: nodeChannelCredentials(c),
      // A local subchannel pool per node: one connection each, as real nodes have.
      channelOptions: { ...NODE_CHANNEL_OPTIONS, 'grpc.use_local_subchannel_pool': 1 },
      nodeDescription: {
        hostname: `sim-${first + i}`,
        platform: { architecture: 'x86_64', os: 'linux' },
        resources: { nanoCPUs: 4e9, memoryBytes: 8 * 2 ** 30, generic: [] },
        engine: { engineVersion: '20.10.24', labels: {}, plugins: [] },
      },
      onAssignments: (change) => {
        node.apply(change);
        if (change.full && !counted) {
          counted = true;
          if (++sessions === count) send({ type: 'sessions', nodes: count });
        }
      },
      logger,
      sessionTimeoutMs: 60_000,
      callTimeoutMs: 60_000,
      // The first node of each process reads its network views as an agent does (a view or
      // patch that does not fit would show as a resync in its log); the others receive theirs
      // and drop them unread. A real node decodes only its own view, on its own cores; here
      // hundreds of nodes share the managers' two, and decoding every node's view starved
      // their heartbeats (500 nodes / 20k tasks: sessions expired behind unread views).
      readNetworkViews: i === 0,
    });
    node.session.start();
    return node;
  });
  // SHOAL_SCALE_TRACE=1: every 5 s, the bytes the proxied node received so far, on stderr.
  if (process.env['SHOAL_SCALE_TRACE'] === '1' && proxy !== undefined) {
    setInterval(() => {
      process.stderr.write(`  [sim-${first}] proxied node received ${counter.received} bytes\n`);
    }, 5_000).unref();
  }
  process.on('message', (raw: unknown) => {
    const m = raw as SimulatorRequest;
    if (m.type === 'bytes') send({ type: 'bytes', received: counter.received, open: counter.open });
    else if (m.type === 'stop') {
      void Promise.all(nodes.map((n) => n.session?.stop() ?? Promise.resolve())).finally(() => {
        proxy?.server.close();
        process.exit(0);
      });
    }
  });
}

main().catch((e: unknown) => {
  send({ type: 'failed', error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  process.exit(1);
});
