import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as dnsPacket from 'dns-packet';
import { DnsError } from '../errors.js';
import {
  answerResponse,
  errorResponse,
  formatErrorFor,
  isStandardQuery,
  parseQuery,
  UDP_EDNS_LIMIT,
} from '../dns-message.js';
import { TcpFrameReader, frame } from '../tcp-framing.js';
import { parseResolvConf } from '../resolv-conf.js';

const query = (name: string, extra: Partial<dnsPacket.Packet> = {}): Buffer =>
  dnsPacket.encode({
    type: 'query',
    id: 4242,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ type: 'A', name }],
    ...extra,
  });

test('a query decodes to its question and the plain UDP limit', () => {
  const q = parseQuery(query('web'));
  assert.equal(q.name, 'web');
  assert.equal(q.type, 'A');
  assert.equal(q.udpLimit, 512);
  assert.equal(q.edns, false);
  assert.equal(isStandardQuery(q), true);
});

test('an answer echoes id, question and RD, sets RA and the rcode', () => {
  const q = parseQuery(query('web'));
  const r = dnsPacket.decode(
    answerResponse(q, 'NOERROR', [{ name: 'web', type: 'A', ttl: 600, data: '10.0.0.2' }], 512),
  );
  assert.equal(r.id, 4242);
  assert.equal(r.type, 'response');
  assert.equal(r.flag_rd, true);
  assert.equal(r.flag_ra, true);
  assert.deepEqual(
    r.answers?.map((x) => (x.type === 'A' ? [x.name, x.type, x.ttl, x.data] : [])),
    [['web', 'A', 600, '10.0.0.2']],
  );
  const nx = dnsPacket.decode(errorResponse(q, 'NXDOMAIN')) as dnsPacket.DecodedPacket & { rcode: string };
  assert.equal(nx.rcode, 'NXDOMAIN');
});

test('too many records for UDP: truncated, TC set, no answers', () => {
  const q = parseQuery(query('tasks.web'));
  const records = Array.from({ length: 60 }, (_, i) => ({
    name: 'tasks.web',
    type: 'A' as const,
    ttl: 10,
    data: `10.0.1.${i}`,
  }));
  const r = dnsPacket.decode(answerResponse(q, 'NOERROR', records, q.udpLimit));
  assert.equal(r.flag_tc, true);
  assert.equal(r.answers?.length, 0);
  const whole = dnsPacket.decode(answerResponse(q, 'NOERROR', records, 65535));
  assert.equal(whole.answers?.length, 60);
});

test('EDNS: the client size is honoured up to 1232 and the response carries OPT', () => {
  const opt = {
    type: 'OPT' as const,
    name: '.',
    udpPayloadSize: 4096,
    extendedRcode: 0,
    ednsVersion: 0,
    flags: 0,
    flag_do: false,
    options: [],
  };
  const q = parseQuery(query('web', { additionals: [opt] }));
  assert.equal(q.udpLimit, UDP_EDNS_LIMIT);
  const r = dnsPacket.decode(errorResponse(q, 'NOERROR'));
  assert.equal(r.additionals?.[0]?.type, 'OPT');
});

test('garbage: FORMERR echoing the id when a header is there, nothing otherwise', () => {
  assert.throws(() => parseQuery(Buffer.from([1, 2, 3])), DnsError);
  assert.equal(formatErrorFor(Buffer.from([1, 2, 3])), undefined);
  const bad = Buffer.concat([query('web').subarray(0, 12), Buffer.from([0xff, 0xff])]);
  const r = formatErrorFor(bad);
  assert.ok(r);
  const d = dnsPacket.decode(r) as dnsPacket.DecodedPacket & { rcode: string };
  assert.equal(d.id, 4242);
  assert.equal(d.rcode, 'FORMERR');
});

test('two questions are refused as malformed', () => {
  const two = dnsPacket.encode({
    type: 'query',
    id: 1,
    questions: [
      { type: 'A', name: 'a' },
      { type: 'A', name: 'b' },
    ],
  });
  assert.throws(() => parseQuery(two), /one question, not 2/);
});

test('TCP frames split and joined arbitrarily come out whole', () => {
  const m1 = Buffer.from('first message');
  const m2 = Buffer.from('second');
  const wire = Buffer.concat([frame(m1), frame(m2)]);
  const r = new TcpFrameReader();
  assert.deepEqual(r.push(wire.subarray(0, 1)), []);
  assert.deepEqual(r.push(wire.subarray(1, 10)), []);
  assert.deepEqual(r.push(wire.subarray(10)).map(String), ['first message', 'second']);
  assert.equal(r.buffered, 0);
});

test('resolv.conf: nameservers in order, comments, zones and our own address skipped', () => {
  const text = [
    '# generated',
    'search example.org',
    'nameserver 10.0.0.53 ; primary',
    'nameserver 127.0.0.11',
    'nameserver fe80::1%eth0',
    'nameserver not-an-ip',
    'options ndots:0',
    'nameserver 1.1.1.1',
  ].join('\n');
  assert.deepEqual(parseResolvConf(text), [
    { host: '10.0.0.53', port: 53 },
    { host: 'fe80::1', port: 53 },
    { host: '1.1.1.1', port: 53 },
  ]);
});
