// Raft transport over gRPC: one long-lived client stream per peer carrying batches of messages,
// snapshots sent in chunks on their own call, exponential back-off after failures, and every
// received message validated by the codec before the node sees it. Credentials are pluggable
// (mutual TLS comes with the CA); the default is insecure for loopback tests.

import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { CodecError, messageFromProto, messageToProto } from './codec.js';
import { REFUSED_BY_PEER } from './errors.js';
import {
  newAck,
  newBatch,
  newChunk,
  newSnapshotAck,
  raftServiceDefinition,
  type PbAck,
  type PbBatch,
  type PbChunk,
  type PbSnapshotAck,
} from './grpc-service.js';
import type { Transport, TransportHandler } from './transport.js';
import { MessageType, type Message, type RaftId } from '../types.js';

export interface GrpcTransportOptions {
  readonly id: RaftId;
  /** Address to listen on, host:port (port 0 picks a free one). */
  readonly listen: string;
  readonly serverCredentials?: grpc.ServerCredentials;
  readonly channelCredentials?: grpc.ChannelCredentials;
  /** Extra options for the channels to peers (e.g. the TLS server name for mutual TLS). */
  readonly channelOptions?: grpc.ChannelOptions;
  /** Largest gRPC message accepted (bytes). */
  readonly maxMessageSize?: number;
  /** Max messages per batch on the wire. */
  readonly maxBatch?: number;
  /** Max queued messages per peer; beyond it the oldest are dropped (Raft retransmits). */
  readonly maxQueue?: number;
  readonly snapshotChunkSize?: number;
  readonly logger: Logger;
  /**
   * Checks the caller of an incoming stream (e.g. a manager certificate over mutual TLS, against
   * the cluster's current members); throws to refuse it. Called when a stream opens and again
   * for every batch or snapshot chunk it carries, so a member removed meanwhile is cut off at its
   * next message. Without it every caller is accepted (insecure loopback tests).
   *
   * It may return a SenderCheck: then every message of that batch (or snapshot) is dropped whose
   * `from` the check refuses (a caller speaking as another Raft member). Whatever the hook,
   * each stream speaks for one sender: the first `from` it carries.
   */
  readonly authorize?: (
    call: grpc.ServerWritableStream<unknown, unknown> | grpc.ServerReadableStream<unknown, unknown>,
  ) => SenderCheck | void;
}

/** Why the authenticated caller may not send a message as member `from`; undefined if it may. */
export type SenderCheck = (from: RaftId) => string | undefined;

/** What the authorize hook decided for one batch. */
type Admission = { readonly refused: grpc.ServiceError } | { readonly check: SenderCheck | undefined };

/** At most one warning per interval about dropped messages (with how many were not logged). */
const DROP_LOG_INTERVAL_MS = 10_000;

const DEFAULT_MAX_MESSAGE = 64 * 1024 * 1024;

// A receiver answers a stream's first batch, then at most once per interval: the answer only resets
// the sender's back-off, and one per batch cost an extra gRPC message each way per Raft message.
const ACK_INTERVAL_MS = 1_000;

class PeerLink {
  readonly id: RaftId;
  address: string;
  private client: grpc.Client;
  private stream: grpc.ClientDuplexStream<PbBatch, PbAck> | undefined;
  private queue: Message[] = [];
  private backoffMs = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private refusedLogged = false;
  private readonly t: GrpcTransport;

  constructor(t: GrpcTransport, id: RaftId, address: string) {
    this.t = t;
    this.id = id;
    this.address = address;
    this.client = this.newClient();
  }

  private newClient(): grpc.Client {
    return new grpc.Client(this.address, this.t.channelCredentials, {
      ...this.t.channelOptions,
      'grpc.max_receive_message_length': this.t.maxMessageSize,
      'grpc.max_send_message_length': this.t.maxMessageSize,
      'grpc.keepalive_time_ms': 10_000,
      'grpc.initial_reconnect_backoff_ms': 100,
      'grpc.max_reconnect_backoff_ms': 2_000,
    });
  }

  setAddress(address: string): void {
    if (address === this.address) return;
    this.address = address;
    this.resetStream();
    this.client.close();
    this.client = this.newClient();
  }

  enqueue(m: Message): void {
    if (m.type === MessageType.Snap) {
      this.t.sendSnapshot(this.client, m);
      return;
    }
    this.queue.push(m);
    if (this.queue.length > this.t.maxQueue) this.queue.splice(0, this.queue.length - this.t.maxQueue);
  }

