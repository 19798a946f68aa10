// `npm run demo`: a local multi-host shoal cluster with a demo service. Builds three lab hosts
// (network namespaces on a bridge, each with its own dockerd), starts shoald on each, forms a
// swarm the way the course does (init on node1, join from node2 as a manager and node3 as a
// worker), deploys a service, shows `node ls` and `service ps`, publishes a web service on an
// overlay through the routing mesh and asks every node for it, then keeps the cluster up so you
// can drive it until Ctrl-C (or exits at once with --exit), removing everything it made.

import { setTimeout as delay } from 'node:timers/promises';
import { ShoalLab } from './cluster/shoal-lab.js';
import { HTTP_HOSTNAME_SERVER } from './cluster/task-servers.js';

function say(s: string): void {
  process.stdout.write(`${s}\n`);
}

async function must(
  p: Promise<{ code: number; stdout: string; stderr: string }>,
  what: string,
): Promise<string> {
  const r = await p;
  if (r.code !== 0) throw new Error(`${what} failed: ${r.stderr || r.stdout}`);
  return r.stdout;
}

async function main(): Promise<void> {
  const exitAtOnce = process.argv.includes('--exit');
  say('building a 3-host lab (namespaces, bridge, one dockerd and one shoald per host)…');
  const t0 = Date.now();
  const lab = await ShoalLab.create('demo', 3);
  let stopping = false;
  const teardown = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    say('\ntearing the lab down…');
    await lab.destroy();
    say('done: nothing is left behind.');
  };
  // Ctrl-C, and also `kill` or a closed terminal: the lab never outlives the demo.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    process.on(signal, () => void teardown().then(() => process.exit(0)));
  try {
    say(
      `lab up in ${((Date.now() - t0) / 1000).toFixed(1)} s: node1 ${lab.addr(0)}, node2 ${lab.addr(1)}, node3 ${lab.addr(2)}\n`,
    );
    say(`$ docker swarm init --advertise-addr ${lab.addr(0)}        (on node1)`);
    say(await must(lab.docker(0, ['swarm', 'init', '--advertise-addr', lab.addr(0)]), 'swarm init'));
    const manager = (
      await must(lab.docker(0, ['swarm', 'join-token', '-q', 'manager']), 'join-token')
    ).trim();
    const worker = (await must(lab.docker(0, ['swarm', 'join-token', '-q', 'worker']), 'join-token')).trim();
    say(`$ docker swarm join --token <manager token> ${lab.addr(0)}:2377   (on node2)`);
    say(
      await must(lab.docker(1, ['swarm', 'join', '--token', manager, `${lab.addr(0)}:2377`]), 'join node2'),
    );
    say(`$ docker swarm join --token <worker token> ${lab.addr(0)}:2377    (on node3)`);
    say(await must(lab.docker(2, ['swarm', 'join', '--token', worker, `${lab.addr(0)}:2377`]), 'join node3'));
    say(
      '$ docker service create --name demo --replicas 3 shoal/busybox sh -c "while true; do echo hello from $(hostname); sleep 5; done"',
    );
    say(
      await must(
        lab.docker(0, [
          'service',
          'create',
          '--name',
          'demo',
          '--replicas',
          '3',
          'shoal/busybox',
          'sh',
          '-c',
          'while true; do echo hello from $(hostname); sleep 5; done',
        ]),
        'service create',
      ),
    );
    say('$ docker node ls');
    say(await must(lab.docker(0, ['node', 'ls']), 'node ls'));
    say('$ docker service ps demo');
    say(await must(lab.docker(0, ['service', 'ps', 'demo']), 'service ps'));
    say('$ docker network create -d overlay overnet');
    say(await must(lab.docker(0, ['network', 'create', '-d', 'overlay', 'overnet']), 'network create'));
    say(
      `$ docker service create --name web --network overnet --replicas 2 --publish published=8080,target=80 shoal/busybox sh -c '${HTTP_HOSTNAME_SERVER}'`,
    );
    say(
      await must(
        lab.docker(0, [
          'service',
          'create',
          '--name',
          'web',
          '--network',
          'overnet',
          '--replicas',
          '2',
          '--publish',
          'published=8080,target=80',
          'shoal/busybox',
          'sh',
          '-c',
          HTTP_HOSTNAME_SERVER,
        ]),
        'service create web',
      ),
    );
    say('the routing mesh: every node answers port 8080, round robin over the two replicas');
    for (let h = 0; h < 3; h++) {
      const answers: string[] = [];
      for (let i = 0; i < 4; i++) answers.push(await ask(lab, h, `http://${lab.addr(h)}:8080/`));
      say(`$ curl http://${lab.addr(h)}:8080/   (on node${h + 1}, 4 times): ${answers.join(' ')}`);
    }
    if (exitAtOnce) return;
    say('the cluster is up. In another terminal, for example:');
    for (let i = 0; i < 3; i++)
      say(
        `  docker -H unix://${lab.socket(i)} node ls      # node${i + 1}${i === 2 ? ' (a worker: refuses)' : ''}`,
      );
    say(`  docker -H unix://${lab.socket(0)} service scale demo=6`);
    say(`  docker -H unix://${lab.socket(0)} service logs demo`);
    say(`  nsenter --net=${lab.lab.host(2).netnsPath} curl http://${lab.addr(0)}:8080/   # the mesh`);
    say(`shoald logs: ${[0, 1, 2].map((i) => lab.logFile(i)).join(' ')}`);
    say('Ctrl-C tears it all down.');
    await new Promise<void>(() => {});
  } finally {
    if (exitAtOnce || !stopping) await teardown();
  }
}

/** One GET from inside lab host h (retried while the service comes up): the body's first line. */
async function ask(lab: ShoalLab, h: number, url: string): Promise<string> {
  const end = Date.now() + 30_000;
  for (;;) {
    const r = await lab.lab.exec(h, ['curl', '-s', '--max-time', '3', url], { check: false });
    if (r.code === 0 && r.stdout.trim() !== '') return r.stdout.trim();
    if (Date.now() > end) return `(no answer: curl exit ${r.code})`;
    await delay(250);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`demo failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
