// The routing mesh end to end, on three swarm hosts and one outside client host (a lab host that
// never joins): a port published in ingress mode (TCP and UDP) answers on every node's address,
// including a node that runs no replica, round robin over the replicas wherever they run; the mesh follows
// a scale from 2 to 5 and back, and a dead worker; host-mode publishing binds only where a task
// runs; a node that leaves the swarm keeps no device, table or rule of shoal's.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { ShoalLab, eventually } from '../shoal-lab.js';
import { ok, rows } from '../cli-output.js';
import { HTTP_HOSTNAME_SERVER } from '../task-servers.js';

const NODES = [0, 1, 2];
const CLIENT = 3;

/**
 * A UDP server answering each datagram with the container's hostname, run by the machine's own
 * Node.js (busybox has no UDP server): /usr is mounted into the task, Node started through the
 * machine's dynamic loader.
 */
const UDP_SERVER = [
  '--mount',
  'type=bind,source=/usr,target=/host/usr,readonly',
  'shoal/busybox',
  '/host/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2',
  '--library-path',
  '/host/usr/lib/x86_64-linux-gnu',
  '/host/usr/bin/node',
  '-e',
  "require('dgram').createSocket('udp4').on('message', function (m, r) { " +
    "this.send(require('os').hostname(), r.port, r.address); }).bind(53)",
];
/** Sends `count` datagrams to host:port, each from a new socket (a new flow); prints each answer. */
const UDP_CLIENT = `
const dgram = require('dgram');
const [host, port, count] = [process.argv[1], Number(process.argv[2]), Number(process.argv[3])];
(async () => {
  for (let i = 0; i < count; i++) {
    const s = dgram.createSocket('udp4');
    console.log(await new Promise((ok) => {
      const t = setTimeout(() => ok('error'), 2000);
      s.on('message', (m) => { clearTimeout(t); ok(m.toString()); });
      s.send('hi', port, host);
    }));
    s.close();
  }
})();
`;

let s: ShoalLab;
/** The worker the dead-worker scenario kills. */
let dead: number | undefined;

before(async () => {
  s = await ShoalLab.create('mesh', 4);
  await ok(s.docker(0, ['swarm', 'init', '--advertise-addr', s.addr(0)]));
  await ok(s.docker(0, ['swarm', 'update', '--dispatcher-heartbeat', '1s']));
  const token = (await ok(s.docker(0, ['swarm', 'join-token', '-q', 'worker']))).trim();
  for (const h of [1, 2]) await ok(s.docker(h, ['swarm', 'join', '--token', token, `${s.addr(0)}:2377`]));
  await eventually('three ready nodes', async () => {
    const out = await ok(s.docker(0, ['node', 'ls']));
    return (out.match(/\bReady\b/g) ?? []).length === 3 ? true : undefined;
  });
});

after(async () => {
  await s?.destroy();
});

/** One HTTP GET from a lab host (a new connection each time): the body, or `error`. */
async function get(from: number, url: string): Promise<string> {
  const r = await s.lab.exec(from, ['curl', '-s', '--max-time', '3', url], { check: false });
  return r.code === 0 ? r.stdout.trim() : 'error';
}

/** `count` sequential GETs from a lab host, in one process (each a new connection). */
async function gets(from: number, url: string, count: number): Promise<string[]> {
  const script = `for i in $(seq ${count}); do curl -s --max-time 3 ${url} || echo error; echo; done`;
  const r = await s.lab.exec(from, ['sh', '-c', script], { check: false, timeoutMs: 120_000 });
  return r.stdout.split('\n').filter((l) => l.trim() !== '');
}

/** The running containers of `service` on each swarm host: host → short container IDs. */
async function replicas(service: string): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>();
  for (const h of NODES) {
    const r = await s.engine(h, ['ps', '--filter', `name=^${service}\\.`, '--format', '{{.ID}}']);
    out.set(h, r.code === 0 ? r.stdout.split('\n').filter((l) => l.trim() !== '') : []);
  }
  return out;
}

const all = (m: Map<number, string[]>): string[] => [...m.values()].flat().sort();

