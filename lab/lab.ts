// The lab: several real hosts on one machine for end-to-end tests. Each host is a network and
// UTS namespace on a shared bridge (the underlay LAN) with its own address and its own dockerd,
// which has `shoal/busybox:latest` loaded. Faults: link down, a drop rule between two hosts,
// signals to a host's processes. `destroy()` removes everything again, and what a crashed run
// left behind is removed by the sweep (sweep.ts), which shares the removal code.

import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readlinkSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { buildBusyboxImage, type BuiltImage } from './busybox-image.js';
import { containerIds, loadImage, removeContainer } from './engine-api.js';
import { startEngine, stopProcess } from './engine.js';
import { LabError, LabTeardownError } from './errors.js';
import { createMountNamespace, makePrivateMount } from './host-mounts.js';
import { hostAddresses } from './lab-addresses.js';
import * as names from './lab-names.js';
import type { HostPrivatePath } from './lab-names.js';
import { writeOwner } from './lab-owner.js';
import { findLabResources, isAlive, removeLabResources, isEmpty } from './lab-resources.js';
import { checkPrerequisites, tool } from './prerequisites.js';
import { runCommand, type CommandResult, type RunOptions } from './run-command.js';
import {
  acceptBridgeForwarding,
  applyBlocks,
  createBridge,
  nsenterArgv,
  plugHost,
  setLink,
} from './underlay.js';

export interface LabOptions {
  /** A label for logs and the owner file. */
  readonly name: string;
  /** How many hosts (named node1…nodeN), or their hostnames. */
  readonly hosts: number | readonly string[];
  /** The underlay subnet; host i gets its (11+i)th address. Default 10.77.0.0/24. */
  readonly subnet?: string;
  /** MTU of the bridge and every veth (OpenStack VMs run at 1450). Default 1500. */
  readonly mtu?: number;
  /** Start a dockerd per host and load shoal/busybox into it (default true). */
  readonly engines?: boolean;
  /** Give each host a default route via the subnet's first address (which nothing answers). */
  readonly defaultRoute?: boolean;
  readonly logger?: Logger;
}

export interface LabHost {
  readonly index: number;
  /** Hostname inside the host (its UTS namespace) and in its engine's `docker info`. */
  readonly name: string;
  readonly addr: string;
  /** addr/prefix */
  readonly cidr: string;
  readonly netns: string;
  readonly netnsPath: string;
  readonly utsPath: string;
  /** The host's mount namespace (host-mounts.ts); lab commands, dockerd and spawn() run in it. */
  readonly mountNsPath: string;
  /**
   * The host's own directory behind each path it keeps private (its /run/docker/plugins, where
   * its dockerd finds network plugins, and its /run/shoal), as seen from outside the host.
   */
  readonly privateDirs: Readonly<Record<HostPrivatePath, string>>;
  /** The interface inside the host. */
  readonly iface: string;
  /** Its peer in the root namespace, plugged into the bridge. */
  readonly veth: string;
  /** The host's own directory (engine data, logs). */
  readonly dir: string;
  readonly dockerSocket: string;
  /** `unix://…` for DOCKER_HOST or `docker -H`. */
  readonly dockerHost: string;
  readonly cgroupParent: string;
}

/** A host by index, hostname or the host itself. */
export type HostRef = number | string | LabHost;

export interface LabTimings {
  readonly underlayMs: number;
  readonly enginesMs: number;
  readonly totalMs: number;
}

export interface SpawnOptions {
  /** Append stdout and stderr to this file (default: the host's `<command>.log`). */
  readonly logFile?: string;
  readonly env?: NodeJS.ProcessEnv;
}

export class Lab {
  readonly bridge: string;
  readonly dir: string;
  private _image: BuiltImage | undefined;
  private readonly enginePids = new Map<string, number>();
  /** Processes started by spawn(), with the host each runs in. */
  private readonly spawned = new Map<ChildProcess, string>();
  private readonly blocked = new Map<string, readonly [string, string]>();
  private destroying: Promise<void> | undefined;
  private _timings: LabTimings = { underlayMs: 0, enginesMs: 0, totalMs: 0 };

