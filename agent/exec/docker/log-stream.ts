// Turning the engine's log stream into entries. Without a TTY the engine multiplexes stdout and
// stderr in frames (8-byte header: stream type, 3 zero bytes, big-endian payload length); with
// a TTY it sends raw bytes (all of it stdout). With `timestamps=1` each line starts with an
// RFC 3339 nanosecond timestamp and a space. Lines may arrive split across frames and chunks.

import type { LogEntry, LogStream } from '../executor.js';

const HEADER = 8;

/** Splits a chunked byte stream into log entries. */
export class LogDecoder {
  private pending: Buffer = Buffer.alloc(0);
  private readonly partial: Record<LogStream, string> = { stdout: '', stderr: '' };

  constructor(private readonly tty: boolean) {}

  /** Feeds a chunk; returns the complete lines it finished. */
  push(chunk: Buffer): LogEntry[] {
    if (this.tty) return this.text('stdout', chunk.toString('utf8'));
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const out: LogEntry[] = [];
    while (this.pending.length >= HEADER) {
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < HEADER + size) break;
      const stream: LogStream = this.pending[0] === 2 ? 'stderr' : 'stdout';
      out.push(...this.text(stream, this.pending.subarray(HEADER, HEADER + size).toString('utf8')));
      this.pending = this.pending.subarray(HEADER + size);
    }
    return out;
  }

  /** Flushes lines that never got their newline (the stream ended). */
  end(): LogEntry[] {
    const out: LogEntry[] = [];
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.partial[stream] !== '') out.push(entry(stream, this.partial[stream]));
      this.partial[stream] = '';
    }
    return out;
  }

  private text(stream: LogStream, text: string): LogEntry[] {
    const lines = (this.partial[stream] + text).split('\n');
    this.partial[stream] = lines.pop() ?? '';
    return lines.map((line) => entry(stream, line.endsWith('\r') ? line.slice(0, -1) : line));
  }
}

function entry(stream: LogStream, raw: string): LogEntry {
  const space = raw.indexOf(' ');
  const stamp = space > 0 ? raw.slice(0, space) : '';
  if (/^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:\d{2})$/.test(stamp)) {
    return { stream, timestamp: stamp, line: raw.slice(space + 1) };
  }
  return { stream, timestamp: '', line: raw };
}

/** The engine's `since` query value: seconds since the epoch with nanosecond fraction. */
export function sinceParam(since: Date): string {
  const ms = since.getTime();
  const seconds = Math.floor(ms / 1000);
  const nanos = (ms - seconds * 1000) * 1_000_000;
  return `${seconds}.${String(nanos).padStart(9, '0')}`;
}
