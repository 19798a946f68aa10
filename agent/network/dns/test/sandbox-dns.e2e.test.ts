// The embedded DNS inside a real network namespace (needs root): the listener's sockets are
// opened in the namespace by the helper, shoal_lb's DNS rule sends 127.0.0.11:53 to them, and a
// resolver inside the namespace (busybox nslookup over UDP, a Node client over TCP) gets answers.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createRequire } from 'node:module';
import { EmbeddedDns } from '../dns-server.js';
import { Upstream } from '../upstream.js';
import { openSandboxSockets } from '../sandbox-sockets.js';
import { LbProgrammer } from '../../lb/lb-programmer.js';
import { Nft } from '../../lb/nft.js';

const run = promisify(execFile);
const NS = `shoal-dnst-${process.pid.toString(36)}`;
const PATH = `/run/netns/${NS}`;
const dns = new EmbeddedDns({ upstream: new Upstream({ servers: [] }) });

before(() => {
  execFileSync('ip', ['netns', 'add', NS]);
  execFileSync('ip', ['-n', NS, 'link', 'set', 'lo', 'up']);
});
after(() => {
  dns.close();
  execFileSync('ip', ['netns', 'delete', NS]);
});

/** A DNS-over-TCP client run inside the namespace: prints the A records for argv[1]. */
const TCP_CLIENT = `
const packet = require(${JSON.stringify(createRequire(import.meta.url).resolve('dns-packet'))});
const s = require('net').connect(53, '127.0.0.11', () =>
  s.write(packet.streamEncode({ type: 'query', id: 1, flags: packet.RECURSION_DESIRED, questions: [{ type: 'A', name: process.argv[1] }] })));
let buf = Buffer.alloc(0);
s.on('data', (d) => {
  buf = Buffer.concat([buf, d]);
  if (buf.length < 2 || buf.length < 2 + buf.readUInt16BE(0)) return;
  console.log(packet.streamDecode(buf).answers.map((a) => a.data).join(' '));
  s.destroy();
});
`;

test('a task resolves service names at 127.0.0.11 over UDP and TCP', async () => {
  dns.setRecords([
    {
      id: 'n1',
      name: 'overnet',
      services: [{ name: 'web', endpointMode: 'vip', vip: '10.0.0.2', taskAddrs: ['10.0.0.5', '10.0.0.6'] }],
      tasks: [],
    },
  ]);
  const sockets = await openSandboxSockets(PATH);
  assert.equal(sockets.address, '127.0.0.11');
  dns.serve('t1', sockets, ['n1']);
  await new LbProgrammer(new Nft()).applySandbox(PATH, {
    services: [],
    dns: { address: sockets.address, udpPort: sockets.udpPort, tcpPort: sockets.tcpPort },
  });

  // dockerd's own embedded DNS redirects 127.0.0.11:53 with iptables' nat OUTPUT (priority -100)
  // in the container: shoal's chain (-110) must win. A rule of that shape sends queries nowhere.
  const dockerLike = JSON.stringify({
    nftables: [
      { add: { table: { family: 'ip', name: 'docker_like' } } },
      {
        add: {
          chain: {
            family: 'ip',
            table: 'docker_like',
            name: 'out',
            type: 'nat',
            hook: 'output',
            prio: -100,
            policy: 'accept',
          },
        },
      },
      {
        add: {
          rule: {
            family: 'ip',
            table: 'docker_like',
            chain: 'out',
            expr: [
              {
                match: {
                  op: '==',
                  left: { payload: { protocol: 'ip', field: 'daddr' } },
                  right: '127.0.0.11',
                },
              },
              { match: { op: '==', left: { payload: { protocol: 'udp', field: 'dport' } }, right: 53 } },
              { dnat: { addr: '127.0.0.11', port: 9 } },
            ],
          },
        },
      },
    ],
  });
  await run('nsenter', [`--net=${PATH}`, 'nft', '-j', dockerLike]);

  const udp = await run('nsenter', [`--net=${PATH}`, 'busybox', 'nslookup', 'tasks.web', '127.0.0.11'], {
    timeout: 10_000,
  });
  assert.match(udp.stdout, /Address:\s+10\.0\.0\.5/);
  assert.match(udp.stdout, /Address:\s+10\.0\.0\.6/);
  const tcp = await run('nsenter', [`--net=${PATH}`, process.execPath, '-e', TCP_CLIENT, 'web'], {
    timeout: 10_000,
  });
  assert.equal(tcp.stdout.trim(), '10.0.0.2');
  const nx = await run('nsenter', [`--net=${PATH}`, 'busybox', 'nslookup', 'nosuch', '127.0.0.11'], {
    timeout: 10_000,
  }).then(
    (r) => r.stdout,
    (e: { stdout?: string }) => e.stdout ?? '',
  );
  assert.match(nx, /NXDOMAIN/);
});