  private constructor(
    readonly id: string,
    readonly name: string,
    readonly hosts: readonly LabHost[],
    readonly mtu: number,
    private readonly log: Logger,
  ) {
    this.bridge = names.bridgeName(id);
    this.dir = names.runDir(id);
  }

  /** Builds the lab; on any failure removes what was made and rethrows. */
  static async create(options: LabOptions): Promise<Lab> {
    const t0 = Date.now();
    checkPrerequisites();
    const log = options.logger ?? pino({ level: process.env['SHOAL_LAB_LOG'] ?? 'silent' });
    const id = names.newLabId();
    const mtu = options.mtu ?? 1500;
    if (!Number.isInteger(mtu) || mtu < 1280 || mtu > 9000) {
      throw new LabError('LAB_BAD_OPTIONS', `mtu ${mtu} is outside 1280..9000`);
    }
    const hostNames =
      typeof options.hosts === 'number'
        ? Array.from({ length: options.hosts }, (_, i) => `node${i + 1}`)
        : [...options.hosts];
    if (hostNames.length < 1 || hostNames.length > 99) {
      throw new LabError('LAB_BAD_OPTIONS', `a lab has 1 to 99 hosts, not ${hostNames.length}`);
    }
    for (const n of hostNames) {
      if (!/^[a-z][a-z0-9-]{0,30}$/.test(n)) {
        throw new LabError('LAB_BAD_OPTIONS', `host name ${n} must be lowercase letters, digits and dashes`);
      }
    }
    if (new Set(hostNames).size !== hostNames.length) {
      throw new LabError('LAB_BAD_OPTIONS', `host names repeat: ${hostNames.join(', ')}`);
    }
    const addrs = hostAddresses(options.subnet ?? '10.77.0.0/24', hostNames.length);
    const hosts: LabHost[] = hostNames.map((name, index) => {
      const dir = names.hostDir(id, name);
      const a = addrs.hosts[index];
      if (!a) throw new LabError('LAB_BAD_OPTIONS', `no address for host ${name}`);
      return {
        index,
        name,
        addr: a,
        cidr: `${a}/${addrs.prefix}`,
        netns: names.netnsName(id, name),
        netnsPath: names.netnsPath(id, name),
        utsPath: join(dir, 'uts'),
        mountNsPath: names.mountNsPath(id, name),
        privateDirs: {
          '/run/docker/plugins': names.hostPrivateDir(id, name, '/run/docker/plugins'),
          '/run/shoal': names.hostPrivateDir(id, name, '/run/shoal'),
        },
        iface: 'eth0',
        veth: names.vethName(id, index),
        dir,
        dockerSocket: join(dir, 'docker.sock'),
        dockerHost: `unix://${join(dir, 'docker.sock')}`,
        cgroupParent: names.cgroupParent(id, name),
      };
    });

    // A crashed run whose pid this process now has may have left this very id behind.
    if (!isEmpty(await findLabResources(id))) await removeLabResources(id);
    const lab = new Lab(id, options.name, hosts, mtu, log);
    try {
      mkdirSync(names.runDir(id), { recursive: true });
      await writeOwner(id, options.name);
      await makePrivateMount(names.runDir(id));
      const bridge = names.bridgeName(id);
      await createBridge(bridge, mtu);
      await acceptBridgeForwarding(bridge, id);
      await applyBlocks(names.nftTable(id), []);
      for (const h of hosts) {
        await plugHost(bridge, { ...h, ...(options.defaultRoute ? { gateway: addrs.gateway } : {}) }, mtu);
        await createMountNamespace(h);
      }
      const t1 = Date.now();
      if (options.engines ?? true) {
        const [built] = await Promise.all([
          buildBusyboxImage(join(names.runDir(id), 'image')),
          ...hosts.map(async (h) => lab.enginePids.set(h.name, await startEngine(h))),
        ]);
        lab._image = built;
        await Promise.all(hosts.map((h) => loadImage(h.dockerSocket, built.tarPath)));
      }
      const t2 = Date.now();
      lab._timings = { underlayMs: t1 - t0, enginesMs: t2 - t1, totalMs: t2 - t0 };
      log.info({ id, hosts: hostNames, timings: lab._timings }, 'lab up');
      return lab;
    } catch (e: unknown) {
      await lab
        .destroy()
        .catch((te: unknown) => log.error({ err: te }, 'lab teardown after a failed create'));
      throw e;
    }
  }

