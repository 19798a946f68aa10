// Builds `shoal/busybox:latest` from Debian's busybox-static without any registry: a one-layer
// image in `docker save` format (manifest.json + config + layer.tar), reproducible (fixed times,
// owners and order), so every engine of every lab gets the very same image id.

import { createHash } from 'node:crypto';
import { chmod, copyFile, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand } from './run-command.js';

export const BUSYBOX_IMAGE = 'shoal/busybox:latest';
export const BUSYBOX_BINARY = '/bin/busybox';

export interface BuiltImage {
  /** `docker save`-format tarball to POST to /images/load. */
  readonly tarPath: string;
  /** `sha256:…` image id every engine will report. */
  readonly id: string;
  readonly ref: string;
}

const ARCH: Readonly<Record<string, string>> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le' };
const TAR_FLAGS = [
  '--sort=name',
  '--mtime=@0',
  '--owner=0',
  '--group=0',
  '--numeric-owner',
  '--format=ustar',
];

function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Builds the image under `dir` (which must not hold an earlier build). */
export async function buildBusyboxImage(dir: string): Promise<BuiltImage> {
  const rootfs = join(dir, 'rootfs');
  await mkdir(join(rootfs, 'bin'), { recursive: true });
  for (const d of ['etc', 'proc', 'sys', 'dev', 'root', 'var/www', 'tmp']) {
    await mkdir(join(rootfs, d), { recursive: true });
  }
  await chmod(join(rootfs, 'tmp'), 0o1777);
  await copyFile(BUSYBOX_BINARY, join(rootfs, 'bin', 'busybox'));
  await chmod(join(rootfs, 'bin', 'busybox'), 0o755);
  const applets = (await runCommand([BUSYBOX_BINARY, '--list'])).stdout
    .split('\n')
    .filter((a) => /^[\w.[-]+$/.test(a));
  for (const applet of applets) {
    if (applet !== 'busybox') await symlink('busybox', join(rootfs, 'bin', applet));
  }
  await writeFile(
    join(rootfs, 'etc', 'passwd'),
    'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n',
  );
  await writeFile(join(rootfs, 'etc', 'group'), 'root:x:0:\nnogroup:x:65534:\n');

  const layerTar = join(dir, 'layer.tar');
  await runCommand(['tar', ...TAR_FLAGS, '-C', rootfs, '-cf', layerTar, '.']);
  const diffId = sha256(await readFile(layerTar));

  const created = '1970-01-01T00:00:00Z';
  const config = JSON.stringify({
    architecture: ARCH[process.arch] ?? process.arch,
    os: 'linux',
    created,
    config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['sh'] },
    rootfs: { type: 'layers', diff_ids: [`sha256:${diffId}`] },
    history: [{ created, created_by: `shoal lab: ${BUSYBOX_BINARY} from busybox-static with its applets` }],
  });
  const configSha = sha256(config);

  const out = join(dir, 'save');
  await mkdir(join(out, diffId), { recursive: true });
  await copyFile(layerTar, join(out, diffId, 'layer.tar'));
  await writeFile(join(out, diffId, 'VERSION'), '1.0');
  await writeFile(join(out, `${configSha}.json`), config);
  await writeFile(
    join(out, 'manifest.json'),
    JSON.stringify([
      { Config: `${configSha}.json`, RepoTags: [BUSYBOX_IMAGE], Layers: [`${diffId}/layer.tar`] },
    ]),
  );
  const tarPath = join(dir, 'shoal-busybox.tar');
  await runCommand(['tar', ...TAR_FLAGS, '-C', out, '-cf', tarPath, '.']);
  return { tarPath, id: `sha256:${configSha}`, ref: BUSYBOX_IMAGE };
}
