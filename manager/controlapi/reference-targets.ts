// swarmkit's validateSecretRefsSpec and validateConfigRefsSpec: every secret or config a
// container spec refers to names both its ID and its name, and a file target with a name;
// no two references of a kind put their file at the same target.

import type { ContainerSpec, FileTarget } from '../store/index.js';
import { invalidArgument } from './refusal.js';

interface Reference {
  readonly id: string;
  readonly name: string;
  readonly file: FileTarget;
}

function checkKind(word: 'secret' | 'config', refs: readonly Reference[]): void {
  const targets = new Map<string, string>();
  for (const r of refs) {
    if (r.id === '' || r.name === '') throw invalidArgument(`malformed ${word} reference`);
    const file = r.file.name;
    if (file === '') {
      throw invalidArgument(`malformed file ${word} reference, invalid target file name provided`);
    }
    const previous = targets.get(file);
    if (previous !== undefined) {
      throw invalidArgument(
        `${word} references '${previous}' and '${r.name}' have a conflicting target: '${file}'`,
      );
    }
    targets.set(file, r.name);
  }
}

export function checkReferenceTargets(c: ContainerSpec): void {
  checkKind(
    'secret',
    c.secrets.map((r) => ({ id: r.secretId, name: r.secretName, file: r.file })),
  );
  checkKind(
    'config',
    c.configs.map((r) => ({ id: r.configId, name: r.configName, file: r.file })),
  );
}
