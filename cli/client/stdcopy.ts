// Docker's multiplexed log stream (pkg/stdcopy): each frame is an 8-byte header
// [stream, 0, 0, 0, size (uint32 big-endian)] followed by `size` bytes of payload.
// Stream 0 is stdin, 1 stdout, 2 stderr, 3 an error from the daemon.

export type StdStream = 'stdin' | 'stdout' | 'stderr' | 'systemerr';

export interface StdFrame {
  readonly stream: StdStream;
  readonly payload: Buffer;
}

export class StreamFormatError extends Error {
  readonly code = 'STREAM_FORMAT';
  constructor(message: string) {
    super(message);
    this.name = 'StreamFormatError';
  }
}

const STREAMS: readonly StdStream[] = ['stdin', 'stdout', 'stderr', 'systemerr'];
const HEADER = 8;

/** Incremental demultiplexer: feed chunks as they arrive, take whole frames out. */
export class StdDemuxer {
  private buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): StdFrame[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const frames: StdFrame[] = [];
    while (this.buffer.length >= HEADER) {
      const kind = this.buffer[0] ?? 0;
      const stream = STREAMS[kind];
      if (stream === undefined) {
        throw new StreamFormatError(`unrecognized input header: ${kind}`);
      }
      const size = this.buffer.readUInt32BE(4);
      if (this.buffer.length < HEADER + size) break;
      frames.push({ stream, payload: this.buffer.subarray(HEADER, HEADER + size) });
      this.buffer = this.buffer.subarray(HEADER + size);
    }
    return frames;
  }

  /** Call at end of stream: a partial frame left over means the stream was cut. */
  end(): void {
    if (this.buffer.length > 0) {
      throw new StreamFormatError(`log stream ended inside a frame (${this.buffer.length} bytes left over)`);
    }
  }
}

/** Demultiplexes a whole stream, calling `onFrame` for each frame in order. */
export async function demultiplex(
  source: AsyncIterable<Buffer | string>,
  onFrame: (frame: StdFrame) => void | Promise<void>,
): Promise<void> {
  const demux = new StdDemuxer();
  for await (const chunk of source) {
    for (const frame of demux.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)) {
      await onFrame(frame);
    }
  }
  demux.end();
}
