// A three-manager shoal cluster in the lab and the faults the harness injects into it: SIGKILL
// (then a restart, as systemd would), SIGSTOP/SIGCONT, a host cut off from the others
// (nftables drop rules), a manager removed and joined again with fresh state (optionally on a
// small tmpfs, to fill). It remembers what it broke so heal() can undo all of it, also after a
// failed assertion.

import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ok } from '../cluster/cli-output.js';
import { ShoalLab, eventually } from '../cluster/shoal-lab.js';
import { apiCall, jsonBody } from './api-client.js';
import type { ManagerEndpoint } from './workload.js';

/** shoald's start can take long on a loaded CI machine. */
const START_TIMEOUT_MS = 90_000;

interface NodeView {
  ID?: string;
  Description?: { Hostname?: string };
  ManagerStatus?: { Leader?: boolean; Reachability?: string };
}

export class FaultCluster {
  readonly s: ShoalLab;
  readonly size: number;
  private readonly stopped = new Set<number>();
  private readonly killed = new Set<number>();
  private readonly isolated = new Set<number>();
  /** tmpfs mounts made inside hosts' mount namespaces: host -> mount point. */
  private readonly tmpfs = new Map<number, string>();

  private constructor(s: ShoalLab, size: number) {
    this.s = s;
    this.size = size;
  }

  /** A lab of `size` hosts, each running shoald, all of them managers of one swarm. */
  static async create(name: string, size = 3): Promise<FaultCluster> {
    const s = await ShoalLab.create(name, size, { startTimeoutMs: START_TIMEOUT_MS });
    const c = new FaultCluster(s, size);
    try {
      await ok(s.docker(0, ['swarm', 'init', '--advertise-addr', s.addr(0)]));
      const token = await c.managerToken(0);
      for (let h = 1; h < size; h++) {
        await ok(
          s.docker(h, [
            'swarm',
            'join',
            '--advertise-addr',
            s.addr(h),
            '--token',
            token,
            `${s.addr(0)}:2377`,
          ]),
        );
      }
      await c.waitHealthy();
    } catch (e: unknown) {
      await s.destroy();
      throw e;
    }
    return c;
  }

  hosts(): number[] {
    return Array.from({ length: this.size }, (_, h) => h);
  }

  name(h: number): string {
    return this.s.lab.host(h).name;
  }

  endpoints(): ManagerEndpoint[] {
    return this.hosts().map((h) => ({ name: this.name(h), socket: this.s.socket(h) }));
  }

  /** The raft store of host h's manager. */
  raftDir(h: number): string {
    return join(this.swarmDir(h), 'raft');
  }

  swarmDir(h: number): string {
    return join(this.s.dataRoot(h), 'swarm');
  }

  /** shoald runs on h and is not stopped. */
  isServing(h: number): boolean {
    const p = this.s.daemon(h);
    return p !== undefined && p.exitCode === null && p.signalCode === null && !this.stopped.has(h);
  }

  /**
   * The host whose manager leads, once every serving manager that answers (a majority at least)
   * names the same leader in its node list and that leader is serving and not cut off.
   */
  async leader(ms = 30_000): Promise<number> {
    return eventually(
      'every serving manager to name the same serving leader',
      async () => {
        const named = await Promise.all(
          this.hosts()
            .filter((h) => this.isServing(h))
            .map(async (h) => {
              const a = await apiCall(this.s.socket(h), 'GET', '/nodes', undefined, 3_000);
              if (a.kind !== 'answer' || a.status !== 200) return undefined;
              const nodes = jsonBody(a) as NodeView[] | undefined;
              return nodes?.find((n) => n.ManagerStatus?.Leader === true)?.Description?.Hostname;
            }),
        );
        // A daemon that is not (yet) a manager does not answer /nodes: a majority must, alike.
        const answered = named.filter((n) => n !== undefined);
        const first = answered[0];
        if (first === undefined || answered.length <= this.size / 2 || answered.some((n) => n !== first)) {
          return undefined;
        }
        const h = this.hosts().find((x) => this.name(x) === first);
        return h !== undefined && this.isServing(h) && !this.isolated.has(h) ? h : undefined;
      },
      ms,
    );
  }

  async follower(): Promise<number> {
    const l = await this.leader();
    return this.hosts().find((h) => h !== l && this.isServing(h))!;
  }

  /** Waits for one leader and every manager reachable, as `docker node ls` shows them. */
  async waitHealthy(ms = 60_000): Promise<void> {
    await eventually(
      `${this.size} reachable managers, one of them leader`,
      async () => {
        const a = await apiCall(this.s.socket(await this.leader(ms)), 'GET', '/nodes', undefined, 3_000);
        if (a.kind !== 'answer' || a.status !== 200) return undefined;
        const managers = ((jsonBody(a) as NodeView[] | undefined) ?? []).filter(
          (n) => n.ManagerStatus?.Reachability === 'reachable',
        );
        return managers.length === this.size ? true : undefined;
      },
      ms,
    );
  }

