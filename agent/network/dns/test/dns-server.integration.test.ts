// The server over real UDP and TCP sockets on loopback: swarm names answered from the records,
// other names forwarded to an upstream resolver (a small real one, on loopback too), SERVFAIL
// when the upstream does not answer (its timeout fired by an injected scheduler, not a sleep).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, createServer, type Server } from 'node:net';
import { once } from 'node:events';
import * as dnsPacket from 'dns-packet';
import { EmbeddedDns } from '../dns-server.js';
import { Upstream, type Schedule } from '../upstream.js';
import { frame, TcpFrameReader } from '../tcp-framing.js';

type Decoded = dnsPacket.DecodedPacket & { rcode: string };

const q = (name: string, type: dnsPacket.RecordType = 'A', id = 7): Buffer =>
  dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name }] });

function addrs(p: dnsPacket.DecodedPacket): string[] {
  return (p.answers ?? []).flatMap((a) => (a.type === 'A' ? [a.data] : []));
}

async function udpAsk(port: number, msg: Buffer): Promise<Decoded> {
  const s = createSocket('udp4');
  try {
    s.send(msg, port, '127.0.0.1');
    const [reply] = (await once(s, 'message')) as [Buffer];
    return dnsPacket.decode(reply) as Decoded;
  } finally {
    s.close();
  }
}

async function tcpAsk(port: number, msgs: Buffer[]): Promise<Decoded[]> {
  const sock = connect(port, '127.0.0.1');
  await once(sock, 'connect');
  sock.write(Buffer.concat(msgs.map(frame)));
  const reader = new TcpFrameReader();
  const out: Decoded[] = [];
  for await (const chunk of sock) {
    for (const m of reader.push(chunk as Buffer)) out.push(dnsPacket.decode(m) as Decoded);
    if (out.length === msgs.length) break;
  }
  sock.destroy();
  return out;
}

/** A real upstream resolver on loopback that knows one name (UDP and TCP). */
let upUdp: UdpSocket;
let upTcp: Server;
function upstreamAnswer(msg: Buffer): Buffer {
  const p = dnsPacket.decode(msg);
  const name = p.questions?.[0]?.name ?? '';
  return dnsPacket.encode({
    type: 'response',
    id: p.id ?? 0,
    flags: name === 'deb.debian.org' ? 0 : 3,
    questions: p.questions ?? [],
    answers: name === 'deb.debian.org' ? [{ type: 'A', name, ttl: 60, data: '192.0.2.10' }] : [],
  });
}

let dns: EmbeddedDns;
let udp: UdpSocket;
let tcp: Server;
let upstreamPort = 0;

before(async () => {
  upUdp = createSocket('udp4');
  upUdp.on('message', (m, r) => upUdp.send(upstreamAnswer(m), r.port, r.address));
  upUdp.bind(0, '127.0.0.1');
  await once(upUdp, 'listening');
  upstreamPort = upUdp.address().port;
  upTcp = createServer((c) => {
    const reader = new TcpFrameReader();
    c.on('data', (chunk: Buffer) => reader.push(chunk).forEach((m) => c.write(frame(upstreamAnswer(m)))));
  });
  upTcp.listen(upstreamPort, '127.0.0.1');
  await once(upTcp, 'listening');

  dns = new EmbeddedDns({ upstream: new Upstream({ servers: [{ host: '127.0.0.1', port: upstreamPort }] }) });
  dns.setRecords([
    {
      id: 'n1',
      name: 'overnet',
      services: [{ name: 'web', endpointMode: 'vip', vip: '10.0.0.2', taskAddrs: ['10.0.0.5', '10.0.0.6'] }],
      tasks: [],
    },
  ]);
  udp = createSocket('udp4');
  udp.bind(0, '127.0.0.1');
  await once(udp, 'listening');
  tcp = createServer();
  tcp.listen(0, '127.0.0.1');
  await once(tcp, 'listening');
  dns.serve('sandbox-1', { udp, tcp }, ['n1']);
});

after(() => {
  dns.close();
  upUdp.close();
  upTcp.close();
});

