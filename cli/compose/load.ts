// Reads the compose files of one `stack deploy`: parse each with the yaml library (keeping
// node positions for messages), interpolate variables from the environment and the `.env`
// next to the first file, check against the compose-spec schema, bring to long form, merge.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { LineCounter, isMap, parseDocument } from 'yaml';
import { castInterpolated } from './cast.js';
import { parseDotEnv } from './dotenv.js';
import { ComposeError } from './errors.js';
import { InterpolationError, interpolateValue } from './interpolate.js';
import { mergeCompose } from './merge.js';
import { normalizeCompose, type NormalizedCompose } from './normalize.js';
import { SourcePositions } from './positions.js';
import { validateCompose } from './validate.js';

/** A compose file larger than this is refused before parsing (real ones are a few KiB). */
export const MAX_COMPOSE_BYTES = 4 * 1024 * 1024;
/** YAML aliases expanded per document at most (bounds "billion laughs" documents). */
const MAX_ALIAS_COUNT = 1000;

export interface LoadOptions {
  readonly files: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
}

export interface LoadedCompose {
  readonly compose: NormalizedCompose;
  /** The first file's folder: relative paths (binds, env_file, secret files) start there. */
  readonly workingDir: string;
  /** The merged variables, for `environment: [NAME]` entries without a value. */
  readonly lookup: (name: string) => string | undefined;
}

function readBounded(path: string, shown: string): string {
  if (!existsSync(path)) throw new ComposeError(shown, undefined, 'no such file');
  if (statSync(path).size > MAX_COMPOSE_BYTES)
    throw new ComposeError(shown, undefined, `larger than ${MAX_COMPOSE_BYTES} bytes`);
  return readFileSync(path, 'utf8');
}

function loadOne(path: string, shown: string, lookup: (n: string) => string | undefined): NormalizedCompose {
  const lines = new LineCounter();
  // YAML 1.1 as compose files are written for: `mode: 0440` is octal, `<<:` merges.
  const doc = parseDocument(readBounded(path, shown), {
    version: '1.1',
    lineCounter: lines,
    merge: true,
    prettyErrors: false,
  });
  const yamlError = doc.errors[0];
  if (yamlError !== undefined) {
    const at = yamlError.linePos?.[0]?.line ?? lines.linePos(yamlError.pos[0]).line;
    throw new ComposeError(shown, at, yamlError.message.split('\n')[0] ?? 'invalid YAML');
  }
  if (!isMap(doc.contents)) throw new ComposeError(shown, 1, 'top-level object must be a mapping');
  const positions = new SourcePositions(doc, lines);
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e: unknown) {
    throw new ComposeError(shown, undefined, e instanceof Error ? e.message : String(e));
  }
  let interpolated: unknown;
  try {
    interpolated = interpolateValue(raw, lookup, castInterpolated);
  } catch (e: unknown) {
    if (e instanceof InterpolationError) throw new ComposeError(shown, positions.lineOf(e.path), e.detail);
    throw e;
  }
  validateCompose(interpolated, shown, positions);
  return normalizeCompose(interpolated, { file: shown, positions });
}

export function loadCompose(options: LoadOptions): LoadedCompose {
  const first = options.files[0];
  if (first === undefined) throw new ComposeError('-c', undefined, 'at least one compose file is needed');
  const workingDir = dirname(resolve(first));
  const dotEnvPath = join(workingDir, '.env');
  const dotEnv = existsSync(dotEnvPath)
    ? parseDotEnv(readBounded(dotEnvPath, join(dirname(first), '.env')), join(dirname(first), '.env'))
    : new Map<string, string>();
  // The process environment wins over .env, as in compose.
  const lookup = (name: string): string | undefined => options.env[name] ?? dotEnv.get(name);
  const docs = options.files.map((f) => loadOne(resolve(f), f, lookup));
  return { compose: mergeCompose(docs), workingDir, lookup };
}
