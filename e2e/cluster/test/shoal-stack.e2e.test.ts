// `shoal stack deploy` (native stacks) on a two-host lab cluster: a compose file plus an
// override, variables from the `.env` next to the first file, a secret and a published port;
// the unmodified docker CLI sees the same stack (`stack ls|services|ps`), a redeploy that
// changes one service updates only that one, and `shoal stack rm` removes everything of the
// stack, which `docker stack ls` then no longer lists.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ShoalLab, eventually } from '../shoal-lab.js';
import { ok, rows } from '../cli-output.js';
import { execInTask } from '../task-exec.js';

const SECRET = 'native-stack-pw-7c1e';

const COMPOSE = `services:
  web:
    image: shoal/busybox
    command: ["sleep", "100000"]
    environment:
      GREETING: \${GREETING:-hello}
    secrets:
      - source: db
        mode: 0400
    deploy:
      replicas: \${WEB_REPLICAS}
  worker:
    image: shoal/busybox
    command: sleep 100000
    networks: [back]
networks:
  back:
    attachable: true
secrets:
  db:
    file: ./db.txt
`;

const OVERRIDE = `services:
  worker:
    deploy:
      mode: global
`;

let s: ShoalLab;
let files: string;

before(async () => {
  files = mkdtempSync(join(tmpdir(), 'shoal-native-stack-e2e-'));
  writeFileSync(join(files, 'db.txt'), SECRET, { mode: 0o600 });
  writeFileSync(join(files, '.env'), 'WEB_REPLICAS=2\n');
  writeFileSync(join(files, 'compose.yml'), COMPOSE);
  writeFileSync(join(files, 'override.yml'), OVERRIDE);
  s = await ShoalLab.create('nstack', 2);
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
  rmSync(files, { recursive: true, force: true });
});

/** `sh -c script` in a running container of `service` on any host. */
function inTask(service: string, script: string): Promise<string> {
  return execInTask(s, [0, 1], service, script);
}

test('shoal stack deploy, seen by the docker CLI, redeployed, removed', { timeout: 300_000 }, async () => {
  const compose = join(files, 'compose.yml');
  const override = join(files, 'override.yml');
  const deployed = await ok(s.shoal(0, ['stack', 'deploy', '-c', compose, '-c', override, 'ns']));
  assert.equal(
    deployed,
    'Creating network ns_back\nCreating network ns_default\nCreating secret ns_db\n' +
      'Creating service ns_web\nCreating service ns_worker\n',
  );

  // The docker CLI sees the same stack, with the docker CLI's names and labels.
  const stacks = rows(await ok(s.docker(0, ['stack', 'ls'])));
  assert.ok(
    stacks.some((r) => r[0] === 'ns' && r[1] === '2'),
    JSON.stringify(stacks),
  );
  await eventually('web 2/2 and worker global on both nodes', async () => {
    const svc = rows(await ok(s.docker(0, ['stack', 'services', 'ns'])));
    const web = svc.find((r) => r[1] === 'ns_web');
    const worker = svc.find((r) => r[1] === 'ns_worker');
    return web?.includes('2/2') === true && worker?.[2] === 'global' && worker.includes('2/2')
      ? svc
      : undefined;
  });
  const ps = rows(await ok(s.docker(0, ['stack', 'ps', 'ns'])));
  assert.equal(ps.filter((r) => r.includes('Running')).length, 4, JSON.stringify(ps));
  const labels = JSON.parse(
    await ok(s.docker(0, ['network', 'inspect', '--format', '{{json .Labels}}', 'ns_back'])),
  ) as Record<string, string>;
  assert.equal(labels['com.docker.stack.namespace'], 'ns');
  assert.equal(await inTask('ns_web', 'cat /run/secrets/db'), SECRET);
  assert.equal((await inTask('ns_web', 'stat -c %a /run/secrets/db')).trim(), '400');
  assert.equal((await inTask('ns_web', 'echo $GREETING')).trim(), 'hello');

  // Same files again: nothing to do. One changed value: only web is updated.
  assert.equal(await ok(s.shoal(0, ['stack', 'deploy', '-c', compose, '-c', override, 'ns'])), '');
  writeFileSync(join(files, '.env'), 'WEB_REPLICAS=1\n');
  const redeployed = await ok(s.shoal(0, ['stack', 'deploy', '-c', compose, '-c', override, 'ns']));
  assert.match(redeployed, /^Updating service ns_web \(id: [0-9a-z]+\)\n$/);
  await eventually('web scaled to 1', async () => {
    const svc = rows(await ok(s.docker(0, ['stack', 'services', 'ns'])));
    return svc.find((r) => r[1] === 'ns_web')?.includes('1/1') === true ? svc : undefined;
  });

  const removed = await ok(s.shoal(0, ['stack', 'rm', 'ns']));
  assert.equal(
    removed,
    'Removing service ns_web\nRemoving service ns_worker\nRemoving secret ns_db\n' +
      'Removing network ns_back\nRemoving network ns_default\n',
  );
  await eventually('the stack gone for the docker CLI', async () => {
    const left = rows(await ok(s.docker(0, ['stack', 'ls'])));
    const nets = rows(await ok(s.docker(0, ['network', 'ls']))).filter((r) => r[1]?.startsWith('ns_'));
    return left.length === 0 && nets.length === 0 ? true : undefined;
  });
});