test('a published port answers on every node, round robin over the replicas wherever they run', async () => {
  await ok(
    s.docker(0, [
      'service',
      'create',
      '--name',
      'web',
      '--replicas',
      '2',
      '--publish',
      'published=8080,target=80',
      'shoal/busybox',
      'sh',
      '-c',
      HTTP_HOSTNAME_SERVER,
    ]),
  );
  const running = await eventually('two web replicas running', async () => {
    const r = await replicas('web');
    return all(r).length === 2 ? r : undefined;
  });
  const ids = all(running);
  const idle = NODES.find((h) => (running.get(h) ?? []).length === 0);
  assert.notEqual(idle, undefined, 'one node runs no replica');
  for (const h of NODES) {
    const url = `http://${s.addr(h)}:8080/`;
    await eventually(`node${h + 1} answers the published port`, async () =>
      ids.includes(await get(CLIENT, url)) ? true : undefined,
    );
    const answers = await gets(CLIENT, url, 10);
    assert.deepEqual([...new Set(answers)].sort(), ids, `node${h + 1} spreads over both replicas`);
    for (let i = 1; i < answers.length; i++) {
      assert.notEqual(answers[i], answers[i - 1], `node${h + 1} alternates: ${answers.join(' ')}`);
    }
  }
  // The node's own connections to its published port go through the mesh as well.
  const own = await gets(idle ?? 0, `http://${s.addr(idle ?? 0)}:8080/`, 4);
  assert.deepEqual([...new Set(own)].sort(), ids, `from the idle node itself: ${own.join(' ')}`);
});

test('the mesh keeps answering while a node’s shoald restarts, and after', async () => {
  const r = await replicas('web');
  const ids = all(r);
  const idle = NODES.find((h) => (r.get(h) ?? []).length === 0) ?? 0;
  const url = `http://${s.addr(idle)}:8080/`;
  let stop = false;
  const during: string[] = [];
  const load = (async () => {
    while (!stop) during.push(...(await gets(CLIENT, url, 5)));
  })();
  s.killDaemon(idle);
  await delay(500);
  await s.startDaemon(idle);
  await eventually(`node${idle + 1} back in the swarm`, async () => {
    const out = await s.docker(idle, ['info', '--format', '{{.Swarm.LocalNodeState}}']);
    return out.stdout.trim() === 'active' ? true : undefined;
  });
  await delay(2000);
  stop = true;
  await load;
  assert.ok(during.length > 0);
  assert.deepEqual(
    during.filter((a) => !ids.includes(a)),
    [],
    `every request answered by a replica (${during.length} sent)`,
  );
});

test('a published UDP port answers on every node, round robin over the replicas', async () => {
  await ok(
    s.docker(0, [
      'service',
      'create',
      '--name',
      'dns',
      '--replicas',
      '2',
      '--publish',
      'published=5353,target=53,protocol=udp',
      ...UDP_SERVER,
    ]),
  );
  const ids = await eventually('two dns replicas running', async () => {
    const r = all(await replicas('dns'));
    return r.length === 2 ? r : undefined;
  });
  const ask = async (h: number, count: number): Promise<string[]> => {
    const r = await s.lab.exec(
      CLIENT,
      [process.execPath, '-e', UDP_CLIENT, s.addr(h), '5353', String(count)],
      {
        check: false,
      },
    );
    return r.stdout.split('\n').filter((l) => l.trim() !== '');
  };
  for (const h of NODES) {
    await eventually(`node${h + 1} answers UDP 5353`, async () =>
      ids.includes((await ask(h, 1))[0] ?? '') ? true : undefined,
    );
    const answers = await ask(h, 6);
    assert.deepEqual([...new Set(answers)].sort(), ids, `node${h + 1}: ${answers.join(' ')}`);
  }
  await ok(s.docker(0, ['service', 'rm', 'dns']));
});

test('scale 2 -> 5 -> 2: the mesh follows, and sends nothing to a removed task', async () => {
  const url = `http://${s.addr(0)}:8080/`;
  await ok(s.docker(0, ['service', 'scale', '--detach', 'web=5']));
  const five = await eventually('five replicas running', async () => {
    const r = all(await replicas('web'));
    return r.length === 5 ? r : undefined;
  });
  await eventually('the mesh spreads over five replicas', async () => {
    const seen = new Set(await gets(CLIENT, url, 10));
    return five.every((id) => seen.has(id)) ? true : undefined;
  });

  // Requests keep flowing while the service scales back down.
  let stop = false;
  const during: string[] = [];
  const load = (async () => {
    while (!stop) during.push(...(await gets(CLIENT, url, 5)));
  })();
  await ok(s.docker(0, ['service', 'scale', '--detach', 'web=2']));
  const two = await eventually('two replicas left', async () => {
    const r = all(await replicas('web'));
    return r.length === 2 ? r : undefined;
  });
  await delay(1000);
  stop = true;
  await load;
  const errors = during.filter((a) => a === 'error').length;
  assert.equal(errors, 0, `no failed request while scaling down (${during.length} sent)`);
  const after = await gets(CLIENT, url, 20);
  assert.deepEqual([...new Set(after)].sort(), two, `only the remaining replicas answer: ${after.join(' ')}`);
});

