// The embedded DNS server: answers tasks' queries from the swarm's records and forwards the rest
// to the node's resolvers. It serves any number of sandboxes, each on its own UDP socket and TCP
// server (opened inside the sandbox's network namespace, see sandbox-sockets.ts), so the socket
// a query arrives on says which task asked and therefore which networks are in scope.

import type { Socket as UdpSocket } from 'node:dgram';
import type { Server, Socket } from 'node:net';
import type { Logger } from 'pino';
import { pino } from 'pino';
import type { DnsQuery } from './dns-message.js';
import {
  answerResponse,
  errorResponse,
  formatErrorFor,
  isStandardQuery,
  parseQuery,
  TCP_LIMIT,
} from './dns-message.js';
import type { DnsIndex, DnsNetworkRecords } from './dns-records.js';
import { buildDnsIndex } from './dns-records.js';
import { resolve } from './resolver.js';
import { frame, TcpFrameReader } from './tcp-framing.js';
import type { Upstream } from './upstream.js';

export interface SandboxSockets {
  readonly udp: UdpSocket;
  readonly tcp: Server;
}

interface Served {
  networks: readonly string[];
  readonly sockets: SandboxSockets;
  readonly connections: Set<Socket>;
}

export interface EmbeddedDnsOptions {
  readonly upstream: Upstream;
  readonly logger?: Logger;
  /** Close an idle TCP connection after this long (default 10 s). */
  readonly tcpIdleMs?: number;
}

export class EmbeddedDns {
  private index: DnsIndex = { networks: new Map() };
  private readonly served = new Map<string, Served>();
  private readonly log: Logger;
  private rotation = 0;

  constructor(private readonly options: EmbeddedDnsOptions) {
    this.log = options.logger ?? pino({ level: 'silent' });
  }

  /** Replaces the records (every service and task of the networks this node's tasks use). */
  setRecords(networks: readonly DnsNetworkRecords[]): void {
    this.index = buildDnsIndex(networks);
  }

  /** Answers one query as a task attached to `networks` would get it. */
  async answer(
    query: Buffer,
    networks: readonly string[],
    transport: 'udp' | 'tcp',
    udpLimit?: number,
  ): Promise<Buffer | undefined> {
    let q: DnsQuery;
    try {
      q = parseQuery(query);
    } catch {
      return formatErrorFor(query);
    }
    if (!isStandardQuery(q)) return errorResponse(q, 'NOTIMP');
    const limit = transport === 'tcp' ? TCP_LIMIT : (udpLimit ?? q.udpLimit);
    const res = resolve(this.index, networks, { name: q.name, type: q.type }, this.rotation++);
    if (res.kind === 'answer') return answerResponse(q, res.rcode, res.records, limit);
    try {
      return await this.options.upstream.forward(query, transport);
    } catch (e: unknown) {
      this.log.debug({ name: q.name, err: e }, 'upstream failed');
      return errorResponse(q, 'SERVFAIL');
    }
  }

  /** Serves a sandbox's queries on its sockets (already bound, typically inside its namespace). */
  serve(sandboxId: string, sockets: SandboxSockets, networks: readonly string[]): void {
    if (this.served.has(sandboxId)) this.unserve(sandboxId);
    const entry: Served = { networks: [...networks], sockets, connections: new Set() };
    this.served.set(sandboxId, entry);
    sockets.udp.on('message', (msg, rinfo) => {
      void this.answer(msg, entry.networks, 'udp').then((reply) => {
        if (reply && this.served.get(sandboxId) === entry) sockets.udp.send(reply, rinfo.port, rinfo.address);
      });
    });
    sockets.udp.on('error', (e) => this.log.warn({ sandboxId, err: e }, 'DNS UDP socket error'));
    sockets.tcp.on('connection', (conn) => this.serveTcp(entry, conn));
    sockets.tcp.on('error', (e) => this.log.warn({ sandboxId, err: e }, 'DNS TCP server error'));
  }

  /** Changes the networks in scope for a sandbox (it joined or left one). */
  setNetworks(sandboxId: string, networks: readonly string[]): void {
    const entry = this.served.get(sandboxId);
    if (entry) entry.networks = [...networks];
  }

  /**
   * Stops serving a sandbox and closes its sockets. Call it when the task stops: a socket keeps
   * the network namespace it was created in alive, so a forgotten sandbox would leak its netns.
   */
  unserve(sandboxId: string): void {
    const entry = this.served.get(sandboxId);
    if (!entry) return;
    this.served.delete(sandboxId);
    entry.sockets.udp.close();
    entry.sockets.tcp.close();
    for (const c of entry.connections) c.destroy();
  }

  get sandboxes(): string[] {
    return [...this.served.keys()];
  }

  close(): void {
    for (const id of [...this.served.keys()]) this.unserve(id);
  }

  private serveTcp(entry: Served, conn: Socket): void {
    entry.connections.add(conn);
    conn.setTimeout(this.options.tcpIdleMs ?? 10_000, () => conn.destroy());
    conn.on('close', () => entry.connections.delete(conn));
    conn.on('error', () => conn.destroy());
    const reader = new TcpFrameReader();
    conn.on('data', (chunk: Buffer) => {
      for (const msg of reader.push(chunk)) {
        void this.answer(msg, entry.networks, 'tcp').then((reply) => {
          if (reply && !conn.destroyed) conn.write(frame(reply));
        });
      }
    });
  }
}
