// Privileges, Ulimits, OomScoreAdj, the pids limit and the health check's start interval:
// refused with 400 and the engine's (or swarmkit's) words before anything is proposed, and
// accepted at their limits.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ServiceSpec } from '../../store/index.js';
import { taskSpec } from '../../store/test/fixtures.js';
import { checkServiceSpec, Refusal } from '../index.js';
import {
  MAX_OOM_SCORE_ADJ,
  MAX_SECCOMP_PROFILE_BYTES,
  MAX_SELINUX_LABEL_BYTES,
  MAX_ULIMITS,
  MIN_OOM_SCORE_ADJ,
  ULIMIT_NAMES,
} from '../limits.js';

function spec(change: (s: ServiceSpec) => void): ServiceSpec {
  const s: ServiceSpec = {
    name: 'web',
    labels: {},
    taskTemplate: taskSpec('busybox'),
    mode: { kind: 'replicated', replicas: 1 },
  };
  change(s);
  return s;
}

const b64 = (text: string): string => Buffer.from(text).toString('base64');
/** A JSON profile of exactly `n` bytes. */
const profileOf = (n: number): string => b64(`{"x":"${'a'.repeat(n - 8)}"}`);

const REFUSED: [string, (s: ServiceSpec) => void, RegExp][] = [
  [
    'an unknown ulimit',
    (s) => void (s.taskTemplate.containerSpec.ulimits = [{ name: 'as', soft: 1, hard: 1 }]),
    /^invalid ulimit type: as$/,
  ],
  [
    'soft above hard',
    (s) => void (s.taskTemplate.containerSpec.ulimits = [{ name: 'nofile', soft: 2048, hard: 1024 }]),
    /^ulimit soft limit must be less than or equal to hard limit: 2048 > 1024$/,
  ],
  [
    'an unlimited soft under a hard limit',
    (s) => void (s.taskTemplate.containerSpec.ulimits = [{ name: 'nofile', soft: -1, hard: 1024 }]),
    /^ulimit soft limit must be less than or equal to hard limit: soft: -1 \(unlimited\), hard: 1024$/,
  ],
  [
    'a negative limit other than -1',
    (s) => void (s.taskTemplate.containerSpec.ulimits = [{ name: 'nproc', soft: -2, hard: -1 }]),
    /Ulimits: nproc: Soft -2 is out of range: it must be between -1 and/,
  ],
  [
    'a ulimit given twice',
    (s) =>
      void (s.taskTemplate.containerSpec.ulimits = [
        { name: 'nofile', soft: 1, hard: 1 },
        { name: 'nofile', soft: 2, hard: 2 },
      ]),
    /duplicate ulimit nofile/,
  ],
  [
    'too many ulimits',
    (s) =>
      void (s.taskTemplate.containerSpec.ulimits = Array.from({ length: MAX_ULIMITS + 1 }, () => ({
        name: 'nofile',
        soft: 1,
        hard: 1,
      }))),
    new RegExp(`Ulimits has ${MAX_ULIMITS + 1} entries, more than the limit of ${MAX_ULIMITS}`),
  ],
  [
    'an OOM score adjustment beyond the kernel range',
    (s) => void (s.taskTemplate.containerSpec.oomScoreAdj = 1001),
    /^Invalid value 1001, range for oom score adj is \[-1000, 1000\]$/,
  ],
  [
    'an OOM score adjustment below the kernel range',
    (s) => void (s.taskTemplate.containerSpec.oomScoreAdj = -1001),
    /^Invalid value -1001, range for oom score adj is \[-1000, 1000\]$/,
  ],
  [
    'a custom seccomp mode without a profile',
    (s) =>
      void (s.taskTemplate.containerSpec.privileges = {
        noNewPrivileges: false,
        seccomp: { mode: 'custom' },
      }),
    /Seccomp mode "custom" needs the profile/,
  ],
  [
    'a custom seccomp profile that is no JSON',
    (s) =>
      void (s.taskTemplate.containerSpec.privileges = {
        noNewPrivileges: false,
        seccomp: { mode: 'custom', profile: b64('{not json') },
      }),
    /^Decoding seccomp profile failed: /,
  ],
  [
    'a seccomp profile over its limit',
    (s) =>
      void (s.taskTemplate.containerSpec.privileges = {
        noNewPrivileges: false,
        seccomp: { mode: 'custom', profile: profileOf(MAX_SECCOMP_PROFILE_BYTES + 1) },
      }),
    new RegExp(`Seccomp.Profile is ${MAX_SECCOMP_PROFILE_BYTES + 1} bytes, more than the limit`),
  ],
  [
    'an SELinux level over its limit',
    (s) =>
      void (s.taskTemplate.containerSpec.privileges = {
        noNewPrivileges: false,
        seLinuxContext: {
          disable: false,
          user: '',
          role: '',
          type: '',
          level: 'c'.repeat(MAX_SELINUX_LABEL_BYTES + 1),
        },
      }),
    /SELinuxContext.Level is 4097 bytes, more than the limit of 4096/,
  ],
  [
    'a credential spec file path over PATH_MAX',
    (s) =>
      void (s.taskTemplate.containerSpec.privileges = {
        noNewPrivileges: false,
        credentialSpec: { config: '', file: 'f'.repeat(4097), registry: '' },
      }),
    /CredentialSpec.File is 4097 bytes/,
  ],
  [
    'a start interval under a millisecond',
    (s) =>
      void (s.taskTemplate.containerSpec.healthcheck = {
        test: ['CMD', 'true'],
        interval: 0,
        timeout: 0,
        startPeriod: 0,
        startInterval: 0,
        retries: 0,
        exactNs: { startInterval: 5 },
      }),
    /ContainerSpec: StartInterval in HealthConfig cannot be less than 1ms/,
  ],
];

