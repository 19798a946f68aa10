// `inspect` output as the docker CLI prints it: a JSON array indented by four spaces, with
// Go's HTML-safe escaping of <, > and &.

export function formatInspectJson(values: readonly unknown[]): string {
  if (values.length === 0) return '[]\n';
  const text = JSON.stringify(values, null, 4)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026');
  return `${text}\n`;
}
