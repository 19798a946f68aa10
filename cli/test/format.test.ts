// Table tests for the display helpers, and golden tables from the recorded cluster.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alignColumns } from '../format/tabwriter.js';
import { humanDuration } from '../format/human-duration.js';
import { formatGoDuration, parseGoDuration } from '../format/go-duration.js';
import { bytesSize, ramInBytes } from '../format/byte-units.js';
import { naturalLess } from '../format/natural-order.js';
import { formatServicePorts } from '../format/service-ports.js';
import { displayImage, normalizeImageForSpec } from '../format/image-ref.js';
import { goTimeString } from '../format/pretty-print.js';
import { formatNodeTable } from '../format/node-table.js';
import { formatServiceTable } from '../format/service-table.js';
import { formatTaskTable } from '../format/task-table.js';
import { formatServicePretty } from '../format/service-pretty.js';
import { formatNodePretty } from '../format/node-pretty.js';
import type { DockerPortConfig } from '../client/types.js';
import { cluster, golden, recordedAtMs } from './support/fixtures.js';
import { secretService } from './support/fixture-secret-service.js';

const NOW = recordedAtMs + 36_400;

test('go durations parse like time.ParseDuration', () => {
  const cases: [string, number][] = [
    ['0', 0],
    ['5s', 5e9],
    ['1m30s', 90e9],
    ['500ms', 5e8],
    ['1.5h', 5400e9],
    ['2160h', 2160 * 3600e9],
    ['10us', 1e4],
    ['10µs', 1e4],
    ['-3s', -3e9],
    ['1h2m3s4ms', 3723004e6],
  ];
  for (const [text, ns] of cases) assert.equal(parseGoDuration(text), ns, text);
  const bad: [string, string][] = [
    ['', 'time: invalid duration ""'],
    ['x', 'time: invalid duration "x"'],
    ['10', 'time: missing unit in duration "10"'],
    ['3d', 'time: unknown unit "d" in duration "3d"'],
  ];
  for (const [text, message] of bad) assert.throws(() => parseGoDuration(text), { message });
});

test('go durations format like Duration.String', () => {
  const cases: [number, string][] = [
    [0, '0s'],
    [5e9, '5s'],
    [90e9, '1m30s'],
    [5e8, '500ms'],
    [3600e9, '1h0m0s'],
    [1500, '1.5µs'],
    [2.5e9, '2.5s'],
    [-61e9, '-1m1s'],
  ];
  for (const [ns, text] of cases) assert.equal(formatGoDuration(ns), text, text);
});

test('human durations read like go-units', () => {
  const s = 1000;
  const cases: [number, string][] = [
    [0, 'Less than a second'],
    [1 * s, '1 second'],
    [45 * s, '45 seconds'],
    [60 * s, 'About a minute'],
    [119 * s, 'About a minute'],
    [120 * s, '2 minutes'],
    [3599 * s, '59 minutes'],
    [3600 * s, 'About an hour'],
    [5 * 3600 * s, '5 hours'],
    [3 * 86400 * s, '3 days'],
    [20 * 86400 * s, '2 weeks'],
    [90 * 86400 * s, '3 months'],
    [800 * 86400 * s, '2 years'],
  ];
  for (const [ms, text] of cases) assert.equal(humanDuration(ms), text, text);
});

test('byte sizes', () => {
  assert.equal(bytesSize(10 * 1024 * 1024), '10MiB');
  assert.equal(bytesSize(25276874752), '23.54GiB');
  assert.equal(ramInBytes('64m'), 64 * 1024 * 1024);
  assert.equal(ramInBytes('128M'), 128 * 1024 * 1024);
  assert.equal(ramInBytes('1.5g'), 1.5 * 1024 ** 3);
  assert.equal(ramInBytes('512'), 512);
  assert.throws(() => ramInBytes('lots'), { message: "invalid size: 'lots'" });
});

test('tabwriter pads every cell but the last to max(10, width + 3)', () => {
  assert.equal(
    alignColumns([
      ['ID', 'NAME', 'PORTS'],
      ['abc', 'a-much-longer-name', ''],
    ]),
    'ID        NAME                 PORTS\nabc       a-much-longer-name   \n',
  );
});

