// Golden traces kept in testdata files, the way etcd's raft keeps its datadriven tests: one text
// file per scenario, one "-- name" section per check (the messages delivered since the previous
// check), one line per message. A reviewer reads a changed trace as a diff of that file.
//
// With SHOAL_REWRITE_GOLDEN=1 a run writes what it saw instead of comparing. The header and a
// line's "# comment" survive a rewrite as long as the line itself is unchanged, so the
// explanations written into the files by hand are kept.

import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';

export const REWRITE_GOLDEN_ENV = 'SHOAL_REWRITE_GOLDEN';

interface TraceLine {
  readonly text: string;
  /** The comment after "#" on the line, without the "#"; empty when there is none. */
  readonly comment: string;
}

interface Section {
  readonly name: string;
  readonly lines: readonly TraceLine[];
}

interface GoldenFile {
  /** The comment lines before the first section, "#" included. */
  readonly header: readonly string[];
  readonly sections: readonly Section[];
}

const SECTION = /^-- (.+)$/;

export class GoldenFileError extends Error {
  constructor(path: string, line: number, problem: string) {
    super(`${path}:${line}: ${problem} (fix the file by hand, or rewrite it with ${REWRITE_GOLDEN_ENV}=1)`);
    this.name = 'GoldenFileError';
  }
}

export function parseGoldenFile(text: string, path: string): GoldenFile {
  const header: string[] = [];
  const sections: { name: string; lines: TraceLine[] }[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trimEnd();
    const section = SECTION.exec(line);
    const current = sections.at(-1);
    if (section !== null) {
      const name = section[1]!.trim();
      if (sections.some((s) => s.name === name))
        throw new GoldenFileError(path, i + 1, `section "${name}" twice`);
      sections.push({ name, lines: [] });
    } else if (line === '') {
      return;
    } else if (current === undefined) {
      if (!line.startsWith('#'))
        throw new GoldenFileError(path, i + 1, 'a trace line before the first "-- name"');
      header.push(line);
    } else {
      const hash = line.indexOf('#');
      if (hash === 0) throw new GoldenFileError(path, i + 1, 'a comment line inside a section');
      const text = (hash < 0 ? line : line.slice(0, hash)).trim();
      const comment = hash < 0 ? '' : line.slice(hash + 1).trim();
      current.lines.push({ text, comment });
    }
  });
  return { header, sections };
}

export function formatGoldenFile(file: GoldenFile): string {
  const out = [...file.header];
  for (const s of file.sections) {
    if (out.length > 0) out.push('');
    out.push(`-- ${s.name}`);
    for (const l of s.lines) out.push(l.comment === '' ? l.text : `${l.text}  # ${l.comment}`);
  }
  return `${out.join('\n')}\n`;
}

/** The sections one test checks, in the order it checks them. */
export class GoldenScenario {
  readonly #path: string;
  readonly #rewrite: boolean;
  readonly #old: GoldenFile | undefined;
  readonly #seen: Section[] = [];

  constructor(t: TestContext, path: string, rewrite: boolean) {
    this.#path = path;
    this.#rewrite = rewrite;
    this.#old = existsSync(path) ? parseGoldenFile(readFileSync(path, 'utf8'), path) : undefined;
    t.after(() => this.#finish(t.name));
  }

  /** Compares `got` with the file's next section, which must be called `section`. */
  check(section: string, got: readonly string[]): void {
    const at = this.#seen.length;
    if (this.#seen.some((s) => s.name === section)) throw new Error(`section "${section}" checked twice`);
    const old = this.#old?.sections.find((s) => s.name === section);
    // A comment stays with its line while the line reads the same at the same place.
    const lines = got.map((text, i) => {
      const before = old?.lines[i];
      return { text, comment: before?.text === text ? before.comment : '' };
    });
    this.#seen.push({ name: section, lines });
    if (this.#rewrite) return;
    const hint = `(${this.#path}, section "${section}"; ${REWRITE_GOLDEN_ENV}=1 rewrites it)`;
    if (this.#old === undefined) assert.fail(`no golden file ${hint}`);
    assert.equal(this.#old.sections[at]?.name, section, `the file's sections are in another order ${hint}`);
    assert.deepEqual(
      got,
      old?.lines.map((l) => l.text),
      `the trace differs from the golden file ${hint}`,
    );
  }

  #finish(testName: string): void {
    if (this.#rewrite) {
      const header = this.#old?.header ?? [`# ${testName}`];
      writeFileSync(this.#path, formatGoldenFile({ header, sections: this.#seen }));
      return;
    }
    const unchecked = (this.#old?.sections ?? []).slice(this.#seen.length).map((s) => s.name);
    assert.deepEqual(unchecked, [], `sections of ${this.#path} the test never checked`);
  }
}

/** The golden files of one directory; `dir` is found from the compiled test, not copied to dist/. */
export class GoldenTraces {
  readonly #dir: string;
  readonly #rewrite: boolean;

  constructor(dir: URL, rewrite = process.env[REWRITE_GOLDEN_ENV] === '1') {
    this.#dir = fileURLToPath(dir);
    this.#rewrite = rewrite;
    if (!existsSync(this.#dir)) throw new Error(`the golden trace directory ${this.#dir} does not exist`);
  }

  /** The scenario kept in `<dir>/<name>.txt`, checked (or rewritten) when the test `t` ends. */
  scenario(t: TestContext, name: string): GoldenScenario {
    return new GoldenScenario(t, join(this.#dir, `${name}.txt`), this.#rewrite);
  }
}
