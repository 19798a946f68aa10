// `docker run --network` on an attachable swarm overlay, on a worker that runs no task of the
// network, with the unmodified docker CLI pointed at shoald: the container gets an address from
// the cluster's allocator, reaches a service on a manager by its name (embedded DNS, VIP) and a
// task by its address over VXLAN, is reachable from that task by address and by its container
// name, and its attachment goes with the
// container (`--rm`, `docker rm`). `docker network connect` does the same for a running
// container; a non-attachable network is refused with Docker's message.

import assert from 'node:assert/strict';
import { get as httpGet } from 'node:http';
import { after, before, test } from 'node:test';
import { ShoalLab, eventually } from '../shoal-lab.js';
import { ok, rows } from '../cli-output.js';
import { HTTP_HOSTNAME_SERVER } from '../task-servers.js';
import { execInTask } from '../task-exec.js';

const IMAGE = 'shoal/busybox';
/** The lab image's wget, bounded in time (its own -T option crashes this static busybox). */
const FETCH = 'timeout 3 wget -q -O -';

let s: ShoalLab;

interface ApiTask {
  ID: string;
  NodeID: string;
  Spec: { NetworkAttachmentSpec?: { ContainerID: string }; Runtime?: string };
  NetworksAttachments?: { Addresses: string[]; Network: { Spec: { Name: string } } }[];
}

/** GET on host h's shoald API (JSON). */
function apiGet<T>(h: number, path: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const req = httpGet({ socketPath: s.socket(h), path, headers: { Host: 'docker' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as T);
        } catch (e: unknown) {
          reject(e instanceof Error ? e : new Error(String(e)));
        }
      });
    });
    req.on('error', reject);
  });
}

/** The network attachment tasks of the swarm (runtime "attachment"). */
async function attachments(): Promise<ApiTask[]> {
  const filters = encodeURIComponent(JSON.stringify({ runtime: ['attachment'] }));
  return apiGet<ApiTask[]>(0, `/v1.41/tasks?filters=${filters}`);
}

/** A container's address on a network, as host h's engine has it. */
async function addressOn(h: number, container: string, network: string): Promise<string> {
  return eventually(`${container} has an address on ${network}`, async () => {
    const ip = (
      await ok(
        s.engine(h, [
          'inspect',
          container,
          '--format',
          `{{(index .NetworkSettings.Networks "${network}").IPAddress}}`,
        ]),
      )
    ).trim();
    return ip !== '' && ip !== '<no value>' ? ip : undefined;
  });
}

function inSubnet(ip: string, subnet: string): boolean {
  const [base = '', bits = '32'] = subnet.split('/');
  const n = (a: string): number => a.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  const mask = Number(bits) === 0 ? 0 : 2 ** 32 - 2 ** (32 - Number(bits));
  return Math.floor(n(ip) / 2 ** (32 - Number(bits))) * 2 ** (32 - Number(bits)) === (n(base) & mask) >>> 0;
}

before(async () => {
  s = await ShoalLab.create('attach', 2, { mtu: 1450 });
  await ok(s.docker(0, ['swarm', 'init', '--advertise-addr', s.addr(0)]));
  const token = (await ok(s.docker(0, ['swarm', 'join-token', '-q', 'worker']))).trim();
  await ok(s.docker(1, ['swarm', 'join', '--token', token, `${s.addr(0)}:2377`]));
  await eventually('two ready nodes', async () => {
    const ready = rows(await ok(s.docker(0, ['node', 'ls']))).filter((r) => r.includes('Ready'));
    return ready.length === 2 ? ready : undefined;
  });
  await ok(s.docker(0, ['network', 'create', '-d', 'overlay', '--attachable', 'attnet']));
  await ok(s.docker(0, ['network', 'create', '-d', 'overlay', 'plainnet']));
  await ok(
    s.docker(0, [
      'service',
      'create',
      '--name',
      'web',
      '--network',
      'attnet',
      '--constraint',
      'node.role==manager',
      IMAGE,
      'sh',
      '-c',
      HTTP_HOSTNAME_SERVER,
    ]),
  );
});

after(async () => {
  await s?.destroy();
});

