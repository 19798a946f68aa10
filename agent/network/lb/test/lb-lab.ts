// Test fixture (not shoal's overlay, which lives in agent/network/overlay): a lab whose node
// hosts share one L2 network over a VXLAN of the fixture's own, with "task sandboxes" — extra
// network namespaces plugged by a veth into each node's bridge, exactly what a container's
// namespace is — running small servers that answer with their name. Everything it makes is named
// after the lab's id, so the lab's teardown (and its sweep) removes whatever is left.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Lab } from '../../../../lab/lab.js';
import { runCommand, type CommandResult } from '../../../../lab/run-command.js';

/** The fixture's network: every sandbox gets 10.99.<host+1>.<n>/16, node i gets 10.99.255.<i+1>. */
export const FIXTURE_SUBNET = '10.99.0.0/16';
const VNI = 4242;
const BRIDGE = 'fx-br';
const VXLAN = 'fx-vx';
const MTU = 1450;

export interface Sandbox {
  readonly name: string;
  readonly host: number;
  readonly addr: string;
  readonly netnsPath: string;
}

/** A UDP server answering every datagram with its name (argv[1]) on port argv[2]. */
const UDP_SERVER = `
const s = require('dgram').createSocket('udp4');
s.on('message', (m, r) => s.send(process.argv[1], r.port, r.address));
s.bind(Number(process.argv[2]));
`;

/** Sends one datagram per new socket (so each is a new flow) and prints each answer. */
const UDP_CLIENT = `
const dgram = require('dgram');
const [host, port, count] = [process.argv[1], Number(process.argv[2]), Number(process.argv[3])];
(async () => {
  for (let i = 0; i < count; i++) {
    const s = dgram.createSocket('udp4');
    const reply = await new Promise((ok) => {
      const t = setTimeout(() => ok('timeout'), 2000);
      s.on('message', (m) => { clearTimeout(t); ok(m.toString()); });
      s.send('hi', port, host);
    });
    s.close();
    console.log(reply);
  }
})();
`;

export class LbLab {
  private readonly servers: ChildProcess[] = [];
  private readonly sandboxes: Sandbox[] = [];
  private nextIndex = 1;

  private constructor(
    readonly lab: Lab,
    /** Hosts that are swarm nodes (on the fixture network); the others are outside clients. */
    readonly nodes: readonly number[],
  ) {}

  /** `nodes` node hosts on a shared VXLAN, plus `clients` plain hosts on the LAN only. */
  static async create(nodes: number, clients: number): Promise<LbLab> {
    const names = [
      ...Array.from({ length: nodes }, (_, i) => `node${i + 1}`),
      ...Array.from({ length: clients }, (_, i) => `client${i + 1}`),
    ];
    const lab = await Lab.create({ name: 'lb-e2e', hosts: names, engines: false });
    const fx = new LbLab(
      lab,
      Array.from({ length: nodes }, (_, i) => i),
    );
    try {
      for (const i of fx.nodes) await fx.plugNode(i);
      return fx;
    } catch (e: unknown) {
      await lab.destroy();
      throw e;
    }
  }

  netnsPath(host: number): string {
    return this.lab.host(host).netnsPath;
  }

  /** Runs a command in a namespace (a host's or a sandbox's) from the machine's own mounts. */
  inNetns(netnsPath: string, argv: readonly string[], check = true): Promise<CommandResult> {
    return runCommand(['nsenter', `--net=${netnsPath}`, '--', ...argv], { check, timeoutMs: 30_000 });
  }

  private ip(host: number, ...args: string[]): Promise<CommandResult> {
    return this.inNetns(this.netnsPath(host), ['ip', ...args]);
  }

  private async plugNode(i: number): Promise<void> {
    const addr = this.lab.addr(i);
    await this.ip(i, 'link', 'add', BRIDGE, 'mtu', String(MTU), 'type', 'bridge');
    await this.ip(
      i,
      'link',
      'add',
      VXLAN,
      'type',
      'vxlan',
      'id',
      String(VNI),
      'dstport',
      '4789',
      'local',
      addr,
      'dev',
      'eth0',
    );
    await this.ip(i, 'link', 'set', VXLAN, 'mtu', String(MTU), 'master', BRIDGE, 'up');
    await this.ip(i, 'link', 'set', BRIDGE, 'up');
    await this.ip(i, 'addr', 'add', `10.99.255.${i + 1}/16`, 'dev', BRIDGE);
    for (const peer of this.nodes) {
      if (peer === i) continue;
      await this.inNetns(this.netnsPath(i), [
        'bridge',
        'fdb',
        'append',
        '00:00:00:00:00:00',
        'dev',
        VXLAN,
        'dst',
        this.lab.addr(peer),
      ]);
    }
    await this.inNetns(this.netnsPath(i), ['sysctl', '-qw', 'net.ipv4.ip_forward=1']);
  }

