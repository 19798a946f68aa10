// Splits a command line into words like a POSIX shell (quotes and backslashes), as the docker
// CLI does for --entrypoint and --args.
import { CliError } from '../cli-error.js';

export function splitShellWords(input: string): string[] {
  const words: string[] = [];
  let current = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < input.length; i++) {
    const c = input.charAt(i);
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else current += c;
      continue;
    }
    if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && i + 1 < input.length && '"\\$`'.includes(input.charAt(i + 1))) {
        current += input.charAt(++i);
      } else current += c;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\') {
      if (i + 1 < input.length) current += input.charAt(++i);
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else {
      current += c;
      inWord = true;
    }
  }
  if (quote !== undefined) throw new CliError(`unclosed quote in ${JSON.stringify(input)}`, 'SHELL_WORDS');
  if (inWord) words.push(current);
  return words;
}

/** One line of comma-separated fields, with double quotes as Go's encoding/csv reads them. */
export function splitCsvFields(line: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (line.charAt(i) === '"') {
      i++;
      for (;;) {
        if (i >= line.length) throw new CliError(`extraneous or missing " in quoted-field: ${line}`, 'CSV');
        const c = line.charAt(i);
        if (c === '"') {
          if (line.charAt(i + 1) === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += c;
        i++;
      }
      if (i < line.length && line.charAt(i) !== ',') {
        throw new CliError(`extraneous or missing " in quoted-field: ${line}`, 'CSV');
      }
    } else {
      const comma = line.indexOf(',', i);
      field = comma < 0 ? line.slice(i) : line.slice(i, comma);
      i = comma < 0 ? line.length : comma;
    }
    fields.push(field);
    if (i >= line.length) return fields;
    i++; // the comma
  }
}
