// Test harness: managers serving the real Dispatcher over loopback gRPC (port 0, insecure
// credentials) on a real MemoryStore, agents running the real AgentSession, and the identity
// of each agent carried in its channel's user agent (the stand-in for its TLS certificate).

import * as grpc from '@grpc/grpc-js';
import pino from 'pino';
import type { AssignmentChange } from '../../api/wire/assignments.js';
import type { NodeNetworkView } from '../../api/network/network-view.js';
import { AgentSession, type AgentSessionOptions } from '../../agent/session/index.js';
import { createLocalStore, type MemoryStore } from '../../manager/store/index.js';
import type { NewObject, Task, TaskState, TaskStatus } from '../../api/objects/index.js';
import { newCluster, newNode, newTask } from '../../manager/store/test/fixtures.js';
import { Dispatcher, type DispatcherOptions } from '../../manager/dispatcher/dispatcher.js';
import type { Identify } from '../../manager/dispatcher/identity.js';

export const silent = pino({ level: process.env['SHOAL_TEST_LOG'] ?? 'silent' });

const UA_PREFIX = 'shoal-test-node/';

/** Reads the node ID the test agent put in its user agent. */
export const testIdentify: Identify = (call) => {
  const ua = call.metadata.get('user-agent')[0];
  if (typeof ua !== 'string') return undefined;
  const m = /shoal-test-node\/([A-Za-z0-9_.-]+)/.exec(ua);
  return m?.[1] === undefined ? undefined : { nodeId: m[1], role: 'worker' };
};

export function identityOptions(nodeId: string): grpc.ChannelOptions {
  return { 'grpc.primary_user_agent': `${UA_PREFIX}${nodeId}` };
}

/** Polls `fn` until it returns something other than undefined/false (bounded). */
export async function waitFor<T>(
  fn: () => T | undefined | false,
  what: string,
  timeoutMs = 5000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export class TestManager {
  readonly server: grpc.Server;
  readonly dispatcher: Dispatcher;
  readonly addr: string;
  #run: { controller: AbortController; done: Promise<void> } | undefined;

  private constructor(server: grpc.Server, dispatcher: Dispatcher, addr: string) {
    this.server = server;
    this.dispatcher = dispatcher;
    this.addr = addr;
  }

  static async start(store: MemoryStore, o: Partial<DispatcherOptions> = {}): Promise<TestManager> {
    const server = new grpc.Server();
    const dispatcher = new Dispatcher({ store, identify: testIdentify, logger: silent, ...o });
    dispatcher.register(server);
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
        e ? reject(e) : resolve(p),
      ),
    );
    return new TestManager(server, dispatcher, `127.0.0.1:${port}`);
  }

  /** Becomes the leader: the dispatcher runs until `stepDown`. */
  lead(): void {
    const controller = new AbortController();
    this.#run = { controller, done: this.dispatcher.run(controller.signal) };
  }

  async stepDown(): Promise<void> {
    const run = this.#run;
    this.#run = undefined;
    run?.controller.abort();
    await run?.done;
  }

  async shutdown(): Promise<void> {
    await this.stepDown();
    this.server.forceShutdown();
  }
}

/** What an agent's worker would hold: the tasks of the last full set plus later changes. */
export class AgentView {
  readonly changes: AssignmentChange[] = [];
  readonly tasks = new Map<string, Task>();
  readonly secrets = new Set<string>();
  /** The network view the last change carried. */
  network: NodeNetworkView | undefined;

  apply(change: AssignmentChange): void {
    this.changes.push(change);
    this.network = change.networks ?? this.network;
    if (change.full) this.tasks.clear();
    for (const t of change.updated) this.tasks.set(t.id, t);
    for (const id of change.removed) this.tasks.delete(id);
    for (const s of change.secrets) this.secrets.add(s.id);
  }

  get fullSets(): number {
    return this.changes.filter((c) => c.full).length;
  }
}

export function startAgent(
  nodeId: string,
  managers: readonly string[],
  o: Partial<AgentSessionOptions> = {},
): { agent: AgentSession; view: AgentView } {
  const view = new AgentView();
  const description = newNode(nodeId).description;
  if (description === undefined) throw new Error('fixture node has no description');
  const agent = new AgentSession({
    managers,
    credentials: grpc.credentials.createInsecure(),
    channelOptions: identityOptions(nodeId),
    nodeDescription: { ...description, hostname: `agent-${nodeId}` },
    onAssignments: (c) => view.apply(c),
    logger: silent,
    backoff: { initialMs: 20, maxMs: 200 },
    ...o,
  });
  agent.start();
  return { agent, view };
}

export function assignedTask(
  id: string,
  nodeId: string | undefined,
  state: TaskState = 'assigned',
): NewObject<'tasks'> {
  const t = newTask(id, 'svc1', 1, nodeId);
  return { ...t, status: { ...t.status, state, message: state } };
}

export function status(state: TaskState, message: string = state): TaskStatus {
  return { timestamp: new Date().toISOString(), state, message };
}

/** A store with a cluster (heartbeat period `periodMs`) and worker nodes `nodeIds`. */
export async function clusterStore(periodMs: number, nodeIds: readonly string[]): Promise<MemoryStore> {
  const store = createLocalStore();
  await store.update((tx) => {
    const c = newCluster('c1');
    tx.create('clusters', { ...c, spec: { ...c.spec, dispatcher: { heartbeatPeriod: periodMs } } });
    for (const id of nodeIds) {
      const n = newNode(id);
      tx.create('nodes', { ...n, status: { state: 'unknown', message: '', addr: '' } });
    }
  });
  return store;
}
