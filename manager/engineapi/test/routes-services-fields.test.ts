// /services through the API: Privileges, Ulimits, the pids limit, Isolation and OomScoreAdj
// read back as sent; bad values are 400 with Docker's words; the request's API version (the
// /vX.Y prefix) decides what older clients' requests mean and what they read back.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { json, serviceBody, startHarness, type ApiHarness } from './harness.js';

interface ServiceJson {
  Spec: {
    Networks?: unknown;
    TaskTemplate: {
      ContainerSpec: Record<string, unknown>;
      Resources?: { Limits?: Record<string, unknown> };
      Networks?: { Target: string }[];
    };
  };
}

async function create(h: ApiHarness, path: string, body: Record<string, unknown>): Promise<string> {
  const res = await h.request('POST', path, body);
  assert.equal(res.statusCode, 201, res.body);
  return json<{ ID: string }>(res).ID;
}

async function inspect(h: ApiHarness, path: string): Promise<ServiceJson> {
  const res = await h.request('GET', path);
  assert.equal(res.statusCode, 200, res.body);
  return json<ServiceJson>(res);
}

const template = (container: Record<string, unknown>, rest: Record<string, unknown> = {}): unknown => ({
  ContainerSpec: { Image: 'shoal/busybox:latest', ...container },
  ...rest,
});

test('security options and process limits read back as sent', async () => {
  const h = await startHarness();
  try {
    const privileges = {
      SELinuxContext: { Disable: false, User: 'system_u', Role: 'system_r', Type: 'svirt_t', Level: 's0' },
      Seccomp: {
        Mode: 'custom',
        Profile: Buffer.from('{"defaultAction":"SCMP_ACT_ALLOW"}').toString('base64'),
      },
      AppArmor: { Mode: 'disabled' },
      NoNewPrivileges: true,
    };
    const ulimits = [{ Name: 'nofile', Hard: 2048, Soft: 1024 }];
    const id = await create(
      h,
      '/v1.41/services/create',
      serviceBody('sec', {
        TaskTemplate: template(
          { Privileges: privileges, Ulimits: ulimits, OomScoreAdj: 300 },
          { Resources: { Limits: { Pids: 100 } } },
        ),
      }),
    );
    const s = await inspect(h, `/v1.41/services/${id}`);
    const c = s.Spec.TaskTemplate.ContainerSpec;
    assert.deepEqual(c['Privileges'], privileges);
    assert.deepEqual(c['Ulimits'], ulimits);
    assert.equal(c['OomScoreAdj'], 300);
    assert.equal(c['Isolation'], 'default');
    assert.deepEqual(s.Spec.TaskTemplate.Resources?.Limits, { Pids: 100 });
  } finally {
    await h.close();
  }
});

test("bad security options and limits are 400 with Docker's words and store nothing", async () => {
  const h = await startHarness();
  try {
    const table: [unknown, string][] = [
      [
        template({ Ulimits: [{ Name: 'nofile', Soft: 10, Hard: 5 }] }),
        'ulimit soft limit must be less than or equal to hard limit: 10 > 5',
      ],
      [template({ Ulimits: [{ Name: 'files', Soft: 1, Hard: 1 }] }), 'invalid ulimit type: files'],
      [template({ OomScoreAdj: 2000 }), 'Invalid value 2000, range for oom score adj is [-1000, 1000]'],
      [template({ Privileges: { Seccomp: { Mode: 'strict' } } }), 'invalid SeccompMode: "strict"'],
      [template({ Privileges: { AppArmor: { Mode: 'complain' } } }), 'invalid AppArmorMode: "complain"'],
      [template({ Isolation: 'kvm' }), 'invalid isolation: "kvm"'],
      [
        template({ Privileges: { CredentialSpec: { File: 'a', Registry: 'b' } } }),
        'invalid CredentialSpec: cannot specify both "file" and "registry" credential specs',
      ],
    ];
    for (const [taskTemplate, message] of table) {
      const res = await h.request(
        'POST',
        '/v1.41/services/create',
        serviceBody('bad', { TaskTemplate: taskTemplate }),
      );
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(json<{ message: string }>(res).message, message);
    }
    const list = await h.request('GET', '/services');
    assert.deepEqual(json(list), []);
  } finally {
    await h.close();
  }
});

test('the request version decides: older clients lose newer fields; Spec.Networks moves, reads back below 1.25', async () => {
  const h = await startHarness();
  try {
    const net = await h.request('POST', '/v1.41/networks/create', { Name: 'front', Driver: 'overlay' });
    assert.equal(net.statusCode, 201, net.body);
    const netId = json<{ Id: string }>(net).Id;

    // API 1.40 had no Ulimits, CapabilityAdd or Limits.Pids: dockerd drops them from the request.
    const limited = template(
      { Ulimits: [{ Name: 'nofile', Soft: 1, Hard: 2 }], CapabilityAdd: ['CAP_NET_ADMIN'] },
      {
        Resources: { Limits: { Pids: 50 } },
      },
    );
    const old = await create(h, '/v1.40/services/create', serviceBody('old', { TaskTemplate: limited }));
    const oldSpec = (await inspect(h, `/services/${old}`)).Spec.TaskTemplate;
    assert.equal(oldSpec.ContainerSpec['Ulimits'], undefined);
    assert.equal(oldSpec.ContainerSpec['CapabilityAdd'], undefined);
    assert.equal(oldSpec.Resources?.Limits?.['Pids'], undefined);

    // The deprecated top-level Networks: moved into TaskTemplate.Networks (below 1.44; shoal's
    // newest version is 1.41, and an unprefixed request is at that version).
    for (const [path, name] of [
      ['/v1.41/services/create', 'legacy'],
      ['/services/create', 'bare'],
    ] as const) {
      const id = await create(h, path, serviceBody(name, { Networks: [{ Target: 'front' }] }));
      const s = await inspect(h, `/v1.41/services/${id}`);
      assert.deepEqual(s.Spec.TaskTemplate.Networks, [{ Target: netId }], path);
      assert.equal(s.Spec.Networks, undefined, path);
      // A client below 1.25 reads it where it sent it.
      const pre125 = await inspect(h, `/v1.24/services/${id}`);
      assert.deepEqual(pre125.Spec.Networks, [{ Target: netId }]);
      const listed = json<ServiceJson[]>(await h.request('GET', '/v1.24/services'));
      assert.ok(
        listed.every((x) => x.Spec.TaskTemplate.Networks === undefined || x.Spec.Networks !== undefined),
      );
    }
    // 1.44 and later are beyond what shoal answers (the node's engine is 20.10, API 1.41).
    const tooNew = await h.request('POST', '/v1.44/services/create', serviceBody('new'));
    assert.equal(tooNew.statusCode, 400);
    assert.match(json<{ message: string }>(tooNew).message, /client version 1.44 is too new/);
  } finally {
    await h.close();
  }
});