  /** A task sandbox on node `host`: its own namespace, an address on the fixture network, lo up. */
  async addSandbox(host: number): Promise<Sandbox> {
    const n = this.nextIndex++;
    const name = `sb${n}`;
    const netns = `${this.lab.id}-${name}`;
    const netnsPath = `/run/netns/${netns}`;
    const addr = `10.99.${host + 1}.${n}`;
    await runCommand(['ip', 'netns', 'add', netns]);
    await this.ip(
      host,
      'link',
      'add',
      name,
      'mtu',
      String(MTU),
      'type',
      'veth',
      'peer',
      'name',
      'eth0',
      'mtu',
      String(MTU),
      'netns',
      netnsPath,
    );
    await this.ip(host, 'link', 'set', name, 'master', BRIDGE, 'up');
    const inSb = (...args: string[]): Promise<CommandResult> => this.inNetns(netnsPath, ['ip', ...args]);
    await inSb('link', 'set', 'lo', 'up');
    await inSb('addr', 'add', `${addr}/16`, 'dev', 'eth0');
    await inSb('link', 'set', 'eth0', 'up');
    await inSb('route', 'add', 'default', 'via', `10.99.255.${host + 1}`);
    const sb = { name, host, addr, netnsPath };
    this.sandboxes.push(sb);
    return sb;
  }

  /** Serves HTTP on port 80 of the sandbox, answering its name; waits until it answers. */
  async serveHttp(sb: Sandbox): Promise<void> {
    const dir = join(this.lab.dir, 'www', sb.name);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'index.html'), `${sb.name}\n`);
    this.start(['nsenter', `--net=${sb.netnsPath}`, '--', 'busybox', 'httpd', '-f', '-p', '80', '-h', dir]);
    await this.waitFor(async () => (await this.httpGet(sb.netnsPath, `http://${sb.addr}/`)) === sb.name);
  }

  /** Serves UDP on `port` of the sandbox, answering its name. */
  async serveUdp(sb: Sandbox, port: number): Promise<void> {
    this.start([
      'nsenter',
      `--net=${sb.netnsPath}`,
      '--',
      process.execPath,
      '-e',
      UDP_SERVER,
      sb.name,
      String(port),
    ]);
    await this.waitFor(async () => (await this.udpAsk(sb.netnsPath, sb.addr, port, 1))[0] === sb.name);
  }

  /** One HTTP GET from inside a namespace: the body's first line, or the error wget printed. */
  async httpGet(netnsPath: string, url: string): Promise<string> {
    // (busybox 1.35's `wget -T` crashes: coreutils' timeout bounds it instead)
    const r = await this.inNetns(netnsPath, ['timeout', '3', 'busybox', 'wget', '-q', '-O', '-', url], false);
    return r.code === 0 ? r.stdout.trim() : `error: ${r.stderr.trim()}`;
  }

  /** `count` sequential GETs (each a new connection) from inside a namespace: the bodies. */
  async httpGets(netnsPath: string, url: string, count: number): Promise<string[]> {
    const script = `for i in $(seq ${count}); do timeout 3 busybox wget -q -O - ${url} || echo error; done`;
    const r = await this.inNetns(netnsPath, ['sh', '-c', script]);
    return r.stdout.trim().split('\n');
  }

  /** `count` UDP datagrams, each from a new socket, from inside a namespace: the answers. */
  async udpAsk(netnsPath: string, host: string, port: number, count: number): Promise<string[]> {
    const r = await this.inNetns(netnsPath, [
      process.execPath,
      '-e',
      UDP_CLIENT,
      host,
      String(port),
      String(count),
    ]);
    return r.stdout.trim().split('\n');
  }

  /** Every ip table name in a namespace. */
  async tables(netnsPath: string): Promise<string[]> {
    const r = await this.inNetns(netnsPath, ['nft', 'list', 'tables']);
    return r.stdout.split('\n').filter(Boolean);
  }

  async destroy(): Promise<void> {
    for (const c of this.servers) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await this.lab.destroy();
  }

  private start(argv: readonly string[]): void {
    const [cmd, ...args] = argv;
    const child = spawn(cmd ?? 'nsenter', args, { stdio: 'ignore' });
    this.servers.push(child);
  }

  private async waitFor(ok: () => Promise<boolean>, ms = 10_000): Promise<void> {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      if (await ok()) return;
      await delay(50);
    }
    throw new Error(`a fixture server did not come up within ${ms} ms`);
  }
}
