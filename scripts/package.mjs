// Builds the release tarball dist-release/shoal-<version>-linux-<arch>.tar.gz: the compiled code
// (dist/ without tests, benchmarks and the e2e lab), package.json and package-lock.json, the
// production node_modules (installed into a staging tree with `npm ci --omit=dev
// --ignore-scripts`, from the local npm cache when it can), bin/shoal and bin/shoald (launchers
// that find a Node.js >= 20.18), deploy/ (install.sh, the systemd unit, the OpenStack user-data)
// and RELEASE (version, arch and a content id that install.sh compares to stay idempotent).
//
// Usage: npm run package [-- --no-build] [--out-dir DIR] [--bundle-node]
//   --no-build     package the dist/ that is there (default: `npm run build` first)
//   --out-dir DIR  where the tarball goes (default dist-release/)
//   --bundle-node  ship this machine's node binary as node/bin/node (for VMs without Node 20)
// The archive is reproducible: sorted names, owner 0, mtimes from SOURCE_DATE_EPOCH (default:
// the last commit's time), gzip without a timestamp.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  createWriteStream,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

const root = new URL('..', import.meta.url).pathname;

function fail(message) {
  process.stderr.write(`package: ${message}\n`);
  process.exit(1);
}

function parseArgs(argv) {
  const o = { build: true, outDir: join(root, 'dist-release'), bundleNode: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--no-build') o.build = false;
    else if (a === '--bundle-node') o.bundleNode = true;
    else if (a === '--out-dir') {
      const v = argv[++i];
      if (!v) fail('--out-dir needs a directory');
      o.outDir = resolve(v);
    } else if (a === '-h' || a === '--help') {
      process.stdout.write('usage: npm run package [-- --no-build] [--out-dir DIR] [--bundle-node]\n');
      process.exit(0);
    } else fail(`unknown option ${a} (see --help)`);
  }
  return o;
}