test('docker run --network on a worker: an address from the swarm, the service by name, the task by address', async () => {
  const subnet = (
    await ok(s.docker(0, ['network', 'inspect', 'attnet', '--format', '{{(index .IPAM.Config 0).Subnet}}']))
  ).trim();
  await ok(
    s.docker(1, [
      'run',
      '-d',
      '--name',
      'side',
      '--network',
      'attnet',
      IMAGE,
      'sh',
      '-c',
      HTTP_HOSTNAME_SERVER,
    ]),
  );
  const ip = await addressOn(1, 'side', 'attnet');
  assert.ok(inSubnet(ip, subnet), `${ip} in ${subnet}`);

  // The swarm records it: an attachment task on the worker holding that address.
  const workerId = (await ok(s.docker(1, ['info', '--format', '{{.Swarm.NodeID}}']))).trim();
  const held = await eventually('the attachment task', async () =>
    (await attachments()).find(
      (t) =>
        t.NodeID === workerId &&
        (t.NetworksAttachments ?? []).some((a) => a.Addresses.some((x) => x.startsWith(`${ip}/`))),
    ),
  );
  assert.equal(held.Spec.Runtime, 'attachment');

  // From the container: the service by its name (embedded DNS, VIP) on the manager.
  const answer = await eventually('web answers side by name', async () => {
    const r = await s.docker(1, ['exec', 'side', 'sh', '-c', `${FETCH} http://web`]);
    return r.code === 0 && r.stdout.trim() !== '' ? r.stdout.trim() : undefined;
  });
  assert.match(answer, /^[0-9a-f]{12}$/);
  // From the service's task on the manager: the container by its address, over VXLAN.
  const side = (await ok(s.engine(1, ['inspect', 'side', '--format', '{{.Config.Hostname}}']))).trim();
  const back = await eventually('side answers web', async () => {
    const out = await execInTask(s, [0], 'web', `${FETCH} http://${ip} || true`);
    return out.trim() === side ? out.trim() : undefined;
  });
  assert.equal(back, side);
  // And by its container name, as Docker resolves containers on an attachable overlay.
  const byName = await eventually('side answers web by name', async () => {
    const out = await execInTask(s, [0], 'web', `${FETCH} http://side || true`);
    return out.trim() === side ? out.trim() : undefined;
  });
  assert.equal(byName, side);

  // Removing the container releases its attachment.
  await ok(s.docker(1, ['rm', '-f', 'side']));
  await eventually('the attachment is gone', async () =>
    (await attachments()).some((t) => t.ID === held.ID) ? undefined : true,
  );
});

test('docker run --rm --network: the container works, and its attachment goes when it exits', async () => {
  const out = await ok(
    s.docker(1, [
      'run',
      '--rm',
      '--network',
      'attnet',
      IMAGE,
      'sh',
      '-c',
      `for i in 1 2 3 4 5 6 7 8 9 10; do ${FETCH} http://web && exit 0; sleep 1; done; exit 1`,
    ]),
  );
  assert.match(out.trim(), /^[0-9a-f]{12}$/);
  await eventually('no attachment left', async () => ((await attachments()).length === 0 ? true : undefined));
});

test('docker network connect and disconnect a running container', async () => {
  // The lab's engines run without the default bridge: the container starts on a local one.
  await ok(s.docker(1, ['network', 'create', '-d', 'bridge', 'localbr']));
  await ok(s.docker(1, ['run', '-d', '--name', 'later', '--network', 'localbr', IMAGE, 'sleep', '600']));
  await ok(s.docker(1, ['network', 'connect', 'attnet', 'later']));
  const ip = await addressOn(1, 'later', 'attnet');
  const subnet = (
    await ok(s.docker(0, ['network', 'inspect', 'attnet', '--format', '{{(index .IPAM.Config 0).Subnet}}']))
  ).trim();
  assert.ok(inSubnet(ip, subnet), `${ip} in ${subnet}`);
  // Connected after it started, it keeps the resolver it started with (as with Docker): the
  // service is reached at its virtual IP on the network.
  const vip = (
    await ok(
      s.docker(0, ['service', 'inspect', 'web', '--format', '{{(index .Endpoint.VirtualIPs 0).Addr}}']),
    )
  )
    .trim()
    .split('/')[0];
  await eventually('later reaches web', async () => {
    const r = await s.docker(1, ['exec', 'later', 'sh', '-c', `${FETCH} http://${vip}`]);
    return r.code === 0 ? true : undefined;
  });
  await ok(s.docker(1, ['network', 'disconnect', 'attnet', 'later']));
  await eventually('the attachment goes with the disconnect', async () =>
    (await attachments()).length === 0 ? true : undefined,
  );
  await ok(s.docker(1, ['rm', '-f', 'later']));
  await ok(s.docker(1, ['network', 'rm', 'localbr']));
});

test('a swarm network that is not attachable is refused as Docker refuses it', async () => {
  const r = await s.docker(1, ['run', '--rm', '--network', 'plainnet', IMAGE, 'true']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /not manually attachable/);
  // A network nobody has is the engine's to refuse.
  const none = await s.docker(1, ['run', '--rm', '--network', 'nosuchnet', IMAGE, 'true']);
  assert.notEqual(none.code, 0);
  assert.match(none.stderr, /network nosuchnet not found/);
  assert.equal((await attachments()).length, 0);
});
