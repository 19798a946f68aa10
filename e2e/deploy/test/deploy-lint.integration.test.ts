// Lint for what cannot run here or is not TypeScript: every shell script through shellcheck
// (Debian's package; scripts/setup.sh installs it), the #cloud-config variant against the
// user-data script it embeds, and the Vagrantfile through `ruby -c` and a load against a
// recording stand-in for Vagrant (no VMs here), checked for the machines and provisioning it
// must define.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { test } from 'node:test';

const ROOT = new URL('../../../../', import.meta.url).pathname;
const SKIP_DIRS = new Set(['node_modules', 'dist', 'dist-release', '.git', '.vagrant', '.shoal']);

function run(
  cmd: string,
  args: readonly string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd: ROOT, timeout: 60_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err && 'code' in err && err.code === 'ENOENT') {
        reject(new Error(`${cmd} is not installed: run scripts/setup.sh (apt-get install ${cmd})`));
        return;
      }
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/** The repository's shell scripts: *.sh files and files whose first line names a POSIX shell or bash. */
function shellScripts(dir = ROOT, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    if (SKIP_DIRS.has(name)) continue;
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) shellScripts(p, out);
    else if (name.endsWith('.sh')) out.push(p);
    else if (st.size > 2 && st.size < 1 << 20) {
      const first = readFileSync(p, 'utf8').slice(0, 80).split('\n')[0] ?? '';
      if (/^#!\s*(\/usr\/bin\/env\s+)?(\/bin\/|\/usr\/bin\/)?(ba)?sh\b/.test(first)) out.push(p);
    }
  }
  return out;
}

test('shellcheck finds nothing in any shell script', async () => {
  const scripts = shellScripts();
  const rel = scripts.map((s) => relative(ROOT, s));
  for (const must of [
    'deploy/install.sh',
    'deploy/openstack/user-data.sh',
    'deploy/bin/launcher.sh',
    'deploy/vagrant/provision-worker.sh',
  ]) {
    assert.ok(rel.includes(must), `${must} is linted`);
  }
  const r = await run('shellcheck', ['--severity=style', '--external-sources', ...scripts]);
  assert.equal(r.code, 0, `shellcheck findings:\n${r.stdout}${r.stderr}`);
});

test('cloud-config.yaml embeds user-data.sh exactly as render-cloud-config.sh writes it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'shoal-cloud-config-'));
  try {
    const fresh = join(dir, 'cloud-config.yaml');
    const r = await run('sh', ['deploy/openstack/render-cloud-config.sh', fresh]);
    assert.equal(r.code, 0, r.stderr);
    const committed = await readFile(join(ROOT, 'deploy/openstack/cloud-config.yaml'), 'utf8');
    assert.equal(
      committed,
      await readFile(fresh, 'utf8'),
      'deploy/openstack/cloud-config.yaml is stale: run sh deploy/openstack/render-cloud-config.sh',
    );
    assert.ok(committed.startsWith('#cloud-config\n'));
    // The embedded block, unindented, is the script.
    const block = /^ {4}content: \|\n((?: {6}.*\n|\n)+)/m.exec(
      committed.split('/usr/local/sbin/shoal-bootstrap\n')[1] ?? '',
    );
    const embedded = (block?.[1] ?? '').replace(/^ {6}/gm, '');
    assert.equal(embedded, await readFile(join(ROOT, 'deploy/openstack/user-data.sh'), 'utf8'));
    assert.match(committed, /^runcmd:\n {2}- \[sh, -c, '.*exec \/usr\/local\/sbin\/shoal-bootstrap'\]$/m);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

interface VagrantCall {
  call: string;
  args: unknown[];
  kw: Record<string, unknown>;
}

test('the Vagrantfile parses and defines a manager and two workers on libvirt and VirtualBox', async () => {
  const syntax = await run('ruby', ['-c', 'Vagrantfile']);
  assert.equal(syntax.code, 0, syntax.stderr);
  const r = await run('ruby', ['e2e/deploy/vagrantfile-check.rb', 'Vagrantfile']);
  assert.equal(r.code, 0, r.stderr);
  const calls = JSON.parse(r.stdout) as VagrantCall[];
  const find = (call: string): VagrantCall[] => calls.filter((c) => c.call === call);

  assert.deepEqual(
    find('config.vm.define').map((c) => c.args[0]),
    ['manager', 'worker1', 'worker2'],
  );
  assert.deepEqual(
    find('config.vm.provider').map((c) => c.args[0]),
    ['libvirt', 'virtualbox'],
  );
  assert.deepEqual(find('config.vm.box=')[0]?.args, ['debian/bookworm64']);
  assert.deepEqual(find('config.vm.provider[virtualbox](override).vm.box=')[0]?.args, ['bento/debian-12']);
  // The token goes through /vagrant both ways: no one-way rsync folder.
  for (const p of ['libvirt', 'virtualbox']) {
    const folder = find(`config.vm.provider[${p}](override).vm.synced_folder`)[0];
    assert.deepEqual(folder?.args, ['.', '/vagrant']);
    assert.notEqual(folder?.kw['type'], 'rsync');
  }
  const addrs = new Set<unknown>();
  for (const [machine, script] of [
    ['manager', 'deploy/vagrant/provision-manager.sh'],
    ['worker1', 'deploy/vagrant/provision-worker.sh'],
    ['worker2', 'deploy/vagrant/provision-worker.sh'],
  ] as const) {
    assert.deepEqual(find(`config.vm.define[${machine}].vm.hostname=`)[0]?.args, [machine]);
    const net = find(`config.vm.define[${machine}].vm.network`)[0];
    assert.equal(net?.args[0], 'private_network');
    addrs.add(net?.kw['ip']);
    const prov = find(`config.vm.define[${machine}].vm.provision`)[0];
    assert.equal(prov?.args[0], 'shell');
    assert.equal(prov?.kw['path'], script);
    assert.ok(existsSync(join(ROOT, script)), `${script} exists`);
    const env = prov?.kw['env'] as Record<string, string> | undefined;
    assert.equal(env?.['SHOAL_ADVERTISE_ADDR'], net?.kw['ip']);
  }
  assert.equal(addrs.size, 3, 'each machine has its own address');
  assert.equal(find('config.vm.define[manager].trigger.after')[0]?.args[0], 'destroy');
  // The provisioning hands the token over where the workers wait for it.
  const manager = readFileSync(join(ROOT, 'deploy/vagrant/provision-manager.sh'), 'utf8');
  const worker = readFileSync(join(ROOT, 'deploy/vagrant/provision-worker.sh'), 'utf8');
  assert.match(manager, /shared=\/vagrant\/\.shoal/);
  assert.match(manager, /join-token -q "\$role" >"\$shared\/\$role-token\.new"/);
  assert.match(worker, /shared=\/vagrant\/\.shoal/);
  assert.match(worker, /SHOAL_JOIN_TOKEN=\$\(cat "\$shared\/worker-token"\)/);
  assert.match(worker, /bash \/vagrant\/deploy\/openstack\/user-data\.sh/);
});