test('bad privileges, ulimits and OOM score adjustments are refused with 400 and the engine words', () => {
  for (const [what, change, message] of REFUSED) {
    assert.throws(
      () => checkServiceSpec(spec(change)),
      (e: unknown) => {
        assert.ok(e instanceof Refusal, `${what}: ${String(e)}`);
        assert.equal(e.statusCode, 400, what);
        assert.match(e.message.replace(/^rpc error: code = InvalidArgument desc = /, ''), message, what);
        return true;
      },
      what,
    );
  }
});

test('privileges, ulimits, pids and OOM score adjustments at their limits are accepted', () => {
  const s = spec((x) => {
    const c = x.taskTemplate.containerSpec;
    c.privileges = {
      noNewPrivileges: true,
      seccomp: { mode: 'custom', profile: profileOf(MAX_SECCOMP_PROFILE_BYTES) },
      appArmor: { mode: 'disabled' },
      seLinuxContext: {
        disable: false,
        user: 'u',
        role: 'r',
        type: 't',
        level: 'l'.repeat(MAX_SELINUX_LABEL_BYTES),
      },
      credentialSpec: { config: '', file: '', registry: 'gmsa' },
    };
    c.ulimits = ULIMIT_NAMES.map((name) => ({ name, soft: 0, hard: -1 }));
    c.oomScoreAdj = MIN_OOM_SCORE_ADJ;
    x.taskTemplate.resources = { pidsLimit: -1 };
  });
  checkServiceSpec(s);
  s.taskTemplate.containerSpec.oomScoreAdj = MAX_OOM_SCORE_ADJ;
  s.taskTemplate.resources = { pidsLimit: Number.MAX_SAFE_INTEGER };
  checkServiceSpec(s);
  // A profile kept with the default mode is not read as JSON (Docker keeps it unapplied).
  s.taskTemplate.containerSpec.privileges = {
    noNewPrivileges: false,
    seccomp: { mode: 'default', profile: b64('x') },
  };
  checkServiceSpec(s);
});
