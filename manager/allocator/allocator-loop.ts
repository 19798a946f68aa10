// The allocator loop (leader only): gives networks their subnet and VNI, services their virtual
// IPs and published ports, nodes their ingress sandbox address, and tasks their addresses, then
// moves each task from 'new' to 'pending' so the scheduler takes it. Decisions are the pure
// planners of this folder over an AllocationLedger rebuilt from the store on every
// (re)subscription; writes are batched, and whatever is freed (a task that stopped, a service
// or network removed) returns to the ledger as the store reports it.

import type { Logger } from 'pino';
import type { Clock } from '../../api/clock/clock.js';
import { canonicalJson } from '../store/canonical-json.js';
import type { ChangeEvent } from '../store/events.js';
import type {
  Driver,
  Endpoint,
  IPAMOptions,
  Network,
  NetworkAttachment,
  Node,
  Service,
  Task,
} from '../../api/objects/index.js';
import type { ReadTx } from '../store/read-tx.js';
import type { MemoryStore } from '../store/store.js';
import type { WriteTx } from '../store/write-tx.js';
import { writeEach } from '../loop/store-writes.js';
import { withStatus } from '../task/task-factory.js';
import { isAttachmentTask } from '../../api/objects/index.js';
import { WatchLoopBase } from '../loop/watch-loop-base.js';
import { planEndpoint, type AddressRelease, type NetworkLookup } from './endpoint-plan.js';
import { AllocatorError } from './errors.js';
import { AllocationLedger, ownerOfVip } from './ledger.js';
import { isNetworkAllocated, planNetwork, type AddressPoolSettings } from './network-plan.js';
import { planNode, releaseNode } from './node-plan.js';
import type { PortKey } from './published-ports.js';
import { DEFAULT_ADDR_POOL, DEFAULT_SUBNET_SIZE } from './subnet-pick.js';
import { isTaskDead } from './task-liveness.js';
import { planTask, releaseTask } from './task-plan.js';

/** The status message of a task the allocator hands to the scheduler (swarmkit's). */
export const ALLOCATED_MESSAGE = 'pending task scheduling';
/** A network attachment with its address, on its way to its node. */
export const ATTACHMENT_ALLOCATED_MESSAGE = 'network attachment allocated';

export interface AllocatorLoopOptions {
  readonly store: MemoryStore;
  readonly clock: Clock;
  readonly logger?: Logger;
}

type Write =
  | { kind: 'network'; id: string; basis: string; ipam: IPAMOptions; driverState: Driver }
  | {
      kind: 'service';
      id: string;
      basis: string;
      endpoint: Endpoint | undefined;
      addresses: AddressRelease[];
      ports: PortKey[];
    }
  | {
      kind: 'task';
      id: string;
      basis: string;
      attachments: NetworkAttachment[] | undefined;
      err: string | undefined;
    }
  | { kind: 'node'; id: string; basis: string; attachments: Node['attachments'] };

// What a plan was made from: a write applies only if the object still matches.
const networkBasis = (n: Network): string => canonicalJson([n.spec, n.ipam, n.driverState]);
const serviceBasis = (s: Service): string => canonicalJson([s.spec, s.endpoint]);
const taskBasis = (t: Task): string =>
  canonicalJson([t.desiredState, t.status.state, t.status.err, t.spec.networks, t.networksAttachments]);
const nodeBasis = (n: Node): string => canonicalJson(n.attachments);

function poolSettings(tx: ReadTx): AddressPoolSettings {
  const cluster = tx.list('clusters')[0];
  return {
    defaultAddrPool:
      cluster !== undefined && cluster.defaultAddrPool.length > 0
        ? cluster.defaultAddrPool
        : DEFAULT_ADDR_POOL,
    subnetSize: cluster !== undefined && cluster.subnetSize > 0 ? cluster.subnetSize : DEFAULT_SUBNET_SIZE,
  };
}