  /**
   * Writes everything queued onto the peer's stream, in batches bounded by count AND by bytes:
   * one gRPC message over maxMessageSize fails the whole stream (RESOURCE_EXHAUSTED), which
   * drops the queue, so a leader pipelining many full appends to a catching-up member (up to
   * maxInflightMsgs × maxSizePerMsg) would lose them all on every try and crawl one probe at a
   * time.
   */
  flush(): void {
    if (this.closed || this.queue.length === 0 || this.retryTimer) return;
    const s = this.ensureStream();
    const budget = this.t.maxBatchBytes;
    while (this.queue.length > 0) {
      let count = 0;
      let bytes = 0;
      while (count < this.queue.length && count < this.t.maxBatch) {
        const size = encodedSizeBound(this.queue[count]!);
        if (count > 0 && bytes + size > budget) break;
        bytes += size;
        count++;
      }
      const chunk = this.queue.splice(0, count);
      if (bytes > budget) {
        // One message alone is over the limit: sending it would fail the stream for nothing.
        this.t.logger.error(
          { peer: this.id, bytes, limit: this.t.maxMessageSize, type: chunk[0]!.type },
          'raft transport: message larger than the gRPC message limit dropped',
        );
        continue;
      }
      let batch: PbBatch;
      try {
        batch = newBatch(chunk.map(messageToProto));
      } catch (e: unknown) {
        // A message the codec refuses to encode is a bug in this node: log it, drop the batch.
        this.t.logger.error({ err: e, peer: this.id }, 'raft transport: cannot encode batch');
        continue;
      }
      s.write(batch);
    }
  }

  private ensureStream(): grpc.ClientDuplexStream<PbBatch, PbAck> {
    if (this.stream) return this.stream;
    const s = this.client.makeBidiStreamRequest(
      raftServiceDefinition.stream.path,
      raftServiceDefinition.stream.requestSerialize,
      raftServiceDefinition.stream.responseDeserialize,
    );
    s.on('data', () => {
      this.backoffMs = 0;
      this.refusedLogged = false;
    });
    s.on('error', (err: Error) => this.onFailure(s, err));
    s.on('end', () => this.onFailure(s, new Error('stream ended by peer')));
    this.stream = s;
    return s;
  }

  private onFailure(s: grpc.ClientDuplexStream<PbBatch, PbAck>, err: Error): void {
    if (this.stream !== s) return;
    this.stream = undefined;
    if (this.closed) return;
    // A peer going away is routine (debug); a message over a size limit is this node's bug; a
    // peer refusing this member is the operator's to act on (once per refusal streak).
    const code = (err as Partial<grpc.ServiceError>).code;
    if (code === grpc.status.PERMISSION_DENIED && !this.refusedLogged) {
      this.refusedLogged = true;
      this.t.logger.error({ peer: this.id, addr: this.address, err: err.message }, REFUSED_BY_PEER);
    } else if (code !== grpc.status.PERMISSION_DENIED) {
      this.t.logger[code === grpc.status.RESOURCE_EXHAUSTED ? 'warn' : 'debug'](
        { peer: this.id, addr: this.address, err: err.message },
        'raft transport: peer stream failed',
      );
    }
    this.t.handler?.reportUnreachable(this.id);
    this.queue = [];
    this.backoffMs = Math.min(Math.max(this.backoffMs * 2, 50), 2_000);
    const jitter = Math.floor(Math.random() * (this.backoffMs / 2));
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.flush();
    }, this.backoffMs + jitter);
  }

  private resetStream(): void {
    const s = this.stream;
    this.stream = undefined;
    s?.cancel();
  }

  close(): void {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.resetStream();
    this.client.close();
  }
}

/**
 * An upper bound of a stream message's encoded size inside a batch: every varint field at its
 * widest (10 bytes + tag), each entry's data plus its own fields and framing. Stream messages
 * never carry snapshots (those go through SendSnapshot in chunks).
 */
export function encodedSizeBound(m: Message): number {
  const FIELDS = 16 * 12;
  const ENTRY_FIELDS = 4 * 12 + 12;
  let n = FIELDS + m.context.byteLength;
  for (const e of m.entries) n += ENTRY_FIELDS + e.data.byteLength;
  return n;
}

/** Room kept below the gRPC limit for the batch's own framing. */
const BATCH_FRAMING_BYTES = 4096;

