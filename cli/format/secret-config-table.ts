// `secret ls` and `config ls` as the docker CLI prints them: full IDs, sorted by name, ages
// as "5 minutes ago"; secrets add a DRIVER column (empty for data held by the swarm).
import type { DockerConfig, DockerSecret } from '../client/secret-config-types.js';
import { humanDuration } from './human-duration.js';
import { naturalCompare } from './natural-order.js';
import { alignColumns } from './tabwriter.js';

type Listed = DockerSecret | DockerConfig;

function byName<T extends Listed>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => naturalCompare(a.Spec.Name ?? '', b.Spec.Name ?? ''));
}

function ago(timestamp: string, nowMs: number): string {
  const t = Date.parse(timestamp);
  return `${humanDuration(Number.isNaN(t) ? 0 : nowMs - t)} ago`;
}

export function formatSecretTable(secrets: readonly DockerSecret[], nowMs: number, quiet = false): string {
  const sorted = byName(secrets);
  if (quiet) return sorted.map((s) => `${s.ID}\n`).join('');
  const rows: string[][] = [['ID', 'NAME', 'DRIVER', 'CREATED', 'UPDATED']];
  for (const s of sorted) {
    rows.push([
      s.ID,
      s.Spec.Name ?? '',
      s.Spec.Driver?.Name ?? '',
      ago(s.CreatedAt, nowMs),
      ago(s.UpdatedAt, nowMs),
    ]);
  }
  return alignColumns(rows);
}

export function formatConfigTable(configs: readonly DockerConfig[], nowMs: number, quiet = false): string {
  const sorted = byName(configs);
  if (quiet) return sorted.map((c) => `${c.ID}\n`).join('');
  const rows: string[][] = [['ID', 'NAME', 'CREATED', 'UPDATED']];
  for (const c of sorted) {
    rows.push([c.ID, c.Spec.Name ?? '', ago(c.CreatedAt, nowMs), ago(c.UpdatedAt, nowMs)]);
  }
  return alignColumns(rows);
}