export class AllocatorLoop extends WatchLoopBase {
  readonly #o: AllocatorLoopOptions;
  #ledger = new AllocationLedger();
  #rebuild = false;
  readonly #networks = new Set<string>();
  readonly #services = new Set<string>();
  readonly #tasks = new Set<string>();
  readonly #nodes = new Set<string>();
  #allServices = false;
  #allNodes = false;
  /** Nodes whose allocation failed and was logged (forgotten once allocated or deleted). */
  readonly #nodesRefused = new Set<string>();
  /** Tasks that wait for a network or their service to be allocated. */
  readonly #waiting = new Set<string>();

  constructor(o: AllocatorLoopOptions) {
    super('allocator', ['networks', 'services', 'tasks', 'nodes'], o);
    this.#o = o;
  }

  /** The ledger as the loop holds it (for tests and diagnostics). */
  get ledger(): AllocationLedger {
    return this.#ledger;
  }

  protected override init(tx: ReadTx): void {
    this.#ledger = AllocationLedger.fromStore(tx, (what) =>
      this.log.warn({ what }, 'allocation recorded twice in the store; the first holder keeps it'),
    );
    for (const n of tx.list('networks')) this.#networks.add(n.id);
    this.#allServices = true;
    this.#allNodes = true;
    for (const t of tx.list('tasks')) if (t.status.state === 'new' && !isTaskDead(t)) this.#tasks.add(t.id);
  }

  #requeueWaiting(): void {
    for (const id of this.#waiting) this.#tasks.add(id);
    this.#waiting.clear();
  }

  protected override onEvent(e: ChangeEvent): void {
    switch (e.table) {
      case 'networks':
        if (e.action === 'delete') {
          this.#ledger.removeNetwork(e.object.id);
          this.#allNodes = true;
        } else {
          this.#networks.add(e.object.id);
        }
        this.#allServices = true;
        this.#requeueWaiting();
        return;
      case 'services':
        if (e.action === 'delete') this.#releaseService(e.object);
        else this.#services.add(e.object.id);
        this.#requeueWaiting();
        return;
      case 'tasks': {
        const t = e.object;
        if (e.action === 'delete' || (e.action === 'update' && isTaskDead(t) && !isTaskDead(e.oldObject))) {
          if (releaseTask(this.#ledger, t) > 0) this.#requeueWaiting();
        }
        if (e.action !== 'delete' && t.status.state === 'new' && !isTaskDead(t)) this.#tasks.add(t.id);
        return;
      }
      case 'nodes':
        if (e.action === 'delete') {
          this.#nodesRefused.delete(e.object.id);
          releaseNode(this.#ledger, e.object);
          this.#requeueWaiting();
        } else if (e.action === 'create' || nodeBasis(e.object) !== nodeBasis(e.oldObject)) {
          this.#nodes.add(e.object.id);
        }
        return;
      default:
        return;
    }
  }

  #releaseService(s: Service): void {
    for (const v of s.endpoint?.virtualIPs ?? []) this.#ledger.release(v.networkId, v.addr, ownerOfVip(s.id));
    for (const p of s.endpoint?.ports ?? []) {
      if (p.publishMode === 'ingress') this.#ledger.ports.release(p.protocol, p.publishedPort, s.id);
    }
  }

  /**
   * Notes why one object could not be allocated and returns the message for its status. An
   * error that is not an AllocatorError (a spec that slipped past validation, a bug) is logged
   * loudly, but only this object waits: the others are still allocated.
   */
  #fail(what: string, id: string, e: unknown): string {
    if (e instanceof AllocatorError) {
      this.log.warn({ [what]: id, err: e.message, code: e.code }, `${what} allocation failed`);
      return e.message;
    }
    this.log.error({ [what]: id, err: e }, `${what} allocation failed unexpectedly; skipped it`);
    return `allocation failed: ${e instanceof Error ? e.message : String(e)}`;
  }

  /** Plans every dirty object against the ledger; returns the writes to make. */
  #plan(tx: ReadTx): Write[] {
    const writes: Write[] = [];
    const ledger = this.#ledger;
    const networks = tx.list('networks');
    const ingress = networks.find((n) => n.spec.ingress);
    const lookup: NetworkLookup = {
      ingressId: ingress?.id,
      exists: (id) => tx.get('networks', id) !== undefined,
    };

    // Networks: the ingress network first (it takes the first subnet and VNI), then by age.
    const dirtyNetworks = [...this.#networks]
      .map((id) => tx.get('networks', id))
      .filter((n): n is Network => n !== undefined)
      .sort(
        (a, b) =>
          Number(b.spec.ingress) - Number(a.spec.ingress) || a.meta.createdAt.localeCompare(b.meta.createdAt),
      );
    this.#networks.clear();
    const settings = poolSettings(tx);
    for (const n of dirtyNetworks) {
      if (isNetworkAllocated(ledger, n)) continue;
      try {
        const a = planNetwork(ledger, n, networks, settings);
        writes.push({ kind: 'network', id: n.id, basis: networkBasis(n), ...a });
      } catch (e: unknown) {
        this.#fail('network', n.id, e);
      }
    }

    // Nodes: their ingress sandbox address.
    const nodes = this.#allNodes ? tx.list('nodes') : [...this.#nodes].map((id) => tx.get('nodes', id));
    this.#allNodes = false;
    this.#nodes.clear();
    for (const node of nodes) {
      if (node === undefined) continue;
      try {
        const attachments = planNode(ledger, node, ingress?.id, lookup.exists);
        if (canonicalJson(attachments) !== nodeBasis(node)) {
          writes.push({ kind: 'node', id: node.id, basis: nodeBasis(node), attachments });
        }
        this.#nodesRefused.delete(node.id);
      } catch (e: unknown) {
        // Said once per node until it is allocated: a full ingress network would otherwise be
        // reported for every waiting node on every pass.
        if (this.#nodesRefused.has(node.id)) continue;
        this.#nodesRefused.add(node.id);
        this.#fail('node', node.id, e);
      }
    }

    // Services: those that changed, and those whose tasks wait for allocation.
    const tasks = [...this.#tasks].map((id) => tx.get('tasks', id)).filter((t): t is Task => t !== undefined);
    this.#tasks.clear();
    const serviceIds = this.#allServices ? tx.list('services').map((s) => s.id) : [...this.#services];
    this.#allServices = false;
    this.#services.clear();
    for (const t of tasks) serviceIds.push(t.serviceId);
    const ready = new Set<string>();
    const failed = new Map<string, string>();
    for (const id of new Set(serviceIds)) {
      const s = tx.get('services', id);
      if (s === undefined) continue;
      try {
        const plan = planEndpoint(ledger, s, lookup);
        if (plan.kind === 'waiting') continue;
        ready.add(s.id);
        if (canonicalJson(plan.endpoint ?? null) !== canonicalJson(s.endpoint ?? null)) {
          writes.push({
            kind: 'service',
            id: s.id,
            basis: serviceBasis(s),
            endpoint: plan.endpoint,
            addresses: plan.releaseAddresses,
            ports: plan.releasePorts,
          });
        }
      } catch (e: unknown) {
        failed.set(s.id, this.#fail('service', s.id, e));
      }
    }

    // Tasks: addresses on their networks, then on to the scheduler.
    for (const t of tasks) {
      if (t.status.state !== 'new' || isTaskDead(t)) continue;
      const service = tx.get('services', t.serviceId);
      let err = service === undefined ? undefined : failed.get(service.id);
      if (err === undefined && (service === undefined || ready.has(service.id))) {
        try {
          const plan = planTask(ledger, t, service, lookup);
          if (plan.kind === 'ready') {
            writes.push({
              kind: 'task',
              id: t.id,
              basis: taskBasis(t),
              attachments: plan.attachments,
              err: undefined,
            });
            continue;
          }
        } catch (e: unknown) {
          err = this.#fail('task', t.id, e);
        }
      }
      this.#waiting.add(t.id);
      if (err !== undefined && t.status.err !== err) {
        writes.push({ kind: 'task', id: t.id, basis: taskBasis(t), attachments: undefined, err });
      }
    }
    return writes;
  }

  #apply(tx: WriteTx, w: Write, now: string): boolean {
    switch (w.kind) {
      case 'network': {
        const cur = tx.get('networks', w.id);
        if (cur === undefined || networkBasis(cur) !== w.basis) return false;
        tx.update('networks', { ...cur, ipam: w.ipam, driverState: w.driverState });
        return true;
      }
      case 'service': {
        const cur = tx.get('services', w.id);
        if (cur === undefined || serviceBasis(cur) !== w.basis) return false;
        const next: Service = { ...cur };
        if (w.endpoint === undefined) delete next.endpoint;
        else next.endpoint = w.endpoint;
        tx.update('services', next);
        return true;
      }
      case 'task': {
        const cur = tx.get('tasks', w.id);
        if (cur === undefined || taskBasis(cur) !== w.basis) return false;
        if (w.attachments === undefined) {
          tx.update('tasks', withStatus(cur, 'new', 'allocation failed', now, w.err));
        } else {
          // A network attachment's node is its container's: it goes to that node at once.
          const next = isAttachmentTask(cur)
            ? withStatus(cur, 'assigned', ATTACHMENT_ALLOCATED_MESSAGE, now)
            : withStatus(cur, 'pending', ALLOCATED_MESSAGE, now);
          tx.update('tasks', { ...next, networksAttachments: w.attachments });
        }
        return true;
      }
      case 'node': {
        const cur = tx.get('nodes', w.id);
        if (cur === undefined || nodeBasis(cur) !== w.basis) return false;
        tx.update('nodes', { ...cur, attachments: w.attachments });
        return true;
      }
    }
  }

  protected override async flush(): Promise<void> {
    if (this.#rebuild) {
      this.#rebuild = false;
      this.#o.store.view((tx) => this.init(tx));
    }
    const idle =
      this.#networks.size + this.#services.size + this.#tasks.size + this.#nodes.size === 0 &&
      !this.#allServices &&
      !this.#allNodes;
    if (idle) return;
    const writes = this.#o.store.view((tx) => this.#plan(tx));
    if (writes.length === 0) return;
    const now = new Date(this.#o.clock.now()).toISOString();
    const { committed, refused } = await writeEach(
      this.#o.store,
      this.log,
      'allocator',
      writes,
      (tx, w) => (this.#apply(tx, w, now) ? 'applied' : 'stale'),
      { describe: (w) => ({ [w.kind]: w.id }) },
    );
    // Written: what a service's new endpoint no longer holds is free now.
    let landed = 0;
    for (const { item: w, result } of committed) {
      if (result !== 'applied') continue;
      landed++;
      if (w.kind !== 'service') continue;
      for (const a of w.addresses) this.#ledger.release(a.networkId, a.address, a.owner);
      for (const p of w.ports) this.#ledger.ports.release(p.protocol, p.port, w.id);
    }
    if (landed === writes.length) return;
    // What was reserved for writes that did not land (refused, stale, or failed on their own
    // object) is in the ledger only: read it all again. Refused and stale writes are retried
    // soon; one that failed on its own object (logged) waits for the next change, so a poison
    // object does not make the allocator re-plan everything in a loop.
    const stale = committed.length - landed;
    this.log.debug(
      { refused: refused.length, stale, notWritten: writes.length - landed },
      'allocations not written; re-planning',
    );
    this.#rebuild = true;
    if (refused.length > 0 || stale > 0) this.retry.schedule();
  }
}