test('host mode binds the port only where a task runs', async () => {
  await ok(s.docker(0, ['network', 'create', '-d', 'overlay', 'hostnet']));
  await ok(
    s.docker(0, [
      'service',
      'create',
      '--name',
      'local',
      '--replicas',
      '1',
      // (the lab's engines run without their default bridge: the overlay gives the task its
      // address on shoal's gateway bridge, where host-mode ports lead)
      '--network',
      'hostnet',
      '--publish',
      'mode=host,published=8081,target=80',
      'shoal/busybox',
      'sh',
      '-c',
      HTTP_HOSTNAME_SERVER,
    ]),
  );
  const running = await eventually('the local task running', async () => {
    const r = await replicas('local');
    return all(r).length === 1 ? r : undefined;
  });
  const [id] = all(running);
  const where = NODES.find((h) => (running.get(h) ?? []).length === 1) ?? 0;
  await eventually('the host-mode port answers where the task runs', async () =>
    (await get(CLIENT, `http://${s.addr(where)}:8081/`)) === id ? true : undefined,
  );
  for (const h of NODES.filter((x) => x !== where)) {
    assert.equal(await get(CLIENT, `http://${s.addr(h)}:8081/`), 'error', `node${h + 1} does not bind 8081`);
  }
  // The task's status shows the port its node bound, as Swarm's does (PORTS in `service ps`).
  await eventually('service ps shows the bound port', async () => {
    const out = await ok(s.docker(0, ['service', 'ps', '--format', '{{.Node}} {{.Ports}}', 'local']));
    return out.trim() === `node${where + 1} *:8081->80/tcp` ? true : undefined;
  });
  await ok(s.docker(0, ['service', 'rm', 'local']));
  await eventually('the host-mode port is unbound once the task is gone', async () =>
    (await get(CLIENT, `http://${s.addr(where)}:8081/`)) === 'error' ? true : undefined,
  );
});

test('a dead worker: the mesh stops sending to it and its replacement joins', async () => {
  const before = await replicas('web');
  const victim = [1, 2].find((h) => (before.get(h) ?? []).length > 0);
  assert.notEqual(victim, undefined, 'a worker runs a web replica');
  const v = victim ?? 1;
  const lost = before.get(v) ?? [];
  dead = v;
  s.killDaemon(v);
  await s.lab.linkDown(v);
  await eventually(
    `node${v + 1} down`,
    async () => {
      const r = rows(await ok(s.docker(0, ['node', 'ls'])));
      return r.some((x) => x.includes(`node${v + 1}`) && x.includes('Down')) ? true : undefined;
    },
    30_000,
  );
  const url = `http://${s.addr(0)}:8080/`;
  const answers = await eventually(
    'the mesh answers from two live replicas, none on the dead node',
    async () => {
      const live = (await replicas('web')).entries();
      const ids = [...live].filter(([h]) => h !== v).flatMap(([, x]) => x);
      if (ids.length !== 2) return undefined;
      const seen = await gets(CLIENT, url, 10);
      return seen.every((a) => ids.includes(a)) && new Set(seen).size === 2 ? seen : undefined;
    },
    60_000,
  );
  assert.ok(!answers.some((a) => lost.includes(a)), 'nothing answered from the dead node');
  // The dead node is gone from the manager's overlay forwarding too (no FDB entry towards it).
  await eventually('no forwarding entry towards the dead node', async () => {
    const fdb = await s.lab.exec(0, ['bridge', 'fdb', 'show']);
    return fdb.stdout.includes(`dst ${s.addr(v)} `) ? undefined : true;
  });
});

test('a node that leaves the swarm keeps no device, nftables table or FORWARD rule of shoal’s', async () => {
  const leaver = dead === 1 ? 2 : 1;
  await ok(s.docker(leaver, ['swarm', 'leave']));
  const links = await s.lab.exec(leaver, ['ip', '-o', 'link', 'show']);
  assert.doesNotMatch(links.stdout, /\b(ov|vx|ve)-[0-9a-z]+|shoal_gwbridge/, links.stdout);
  const tables = await s.lab.exec(leaver, ['nft', 'list', 'tables']);
  assert.doesNotMatch(tables.stdout, /shoal/, tables.stdout);
  const forward = await s.lab.exec(leaver, ['iptables', '-w', '-S', 'FORWARD']);
  assert.doesNotMatch(forward.stdout, /shoal/, forward.stdout);
  const containers = await ok(s.engine(leaver, ['ps', '-a', '--format', '{{.Names}}']));
  assert.equal(containers.trim(), '', 'no task container left');
});
