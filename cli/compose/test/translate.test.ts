import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loadCompose } from '../load.js';
import { stackData, stackNetworks } from '../translate-objects.js';
import { translateService } from '../translate-service.js';

const dir = mkdtempSync(join(tmpdir(), 'shoal-translate-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const COMPOSE = `
services:
  web:
    image: nginx:1
    command: nginx -g "daemon off;"
    entrypoint: ["/docker-entrypoint.sh"]
    working_dir: /srv
    user: "101"
    hostname: web-host
    labels: [team=a]
    stop_grace_period: 1m30s
    init: true
    cap_add: [NET_ADMIN]
    cap_drop: [MKNOD]
    sysctls: { net.core.somaxconn: 1024 }
    ulimits: { nofile: { soft: 100, hard: 200 }, nproc: 50 }
    dns: 10.0.0.2
    dns_search: [example.org]
    extra_hosts: ["db.local:10.0.0.5"]
    logging: { driver: json-file, options: { max-size: 1m } }
    environment: { A: "1", FROM_SHELL: null }
    env_file: web.env
    healthcheck:
      test: curl -f http://localhost
      interval: 10s
      retries: 3
    ports:
      - "8080:80"
      - target: 443
        published: 8443
        protocol: tcp
        mode: host
    volumes:
      - data:/data:ro
      - ./html:/usr/share/nginx/html
      - type: tmpfs
        target: /tmp
        tmpfs: { size: 1048576 }
    secrets:
      - db
      - source: db
        target: db2
        uid: "101"
        mode: 0400
    configs: [site]
    networks:
      front:
        aliases: [www]
    deploy:
      replicas: 3
      labels: { tier: front }
      endpoint_mode: vip
      placement:
        constraints: [node.role==worker]
        preferences: [{ spread: node.labels.zone }]
        max_replicas_per_node: 2
      resources:
        limits: { cpus: "0.5", memory: 512M, pids: 100 }
        reservations: { cpus: "0.25", memory: 128M }
      update_config: { parallelism: 2, delay: 10s, failure_action: rollback, order: start-first }
      rollback_config: { monitor: 5s }
      restart_policy: { condition: on-failure, delay: 5s, max_attempts: 3, window: 1m }
  job:
    image: busybox
    restart: "no"
    deploy: { mode: replicated-job, replicas: 4 }
  agent:
    image: busybox
    deploy: { mode: global }
networks:
  front:
    driver_opts: { encrypted: "" }
    attachable: true
    ipam: { config: [{ subnet: 10.9.0.0/24 }] }
volumes:
  data:
    driver: local
    labels: { keep: "yes" }
secrets:
  db: { file: ./db.txt }
configs:
  site: { external: true, name: site-v1 }
`;

test('every key group translates as the docker CLI sends it', () => {
  writeFileSync(join(dir, 'compose.yml'), COMPOSE);
  writeFileSync(join(dir, 'web.env'), 'B=2\nA=overridden-by-environment\n');
  writeFileSync(join(dir, 'db.txt'), 'pw');
  const loaded = loadCompose({ files: [join(dir, 'compose.yml')], env: { FROM_SHELL: 'sh' } });
  const ctx = {
    stack: 'app',
    compose: loaded.compose,
    workingDir: loaded.workingDir,
    lookup: loaded.lookup,
    home: '/home/u',
    secretIds: new Map([['app_db', 'sec1']]),
    configIds: new Map([['site-v1', 'cfg1']]),
  };
  const ns = { 'com.docker.stack.namespace': 'app' };
  const web = translateService(ctx, 'web');
  assert.deepEqual(web.Labels, { tier: 'front', ...ns, 'com.docker.stack.image': 'nginx:1' });
  assert.deepEqual(web.Mode, { Replicated: { Replicas: 3 } });
  assert.deepEqual(web.UpdateConfig, {
    Parallelism: 2,
    Delay: 10e9,
    FailureAction: 'rollback',
    Order: 'start-first',
  });
  assert.deepEqual(web.RollbackConfig, { Parallelism: 1, Monitor: 5e9 });
  assert.deepEqual(web.EndpointSpec, {
    Mode: 'vip',
    Ports: [
      { Protocol: 'tcp', TargetPort: 80, PublishedPort: 8080, PublishMode: 'ingress' },
      { Protocol: 'tcp', TargetPort: 443, PublishedPort: 8443, PublishMode: 'host' },
    ],
  });
  const t = web.TaskTemplate ?? {};
  assert.deepEqual(t.Networks, [{ Target: 'app_front', Aliases: ['www', 'web'] }]);
  assert.deepEqual(t.Resources, {
    Limits: { NanoCPUs: 5e8, MemoryBytes: 512 * 1024 * 1024, Pids: 100 },
    Reservations: { NanoCPUs: 2.5e8, MemoryBytes: 128 * 1024 * 1024 },
  });
  assert.deepEqual(t.RestartPolicy, { Condition: 'on-failure', Delay: 5e9, MaxAttempts: 3, Window: 60e9 });
  assert.deepEqual(t.Placement, {
    Constraints: ['node.role==worker'],
    Preferences: [{ Spread: { SpreadDescriptor: 'node.labels.zone' } }],
    MaxReplicas: 2,
  });
  assert.deepEqual(t.LogDriver, { Name: 'json-file', Options: { 'max-size': '1m' } });
  const c = t.ContainerSpec ?? {};
  assert.equal(c.Image, 'nginx:1');
  assert.deepEqual(c.Labels, { team: 'a', ...ns });
  assert.deepEqual(c.Command, ['/docker-entrypoint.sh']);
  assert.deepEqual(c.Args, ['nginx', '-g', 'daemon off;']);
  assert.equal(c.Dir, '/srv');
  assert.equal(c.User, '101');
  assert.equal(c.Hostname, 'web-host');
  assert.equal(c.StopGracePeriod, 90e9);
  assert.equal(c.Init, true);
  assert.deepEqual(c.Env, ['A=1', 'B=2', 'FROM_SHELL=sh']);
  assert.deepEqual(c.CapabilityAdd, ['NET_ADMIN']);
  assert.deepEqual(c.CapabilityDrop, ['MKNOD']);
  assert.deepEqual(c.Sysctls, { 'net.core.somaxconn': '1024' });
  assert.deepEqual(c.Ulimits, [
    { Name: 'nofile', Soft: 100, Hard: 200 },
    { Name: 'nproc', Soft: 50, Hard: 50 },
  ]);
  assert.deepEqual(c.DNSConfig, { Nameservers: ['10.0.0.2'], Search: ['example.org'] });
  assert.deepEqual(c.Hosts, ['10.0.0.5 db.local']);
  assert.deepEqual(c.Healthcheck, {
    Test: ['CMD-SHELL', 'curl -f http://localhost'],
    Interval: 10e9,
    Retries: 3,
  });
  assert.deepEqual(c.Mounts, [
    {
      Type: 'volume',
      Target: '/data',
      ReadOnly: true,
      Source: 'app_data',
      VolumeOptions: { Labels: { keep: 'yes', ...ns }, DriverConfig: { Name: 'local' } },
    },
    { Type: 'bind', Target: '/usr/share/nginx/html', Source: join(dir, 'html') },
    { Type: 'tmpfs', Target: '/tmp', TmpfsOptions: { SizeBytes: 1048576 } },
  ]);
  assert.deepEqual(c.Secrets, [
    { File: { Name: 'db', UID: '0', GID: '0', Mode: 0o444 }, SecretID: 'sec1', SecretName: 'app_db' },
    { File: { Name: 'db2', UID: '101', GID: '0', Mode: 0o400 }, SecretID: 'sec1', SecretName: 'app_db' },
  ]);
  assert.deepEqual(c.Configs, [
    { File: { Name: '/site', UID: '0', GID: '0', Mode: 0o444 }, ConfigID: 'cfg1', ConfigName: 'site-v1' },
  ]);

  const job = translateService(ctx, 'job');
  assert.deepEqual(job.Mode, { ReplicatedJob: { MaxConcurrent: 4, TotalCompletions: 4 } });
  assert.deepEqual(job.TaskTemplate?.RestartPolicy, { Condition: 'none' });
  assert.deepEqual(job.TaskTemplate?.Networks, [{ Target: 'app_default', Aliases: ['job'] }]);
  assert.deepEqual(translateService(ctx, 'agent').Mode, { Global: {} });

  assert.deepEqual(stackNetworks('app', loaded.compose), [
    {
      key: 'default',
      name: 'app_default',
      external: false,
      create: { Name: 'app_default', Labels: ns, Driver: 'overlay', Scope: 'swarm' },
    },
    {
      key: 'front',
      name: 'app_front',
      external: false,
      create: {
        Name: 'app_front',
        Labels: ns,
        Driver: 'overlay',
        Scope: 'swarm',
        Options: { encrypted: '' },
        Attachable: true,
        IPAM: { Driver: 'default', Config: [{ Subnet: '10.9.0.0/24' }] },
      },
    },
  ]);
  assert.deepEqual(stackData('app', 'secret', loaded.compose, loaded.workingDir), [
    {
      key: 'db',
      name: 'app_db',
      external: false,
      spec: { Name: 'app_db', Labels: ns, Data: Buffer.from('pw').toString('base64') },
    },
  ]);
  assert.deepEqual(stackData('app', 'config', loaded.compose, loaded.workingDir), [
    { key: 'site', name: 'site-v1', external: true },
  ]);
});

test('an undeclared network or volume is an error naming it', () => {
  writeFileSync(join(dir, 'undeclared.yml'), 'services:\n  web:\n    image: x\n    networks: [nope]\n');
  const loaded = loadCompose({ files: [join(dir, 'undeclared.yml')], env: {} });
  assert.throws(
    () => stackNetworks('app', loaded.compose),
    /service web references network "nope", which is not declared/,
  );
});