const tcpPort = (): number => {
  const a = tcp.address();
  assert.ok(a && typeof a === 'object');
  return a.port;
};

test('UDP: service → VIP, tasks.<service> → task addresses, AAAA → empty, unknown → NXDOMAIN', async () => {
  const port = udp.address().port;
  const web = await udpAsk(port, q('web'));
  assert.equal(web.id, 7);
  assert.deepEqual(addrs(web), ['10.0.0.2']);
  assert.deepEqual(addrs(await udpAsk(port, q('tasks.web'))).sort(), ['10.0.0.5', '10.0.0.6']);
  const six = await udpAsk(port, q('web', 'AAAA'));
  assert.equal(six.rcode, 'NOERROR');
  assert.deepEqual(six.answers, []);
  assert.equal((await udpAsk(port, q('nosuch'))).rcode, 'NXDOMAIN');
});

test('UDP: outside names are forwarded to the node resolver, its answer relayed with the client id', async () => {
  const r = await udpAsk(udp.address().port, q('deb.debian.org', 'A', 999));
  assert.equal(r.id, 999);
  assert.deepEqual(addrs(r), ['192.0.2.10']);
  assert.equal((await udpAsk(udp.address().port, q('nosuch.example.org'))).rcode, 'NXDOMAIN');
});

test('TCP: several framed queries on one connection, swarm and forwarded', async () => {
  const [a, b] = await tcpAsk(tcpPort(), [q('web', 'A', 1), q('deb.debian.org', 'A', 2)]);
  assert.ok(a && b);
  assert.deepEqual([a.id, addrs(a)], [1, ['10.0.0.2']]);
  assert.deepEqual([b.id, addrs(b)], [2, ['192.0.2.10']]);
});

test('the records can change under a served sandbox; its networks too', async () => {
  const port = udp.address().port;
  dns.setRecords([
    {
      id: 'n1',
      name: 'overnet',
      services: [{ name: 'web', endpointMode: 'dnsrr', taskAddrs: ['10.0.0.9'] }],
      tasks: [],
    },
  ]);
  assert.deepEqual(addrs(await udpAsk(port, q('web'))), ['10.0.0.9']);
  dns.setNetworks('sandbox-1', []);
  assert.equal((await udpAsk(port, q('web'))).rcode, 'NXDOMAIN');
  dns.setNetworks('sandbox-1', ['n1']);
});

test('an upstream that never answers: SERVFAIL once its timeout fires', async () => {
  const silent = createSocket('udp4');
  silent.bind(0, '127.0.0.1');
  await once(silent, 'listening');
  const fire: (() => void)[] = [];
  const schedule: Schedule = (fn) => {
    fire.push(fn);
    return () => undefined;
  };
  const server = new EmbeddedDns({
    upstream: new Upstream({ servers: [{ host: '127.0.0.1', port: silent.address().port }], schedule }),
  });
  const asked = once(silent, 'message');
  const pending = server.answer(q('example.org', 'A', 55), ['n1'], 'udp');
  await asked;
  fire.forEach((f) => f());
  const reply = await pending;
  assert.ok(reply);
  const d = dnsPacket.decode(reply) as Decoded;
  assert.equal(d.id, 55);
  assert.equal(d.rcode, 'SERVFAIL');
  silent.close();
});

test('no upstream configured: SERVFAIL at once', async () => {
  const server = new EmbeddedDns({ upstream: new Upstream({ servers: [] }) });
  const reply = await server.answer(q('example.org'), [], 'udp');
  assert.ok(reply);
  assert.equal((dnsPacket.decode(reply) as Decoded).rcode, 'SERVFAIL');
});

test('an unknown opcode gets NOTIMP', async () => {
  const msg = q('web');
  msg.writeUInt16BE(msg.readUInt16BE(2) | (2 << 11), 2); // opcode STATUS
  const reply = await dns.answer(msg, ['n1'], 'udp');
  assert.ok(reply);
  assert.equal((dnsPacket.decode(reply) as Decoded).rcode, 'NOTIMP');
});
