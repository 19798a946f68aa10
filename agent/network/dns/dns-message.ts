// DNS wire format around the resolver (dns-packet does the encoding): decode a query, build the
// answer or error response for it, respect the client's UDP size (truncating with TC set).

import type { Answer, DecodedPacket, Packet } from 'dns-packet';
import * as dnsPacket from 'dns-packet';
import { DnsError } from './errors.js';
import type { DnsRecord } from './resolver.js';

export type Rcode = 'NOERROR' | 'FORMERR' | 'SERVFAIL' | 'NXDOMAIN' | 'NOTIMP' | 'REFUSED';
const RCODES: Readonly<Record<Rcode, number>> = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
};

/** The largest UDP response without EDNS, and the most shoal will send with it. */
export const UDP_PLAIN_LIMIT = 512;
export const UDP_EDNS_LIMIT = 1232;
export const TCP_LIMIT = 65535;

export interface DnsQuery {
  readonly packet: DecodedPacket;
  /** The single question's name and type. */
  readonly name: string;
  readonly type: string;
  /** The UDP payload size the client accepts (512 without EDNS). */
  readonly udpLimit: number;
  readonly edns: boolean;
}

/** Decodes a query; throws DnsError(DNS_BAD_MESSAGE) with the header id when one can be read. */
export function parseQuery(buf: Buffer): DnsQuery {
  let packet: DecodedPacket;
  try {
    packet = dnsPacket.decode(buf);
  } catch (e: unknown) {
    throw new DnsError('DNS_BAD_MESSAGE', `undecodable DNS message (${buf.length} bytes)`, { cause: e });
  }
  if (packet.type !== 'query') throw new DnsError('DNS_BAD_MESSAGE', 'not a query');
  const q = packet.questions?.[0];
  if (!q || packet.questions?.length !== 1) {
    throw new DnsError(
      'DNS_BAD_MESSAGE',
      `a query carries one question, not ${packet.questions?.length ?? 0}`,
    );
  }
  const opt = packet.additionals?.find((a) => a.type === 'OPT');
  const size = opt && 'udpPayloadSize' in opt ? opt.udpPayloadSize : UDP_PLAIN_LIMIT;
  return {
    packet,
    name: q.name,
    type: q.type,
    udpLimit: Math.min(Math.max(size, UDP_PLAIN_LIMIT), UDP_EDNS_LIMIT),
    edns: opt !== undefined,
  };
}

function opcodeOf(packet: DecodedPacket): string {
  const op: unknown = (packet as DecodedPacket & { opcode?: unknown }).opcode;
  return typeof op === 'string' ? op : 'QUERY';
}

/** Whether the query asks for something other than a standard lookup (answered NOTIMP). */
export function isStandardQuery(q: DnsQuery): boolean {
  return opcodeOf(q.packet) === 'QUERY';
}

function response(q: DnsQuery, rcode: Rcode, answers: Answer[], truncated = false): Packet {
  const rd = q.packet.flag_rd ? dnsPacket.RECURSION_DESIRED : 0;
  return {
    type: 'response',
    id: q.packet.id ?? 0,
    flags:
      rd | dnsPacket.RECURSION_AVAILABLE | (truncated ? dnsPacket.TRUNCATED_RESPONSE : 0) | RCODES[rcode],
    questions: q.packet.questions ?? [],
    answers,
    ...(q.edns
      ? {
          additionals: [
            {
              type: 'OPT' as const,
              name: '.',
              udpPayloadSize: UDP_EDNS_LIMIT,
              extendedRcode: 0,
              ednsVersion: 0,
              flags: 0,
              flag_do: false,
              options: [],
            },
          ],
        }
      : {}),
  };
}

/** The response carrying the resolver's records, truncated (TC set, no answers) above `limit`. */
export function answerResponse(
  q: DnsQuery,
  rcode: Rcode,
  records: readonly DnsRecord[],
  limit: number,
): Buffer {
  const answers: Answer[] = records.map((r) => ({
    name: r.name,
    type: r.type,
    class: 'IN',
    ttl: r.ttl,
    data: r.data,
  }));
  const full = dnsPacket.encode(response(q, rcode, answers));
  if (full.length <= limit) return full;
  return dnsPacket.encode(response(q, rcode, [], true));
}

export function errorResponse(q: DnsQuery, rcode: Rcode): Buffer {
  return dnsPacket.encode(response(q, rcode, []));
}

/**
 * A FORMERR for a message that could not be parsed as a query but has a header: echoes the id
 * (and nothing else). Undefined when not even the 12-byte header is there.
 */
export function formatErrorFor(buf: Buffer): Buffer | undefined {
  if (buf.length < 12) return undefined;
  const out = Buffer.alloc(12);
  buf.copy(out, 0, 0, 2);
  out.writeUInt16BE(0x8000 | dnsPacket.RECURSION_AVAILABLE | RCODES.FORMERR, 2);
  return out;
}
