// One Docker endpoint per node: with DOCKER_HOST at shoald's socket, the unmodified docker CLI
// runs, lists, execs into and reads the logs of the node's containers (passed through to the
// node's engine), streams stdin through a hijacked attach, lists images, creates a local bridge
// network, and sees local and swarm networks side by side and the engine's containers with the
// Swarm section in `docker info`; `docker run -it` and `exec -it` under a real terminal.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { DOCKER_CLI, ShoalLab, eventually } from '../shoal-lab.js';
import { ok, rows } from '../cli-output.js';

const IMAGE = 'shoal/busybox';

let s: ShoalLab;

before(async () => {
  s = await ShoalLab.create('engine-endpoint', 2);
  await ok(s.docker(0, ['swarm', 'init', '--advertise-addr', s.addr(0)]));
  const token = (await ok(s.docker(0, ['swarm', 'join-token', '-q', 'worker']))).trim();
  await ok(s.docker(1, ['swarm', 'join', '--token', token, `${s.addr(0)}:2377`]));
  await eventually('two ready nodes', async () => {
    const ready = rows(await ok(s.docker(0, ['node', 'ls']))).filter((r) => r.includes('Ready'));
    return ready.length === 2 ? ready : undefined;
  });
});

after(async () => {
  await s?.destroy();
});

test('docker run -d, ps, exec and logs through shoald reach the node engine', async () => {
  const id = (
    await ok(
      s.docker(0, [
        'run',
        '-d',
        '--name',
        'plain',
        IMAGE,
        'sh',
        '-c',
        'echo started; while true; do sleep 1; done',
      ]),
    )
  ).trim();
  assert.match(id, /^[0-9a-f]{64}$/);
  const ps = await ok(s.docker(0, ['ps', '--format', '{{.ID}} {{.Names}}']));
  assert.match(ps, new RegExp(`^${id.slice(0, 12)} plain$`, 'm'));
  // The engine itself holds it: shoald passed the calls through.
  assert.match(await ok(s.engine(0, ['ps', '--format', '{{.Names}}'])), /^plain$/m);
  assert.equal((await ok(s.docker(0, ['exec', 'plain', 'sh', '-c', 'echo $((6 * 7))']))).trim(), '42');
  const logs = await eventually('the container logged', async () => {
    const out = await ok(s.docker(0, ['logs', 'plain']));
    return out.includes('started') ? out : undefined;
  });
  assert.equal(logs.trim(), 'started');
  await ok(s.docker(0, ['rm', '-f', 'plain']));
  assert.doesNotMatch(await ok(s.docker(0, ['ps', '-a', '--format', '{{.Names}}'])), /^plain$/m);
});

test('docker run --rm -i streams stdin and stdout through a hijacked attach', async () => {
  const input = 'one line through the hijack\nand a second\n';
  const out = await ok(s.docker(1, ['run', '--rm', '-i', IMAGE, 'sh', '-c', 'cat'], input));
  assert.equal(out, input);
});

/** The docker CLIs on this machine (Debian's 20.10 first, a recent one if installed). */
const CLIS = [...new Set([DOCKER_CLI, '/usr/local/bin/docker'].filter((c) => existsSync(c)))];

/** Runs a docker command line under a pseudo-terminal (util-linux `script`), typing `input`. */
function onTerminal(commandLine: string, input = ''): { status: number | null; out: string } {
  const r = spawnSync('script', ['-qec', commandLine, '/dev/null'], {
    encoding: 'utf8',
    input,
    timeout: 60_000,
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

test('docker run -it and exec -it get a real terminal through shoald, with either CLI', async () => {
  await ok(s.docker(1, ['run', '-d', '--name', 'term', IMAGE, 'sleep', '600']));
  try {
    for (const cli of CLIS) {
      const host = `-H unix://${s.socket(1)}`;
      const run = onTerminal(`${cli} ${host} run --rm -it ${IMAGE} sh -c 'tty; echo ran-$((6*7))'`);
      assert.equal(run.status, 0, `${cli} run -it: ${run.out}`);
      assert.match(run.out, /\/dev\/pts\/\d+/, `${cli}: the container has a terminal`);
      assert.match(run.out, /ran-42/);
      // Typed on the terminal: the shell reads it, answers, and exits.
      const exec = onTerminal(`${cli} ${host} exec -it term sh`, 'echo typed-$((6*7)); exit\n');
      assert.equal(exec.status, 0, `${cli} exec -it: ${exec.out}`);
      assert.match(exec.out, /typed-42/);
    }
  } finally {
    await ok(s.docker(1, ['rm', '-f', 'term']));
  }
});

test('docker images lists the node engine images', async () => {
  const images = await ok(s.docker(0, ['images', '--format', '{{.Repository}}:{{.Tag}}']));
  assert.match(images, /^shoal\/busybox:latest$/m);
});

test('a local bridge network beside the swarm networks, each with its scope', async () => {
  const id = (await ok(s.docker(0, ['network', 'create', '-d', 'bridge', 'localnet']))).trim();
  assert.match(id, /^[0-9a-f]{64}$/);
  assert.match(await ok(s.engine(0, ['network', 'ls', '--format', '{{.Name}}'])), /^localnet$/m);
  await ok(s.docker(0, ['network', 'create', '-d', 'overlay', 'swarmnet']));
  const ls = rows(await ok(s.docker(0, ['network', 'ls'])));
  const scopeOf = (name: string): string | undefined => ls.find((r) => r[1] === name)?.[3];
  assert.equal(scopeOf('localnet'), 'local', JSON.stringify(ls));
  // The lab's engines run without the default bridge (--bridge=none); host and none are there.
  assert.equal(scopeOf('host'), 'local', JSON.stringify(ls));
  assert.equal(scopeOf('swarmnet'), 'swarm', JSON.stringify(ls));
  assert.equal(scopeOf('ingress'), 'swarm', JSON.stringify(ls));
  assert.match(await ok(s.docker(0, ['network', 'inspect', '-f', '{{.Scope}}', 'localnet'])), /^local$/m);
  await ok(s.docker(0, ['network', 'rm', 'localnet']));
  await ok(s.docker(0, ['network', 'rm', 'swarmnet']));
  assert.doesNotMatch(await ok(s.engine(0, ['network', 'ls', '--format', '{{.Name}}'])), /^localnet$/m);
});

test('docker info shows the engine containers and Swarm: active', async () => {
  await ok(s.docker(0, ['run', '-d', '--name', 'counted', IMAGE, 'sleep', '600']));
  const info = await ok(s.docker(0, ['info']));
  assert.match(info, /Swarm: active/);
  assert.match(info, /Is Manager: true/);
  const running = /Running: (\d+)/.exec(info);
  assert.ok(running !== null && Number(running[1]) >= 1, info);
  assert.match(info, /Images: [1-9]/);
  assert.match(info, /Docker Root Dir: \//);
  await ok(s.docker(0, ['rm', '-f', 'counted']));
});