test('natural order sorts numbers by value', () => {
  assert.ok(naturalLess('web.2', 'web.10'));
  assert.ok(!naturalLess('web.10', 'web.2'));
  assert.ok(naturalLess('a', 'b'));
  assert.ok(naturalLess('x1', 'x01'));
});

test('service ports group consecutive ranges like docker', () => {
  const p = (published: number, target: number, protocol: 'tcp' | 'udp' = 'tcp'): DockerPortConfig => ({
    Protocol: protocol,
    TargetPort: target,
    PublishedPort: published,
    PublishMode: 'ingress',
  });
  assert.equal(formatServicePorts([p(8080, 80)]), '*:8080->80/tcp');
  assert.equal(formatServicePorts([p(80, 80), p(81, 81)]), '*:80-81->80-81/tcp');
  assert.equal(formatServicePorts([p(80, 80), p(81, 80)]), '*:80-81->80/tcp');
  assert.equal(formatServicePorts([p(80, 80), p(81, 81), p(82, 80)]), '*:80-81->80-81/tcp, *:82->80/tcp');
  assert.equal(formatServicePorts([p(53, 53, 'udp'), p(53, 53)]), '*:53->53/tcp, *:53->53/udp');
  assert.equal(formatServicePorts([{ ...p(9090, 90), PublishMode: 'host' }]), '');
});

test('image references', () => {
  assert.equal(displayImage('nginx:1.25@sha256:abc'), 'nginx:1.25');
  assert.equal(displayImage('docker.io/library/nginx:latest'), 'nginx:latest');
  assert.equal(displayImage('nginx@sha256:abc'), 'nginx@sha256:abc');
  assert.equal(normalizeImageForSpec('busybox'), 'busybox:latest');
  assert.equal(normalizeImageForSpec('registry:5000/app'), 'registry:5000/app:latest');
  assert.equal(normalizeImageForSpec('registry:5000/app:v1'), 'registry:5000/app:v1');
});

test('go time strings', () => {
  assert.equal(goTimeString('2026-11-25T08:20:23.191722927Z'), '2026-11-25 08:20:23.191722927 +0000 UTC');
  assert.equal(goTimeString('2026-11-25T08:20:23.100Z'), '2026-11-25 08:20:23.1 +0000 UTC');
});

// Goldens: the docker CLI's own output for the recorded cluster (see fixtures/README.md).
const nodes = cluster.responses['/nodes'].body;
const services = cluster.responses['/services?status=true'].body;
const tasks = cluster.responses['/tasks'].body;
const selfId = cluster.responses['/info'].body.Swarm.NodeID;
const serviceNames = new Map(services.map((s) => [s.ID, s.Spec.Name ?? s.ID]));
const nodeNames = new Map(nodes.map((n) => [n.ID, n.Description?.Hostname ?? n.ID]));

test('node ls golden', () => {
  assert.equal(formatNodeTable(nodes, selfId), golden('node-ls.txt'));
});

test('service ls golden', () => {
  assert.equal(formatServiceTable(services), golden('service-ls.txt'));
});

test('service ps golden (with history rows and humanized times)', () => {
  const wanted = ['web', 'sleeper', 'failing', 'glob', 'job', 'hostport', 'quick', 'logger'];
  const ids = new Set(services.filter((s) => wanted.includes(s.Spec.Name ?? '')).map((s) => s.ID));
  const table = formatTaskTable(
    tasks.filter((t) => ids.has(t.ServiceID)),
    { serviceNames, nodeNames, nowMs: NOW, trunc: true, quiet: false },
  );
  assert.equal(table, golden('service-ps.txt'));
});

test('inspect --pretty goldens', () => {
  const pretty = ['web', 'glob', 'hostport', 'quick']
    .map((n) => cluster.servicesWithDefaults[n])
    .map((s) => (s === undefined ? '' : formatServicePretty(s, NOW)))
    .join('');
  assert.equal(pretty, golden('service-inspect-pretty.txt'));
  assert.equal(formatServicePretty(secretService, NOW), golden('service-inspect-pretty-secrets.txt'));
  const node = nodes[0];
  assert.ok(node !== undefined);
  assert.equal(formatNodePretty(node), golden('node-inspect-pretty.txt'));
});