export class GrpcTransport implements Transport {
  readonly id: RaftId;
  readonly logger: Logger;
  readonly channelCredentials: grpc.ChannelCredentials;
  readonly channelOptions: grpc.ChannelOptions;
  readonly maxMessageSize: number;
  readonly maxBatch: number;
  readonly maxQueue: number;
  /** Bytes one batch may carry: a batch is one gRPC message, under maxMessageSize. */
  readonly maxBatchBytes: number;
  private readonly chunkSize: number;
  private readonly authorize: GrpcTransportOptions['authorize'];
  private readonly server: grpc.Server;
  /** Whether this transport created the server (and so shuts it down on close). */
  private readonly ownsServer: boolean;
  private readonly links = new Map<RaftId, PeerLink>();
  handler: TransportHandler | undefined;
  /** The port actually bound. */
  port = 0;
  /** Messages dropped because their `from` was not the caller's Raft member. */
  droppedSenders = 0;
  private dropLog = { at: Number.NEGATIVE_INFINITY, suppressed: 0 };
  private noAddressLogAt = Number.NEGATIVE_INFINITY;

  private constructor(o: GrpcTransportOptions, server: grpc.Server | undefined) {
    this.id = o.id;
    this.logger = o.logger;
    this.channelCredentials = o.channelCredentials ?? grpc.credentials.createInsecure();
    this.channelOptions = o.channelOptions ?? {};
    this.maxMessageSize = o.maxMessageSize ?? DEFAULT_MAX_MESSAGE;
    this.maxBatch = o.maxBatch ?? 512;
    this.maxQueue = o.maxQueue ?? 4096;
    this.maxBatchBytes = Math.max(this.maxMessageSize - BATCH_FRAMING_BYTES, 1);
    this.chunkSize = o.snapshotChunkSize ?? 1024 * 1024;
    this.authorize = o.authorize;
    this.ownsServer = server === undefined;
    this.server =
      server ??
      new grpc.Server({
        'grpc.max_receive_message_length': this.maxMessageSize,
        'grpc.max_send_message_length': this.maxMessageSize,
      });
    this.server.addService(raftServiceDefinition, {
      stream: (call: grpc.ServerDuplexStream<PbBatch, PbAck>) => this.onStream(call),
      sendSnapshot: (
        call: grpc.ServerReadableStream<PbChunk, PbSnapshotAck>,
        cb: grpc.sendUnaryData<PbSnapshotAck>,
      ) => this.onSnapshot(call, cb),
    });
  }

  /** Creates the transport and binds its server. */
  static async listen(o: GrpcTransportOptions): Promise<GrpcTransport> {
    const t = new GrpcTransport(o, undefined);
    t.port = await new Promise<number>((resolve, reject) => {
      t.server.bindAsync(
        o.listen,
        o.serverCredentials ?? grpc.ServerCredentials.createInsecure(),
        (err, port) => (err ? reject(err) : resolve(port)),
      );
    });
    return t;
  }

  /**
   * Registers the Raft service on a gRPC server the caller owns and binds (the manager's 2377
   * server, shared with the dispatcher and the CA). `listen` in the options is ignored.
   */
  static attach(
    server: grpc.Server,
    o: Omit<GrpcTransportOptions, 'listen' | 'serverCredentials'>,
  ): GrpcTransport {
    return new GrpcTransport({ ...o, listen: '' }, server);
  }

  start(handler: TransportHandler): void {
    this.handler = handler;
  }

  /**
   * Queues `messages` and writes them out at once, one batch per peer: the node hands over a
   * whole Ready's messages in one call, so nothing is gained by waiting for more, and a hop
   * through the event loop (setImmediate) put a fraction of a millisecond on every commit,
   * twice (the append out, the answer back).
   */
  send(messages: readonly Message[]): void {
    const dirty = new Set<PeerLink>();
    for (const m of messages) {
      const link = this.links.get(m.to);
      if (!link) {
        // Raft answering a member it has no address for is lost for good (a member that cannot
        // answer its leader never catches up): warn, at most once per interval.
        const now = Date.now();
        if (now - this.noAddressLogAt >= DROP_LOG_INTERVAL_MS) {
          this.noAddressLogAt = now;
          this.logger.warn(
            { to: m.to, type: m.type },
            'raft transport: no address for peer; message dropped',
          );
        }
        continue;
      }
      link.enqueue(m);
      dirty.add(link);
    }
    for (const l of dirty) l.flush();
  }

  addPeer(id: RaftId, address: string): void {
    if (id === this.id) return;
    const l = this.links.get(id);
    if (l) l.setAddress(address);
    else this.links.set(id, new PeerLink(this, id, address));
  }

