// The `.env` file next to the first compose file: KEY=VALUE lines, `#` comments, an optional
// `export ` prefix, single quotes kept literally, double quotes with \n, \t, \" and \\ escapes.
import { ComposeError } from './errors.js';

export function parseDotEnv(text: string, file: string): Map<string, string> {
  const vars = new Map<string, string>();
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const raw = (lines[n] ?? '').trim();
    if (raw === '' || raw.startsWith('#')) continue;
    const line = raw.startsWith('export ') ? raw.slice(7).trimStart() : raw;
    const eq = line.indexOf('=');
    const key = (eq < 0 ? line : line.slice(0, eq)).trim();
    if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(key))
      throw new ComposeError(file, n + 1, `invalid variable name ${JSON.stringify(key)}`);
    if (eq < 0) continue; // a bare name sets nothing
    vars.set(key, unquote(line.slice(eq + 1).trim(), file, n + 1));
  }
  return vars;
}

function unquote(v: string, file: string, line: number): string {
  const q = v[0];
  if (q === "'" || q === '"') {
    const m = (q === "'" ? /^'([^']*)'/ : /^"((?:[^"\\]|\\.)*)"/).exec(v);
    if (m === null) throw new ComposeError(file, line, `unterminated quoted value ${v}`);
    const inner = m[1] ?? '';
    if (q === "'") return inner;
    return inner.replace(/\\([nt"\\])/g, (_m, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c));
  }
  // an unquoted value ends at " #"
  const hash = v.search(/\s#/);
  return (hash < 0 ? v : v.slice(0, hash)).trimEnd();
}