  /** `shoal/busybox:latest` as loaded into every engine (undefined with `engines: false`). */
  get image(): BuiltImage | undefined {
    return this._image;
  }

  get timings(): LabTimings {
    return this._timings;
  }

  host(ref: HostRef): LabHost {
    const h =
      typeof ref === 'number'
        ? this.hosts[ref]
        : typeof ref === 'string'
          ? this.hosts.find((x) => x.name === ref)
          : this.hosts.find((x) => x === ref);
    if (!h) {
      throw new LabError(
        'LAB_UNKNOWN_HOST',
        `lab ${this.id} has no host ${typeof ref === 'object' ? ref.name : String(ref)} (hosts: ${this.hosts.map((x) => x.name).join(', ')})`,
      );
    }
    return h;
  }

  addr(ref: HostRef): string {
    return this.host(ref).addr;
  }

  /** The host's engine socket path. */
  docker(ref: HostRef): string {
    return this.host(ref).dockerSocket;
  }

  /** The pid of the host's dockerd, while the lab runs it. */
  dockerPid(ref: HostRef): number | undefined {
    return this.enginePids.get(this.host(ref).name);
  }

  /** The argv prefix that runs a command inside the host (network, UTS and mount namespaces). */
  nsenter(ref: HostRef): string[] {
    return nsenterArgv(this.host(ref));
  }

  /** Runs a command inside the host; rejects on a non-zero exit unless `check: false`. */
  exec(ref: HostRef, argv: readonly string[], options?: RunOptions): Promise<CommandResult> {
    this.assertLive();
    return runCommand([...this.nsenter(ref), ...argv], options);
  }

  /** Runs the docker CLI against the host's engine. */
  dockerCli(ref: HostRef, args: readonly string[], options?: RunOptions): Promise<CommandResult> {
    this.assertLive();
    return runCommand([tool('docker'), '-H', this.host(ref).dockerHost, ...args], options);
  }

  /** Starts a long-running command inside the host; the lab stops it at destroy(). */
  spawn(ref: HostRef, argv: readonly string[], options: SpawnOptions = {}): ChildProcess {
    this.assertLive();
    const h = this.host(ref);
    const [cmd, ...rest] = [...this.nsenter(h), ...argv];
    const logFile =
      options.logFile ?? join(h.dir, `${(argv[0] ?? 'command').split('/').pop() ?? 'command'}.log`);
    const fd = openSync(logFile, 'a');
    const child = spawn(cmd ?? 'nsenter', rest, {
      stdio: ['ignore', fd, fd],
      ...(options.env ? { env: options.env } : {}),
    });
    closeSync(fd);
    this.spawned.set(child, h.name);
    child.on('exit', () => this.spawned.delete(child));
    return child;
  }

  /** Pulls the host's cable: its veth's bridge end goes down. */
  async linkDown(ref: HostRef): Promise<void> {
    this.assertLive();
    await setLink(this.host(ref).veth, 'down');
  }

  async linkUp(ref: HostRef): Promise<void> {
    this.assertLive();
    await setLink(this.host(ref).veth, 'up');
  }

  /** Drops every frame between two hosts, both ways (the rest of the LAN is unaffected). */
  async block(a: HostRef, b: HostRef): Promise<void> {
    this.assertLive();
    const [x, y] = [this.host(a), this.host(b)].sort((p, q) => p.index - q.index);
    if (!x || !y || x === y) throw new LabError('LAB_BAD_OPTIONS', 'block needs two different hosts');
    this.blocked.set(`${x.name}/${y.name}`, [x.veth, y.veth]);
    await applyBlocks(names.nftTable(this.id), [...this.blocked.values()]);
  }