  removePeer(id: RaftId): void {
    this.links.get(id)?.close();
    this.links.delete(id);
  }

  peers(): ReadonlyMap<RaftId, string> {
    return new Map([...this.links].map(([id, l]) => [id, l.address]));
  }

  private deliver(m: Message): void {
    if (m.to !== this.id) {
      this.logger.warn({ to: m.to, from: m.from }, 'raft transport: message for another member refused');
      return;
    }
    this.handler?.receive(m);
  }

  /** The caller's refusal (with its gRPC status), or the check its messages' senders must pass. */
  private admit(
    call: grpc.ServerDuplexStream<PbBatch, PbAck> | grpc.ServerReadableStream<PbChunk, PbSnapshotAck>,
  ): Admission {
    if (!this.authorize) return { check: undefined };
    try {
      return { check: this.authorize(call) ?? undefined };
    } catch (e: unknown) {
      const details = e instanceof Error ? e.message : String(e);
      this.logger.warn({ details }, 'raft transport: caller refused');
      return {
        refused: Object.assign(new Error(details), {
          code: refusalCode(e),
          details,
          metadata: new grpc.Metadata(),
        }),
      };
    }
  }

  /**
   * Why a message from `from` is dropped, or undefined: a stream speaks for the first sender it
   * carried (`pinned`), and the caller must be allowed to speak as `from` (`check`).
   */
  private senderRefusal(
    from: RaftId,
    pinned: RaftId | undefined,
    check: SenderCheck | undefined,
  ): string | undefined {
    if (pinned !== undefined && from !== pinned) {
      return `a stream that carried messages from member ${pinned} sent one as member ${from}`;
    }
    return check?.(from);
  }

  /** Counts a dropped message; warns about the first, then at most once per DROP_LOG_INTERVAL_MS. */
  private dropped(from: RaftId, reason: string): void {
    this.droppedSenders++;
    const now = Date.now();
    if (now - this.dropLog.at < DROP_LOG_INTERVAL_MS) {
      this.dropLog.suppressed++;
      return;
    }
    this.logger.warn(
      { from, reason, droppedSinceLastWarning: this.dropLog.suppressed },
      "raft transport: message sent as another member's dropped",
    );
    this.dropLog = { at: now, suppressed: 0 };
  }

  private onStream(call: grpc.ServerDuplexStream<PbBatch, PbAck>): void {
    const opened = this.admit(call);
    if ('refused' in opened) {
      call.emit('error', opened.refused);
      return;
    }
    let received = 0;
    let refused = false;
    let pinned: RaftId | undefined;
    let ackedAt = Number.NEGATIVE_INFINITY;
    call.on('data', (batch: PbBatch) => {
      if (refused) return;
      const admitted = this.admit(call);
      if ('refused' in admitted) {
        refused = true;
        call.emit('error', admitted.refused);
        return;
      }
      for (const p of batch.messages) {
        let m: Message;
        try {
          m = messageFromProto(p);
        } catch (e: unknown) {
          // A malformed message from a peer is refused; the node keeps running.
          const reason = e instanceof CodecError ? e.message : String(e);
          this.logger.warn({ reason }, 'raft transport: malformed message from peer refused');
          continue;
        }
        received++;
        const why = this.senderRefusal(m.from, pinned, admitted.check);
        if (why !== undefined) {
          this.dropped(m.from, why);
          continue;
        }
        pinned = m.from;
        this.deliver(m);
      }
      const now = Date.now();
      if (now - ackedAt < ACK_INTERVAL_MS) return;
      ackedAt = now;
      call.write(newAck(received));
    });
    call.on('error', () => {});
    call.on('end', () => call.end());
  }

