// The container config's security options and process limits, as dockerd's swarm executor
// builds them from a task's Privileges, Ulimits, pids limit, OomScoreAdj, Isolation and the
// health check's start interval.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Privileges } from '../../../../api/objects/index.js';
import { makeTask } from '../../test/task-fixture.js';
import { containerCreateOptions, securityOptions } from '../container-config.js';

const NONE = { networkMode: 'none', endpoints: [] };

test('Privileges become the security options dockerd gives a swarm task', () => {
  const profile = '{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[]}';
  const cases: [string, Privileges, string[]][] = [
    ['nothing set', { noNewPrivileges: false }, []],
    ['no-new-privileges', { noNewPrivileges: true }, ['no-new-privileges=true']],
    ['seccomp default', { noNewPrivileges: false, seccomp: { mode: 'default' } }, []],
    [
      'seccomp unconfined',
      { noNewPrivileges: false, seccomp: { mode: 'unconfined' } },
      ['seccomp=unconfined'],
    ],
    [
      'seccomp custom: the profile JSON itself',
      {
        noNewPrivileges: false,
        seccomp: { mode: 'custom', profile: Buffer.from(profile).toString('base64') },
      },
      [`seccomp=${profile}`],
    ],
    [
      'a profile kept with another mode is not applied',
      {
        noNewPrivileges: false,
        seccomp: { mode: 'default', profile: Buffer.from(profile).toString('base64') },
      },
      [],
    ],
    [
      'apparmor disabled',
      { noNewPrivileges: false, appArmor: { mode: 'disabled' } },
      ['apparmor=unconfined'],
    ],
    ['apparmor default', { noNewPrivileges: false, appArmor: { mode: 'default' } }, []],
    [
      'selinux labels, in dockerd order',
      {
        noNewPrivileges: false,
        seLinuxContext: {
          disable: false,
          user: 'system_u',
          role: 'system_r',
          type: 'svirt_t',
          level: 's0:c1',
        },
      },
      ['label=user:system_u', 'label=role:system_r', 'label=level:s0:c1', 'label=type:svirt_t'],
    ],
    [
      'selinux disabled',
      { noNewPrivileges: false, seLinuxContext: { disable: true, user: '', role: '', type: '', level: '' } },
      ['label=disable'],
    ],
    [
      'a credential spec is Windows-only: kept, not applied',
      { noNewPrivileges: false, credentialSpec: { config: '', file: 'spec.json', registry: '' } },
      [],
    ],
    [
      'all together',
      {
        noNewPrivileges: true,
        seccomp: { mode: 'unconfined' },
        appArmor: { mode: 'disabled' },
        seLinuxContext: { disable: true, user: '', role: '', type: '', level: '' },
      },
      ['label=disable', 'seccomp=unconfined', 'apparmor=unconfined', 'no-new-privileges=true'],
    ],
  ];
  for (const [name, privileges, want] of cases) {
    assert.deepEqual(securityOptions(privileges), want, name);
    const c = containerCreateOptions(makeTask({ container: { privileges } }), NONE);
    assert.deepEqual(c.HostConfig?.SecurityOpt, want.length > 0 ? want : undefined, name);
  }
});

test('ulimits, the pids limit, OomScoreAdj and Isolation reach the host config', () => {
  const t = makeTask({
    container: {
      ulimits: [
        { name: 'nofile', soft: 1024, hard: 2048 },
        { name: 'core', soft: -1, hard: -1 },
      ],
      oomScoreAdj: -500,
      isolation: 'process',
    },
    spec: { resources: { pidsLimit: 100 } },
  });
  const h = containerCreateOptions(t, NONE).HostConfig;
  assert.deepEqual(h?.Ulimits, [
    { Name: 'nofile', Soft: 1024, Hard: 2048 },
    { Name: 'core', Soft: -1, Hard: -1 },
  ]);
  assert.equal(h?.PidsLimit, 100);
  assert.equal(h?.OomScoreAdj, -500);
  assert.equal(h?.Isolation, 'process');

  // As dockerd: a pids limit of 0 or below leaves the engine's default; no fields, no keys.
  for (const pidsLimit of [0, -1]) {
    const plain = containerCreateOptions(makeTask({ spec: { resources: { pidsLimit } } }), NONE).HostConfig;
    assert.equal(plain?.PidsLimit, undefined);
  }
  const plain = containerCreateOptions(makeTask({ container: { isolation: 'default' } }), NONE).HostConfig;
  assert.equal(plain?.Ulimits, undefined);
  assert.equal(plain?.OomScoreAdj, undefined);
  assert.equal(plain?.Isolation, undefined);
  assert.equal(plain?.SecurityOpt, undefined);
});

test('the health check carries StartInterval and the exact nanoseconds the API was given', () => {
  const t = makeTask({
    container: {
      healthcheck: {
        test: ['CMD', 'true'],
        interval: 2,
        timeout: 1_000,
        startPeriod: 30_000,
        startInterval: 500,
        retries: 3,
        exactNs: { interval: 1_500_001 },
      },
    },
  });
  assert.deepEqual(containerCreateOptions(t, NONE).Healthcheck, {
    Test: ['CMD', 'true'],
    Interval: 1_500_001,
    Timeout: 1e9,
    StartPeriod: 30e9,
    StartInterval: 5e8,
    Retries: 3,
  });
  const without = makeTask({
    container: { healthcheck: { test: ['NONE'], interval: 0, timeout: 0, startPeriod: 0, retries: 0 } },
  });
  assert.equal(containerCreateOptions(without, NONE).Healthcheck?.StartInterval, undefined);
});