  async unblock(a: HostRef, b: HostRef): Promise<void> {
    this.assertLive();
    const [x, y] = [this.host(a), this.host(b)].sort((p, q) => p.index - q.index);
    if (!x || !y) return;
    this.blocked.delete(`${x.name}/${y.name}`);
    await applyBlocks(names.nftTable(this.id), [...this.blocked.values()]);
  }

  async unblockAll(): Promise<void> {
    this.assertLive();
    this.blocked.clear();
    await applyBlocks(names.nftTable(this.id), []);
  }

  /**
   * Sends a signal to a process of the host: one in its network namespace or in its engine's
   * container cgroup. Refuses any other pid, so a test cannot hit the machine's own processes.
   */
  kill(ref: HostRef, pid: number, signal: NodeJS.Signals = 'SIGKILL'): void {
    this.assertLive();
    const h = this.host(ref);
    if (!this.belongsTo(h, pid)) {
      throw new LabError('LAB_FOREIGN_PID', `pid ${pid} is not a process of lab host ${h.name} (${this.id})`);
    }
    process.kill(pid, signal);
    if (signal === 'SIGKILL' && this.enginePids.get(h.name) === pid) this.enginePids.delete(h.name);
  }

  /** Stops the host's dockerd (SIGTERM, or the given signal; SIGKILL after 15 s). */
  async stopEngine(ref: HostRef, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    this.assertLive();
    const h = this.host(ref);
    const pid = this.enginePids.get(h.name);
    if (pid === undefined) return;
    if (signal === 'SIGTERM') await stopProcess(pid, 15_000);
    else {
      process.kill(pid, signal);
      await stopProcess(pid, 0);
    }
    this.enginePids.delete(h.name);
  }

  /** Starts the host's dockerd again (keeping its data: images and stopped containers). */
  async startEngine(ref: HostRef): Promise<void> {
    this.assertLive();
    const h = this.host(ref);
    const pid = this.enginePids.get(h.name);
    if (pid !== undefined && isAlive(pid)) return;
    this.enginePids.set(h.name, await startEngine(h));
  }

  /** Removes everything the lab made. Idempotent; throws LabTeardownError if something stays. */
  destroy(): Promise<void> {
    this.destroying ??= this.teardown();
    return this.destroying;
  }

  private async teardown(): Promise<void> {
    const t0 = Date.now();
    await Promise.all(
      [...this.spawned.keys()].flatMap((c) => (c.pid === undefined ? [] : [stopProcess(c.pid, 3_000)])),
    );
    await Promise.all(
      this.hosts.map(async (h) => {
        const pid = this.enginePids.get(h.name);
        if (pid === undefined || !isAlive(pid)) return;
        try {
          const ids = await containerIds(h.dockerSocket);
          await Promise.all(ids.map((c) => removeContainer(h.dockerSocket, c)));
        } catch (e: unknown) {
          this.log.warn({ err: e, host: h.name }, 'could not remove containers through the engine');
        }
        await stopProcess(pid, 10_000);
      }),
    );
    this.enginePids.clear();
    const failures = await removeLabResources(this.id);
    this.log.info({ id: this.id, ms: Date.now() - t0, failures }, 'lab down');
    if (failures.length > 0) throw new LabTeardownError(this.id, failures);
  }

  private assertLive(): void {
    if (this.destroying) throw new LabError('LAB_DESTROYED', `lab ${this.id} has been destroyed`);
  }

  private belongsTo(h: LabHost, pid: number): boolean {
    // spawn()ed for this host (it may not have entered the namespaces yet).
    for (const [c, host] of this.spawned) if (c.pid === pid && host === h.name) return true;
    try {
      const ns = /\[(\d+)\]/.exec(readlinkSync(`/proc/${pid}/ns/net`))?.[1];
      if (ns !== undefined && Number(ns) === statSync(h.netnsPath).ino) return true;
      return readFileSync(`/proc/${pid}/cgroup`, 'utf8').includes(`${h.cgroupParent}/`);
    } catch {
      return false;
    }
  }
}
