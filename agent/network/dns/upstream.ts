// Forwards queries for names outside the swarm to the node's resolvers: each server in turn,
// each with a timeout, a fresh socket per query (so replies need no demultiplexing and cannot
// be confused with another query's). UDP queries go over UDP, TCP queries over TCP.

import { createSocket } from 'node:dgram';
import { isIPv6, connect } from 'node:net';
import { DnsUpstreamError } from './errors.js';
import type { UpstreamServer } from './resolv-conf.js';
import { frame, TcpFrameReader } from './tcp-framing.js';

/** Runs `fn` after `ms`; returns a function that cancels it. Injected by tests. */
export type Schedule = (fn: () => void, ms: number) => () => void;

const realSchedule: Schedule = (fn, ms) => {
  const t = setTimeout(fn, ms);
  return () => clearTimeout(t);
};

export interface UpstreamOptions {
  /** The node's resolvers (readNodeResolvers()); re-read by the caller when they change. */
  readonly servers: readonly UpstreamServer[];
  /** Per server, per query (default 2,000 ms). */
  readonly timeoutMs?: number;
  readonly schedule?: Schedule;
}

export class Upstream {
  private readonly timeoutMs: number;
  private readonly schedule: Schedule;

  constructor(private readonly options: UpstreamOptions) {
    this.timeoutMs = options.timeoutMs ?? 2_000;
    this.schedule = options.schedule ?? realSchedule;
  }

  get servers(): readonly UpstreamServer[] {
    return this.options.servers;
  }

  forward(query: Buffer, transport: 'udp' | 'tcp'): Promise<Buffer> {
    return this.tryEach(query, transport === 'udp' ? (s) => this.udp(s, query) : (s) => this.tcp(s, query));
  }

  private async tryEach(query: Buffer, ask: (s: UpstreamServer) => Promise<Buffer>): Promise<Buffer> {
    const tried: string[] = [];
    let last = 'no server';
    for (const s of this.options.servers) {
      tried.push(`${s.host}:${s.port}`);
      try {
        const reply = await ask(s);
        if (reply.length >= 2 && reply.readUInt16BE(0) === query.readUInt16BE(0)) return reply;
        last = `${s.host}:${s.port} answered another query id`;
      } catch (e: unknown) {
        last = e instanceof Error ? e.message : String(e);
      }
    }
    throw new DnsUpstreamError(tried, last);
  }

  private udp(s: UpstreamServer, query: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const sock = createSocket(isIPv6(s.host) ? 'udp6' : 'udp4');
      let settled = false;
      const done = (err: Error | undefined, reply?: Buffer): void => {
        if (settled) return;
        settled = true;
        cancel();
        sock.close();
        if (err) reject(err);
        else if (reply) resolve(reply);
      };
      const cancel = this.schedule(
        () => done(new Error(`${s.host}:${s.port} timed out after ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
      sock.on('error', (e) => done(e));
      sock.on('message', (msg, rinfo) => {
        if (rinfo.address === s.host && rinfo.port === s.port) done(undefined, msg);
      });
      sock.send(query, s.port, s.host);
    });
  }

  private tcp(s: UpstreamServer, query: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const sock = connect({ host: s.host, port: s.port });
      const reader = new TcpFrameReader();
      let settled = false;
      const done = (err: Error | undefined, reply?: Buffer): void => {
        if (settled) return;
        settled = true;
        cancel();
        sock.destroy();
        if (err) reject(err);
        else if (reply) resolve(reply);
      };
      const cancel = this.schedule(
        () => done(new Error(`${s.host}:${s.port} timed out after ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
      sock.on('error', (e) => done(e));
      sock.on('connect', () => sock.write(frame(query)));
      sock.on('data', (chunk: Buffer) => {
        const [reply] = reader.push(chunk);
        if (reply) done(undefined, reply);
      });
      sock.on('close', () => done(new Error(`${s.host}:${s.port} closed the connection without answering`)));
    });
  }
}
