import assert from 'node:assert/strict';
import { test } from 'node:test';
import { json, serviceBody, startHarness } from './harness.js';

interface EventJson {
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope: string;
  time: number;
  timeNano: number;
}

function lines(body: string): EventJson[] {
  return body
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as EventJson);
}

test('events: replay with since/until, Docker event JSON, filters', async () => {
  let now = Date.UTC(2024, 0, 1);
  const h = await startHarness({ clock: () => new Date((now += 1000)) });
  try {
    await h.request('GET', '/_ping');
    const id = json<{ ID: string }>(await h.request('POST', '/services/create', serviceBody('web'))).ID;
    const s = json<{ Version: { Index: number }; Spec: Record<string, unknown> }>(
      await h.request('GET', `/services/${id}`),
    );
    await h.request('POST', `/services/${id}/update?version=${s.Version.Index}`, {
      ...s.Spec,
      Mode: { Replicated: { Replicas: 4 } },
    });
    await h.request('DELETE', `/services/${id}`);
    // Events happened on 2024-01-01; reading them on 2024-01-03 makes `until` a past time.
    now = Date.UTC(2024, 0, 3);
    const window = 'since=1704067200&until=1704153600';
    const all = lines((await h.request('GET', `/v1.41/events?${window}`)).body);
    assert.deepEqual(
      all.map((e) => [e.Type, e.Action]),
      [
        ['service', 'create'],
        ['service', 'update'],
        ['service', 'remove'],
      ],
    );
    assert.equal(all[0]?.scope, 'swarm');
    assert.equal(all[0]?.Actor.ID, id);
    assert.deepEqual(all[1]?.Actor.Attributes, { name: 'web', 'replicas.old': '2', 'replicas.new': '4' });
    assert.equal(all[0].timeNano, all[0].time * 1e9);

    const filtered = async (filters: unknown): Promise<string[]> =>
      lines(
        (await h.request('GET', `/events?${window}&filters=${encodeURIComponent(JSON.stringify(filters))}`))
          .body,
      ).map((e) => e.Action);
    assert.deepEqual(await filtered({ event: { update: true } }), ['update']);
    assert.deepEqual(await filtered({ type: { node: true } }), []);
    assert.deepEqual(await filtered({ service: { web: true } }), ['create', 'update', 'remove']);
    assert.deepEqual(await filtered({ container: { abc: true } }), []);

    const bad: [string, string][] = [
      ['since=soon&until=1', 'invalid value for since: soon'],
      ['since=10&until=5', '`since` time must be before `until` time'],
      [`${window}&filters=${encodeURIComponent('{"colour":{"x":true}}')}`, "invalid filter 'colour'"],
    ];
    for (const [query, message] of bad) {
      const res = await h.request('GET', `/events?${query}`);
      assert.equal(res.statusCode, 400, query);
      assert.deepEqual(json(res), { message });
    }
  } finally {
    await h.close();
  }
});
