// Docker's log stream format. Without a TTY each chunk is framed with an 8-byte header:
// [stream (1 = stdout, 2 = stderr, 3 = system error), 0, 0, 0, payload length (uint32 BE)].
// With `details` each line is prefixed with the swarm context attributes, and with
// `timestamps` with the line's time, as dockerd's WriteLogStream does.

import type { LogLine } from './swarm-control.js';

export const STREAM_STDOUT = 1;
export const STREAM_STDERR = 2;
export const STREAM_SYSTEMERR = 3;

export function frame(stream: number, payload: Uint8Array): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt8(stream, 0);
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

export interface LineFormat {
  readonly details: boolean;
  readonly timestamps: boolean;
  /** Frame each line (non-TTY services). */
  readonly multiplexed: boolean;
}

/** The swarm context attributes dockerd prefixes to each line with `details`. */
export function detailsPrefix(line: LogLine): string {
  const attrs: [string, string][] = [
    ['com.docker.swarm.node.id', line.nodeId],
    ['com.docker.swarm.service.id', line.serviceId],
    ['com.docker.swarm.task.id', line.taskId],
  ];
  return attrs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join(',');
}

/** The bytes one log line becomes on the wire. */
export function encodeLogLine(line: LogLine, format: LineFormat): Buffer {
  const parts: Buffer[] = [];
  if (format.timestamps) parts.push(Buffer.from(`${line.timestamp} `));
  if (format.details) parts.push(Buffer.from(`${detailsPrefix(line)} `));
  parts.push(Buffer.from(line.line));
  if (line.line.length === 0 || line.line[line.line.length - 1] !== 0x0a) parts.push(Buffer.from('\n'));
  const payload = Buffer.concat(parts);
  if (!format.multiplexed) return payload;
  return frame(line.stream === 'stderr' ? STREAM_STDERR : STREAM_STDOUT, payload);
}

/** dockerd's message for an error met while streaming (on the system-error stream when framed). */
export function encodeStreamError(message: string, multiplexed: boolean): Buffer {
  const payload = Buffer.from(`Error grabbing logs: ${message}\n`);
  return multiplexed ? frame(STREAM_SYSTEMERR, payload) : payload;
}
