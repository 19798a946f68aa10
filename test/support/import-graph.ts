// The repository's import graph, read from its TypeScript sources: every relative import
// (static, dynamic and `export … from`), resolved to the file it names, and grouped by the
// top-level folder each end lives in.

import { readFileSync } from 'node:fs';
import { dirname, join, normalize, sep } from 'node:path';
import { sourceFiles } from './source-files.js';

export interface ImportEdge {
  /** Importing file and imported file, relative to the repository root. */
  readonly from: string;
  readonly to: string;
  readonly fromFolder: string;
  readonly toFolder: string;
}

export interface ImportGraph {
  readonly files: number;
  readonly edges: readonly ImportEdge[];
}

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)'(\.{1,2}\/[^']+)'/g;

/** TypeScript modules; declaration files import nothing at run time. */
const isModule = (name: string): boolean => name.endsWith('.ts') && !name.endsWith('.d.ts');

const topFolder = (path: string): string => path.split(sep)[0] ?? path;

/** Every relative import between source files under `root`. */
export function sourceImportGraph(root: string): ImportGraph {
  const files = sourceFiles(root, isModule);
  const edges: ImportEdge[] = [];
  for (const from of files) {
    const text = readFileSync(join(root, from), 'utf8');
    for (const match of text.matchAll(SPECIFIER)) {
      const spec = match[1] ?? '';
      const to = normalize(join(dirname(from), spec)).replace(/\.js$/, '.ts');
      edges.push({ from, to, fromFolder: topFolder(from), toFolder: topFolder(to) });
    }
  }
  return { files: files.length, edges };
}

/** Each cycle among top-level folders, as the folders on it (empty: the graph is acyclic). */
export function folderCycles(graph: ImportGraph): string[][] {
  const next = new Map<string, Set<string>>();
  for (const e of graph.edges) {
    if (e.fromFolder === e.toFolder) continue;
    let set = next.get(e.fromFolder);
    if (set === undefined) next.set(e.fromFolder, (set = new Set()));
    set.add(e.toFolder);
  }
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (folder: string): void => {
    state.set(folder, 'open');
    path.push(folder);
    for (const to of [...(next.get(folder) ?? [])].sort()) {
      if (state.get(to) === 'open') cycles.push([...path.slice(path.indexOf(to)), to]);
      else if (state.get(to) === undefined) visit(to);
    }
    path.pop();
    state.set(folder, 'done');
  };
  for (const folder of [...next.keys()].sort()) if (state.get(folder) === undefined) visit(folder);
  return cycles;
}