  private onSnapshot(
    call: grpc.ServerReadableStream<PbChunk, PbSnapshotAck>,
    cb: grpc.sendUnaryData<PbSnapshotAck>,
  ): void {
    const opened = this.admit(call);
    if ('refused' in opened) {
      cb(opened.refused);
      return;
    }
    let refused: grpc.ServiceError | undefined;
    let header: Message | undefined;
    const parts: Uint8Array[] = [];
    let size = 0;
    let failed: string | undefined;
    call.on('data', (c: PbChunk) => {
      if (failed || refused) return;
      const admitted = this.admit(call);
      if ('refused' in admitted) {
        refused = admitted.refused;
        cb(refused);
        call.destroy();
        return;
      }
      try {
        if (!header) {
          if (!c.header) throw new CodecError('first snapshot chunk has no header');
          header = messageFromProto(c.header);
          if (header.type !== MessageType.Snap || !header.snapshot)
            throw new CodecError('snapshot header is not a Snap message');
          const why = this.senderRefusal(header.from, undefined, admitted.check);
          if (why !== undefined) {
            this.dropped(header.from, why);
            throw new SenderRefusedError(why);
          }
        }
        if (Number(c.offset) !== size)
          throw new CodecError(`snapshot chunk at offset ${Number(c.offset)}, expected ${size}`);
        size += c.data.byteLength;
        if (size > Number(c.totalSize) || size > 4 * 1024 * 1024 * 1024) {
          throw new CodecError(`snapshot larger than announced (${size} > ${Number(c.totalSize)})`);
        }
        parts.push(c.data);
        if (c.last) {
          if (size !== Number(c.totalSize))
            throw new CodecError(`snapshot truncated: ${size} of ${Number(c.totalSize)} bytes`);
          const data = new Uint8Array(size);
          let off = 0;
          for (const p of parts) {
            data.set(p, off);
            off += p.byteLength;
          }
          const h = header;
          const snap = h.snapshot!;
          this.deliver({ ...h, snapshot: { metadata: snap.metadata, data } });
        }
      } catch (e: unknown) {
        failed = e instanceof Error ? e.message : String(e);
        // A refused sender is already counted and logged (rate-limited) by dropped().
        if (!(e instanceof SenderRefusedError))
          this.logger.warn({ reason: failed }, 'raft transport: snapshot from peer refused');
      }
    });
    call.on('error', () => {});
    call.on('end', () => {
      if (refused) return;
      cb(null, newSnapshotAck({ receivedBytes: size, rejected: failed !== undefined, reason: failed ?? '' }));
    });
  }

  /** Streams a snapshot in chunks on its own call; reports the outcome to the node. */
  sendSnapshot(client: grpc.Client, m: Message): void {
    const snap = m.snapshot!;
    const data = snap.data;
    const header = messageToProto({ ...m, snapshot: { metadata: snap.metadata, data: new Uint8Array(0) } });
    let done = false;
    const finish = (ok: boolean, why?: string): void => {
      if (done) return;
      done = true;
      if (!ok) this.logger.warn({ peer: m.to, why }, 'raft transport: snapshot send failed');
      this.handler?.reportSnapshot(m.to, ok);
    };
    const call = client.makeClientStreamRequest(
      raftServiceDefinition.sendSnapshot.path,
      raftServiceDefinition.sendSnapshot.requestSerialize,
      raftServiceDefinition.sendSnapshot.responseDeserialize,
      (err: grpc.ServiceError | null, ack?: PbSnapshotAck) => {
        if (err) finish(false, err.message);
        else if (!ack || ack.rejected) finish(false, ack?.reason ?? 'no answer');
        else finish(true);
      },
    );
    const total = data.byteLength;
    let offset = 0;
    do {
      const piece = data.subarray(offset, Math.min(offset + this.chunkSize, total));
      call.write(
        newChunk({
          ...(offset === 0 ? { header } : {}),
          offset,
          data: piece,
          last: offset + piece.byteLength >= total,
          totalSize: total,
        }),
      );
      offset += piece.byteLength;
    } while (offset < total);
    call.end();
  }

  async close(): Promise<void> {
    for (const l of this.links.values()) l.close();
    this.links.clear();
    // Peers keep their streams open forever, so a graceful shutdown would only wait: Raft
    // needs no drain (unsent messages are retransmitted by the protocol).
    if (this.ownsServer) this.server.forceShutdown();
    else this.server.removeService(raftServiceDefinition);
    await Promise.resolve();
  }
}

/** A snapshot whose header names a sender the caller may not speak as. */
class SenderRefusedError extends Error {
  readonly code = 'RAFT_SENDER_REFUSED';
  constructor(reason: string) {
    super(`snapshot refused: ${reason}`);
    this.name = 'SenderRefusedError';
  }
}

/**
 * The gRPC status of an authorizer's refusal: the project's typed errors carry it as `grpcCode`
 * (CaError) or `grpcStatus`, a grpc-js error as a numeric `code`; anything else is a refusal.
 */
function refusalCode(e: unknown): grpc.status {
  if (typeof e === 'object' && e !== null) {
    for (const key of ['grpcCode', 'grpcStatus', 'code'] as const) {
      const code = (e as Record<string, unknown>)[key];
      if (typeof code === 'number' && code in grpc.status) return code;
    }
  }
  return grpc.status.PERMISSION_DENIED;
}
