// The list filters of /secrets and /configs as dockerd hands them to swarmkit
// (daemon/cluster/filters.go: names → Names, name → NamePrefixes, id → IDPrefixes, label →
// Labels) and as swarmkit applies them: an object matches when any names, name or id filter
// matches it (they are alternatives), and then every label filter. Names are compared without
// case, as swarmkit's name index keeps them; IDs with case.

import { filterValues, type Filters } from './filters.js';

export const BLOB_FILTERS = ['id', 'label', 'name', 'names'];

export interface BlobFacts {
  readonly id: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** swarmkit's filterMatchLabels: "key" needs the key, "key=value" (value not empty) the value too. */
function labelsMatch(filters: Filters, labels: Readonly<Record<string, string>>): boolean {
  for (const want of filterValues(filters, 'label')) {
    const eq = want.indexOf('=');
    const key = eq < 0 ? want : want.slice(0, eq);
    const value = eq < 0 ? '' : want.slice(eq + 1);
    if (!Object.hasOwn(labels, key)) return false;
    if (value !== '' && labels[key] !== value) return false;
  }
  return true;
}

export function blobMatches(o: BlobFacts, filters: Filters): boolean {
  const names = filterValues(filters, 'names');
  const prefixes = filterValues(filters, 'name');
  const ids = filterValues(filters, 'id');
  if (names.length + prefixes.length + ids.length > 0) {
    const name = o.name.toLowerCase();
    const picked =
      names.some((n) => n.toLowerCase() === name) ||
      prefixes.some((p) => name.startsWith(p.toLowerCase())) ||
      ids.some((p) => o.id.startsWith(p));
    if (!picked) return false;
  }
  return labelsMatch(filters, o.labels);
}
