// `docker stack deploy` of a compose file with secrets and configs on a two-host lab cluster,
// with the unmodified docker CLI: the stack's secret, config, overlay network and service are
// created under the stack's namespace, its tasks read the secret and the config, the stack is
// listed by `stack ls|services|ps`, and `docker stack rm` removes services, networks, secrets
// and configs of the stack (and nothing else).

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ShoalLab, eventually } from '../shoal-lab.js';
import { ok, rows } from '../cli-output.js';
import { execInTask } from '../task-exec.js';

const SECRET = 'stack-pw-0d4b7e2a91';
const CONFIG = 'mode=production\n';

const COMPOSE = `version: "3.8"
services:
  app:
    image: shoal/busybox
    command: ["sleep", "100000"]
    secrets:
      - db
      - source: db
        target: db-ro
        mode: 0400
    configs:
      - source: appconf
        target: /etc/app.conf
    networks: [back]
    deploy:
      replicas: 2
networks:
  back:
    driver: overlay
secrets:
  db:
    file: ./db.txt
configs:
  appconf:
    file: ./app.conf
`;

let s: ShoalLab;
let files: string;

before(async () => {
  files = mkdtempSync(join(tmpdir(), 'shoal-stack-e2e-'));
  writeFileSync(join(files, 'db.txt'), SECRET, { mode: 0o600 });
  writeFileSync(join(files, 'app.conf'), CONFIG);
  writeFileSync(join(files, 'compose.yml'), COMPOSE);
  s = await ShoalLab.create('stack', 2);
  await ok(s.docker(0, ['swarm', 'init', '--advertise-addr', s.addr(0)]));
  // Right after init the node object is stable: an inspect-then-update at once succeeds (no
  // "update out of sequence" from the node's first registration landing in between).
  const self = (await ok(s.docker(0, ['info', '--format', '{{.Swarm.NodeID}}']))).trim();
  await ok(s.docker(0, ['node', 'update', '--label-add', 'stage=init', self]));
  const token = (await ok(s.docker(0, ['swarm', 'join-token', '-q', 'worker']))).trim();
  await ok(s.docker(1, ['swarm', 'join', '--token', token, `${s.addr(0)}:2377`]));
  await eventually('two ready nodes', async () => {
    const ready = rows(await ok(s.docker(0, ['node', 'ls']))).filter((r) => r.includes('Ready'));
    return ready.length === 2 ? ready : undefined;
  });
});

after(async () => {
  await s?.destroy();
  rmSync(files, { recursive: true, force: true });
});

/** `sh -c script` in a running container of `service` on any host. */
function inTask(service: string, script: string): Promise<string> {
  return execInTask(s, [0, 1], service, script);
}

test(
  'docker stack deploy with secrets and configs, then docker stack rm removes all of the stack',
  { timeout: 240_000 },
  async () => {
    // Something outside the stack, which stack rm must leave alone.
    await ok(s.docker(0, ['secret', 'create', 'other', join(files, 'db.txt')]));
    await ok(s.docker(0, ['stack', 'deploy', '-c', join(files, 'compose.yml'), 'web']));

    const secrets = rows(await ok(s.docker(0, ['secret', 'ls']))).map((r) => r[1]);
    assert.deepEqual(secrets.sort(), ['other', 'web_db']);
    const configs = rows(await ok(s.docker(0, ['config', 'ls']))).map((r) => r[1]);
    assert.deepEqual(configs, ['web_appconf']);
    const labels = JSON.parse(
      await ok(s.docker(0, ['secret', 'inspect', '--format', '{{json .Spec.Labels}}', 'web_db'])),
    ) as Record<string, string>;
    assert.equal(labels['com.docker.stack.namespace'], 'web');
    assert.match(await ok(s.docker(0, ['network', 'ls'])), /web_back\s+overlay\s+swarm/);

    const stacks = rows(await ok(s.docker(0, ['stack', 'ls'])));
    assert.ok(
      stacks.some((r) => r[0] === 'web' && r[1] === '1'),
      JSON.stringify(stacks),
    );
    await eventually('both replicas running', async () => {
      const svc = rows(await ok(s.docker(0, ['stack', 'services', 'web'])));
      return svc.some((r) => r[1] === 'web_app' && r.includes('2/2')) ? svc : undefined;
    });
    const ps = rows(await ok(s.docker(0, ['stack', 'ps', 'web'])));
    assert.equal(ps.filter((r) => r.includes('Running')).length, 2, JSON.stringify(ps));

    assert.equal(await inTask('web_app', 'cat /run/secrets/db'), SECRET);
    assert.equal((await inTask('web_app', 'stat -c %a /run/secrets/db-ro')).trim(), '400');
    assert.equal(await inTask('web_app', 'cat /etc/app.conf'), CONFIG);

    await ok(s.docker(0, ['stack', 'rm', 'web']));
    await eventually(
      'the stack gone: services, networks, secrets, configs',
      async () => {
        const left = [
          ...rows(await ok(s.docker(0, ['service', 'ls']))).map((r) => `service ${r[1]}`),
          ...rows(await ok(s.docker(0, ['secret', 'ls'])))
            .map((r) => `secret ${r[1]}`)
            .filter((x) => x !== 'secret other'),
          ...rows(await ok(s.docker(0, ['config', 'ls']))).map((r) => `config ${r[1]}`),
          ...rows(await ok(s.docker(0, ['network', 'ls'])))
            .map((r) => `network ${r[1]}`)
            .filter((x) => x.startsWith('network web_')),
        ];
        return left.length === 0 ? true : undefined;
      },
      60_000,
    );
    assert.deepEqual(
      rows(await ok(s.docker(0, ['secret', 'ls']))).map((r) => r[1]),
      ['other'],
      'stack rm leaves what is not the stack’s',
    );
    assert.deepEqual(rows(await ok(s.docker(0, ['stack', 'ls']))), []);
  },
);
