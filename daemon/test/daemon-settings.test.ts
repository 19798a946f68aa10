// shoald's settings, advertise-address choice and saved node state: good input, and bad input
// refused with a message that names the problem.

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { AdvertiseAddrError, resolveAdvertiseAddr } from '../advertise-addr.js';
import { ConfigError, DEFAULT_CONFIG, parseMetricsAddr, readConfigFile, resolveConfig } from '../config.js';
import { NodeStateDir, NodeStateError, type SwarmMembership } from '../node-state.js';

type Ifaces = Parameters<typeof resolveAdvertiseAddr>[2];
const v4 = (address: string, internal = false) => ({
  address,
  netmask: '255.255.255.0',
  family: 'IPv4' as const,
  mac: '00:00:00:00:00:00',
  internal,
  cidr: `${address}/24`,
});

test('config: defaults, file then flags, validation', async () => {
  assert.deepEqual(resolveConfig(), DEFAULT_CONFIG);
  const dir = await mkdtemp(join(tmpdir(), 'shoal-cfg-'));
  try {
    const file = join(dir, 'shoald.json');
    await writeFile(
      file,
      JSON.stringify({ 'data-root': '/srv/shoal', 'log-level': 'info', engine: 'unix:///x.sock' }),
    );
    const c = resolveConfig(await readConfigFile(file), { logLevel: 'debug' });
    assert.equal(c.dataRoot, '/srv/shoal');
    assert.equal(c.logLevel, 'debug', 'flags override the file');
    assert.equal(c.engine, 'unix:///x.sock');
    for (const [content, why] of [
      ['{', /not valid JSON/],
      ['[]', /must hold a JSON object/],
      ['{"dataroot":"/x"}', /unknown setting "dataroot"/],
      ['{"host":5}', /"host" must be a string/],
    ] as const) {
      await writeFile(file, content);
      await assert.rejects(
        readConfigFile(file),
        (e: unknown) => e instanceof ConfigError && why.test(e.message),
      );
    }
    await assert.rejects(readConfigFile(join(dir, 'missing.json')), ConfigError);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  assert.throws(() => resolveConfig({ host: 'tcp://0.0.0.0:2375' }), /only unix:\/\/ sockets/);
  assert.throws(() => resolveConfig({ logLevel: 'loud' as 'info' }), /--log-level loud/);
  assert.throws(() => resolveConfig({ listenAddr: 'a:b:c' }), /--listen-addr/);
});

test('advertise address: given IP, interface name, listen address, the only address, or a clear refusal', () => {
  const one: Ifaces = { lo: [v4('127.0.0.1', true)], eth0: [v4('10.0.0.5')] };
  const two: Ifaces = { ...one, eth1: [v4('192.168.1.9')] };
  const cases: [string, string, Ifaces, string | RegExp][] = [
    ['10.1.1.1', '0.0.0.0:2377', two, '10.1.1.1:2377'],
    ['10.1.1.1:4000', '0.0.0.0:2377', two, '10.1.1.1:4000'],
    ['eth1', '0.0.0.0:2377', two, '192.168.1.9:2377'],
    ['', '10.0.0.7:2377', two, '10.0.0.7:2377'],
    ['', '0.0.0.0:2378', one, '10.0.0.5:2378'],
    // shoal's own links (also ones a previous run left) are not the machine's addresses.
    [
      '',
      '0.0.0.0:2377',
      { ...one, shoal_gwbridge: [v4('172.18.0.1')], 'ov-1la7n44tr1to': [v4('10.0.0.4')] },
      '10.0.0.5:2377',
    ],
    [
      '',
      '0.0.0.0:2377',
      two,
      /multiple addresses on different interfaces \(10\.0\.0\.5 on eth0 and 192\.168\.1\.9 on eth1\)/,
    ],
    ['', '0.0.0.0:2377', { lo: [v4('127.0.0.1', true)] }, /could not find a local address/],
    ['wlan9', '0.0.0.0:2377', one, /interface wlan9 has no IPv4 address/],
  ];
  for (const [adv, listen, ifaces, want] of cases) {
    if (typeof want === 'string')
      assert.equal(resolveAdvertiseAddr(adv, listen, ifaces), want, `${adv}|${listen}`);
    else
      assert.throws(
        () => resolveAdvertiseAddr(adv, listen, ifaces),
        (e: unknown) => e instanceof AdvertiseAddrError && want.test(e.message),
      );
  }
});

test('node state: saved and loaded; a damaged file is refused with its path, never replaced', async () => {
  const root = await mkdtemp(join(tmpdir(), 'shoal-state-'));
  try {
    const dir = new NodeStateDir(root);
    assert.equal(await dir.load(), undefined, 'no swarm yet');
    const state: SwarmMembership = {
      version: 1,
      nodeId: 'n'.repeat(25),
      clusterId: 'c'.repeat(25),
      role: 'manager',
      raftId: 42,
      listenAddr: '0.0.0.0:2377',
      advertiseAddr: '10.0.0.5:2377',
      managers: [{ nodeId: 'n'.repeat(25), addr: '10.0.0.5:2377' }],
    };
    const tls = { caCert: 'CA', nodeCert: 'CERT', nodeKey: 'KEY' };
    await dir.save(state, tls);
    assert.deepEqual(await dir.load(), { state, tls });
    await writeFile(join(dir.dir, 'state.json'), '{"version":1,');
    await assert.rejects(
      dir.load(),
      (e: unknown) => e instanceof NodeStateError && e.message.includes(join(dir.dir, 'state.json')),
    );
    await writeFile(join(dir.dir, 'state.json'), JSON.stringify({ ...state, role: 'boss' }));
    await assert.rejects(dir.load(), /does not hold a valid node state/);
    await dir.save(state);
    await rm(join(dir.dir, 'node.key'));
    await assert.rejects(dir.load(), /node\.key is missing or unreadable/);
    await dir.clear();
    assert.equal(await dir.load(), undefined);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('config: --metrics-addr is off by default, read from the file and flags, and validated', async () => {
  assert.equal(resolveConfig().metricsAddr, '', 'off by default');
  const dir = await mkdtemp(join(tmpdir(), 'shoal-cfg-'));
  try {
    const file = join(dir, 'shoald.json');
    await writeFile(file, JSON.stringify({ 'metrics-addr': '127.0.0.1:9323' }));
    assert.equal(resolveConfig(await readConfigFile(file)).metricsAddr, '127.0.0.1:9323');
    await writeFile(file, JSON.stringify({ metricsAddr: '0.0.0.0:9323' }));
    assert.equal(
      resolveConfig(await readConfigFile(file), { metricsAddr: '[::1]:9100' }).metricsAddr,
      '[::1]:9100',
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  assert.deepEqual(parseMetricsAddr('localhost:9323'), { host: 'localhost', port: 9323 });
  assert.deepEqual(parseMetricsAddr('[::1]:0'), { host: '::1', port: 0 });
  for (const [addr, why] of [
    ['127.0.0.1', /expected HOST:PORT/],
    ['127.0.0.1:', /expected HOST:PORT/],
    [':9323', /expected HOST or HOST:PORT/],
    ['127.0.0.1:99999', /invalid port/],
    ['bad host:9323', /neither an IP address nor a host name/],
    ['-x:9323', /neither an IP address nor a host name/],
  ] as const) {
    assert.throws(
      () => resolveConfig({ metricsAddr: addr }),
      (e: unknown) => e instanceof ConfigError && why.test(e.message) && e.message.includes('--metrics-addr'),
      addr,
    );
  }
});
