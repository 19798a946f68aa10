// `secret inspect --pretty` and `config inspect --pretty`: the docker CLI's templates
// (labels sorted by key, times as Go prints them, a config's data as text; the config
// template aligns with tabs, the secret one with spaces).
import type { DockerConfig, DockerSecret } from '../client/secret-config-types.js';
import { goTimeString, prettyPrint } from './pretty-print.js';

function labelLines(labels: Readonly<Record<string, string>> | undefined): string {
  const keys = Object.keys(labels ?? {}).sort();
  if (keys.length === 0) return '';
  return `\nLabels:${keys
    .map((k) => {
      const v = labels?.[k] ?? '';
      return `\n - ${k}${v !== '' ? `=${v}` : ''}`;
    })
    .join('')}`;
}

function time(rfc3339: string): string {
  return prettyPrint(goTimeString(rfc3339));
}

export function formatSecretPretty(s: DockerSecret): string {
  return (
    `ID:              ${s.ID}\n` +
    `Name:              ${s.Spec.Name ?? ''}` +
    labelLines(s.Spec.Labels) +
    `\nDriver:            ${s.Spec.Driver?.Name ?? ''}` +
    `\nCreated at:        ${time(s.CreatedAt)}` +
    `\nUpdated at:        ${time(s.UpdatedAt)}\n`
  );
}

export function formatConfigPretty(c: DockerConfig): string {
  const data = Buffer.from(c.Spec.Data ?? '', 'base64').toString('utf8');
  return (
    `ID:\t\t\t${c.ID}\n` +
    `Name:\t\t\t${c.Spec.Name ?? ''}` +
    labelLines(c.Spec.Labels) +
    `\nCreated at:            \t${time(c.CreatedAt)}` +
    `\nUpdated at:            \t${time(c.UpdatedAt)}` +
    (data !== '' ? `\nData:\n${data}` : '') +
    '\n'
  );
}
