import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loadCompose } from '../load.js';
import { mergeCompose } from '../merge.js';
import type { NormalizedCompose } from '../normalize.js';

const dir = mkdtempSync(join(tmpdir(), 'shoal-compose-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e: unknown) {
    return e instanceof Error ? e.message : String(e);
  }
  return 'no error';
}

test('a schema error names the file and the line of the value', () => {
  const p = file('bad-type.yml', 'services:\n  web:\n    image: nginx\n    deploy:\n      replicas: many\n');
  assert.equal(
    errorOf(() => loadCompose({ files: [p], env: {} })),
    `${p}:5: services.web.deploy.replicas must be integer`,
  );
});

test('an unknown key is reported at its own line', () => {
  const p = file('unknown.yml', 'services:\n  web:\n    image: nginx\n    replicaz: 3\n');
  assert.equal(
    errorOf(() => loadCompose({ files: [p], env: {} })),
    `${p}:4: services.web additional property replicaz is not allowed`,
  );
});

test('interpolation errors and YAML syntax errors have lines too', () => {
  const p = file('interp.yml', 'services:\n  web:\n    image: ${IMAGE:?set IMAGE}\n');
  assert.equal(
    errorOf(() => loadCompose({ files: [p], env: {} })),
    `${p}:3: services.web.image: required variable IMAGE is missing a value: set IMAGE`,
  );
  const y = file('syntax.yml', 'services:\n  web:\n    image: [x\n');
  assert.match(
    errorOf(() => loadCompose({ files: [y], env: {} })),
    new RegExp(`^${y}:\\d+: `),
  );
});

test('variables come from the environment first, then .env next to the first file', () => {
  const sub = mkdtempSync(join(dir, 'envdir-'));
  writeFileSync(join(sub, '.env'), 'TAG=1.0\nREPLICAS=2\n');
  const p = join(sub, 'compose.yml');
  writeFileSync(p, 'services:\n  web:\n    image: nginx:${TAG}\n    deploy:\n      replicas: ${REPLICAS}\n');
  const loaded = loadCompose({ files: [p], env: { TAG: '2.0' } });
  const web = loaded.compose.services['web'];
  assert.equal(web?.['image'], 'nginx:2.0');
  assert.deepEqual(web?.['deploy'], { replicas: 2 });
});

function svcs(services: NormalizedCompose['services']): NormalizedCompose {
  return { services, networks: {}, volumes: {}, secrets: {}, configs: {} };
}

test('merge follows the docker CLI: maps merge, lists append, ports/volumes/secrets by key, command replaced', () => {
  const base = svcs({
    web: {
      image: 'a',
      command: ['x', 'y'],
      environment: { A: '1', B: '2' },
      dns: ['1.1.1.1'],
      ports: [{ mode: 'ingress', protocol: 'tcp', target: 80, published: 8080 }],
      volumes: [{ type: 'volume', source: 'd', target: '/data' }],
      secrets: [{ source: 's1' }],
      logging: { driver: 'json-file', options: { 'max-size': '1m' } },
      deploy: { replicas: 1, placement: { constraints: ['node.role==manager'] } },
    },
  });
  const over = svcs({
    web: {
      image: 'b',
      command: ['z'],
      environment: { B: '3' },
      dns: ['8.8.8.8'],
      ports: [
        { mode: 'ingress', protocol: 'tcp', target: 80, published: 8080 },
        { mode: 'ingress', protocol: 'tcp', target: 443, published: 443 },
      ],
      volumes: [{ type: 'bind', source: '/srv', target: '/data' }],
      secrets: [{ source: 's1', target: 'other' }],
      logging: { options: { 'max-file': '2' } },
      deploy: { replicas: 3, placement: { constraints: ['node.labels.x==y'] } },
    },
    db: { image: 'pg' },
  });
  const m = mergeCompose([base, over]);
  assert.deepEqual(Object.keys(m.services).sort(), ['db', 'web']);
  assert.deepEqual(m.services['web'], {
    image: 'b',
    command: ['z'],
    environment: { A: '1', B: '3' },
    dns: ['1.1.1.1', '8.8.8.8'],
    ports: [
      { mode: 'ingress', protocol: 'tcp', target: 443, published: 443 },
      { mode: 'ingress', protocol: 'tcp', target: 80, published: 8080 },
    ],
    volumes: [{ type: 'bind', source: '/srv', target: '/data' }],
    secrets: [{ source: 's1', target: 'other' }],
    logging: { driver: 'json-file', options: { 'max-size': '1m', 'max-file': '2' } },
    deploy: { replicas: 3, placement: { constraints: ['node.role==manager', 'node.labels.x==y'] } },
  });
});

test('two files load and merge, each validated with its own name', () => {
  const a = file('a.yml', 'services:\n  web:\n    image: nginx\n    ports: ["8080:80"]\n');
  const b = file(
    'b.yml',
    'services:\n  web:\n    ports:\n      - target: 80\n        published: 9090\n        protocol: udp\n        mode: host\n',
  );
  const m = loadCompose({ files: [a, b], env: {} }).compose;
  assert.deepEqual(m.services['web']?.['ports'], [
    { mode: 'ingress', target: 80, published: 8080, protocol: 'tcp' },
    { mode: 'host', target: 80, published: 9090, protocol: 'udp' },
  ]);
  const bad = file('c.yml', 'services:\n  web:\n    init: maybe\n');
  assert.match(
    errorOf(() => loadCompose({ files: [a, bad], env: {} })),
    new RegExp(`^${bad}:3: services.web.init must be boolean`),
  );
});
