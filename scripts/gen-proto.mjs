// Generates TypeScript-usable code from proto/*.proto with protobufjs (pbjs + pbts).
// Output: proto/gen/<name>.js and .d.ts (for the type checker), and a copy of the .js
// under dist/proto/gen/ where the compiled code imports it at run time.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, copyFileSync } from 'node:fs';
import { join, basename } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const bin = (name) => join(root, 'node_modules', '.bin', name);
const gen = join(root, 'proto', 'gen');
const distGen = join(root, 'dist', 'proto', 'gen');
mkdirSync(gen, { recursive: true });
mkdirSync(distGen, { recursive: true });

for (const file of readdirSync(join(root, 'proto')).filter((f) => f.endsWith('.proto'))) {
  const name = basename(file, '.proto');
  const js = join(gen, `${name}.js`);
  execFileSync(
    bin('pbjs'),
    [
      '-t',
      'static-module',
      '-w',
      'es6',
      '--es6',
      // Each file gets its own protobufjs root: with the shared default root, a second
      // generated module would overwrite the first one's `shoal` namespace.
      '-r',
      `shoal_${name}`,
      '--force-number',
      '--no-verify',
      '--no-delimited',
      '--no-beautify',
      '-o',
      js,
      join(root, 'proto', file),
    ],
    { stdio: 'inherit' },
  );
  execFileSync(bin('pbts'), ['-o', join(gen, `${name}.d.ts`), js], { stdio: 'inherit' });
  copyFileSync(js, join(distGen, `${name}.js`));
}