function run(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) fail(`${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
}

/** The compiled code a node needs: every dist/ file outside test/ folders, without source maps. */
function copyDist(to) {
  for (const top of ['api', 'ca', 'agent', 'manager', 'daemon', 'cli', 'proto']) {
    const from = join(root, 'dist', top);
    if (!existsSync(from)) fail(`dist/${top} is missing: build first (npm run build)`);
    cpSync(from, join(to, 'dist', top), {
      recursive: true,
      filter: (src) => basename(src) !== 'test' && !src.endsWith('.map') && !src.endsWith('.d.ts'),
    });
  }
  for (const entry of ['dist/cli/shoal.js', 'dist/cli/shoald.js', 'dist/proto/gen']) {
    if (!existsSync(join(to, entry))) fail(`${entry} is missing: build first (npm run build)`);
  }
}

// What a running node never reads: type declarations, source maps, docs, TypeScript test
// sources; each package's own tests, examples and benchmarks; prebuilt binaries for other
// platforms and native sources (classic-level loads prebuilds/linux-<arch>). Licenses stay.
const PRUNE_FILE =
  /\.(d\.[cm]?ts|map|md|markdown|tst\.ts|test-d\.ts)$|^(\.npmignore|\.eslintrc.*|\.prettierrc.*|\.editorconfig|tsconfig\.json)$/;
const PRUNE_PACKAGE_DIR = new Set([
  'test',
  'tests',
  '__tests__',
  'example',
  'examples',
  'benchmark',
  'benchmarks',
  'bench',
  '.github',
  'deps',
]);

function prune(nodeModules) {
  const packageDirs = [];
  for (const name of readdirSync(nodeModules)) {
    const p = join(nodeModules, name);
    if (name.startsWith('@')) for (const sub of readdirSync(p)) packageDirs.push(join(p, sub));
    else if (!name.startsWith('.')) packageDirs.push(p);
  }
  for (const pkg of packageDirs) {
    if (!lstatSync(pkg).isDirectory()) continue;
    for (const name of readdirSync(pkg)) {
      if (PRUNE_PACKAGE_DIR.has(name) && lstatSync(join(pkg, name)).isDirectory()) {
        rmSync(join(pkg, name), { recursive: true, force: true });
      }
    }
    const prebuilds = join(pkg, 'prebuilds');
    if (existsSync(prebuilds)) {
      for (const name of readdirSync(prebuilds)) {
        if (name !== `linux-${process.arch}`) rmSync(join(prebuilds, name), { recursive: true, force: true });
      }
    }
    // Nested node_modules are packages too.
    if (existsSync(join(pkg, 'node_modules'))) prune(join(pkg, 'node_modules'));
  }
  for (const [, abs] of walk(nodeModules)) {
    if (PRUNE_FILE.test(basename(abs)) && !/license/i.test(basename(abs))) rmSync(abs, { force: true });
  }
}

/** Every file and link under dir, sorted, as [relative path, absolute path]. */
function walk(dir, base = dir, out = []) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    const st = lstatSync(p);
    if (st.isDirectory()) walk(p, base, out);
    else out.push([relative(base, p), p]);
  }
  return out;
}

/** A content id over paths, modes and bytes: equal trees, equal ids. */
function treeId(dir) {
  const h = createHash('sha256');
  for (const [rel, abs] of walk(dir)) {
    const st = lstatSync(abs);
    h.update(`${rel}\0${st.mode & 0o777}\0`);
    if (st.isSymbolicLink()) h.update(`link:${readlinkSync(abs)}`);
    else h.update(readFileSync(abs));
    h.update('\0');
  }
  return h.digest('hex');
}

function sourceDateEpoch() {
  const env = process.env['SOURCE_DATE_EPOCH'];
  if (env && /^\d+$/.test(env)) return env;
  const r = spawnSync('git', ['log', '-1', '--format=%ct'], { cwd: root, encoding: 'utf8' });
  const t = r.status === 0 ? r.stdout.trim() : '';
  return /^\d+$/.test(t) ? t : '0';
}

async function tarGz(parent, name, out) {
  const tar = spawn(
    'tar',
    [
      '--sort=name',
      '--owner=0',
      '--group=0',
      '--numeric-owner',
      `--mtime=@${sourceDateEpoch()}`,
      '-C',
      parent,
      '-cf',
      '-',
      name,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = new Promise((res) => tar.on('close', (code) => res(code)));
  await pipeline(tar.stdout, createGzip({ level: 6 }), createWriteStream(out));
  const code = await exited;
  if (code !== 0) fail(`tar exited with ${code}`);
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const version = pkg.version;
  if (typeof version !== 'string' || !/^[0-9A-Za-z.+-]+$/.test(version))
    fail('package.json has no usable version');
  const arch = process.arch;
  const name = `shoal-${version}`;
  const t0 = Date.now();

  if (o.build) run('npm', ['run', 'build'], root);

  const staging = mkdtempSync(join(tmpdir(), 'shoal-package-'));
  try {
    const tree = join(staging, name);
    mkdirSync(tree);
    copyDist(tree);
    copyFileSync(join(root, 'package.json'), join(tree, 'package.json'));
    copyFileSync(join(root, 'package-lock.json'), join(tree, 'package-lock.json'));
    cpSync(join(root, 'deploy'), join(tree, 'deploy'), { recursive: true });
    mkdirSync(join(tree, 'bin'));
    for (const bin of ['shoal', 'shoald']) {
      copyFileSync(join(root, 'deploy', 'bin', 'launcher.sh'), join(tree, 'bin', bin));
      chmodSync(join(tree, 'bin', bin), 0o755);
    }
    for (const f of walk(join(tree, 'deploy')).map(([, abs]) => abs)) {
      if (f.endsWith('.sh')) chmodSync(f, 0o755);
    }

    // Production dependencies only, exactly as locked; no install scripts (classic-level loads
    // its prebuilt binary). The npm cache answers when it can; otherwise the npm registry.
    run(
      'npm',
      [
        'ci',
        '--omit=dev',
        '--ignore-scripts',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
      ],
      tree,
    );

    prune(join(tree, 'node_modules'));

    if (o.bundleNode) {
      mkdirSync(join(tree, 'node', 'bin'), { recursive: true });
      copyFileSync(process.execPath, join(tree, 'node', 'bin', 'node'));
      chmodSync(join(tree, 'node', 'bin', 'node'), 0o755);
    }

    // The release must run: both programs load (shoald imports every module it needs) and
    // print their version through the launchers.
    for (const bin of ['shoal', 'shoald']) {
      const smoke = spawnSync(join(tree, 'bin', bin), ['--version'], { encoding: 'utf8' });
      if (smoke.status !== 0 || !smoke.stdout.includes(version)) {
        fail(`the staged release does not run: bin/${bin} --version: ${smoke.stderr || smoke.stdout}`);
      }
    }

    const id = treeId(tree);
    writeFileSync(
      join(tree, 'RELEASE'),
      `name=shoal\nversion=${version}\nplatform=linux\narch=${arch}\nnode=${o.bundleNode ? 'bundled' : '>=20.18'}\nid=${id}\n`,
    );

    mkdirSync(o.outDir, { recursive: true });
    const out = join(o.outDir, `${name}-linux-${arch}.tar.gz`);
    await tarGz(staging, name, out);
    const mb = (statSync(out).size / 1e6).toFixed(1);
    process.stdout.write(
      `${out} (${mb} MB, id ${id.slice(0, 12)}, ${((Date.now() - t0) / 1000).toFixed(1)} s)\n`,
    );
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

await main();
