// The routing mesh keeping the client's source address (`--label shoal.mesh.client-ip=preserve`,
// with the unmodified docker CLI), on three swarm hosts and one outside client host: a busybox
// httpd CGI script printing REMOTE_ADDR answers with the outside client's own address, through a
// node that runs no replica and through the one that does, over TCP; a UDP server sees it too; a
// service without the label on the same nodes still sees the node's address (Swarm's ingress);
// and the label can be turned off and on again with `docker service update`.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ShoalLab, eventually } from '../shoal-lab.js';
import { ok } from '../cli-output.js';

const CLIENT = 3;
const LABEL = 'shoal.mesh.client-ip';

/** busybox httpd with a CGI script that prints the address the connection came from. */
const REMOTE_ADDR_SERVER =
  'mkdir -p /www/cgi-bin && printf "#!/bin/sh\\necho Content-Type: text/plain\\necho\\necho \\$REMOTE_ADDR | sed -e s/^.::ffff:// -e s/]\\$//\\n" ' +
  '> /www/cgi-bin/ip && chmod +x /www/cgi-bin/ip; trap "exit 0" TERM; httpd -f -p 80 -h /www & wait $!';

/** A UDP server answering each datagram with the address it came from (the machine's Node.js). */
const UDP_SOURCE_SERVER = [
  '--mount',
  'type=bind,source=/usr,target=/host/usr,readonly',
  'shoal/busybox',
  '/host/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2',
  '--library-path',
  '/host/usr/lib/x86_64-linux-gnu',
  '/host/usr/bin/node',
  '-e',
  "require('dgram').createSocket('udp4').on('message', function (m, r) { " +
    'this.send(r.address, r.port, r.address); }).bind(53)',
];

let s: ShoalLab;

before(async () => {
  s = await ShoalLab.create('keepip', 4);
  await ok(s.docker(0, ['swarm', 'init', '--advertise-addr', s.addr(0)]));
  const token = (await ok(s.docker(0, ['swarm', 'join-token', '-q', 'worker']))).trim();
  for (const h of [1, 2]) await ok(s.docker(h, ['swarm', 'join', '--token', token, `${s.addr(0)}:2377`]));
  await eventually('three ready nodes', async () => {
    const out = await ok(s.docker(0, ['node', 'ls']));
    return (out.match(/\bReady\b/g) ?? []).length === 3 ? true : undefined;
  });
  // One replica each, on the manager (host 0): hosts 1 and 2 run none.
  const pinned = ['--replicas', '1', '--constraint', 'node.role==manager'];
  for (const [name, port, label] of [
    ['keep', 8080, [`--label`, `${LABEL}=preserve`]],
    ['plain', 8081, []],
  ] as const) {
    await ok(
      s.docker(0, [
        'service',
        'create',
        '--name',
        name,
        ...pinned,
        ...label,
        '--publish',
        `published=${port},target=80`,
        'shoal/busybox',
        'sh',
        '-c',
        REMOTE_ADDR_SERVER,
      ]),
    );
  }
});

after(async () => {
  await s?.destroy();
});

/** The body of a GET from the outside client, or `error`. */
async function get(url: string): Promise<string> {
  const r = await s.lab.exec(CLIENT, ['curl', '-s', '--max-time', '3', url], { check: false });
  return r.code === 0 ? r.stdout.trim() : 'error';
}

test('over TCP the task sees the outside client, through a node without a replica and one with', async () => {
  const client = s.addr(CLIENT);
  for (const h of [2, 1, 0]) {
    const seen = await eventually(`keep answers through host ${h + 1}`, async () => {
      const body = await get(`http://${s.addr(h)}:8080/cgi-bin/ip`);
      return body === 'error' || body === '' ? undefined : body;
    });
    assert.equal(seen, client, `through host ${h + 1}`);
  }
  // Many connections in a row, each a new flow: every one answered, every one with the client.
  const script = `for i in $(seq 20); do curl -s --max-time 3 http://${s.addr(2)}:8080/cgi-bin/ip || echo error; done`;
  const r = await s.lab.exec(CLIENT, ['sh', '-c', script], { check: false, timeoutMs: 120_000 });
  const answers = r.stdout.split('\n').filter((l) => l.trim() !== '');
  assert.deepEqual(
    answers,
    Array.from({ length: 20 }, () => client),
  );
});

test('a service without the label still sees the node that received the connection', async () => {
  const seen = await eventually('plain answers through host 3', async () => {
    const body = await get(`http://${s.addr(2)}:8081/cgi-bin/ip`);
    return body === 'error' || body === '' ? undefined : body;
  });
  assert.notEqual(seen, s.addr(CLIENT));
  assert.match(seen, /^10\.0\.0\.\d+$/, 'the receiving node’s ingress address');
});

test('over UDP the task sees the outside client', async () => {
  await ok(
    s.docker(0, [
      'service',
      'create',
      '--name',
      'udpkeep',
      '--replicas',
      '1',
      '--constraint',
      'node.role==manager',
      '--label',
      `${LABEL}=preserve`,
      '--publish',
      'published=8053,target=53,protocol=udp',
      ...UDP_SOURCE_SERVER,
    ]),
  );
  const script =
    "const s=require('dgram').createSocket('udp4');const t=setTimeout(()=>{console.log('error');process.exit(0)},2000);" +
    // The answer must come from the address and port it was sent to (the node's mesh undid its
    // translation), not from wherever the task's own default route would have sent it.
    `s.on('message',(m,r)=>{clearTimeout(t);console.log(r.address==='${s.addr(2)}'&&r.port===8053?m.toString():'from '+r.address+':'+r.port);s.close()});` +
    `s.send('hi',8053,'${s.addr(2)}');`;
  const seen = await eventually('udpkeep answers through host 3', async () => {
    const r = await s.lab.exec(CLIENT, [process.execPath, '-e', script], { check: false });
    const out = r.stdout.trim();
    return out === '' || out === 'error' ? undefined : out;
  });
  assert.equal(seen, s.addr(CLIENT));
});

test('the label follows docker service update: off masquerades, on again keeps the client', async () => {
  await ok(s.docker(0, ['service', 'update', '--label-rm', LABEL, 'keep']));
  await eventually('keep masquerades without the label', async () => {
    const body = await get(`http://${s.addr(2)}:8080/cgi-bin/ip`);
    return /^10\.0\.0\.\d+$/.test(body) ? true : undefined;
  });
  await ok(s.docker(0, ['service', 'update', '--label-add', `${LABEL}=preserve`, 'keep']));
  await eventually('keep sees the client again', async () =>
    (await get(`http://${s.addr(2)}:8080/cgi-bin/ip`)) === s.addr(CLIENT) ? true : undefined,
  );
});

test('a mode that is not one of preserve or masquerade is refused before anything is made', async () => {
  const r = await s.docker(0, [
    'service',
    'create',
    '--name',
    'typo',
    '--label',
    `${LABEL}=presrve`,
    'shoal/busybox',
    'true',
  ]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /shoal\.mesh\.client-ip="presrve": expected one of masquerade, preserve/);
  assert.doesNotMatch(await ok(s.docker(0, ['service', 'ls', '--format', '{{.Name}}'])), /^typo$/m);
});