  async managerToken(via: number): Promise<string> {
    return (await ok(this.s.docker(via, ['swarm', 'join-token', '-q', 'manager']))).trim();
  }

  /** This host's node ID, as its own daemon reports it. */
  async nodeId(h: number): Promise<string> {
    return (await ok(this.s.docker(h, ['info', '--format', '{{.Swarm.NodeID}}']))).trim();
  }

  /** SIGKILL, and waits for the process to be gone. */
  async kill(h: number): Promise<void> {
    const p = this.s.daemon(h);
    if (p === undefined) return;
    this.killed.add(h);
    if (this.stopped.delete(h) && p.pid !== undefined) this.s.lab.kill(h, p.pid, 'SIGCONT');
    if (p.exitCode !== null || p.signalCode !== null) return;
    const gone = once(p, 'exit');
    this.s.killDaemon(h, 'SIGKILL');
    await gone;
  }

  /** Starts a killed manager again and waits for its API to answer (whatever the status). */
  async restart(h: number): Promise<void> {
    const p = this.s.spawnDaemon(h);
    this.killed.delete(h);
    await this.answering(h, p);
  }

  /**
   * Waits until shoald on h answers HTTP at all: a manager without a quorum may answer with an
   * error, and a second manager must be able to start meanwhile.
   */
  private async answering(h: number, p: ChildProcess): Promise<void> {
    const end = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      const a = await apiCall(this.s.socket(h), 'GET', '/_ping', undefined, 3_000);
      if (a.kind === 'answer') return;
      if (p.exitCode !== null || p.signalCode !== null) {
        throw new Error(
          `shoald on ${this.name(h)} exited (${p.signalCode ?? `code ${p.exitCode}`}) before answering; see ${this.s.logFile(h)}`,
        );
      }
      if (Date.now() > end) {
        throw new Error(
          `shoald on ${this.name(h)} did not answer within ${START_TIMEOUT_MS / 1000} s: ${a.reason}`,
        );
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Starts shoald on h without waiting (a supervisor's restart, which may be refused). */
  spawn(h: number): void {
    this.s.spawnDaemon(h);
    this.killed.delete(h);
  }

  signal(h: number, sig: 'SIGSTOP' | 'SIGCONT'): void {
    const pid = this.s.daemon(h)?.pid;
    if (pid === undefined) throw new Error(`no shoald on ${this.name(h)} to send ${sig}`);
    this.s.lab.kill(h, pid, sig);
    if (sig === 'SIGSTOP') this.stopped.add(h);
    else this.stopped.delete(h);
  }

  /** Drops everything between h and every other host. */
  async isolate(h: number): Promise<void> {
    this.isolated.add(h);
    for (const o of this.hosts()) if (o !== h) await this.s.lab.block(h, o);
  }

  /** Undoes every fault: the network whole, stopped daemons continued, killed ones restarted. */
  async heal(): Promise<void> {
    await this.s.lab.unblockAll();
    this.isolated.clear();
    for (const h of [...this.stopped]) this.signal(h, 'SIGCONT');
    const started = [...this.killed].map((h) => ({ h, p: this.s.spawnDaemon(h) }));
    this.killed.clear();
    await Promise.all(started.map(({ h, p }) => this.answering(h, p)));
  }

  /**
   * Takes host h's manager out of the swarm and joins it again with fresh state: kills it,
   * demotes and removes its node through the leader, wipes its swarm directory (or mounts a
   * fresh tmpfs of `tmpfsMiB` over it, inside the host's mount namespace), starts it and joins
   * it as a manager. This is the documented remedy for a manager whose raft store is damaged.
   */
  async rejoinFresh(h: number, opts: { tmpfsMiB?: number } = {}): Promise<void> {
    const oldId = await this.knownNodeId(h);
    await this.kill(h);
    const l = await this.leader();
    if (oldId !== undefined) {
      // `node demote` reads and updates the node with its version, which the manager-status
      // loop also bumps: retry a stale one. The node leaves the Raft group once the
      // configuration change commits; only then does `node rm` accept it.
      let last = '';
      let demoted = false;
      await eventually(
        `node ${oldId} demoted and removed`,
        async () => {
          // "No such node": an earlier attempt removed it already.
          if (!demoted) {
            const d = await this.s.docker(l, ['node', 'demote', oldId]);
            last = d.stderr.trim();
            if (/no such node/i.test(last)) return true;
            demoted = d.code === 0;
            if (!demoted) return undefined;
          }
          const r = await this.s.docker(l, ['node', 'rm', '--force', oldId]);
          last = r.stderr.trim();
          return r.code === 0 || /no such node/i.test(last) ? true : undefined;
        },
        60_000,
      ).catch((e: unknown) => {
        throw new Error(`${e instanceof Error ? e.message : String(e)}; last answer: ${last}`);
      });
    }
    await this.unmountTmpfs(h);
    await rm(this.swarmDir(h), { recursive: true, force: true });
    if (opts.tmpfsMiB !== undefined) await this.mountTmpfs(h, opts.tmpfsMiB);
    await this.restart(h);
    const joined = await this.s.docker(h, [
      'swarm',
      'join',
      '--advertise-addr',
      this.s.addr(h),
      '--token',
      await this.managerToken(l),
      `${this.s.addr(l)}:2377`,
    ]);
    if (joined.code !== 0) {
      // The CLI gives up after 60 s; a loaded machine's catch-up can take longer. The join
      // stands if the node becomes a manager after all.
      await eventually(
        `${this.name(h)} a manager after its join (${joined.stderr.trim() || 'the join command timed out'})`,
        async () => {
          const a = await apiCall(this.s.socket(h), 'GET', '/info', undefined, 3_000);
          const info =
            a.kind === 'answer' ? (jsonBody(a) as { Swarm?: { ControlAvailable?: boolean } }) : undefined;
          return info?.Swarm?.ControlAvailable === true ? true : undefined;
        },
        120_000,
      );
    }
    this.ids.set(h, await this.nodeId(h));
    await this.waitHealthy();
  }

  private readonly ids = new Map<number, string>();

  /** Remembers every host's node ID while all serve (a dead daemon cannot tell its own). */
  async learnNodeIds(): Promise<void> {
    for (const h of this.hosts()) this.ids.set(h, await this.nodeId(h));
  }

  private async knownNodeId(h: number): Promise<string | undefined> {
    if (this.isServing(h)) {
      const id = await this.nodeId(h).catch(() => undefined);
      if (id !== undefined && id !== '') return id;
    }
    return this.ids.get(h);
  }

  async mountTmpfs(h: number, sizeMiB: number): Promise<void> {
    const dir = this.swarmDir(h);
    await this.s.lab.exec(h, ['mkdir', '-p', dir]);
    await this.s.lab.exec(h, ['mount', '-t', 'tmpfs', '-o', `size=${sizeMiB}m,mode=0700`, 'tmpfs', dir]);
    this.tmpfs.set(h, dir);
  }

  async unmountTmpfs(h: number): Promise<void> {
    const dir = this.tmpfs.get(h);
    if (dir === undefined) return;
    await this.s.lab.exec(h, ['umount', '-l', dir]);
    this.tmpfs.delete(h);
  }

  /** Fills the tmpfs on h (a file of zeros until the device is full). */
  async fillTmpfs(h: number): Promise<void> {
    const dir = this.tmpfs.get(h);
    if (dir === undefined) throw new Error(`no tmpfs on ${this.name(h)} to fill`);
    await this.s.lab.exec(h, ['dd', 'if=/dev/zero', `of=${join(dir, 'filler')}`, 'bs=64k'], { check: false });
  }

  async freeTmpfs(h: number): Promise<void> {
    const dir = this.tmpfs.get(h);
    if (dir === undefined) return;
    await this.s.lab.exec(h, ['rm', '-f', join(dir, 'filler')]);
  }

  /**
   * Removes everything: faults undone where possible, tmpfs mounts unmounted, the lab torn down.
   * With SHOAL_FAULT_LOGS=<dir>, each host's shoald log is copied there first.
   */
  async destroy(): Promise<void> {
    for (const h of [...this.stopped]) {
      try {
        this.signal(h, 'SIGCONT');
      } catch {
        // the process is gone already
      }
    }
    for (const h of [...this.tmpfs.keys()]) {
      const p = this.s.daemon(h);
      if (p !== undefined && p.exitCode === null && p.signalCode === null) {
        const gone = once(p, 'exit');
        this.s.killDaemon(h, 'SIGKILL');
        await gone;
      }
      await this.unmountTmpfs(h);
    }
    const keep = process.env['SHOAL_FAULT_LOGS'];
    if (keep !== undefined && keep !== '') {
      await mkdir(keep, { recursive: true });
      for (const h of this.hosts()) {
        await copyFile(this.s.logFile(h), join(keep, `${this.s.lab.id}-${this.name(h)}-shoald.log`)).catch(
          () => undefined,
        );
      }
    }
    await this.s.destroy();
  }
}
