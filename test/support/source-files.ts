// The repository's own source files, found by walking the tree from its root: everything but
// dependencies (node_modules), build output (dist), generated code (proto/gen) and hidden folders
// (.git, .ci). Shared by the repository-wide tests that read the sources.

import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Folders, relative to the root, that hold no hand-written source. */
export const NOT_SOURCE = ['node_modules', 'dist', join('proto', 'gen')] as const;

/** Every file under `root` whose name `accept` takes, relative to `root`, sorted. */
export function sourceFiles(root: string, accept: (name: string) => boolean): string[] {
  const skip = new Set<string>(NOT_SOURCE.map((p) => join(root, p)));
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!entry.name.startsWith('.') && !skip.has(path)) walk(path);
      } else if (entry.isFile() && accept(entry.name)) {
        out.push(relative(root, path));
      }
    }
  };
  walk(root);
  return out.sort();
}
